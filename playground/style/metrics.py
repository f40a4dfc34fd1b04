"""One yardstick for both methods: how far an image's style is from the style image.

style ratio = Gram distance(output, style) / Gram distance(content, style), on the Gatys
layers (stem, blocks 1, 3, 5, 8), with the three images at the same size. Below 1: the
output is closer to the style than the content photo was; 0 would be a perfect match.

Images are reflect-padded by ``MARGIN`` pixels first (as the Gatys loss does): at small
sizes block 8 is only a few cells wide, and without the margin its Gram matrix is mostly
about the zero-padded border, not about the picture.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from PIL import Image

from playground.device import device_of
from playground.images import resize_longer
from playground.style import features as feats
from playground.style.gram import style_distance

LAYERS = ("stem", 1, 3, 5, 8)
MARGIN = 24


def padded_maps(model, pixels: torch.Tensor, layers=LAYERS, margin: int = MARGIN) -> dict:
    """Feature maps of ``pixels`` (B, 3, H, W) in [0, 1], reflect-padded by ``margin`` first.

    The bottom and right margins are widened so the padded sides are multiples of 32: then
    every stride-2 layer halves an even size and TensorFlow-"SAME" padding stays symmetric
    down the network (odd sizes made a line of artefacts appear across Gatys images).
    """
    height, width = pixels.shape[-2:]
    margin = min(margin, height - 1, width - 1)  # reflection needs margin < side
    extra_h = min(-(height + 2 * margin) % 32, height - 1 - margin)
    extra_w = min(-(width + 2 * margin) % 32, width - 1 - margin)
    if margin > 0 or extra_h > 0 or extra_w > 0:
        pixels = F.pad(pixels, (margin, margin + max(extra_w, 0), margin, margin + max(extra_h, 0)), mode="reflect")
    return feats.extract(model, pixels, layers)


def style_ratio(output: Image.Image, content: Image.Image, style: Image.Image, size: int) -> float:
    """Gram distance of output→style over content→style, all at longer side ``size``."""
    model = feats.backbone()
    device = device_of(model)

    def maps(image: Image.Image) -> dict:
        return padded_maps(model, feats.to_tensor(resize_longer(image, size), device))

    with torch.no_grad():
        out_maps, content_maps, style_maps = maps(output), maps(content), maps(style)
    return style_distance(out_maps, style_maps) / style_distance(content_maps, style_maps)
