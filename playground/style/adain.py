"""AdaIN (Huang & Belongie, 2017): arbitrary style transfer in one forward pass.

encode (frozen Lite0 up to block 4) → re-normalise each content channel to the style's
per-channel mean and std → decode (the small decoder trained by the ``adain_decoder``
recipe). Style strength α blends the re-normalised features with the content features:
α = 0 decodes the content's own features (a reconstruction of the content image).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
from PIL import Image

from playground import checks, registry
from playground.images import resize_longer
from playground.style import features as feats
from playground.style.colour import preserve_colour

DECODER = "adain_decoder"
ENCODER_LAYER = 4  # Lite0 block 4: 40 channels at 1/8 resolution
EPS = 1e-5


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


def encode(model: torch.nn.Module, pixels: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) in [0, 1] → (B, 40, ⌈H/8⌉, ⌈W/8⌉)."""
    return feats.extract(model, pixels, [ENCODER_LAYER])[ENCODER_LAYER]


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
    content_features = encode(encoder, content)
    total = sum(style_weights)
    target_mean = torch.zeros_like(content_features[:, :, :1, :1])
    target_std = torch.zeros_like(target_mean)
    for style, weight in zip(styles, style_weights):
        mean, std = mean_std(encode(encoder, style))
        target_mean = target_mean + weight / total * mean
        target_std = target_std + weight / total * std
    target = adain(content_features, target_mean, target_std)
    mixed = alpha * target + (1 - alpha) * content_features
    out = decoder(mixed)  # (1, 3, 8·⌈H/8⌉, 8·⌈W/8⌉)
    return out[:, :, : content.shape[2], : content.shape[3]].clamp(0, 1)


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
