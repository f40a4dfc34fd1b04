"""A light decoder that turns EfficientNet-Lite0 block-4 features back into an image (for AdaIN).

Input (B, 40, H/8, W/8) — the encoder's output after block 4 — and output (B, 3, H, W)
pixels in [0, 1] (unclamped while training). Three nearest-neighbour upsamplings, each
followed by 3×3 convolutions with reflection padding (no checkerboard artefacts from
transposed convolutions, no dark borders from zero padding). About 90 k parameters.
"""

from __future__ import annotations

import torch
from torch import nn

ENCODER_CHANNELS = 40  # EfficientNet-Lite0 block 4


def _conv(in_channels: int, out_channels: int, activate: bool = True) -> list[nn.Module]:
    layers: list[nn.Module] = [nn.ReflectionPad2d(1), nn.Conv2d(in_channels, out_channels, 3)]
    if activate:
        layers.append(nn.ReLU(inplace=True))
    return layers


class AdaINDecoder(nn.Module):
    def __init__(self, in_channels: int = ENCODER_CHANNELS, width: int = 64, input_scale: float = 1.0):
        super().__init__()
        # Block-4 features have a std of about 8; scaling them towards 1 keeps the first
        # layer's Adam updates in proportion (a constant, not a weight: not in the state dict).
        self.input_scale = input_scale
        up = nn.Upsample(scale_factor=2, mode="nearest")
        self.layers = nn.Sequential(
            *_conv(in_channels, width),  # (B, 64, H/8, W/8)
            up,
            *_conv(width, width * 3 // 4),  # (B, 48, H/4, W/4)
            *_conv(width * 3 // 4, width * 3 // 4),
            up,
            *_conv(width * 3 // 4, width // 2),  # (B, 32, H/2, W/2)
            up,
            *_conv(width // 2, width // 4),  # (B, 16, H, W)
            *_conv(width // 4, 3, activate=False),  # (B, 3, H, W)
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.layers(features * self.input_scale)
