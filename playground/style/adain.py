"""AdaIN (Huang & Belongie, 2017): arbitrary style transfer in one forward pass.

encode (frozen Lite0 up to block 4) → re-normalise each content channel to the style's
per-channel mean and std → decode (the decoder trained by the ``adain_decoder`` recipe).
This version renormalises at every depth its decoder reads (``decoder.encoder_layers``:
blocks 4, 2 and 0; a decoder trained with ``block8=true`` also reads block 8): the deep
map carries the style's texture, the shallow ones the style's colours and the content's
fine layout.
Style strength α blends the re-normalised features with the content features: α = 0
decodes the content's own features (a reconstruction of the content image).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from PIL import Image

from playground import checks, registry
from playground.images import resize_longer
from playground.nets.adain_decoder import ENCODER_LAYERS, AdaINDecoderPair
from playground.style import features as feats
from playground.style.colour import preserve_colour

DECODER = "adain_decoder"
# ENCODER_LAYERS (from the decoder): Lite0 blocks 4, 2, 0: (40, 1/8), (24, 1/4), (16, 1/2);
# a decoder with the block-8 branch also reads block 8 (112, 1/16): its ``encoder_layers``.
MARGIN = 16  # px of reflected border around the content while encoding: no halo at the edges
EPS = 1e-5
Features = dict[int, torch.Tensor]  # layer → (B, C, h, w)


def mean_std(features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-sample, per-channel mean and std over positions: (B, C, H, W) → two (B, C, 1, 1)."""
    flat = features.flatten(2)  # (B, C, N)
    mean = flat.mean(dim=2)[..., None, None]
    std = (flat.var(dim=2, unbiased=False) + EPS).sqrt()[..., None, None]
    return mean, std


def adain(content: torch.Tensor, style_mean: torch.Tensor, style_std: torch.Tensor) -> torch.Tensor:
    """Give ``content`` features (B, C, H, W) the target per-channel statistics."""
    mean, std = mean_std(content)
    return (content - mean) / std * style_std + style_mean


def encode(model: torch.nn.Module, pixels: torch.Tensor, layers=ENCODER_LAYERS) -> Features:
    """(B, 3, H, W) in [0, 1] → {4: (B, 40, ⌈H/8⌉, ⌈W/8⌉), 2: (B, 24, …/4), 0: (B, 16, …/2)}
    (and 8: (B, 112, ⌈H/16⌉, ⌈W/16⌉) when ``layers`` has it)."""
    return feats.extract(model, pixels, layers)


def decode(decoder: torch.nn.Module, features: Features, alpha: float | torch.Tensor = 1.0) -> torch.Tensor:
    """The decoder on its maps, in its argument order: → (B, 3, 8·⌈H/8⌉, 8·⌈W/8⌉).

    A decoder that takes the style strength (``alpha_input``) gets ``alpha`` too, as a (B,) tensor."""
    maps = [features[layer] for layer in decoder.encoder_layers]
    if isinstance(decoder, AdaINDecoderPair):  # one decoder for each end of α, blended between
        return decoder(*maps, *([None] if len(maps) == 3 else []), alpha=float(alpha))
    if not getattr(decoder, "alpha_input", False):
        return decoder(*maps)
    alpha = torch.as_tensor(alpha, dtype=maps[0].dtype).expand(maps[0].shape[0]).contiguous()  # (B,)
    if len(maps) == 3:
        maps.append(None)  # no block-8 map: α is forward()'s fifth argument
    return decoder(*maps, alpha)


def renormalise(content: Features, targets: dict[int, tuple[torch.Tensor, torch.Tensor]], alpha: float | torch.Tensor) -> Features:
    """Each content map moved to its target (mean, std) by AdaIN, blended with itself by ``alpha``.

    ``alpha`` is a number or a (B,) tensor (one strength per sample, as in training).
    """
    out = {}
    for layer, features in content.items():
        weight = alpha.view(-1, 1, 1, 1) if torch.is_tensor(alpha) else alpha
        out[layer] = weight * adain(features, *targets[layer]) + (1 - weight) * features
    return out


