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


def content_distance(output: Image.Image, content: Image.Image, size: int, layer: int = 8) -> float:
    """How far the output's block-8 features (Gatys' content layer) are from the content's,
    relative to the content's own feature energy: ‖F(out) − F(content)‖² / ‖F(content)‖²."""
    model = feats.backbone()
    device = device_of(model)
    with torch.no_grad():
        out_map = padded_maps(model, feats.to_tensor(resize_longer(output, size), device), [layer])[layer]
        content_map = padded_maps(model, feats.to_tensor(resize_longer(content, size), device), [layer])[layer]
    return float((out_map - content_map).pow(2).sum() / content_map.pow(2).sum())


def grid_artefact_db(image: Image.Image, period: int = 8) -> float:
    """Periodic-artefact score in dB: spectral peaks on the decoder's upsampling grid.

    A decoder that upsamples ×8 from a 1/8-size map can leave patterns repeating every 8, 4
    or 2 pixels (checkerboards, stripes). They show as spikes of the brightness spectrum at
    the frequencies k/8 cycles per pixel. The score is the mean, over k = 1 … 7 and both axes,
    of the power at those frequencies over the median power of nearby frequencies (10·log10):
    about 0 dB for a photo, several dB for a visible grid.
    """
    import numpy as np

    grey = np.asarray(image.convert("L"), dtype=np.float64)
    scores = []
    for axis in (0, 1):
        signal = grey - grey.mean(axis=axis, keepdims=True)
        length = signal.shape[axis]
        window = np.hanning(length).reshape((-1, 1) if axis == 0 else (1, -1))
        power = (np.abs(np.fft.rfft(signal * window, axis=axis)) ** 2).mean(axis=1 - axis)  # (length//2 + 1,)
        for k in range(1, period):
            centre = round(k * length / period)
            if centre >= len(power):
                continue
            near = [b for offset in (2, 3, 4, 5) for b in (centre - offset, centre + offset) if 0 < b < len(power)]
            peak = power[max(centre - 1, 1) : centre + 2].max()  # the spike may fall between two bins
            scores.append(10 * np.log10(peak / max(np.median(power[near]), 1e-12)))
    return float(np.mean(scores))