def pad_for_encoder(pixels: torch.Tensor, margin: int = MARGIN) -> tuple[torch.Tensor, tuple[int, int]]:
    """Reflect-pad (1, 3, H, W) by ``margin`` and up to a multiple of 16; returns it and the crop offset.

    (A multiple of 16 keeps block 8's 1/16 map exactly half of block 4's: TF-"SAME" padding
    stays symmetric, with no half-pixel shift between the two maps.)"""
    height, width = pixels.shape[-2:]
    margin = min(margin, height - 1, width - 1)
    bottom = margin + (-(height + 2 * margin) % 16)
    right = margin + (-(width + 2 * margin) % 16)
    if max(bottom, right) >= min(height, width):  # reflection needs a pad smaller than the side
        return F.pad(pixels, (0, -width % 16, 0, -height % 16), mode="replicate"), (0, 0)
    return F.pad(pixels, (margin, right, margin, bottom), mode="reflect"), (margin, margin)


def stylise_tensors(
    encoder: torch.nn.Module,
    decoder: torch.nn.Module,
    content: torch.Tensor,
    styles: list[torch.Tensor],
    style_weights: list[float],
    alpha: float,
) -> torch.Tensor:
    """Content (1, 3, H, W) and styles (1, 3, h, w) in [0, 1] → (1, 3, H, W) in [0, 1].

    Two or more styles mix by a weighted average of their target mean and std.
    """
    layers = decoder.encoder_layers
    padded, (top, left) = pad_for_encoder(content)
    content_features = encode(encoder, padded, layers)
    total = sum(style_weights)
    targets = {layer: (torch.zeros_like(f[:, :, :1, :1]), torch.zeros_like(f[:, :, :1, :1])) for layer, f in content_features.items()}
    for style, weight in zip(styles, style_weights):
        for layer, features in encode(encoder, style, layers).items():
            mean, std = mean_std(features)
            target_mean, target_std = targets[layer]
            targets[layer] = (target_mean + weight / total * mean, target_std + weight / total * std)
    out = decode(decoder, renormalise(content_features, targets, alpha), alpha)  # (1, 3, H', W') ⊇ content
    return out[:, :, top : top + content.shape[2], left : left + content.shape[3]].clamp(0, 1)


@dataclass
class AdaINResult:
    image: Image.Image
    seconds: float


def stylise(
    content: Image.Image,
    style: Image.Image,
    alpha: float = 1.0,
    size: int = 512,
    style_b: Image.Image | None = None,
    mix: float = 0.0,
    keep_colour: bool = False,
    style_size: int | None = None,
) -> AdaINResult:
    """Stylise ``content`` (its longer side resized to ``size``) with ``style`` (and ``style_b``).

    ``mix`` ∈ [0, 1] is the share of ``style_b``; ``alpha`` ∈ [0, 1] the style strength.
    """
    alpha = checks.real("style strength α", alpha, 0, 1)
    mix = checks.real("the mix", mix, 0, 1)
    started = time.perf_counter()
    encoder = feats.backbone()
    decoder = registry.get(DECODER)
    content_image = resize_longer(content, size)
    style_images = [resize_longer(style, style_size or size)]
    weights = [1.0 - mix]
    if style_b is not None and mix > 0:
        style_images.append(resize_longer(style_b, style_size or size))
        weights.append(mix)
    with torch.inference_mode():
        out = stylise_tensors(
            encoder,
            decoder,
            feats.to_tensor(content_image),
            [feats.to_tensor(image) for image in style_images],
            weights,
            alpha,
        )
    image = feats.to_image(out)
    if keep_colour:
        image = preserve_colour(image, content_image)
    return AdaINResult(image, time.perf_counter() - started)
