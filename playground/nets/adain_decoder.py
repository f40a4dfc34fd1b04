"""The decoder that turns AdaIN-renormalised EfficientNet-Lite0 features back into an image.

Inputs: the encoder's feature maps at three depths, each already renormalised by AdaIN —
block 4 (B, 40, H/8, W/8), block 2 (B, 24, H/4, W/4) and block 0 (B, 16, H/2, W/2) — and
output (B, 3, H, W) pixels in [0, 1] (unclamped while training). The deep map carries the
style's textures; the two shallower maps carry the fine layout the deep map has lost at 1/8
size, which is what lets α = 0 give the photo back sharply.

With ``block8=True`` it also reads block 8 (B, 112, H/16, W/16), renormalised the same way:
the deeper map carries the style's larger motifs (cells, strokes, tiles) that block 4's
statistics do not hold. Its branch is added to the block-4 path through a convolution that
starts at zero, so a three-level decoder's weights load unchanged and fine-tune from there. Each upsampling is nearest
neighbour followed by 3×3 convolutions with reflection padding: no checkerboards (every
output pixel sees the same kernel taps), no dark borders from zero padding.
"""

from __future__ import annotations

import torch
from torch import nn

# Encoder layers the decoder reads, deepest first, with their channels (EfficientNet-Lite0).
ENCODER_LAYERS = (4, 2, 0)
DEEP_LAYERS = (4, 2, 0, 8)  # with the block-8 branch (forward()'s argument order: block 8 last)
ENCODER_CHANNELS = {8: 112, 4: 40, 2: 24, 0: 16}


def _conv(in_channels: int, out_channels: int, activate: bool = True) -> list[nn.Module]:
    layers: list[nn.Module] = [nn.ReflectionPad2d(1), nn.Conv2d(in_channels, out_channels, 3)]
    if activate:
        layers.append(nn.ReLU(inplace=True))
    return layers


class AdaINDecoder(nn.Module):
    def __init__(self, width: int = 96, input_scale: float = 0.125, block8: bool = False):
        super().__init__()
        self.encoder_layers = DEEP_LAYERS if block8 else ENCODER_LAYERS  # the maps forward() takes, in its order
        # Lite0 features have a std of a few units; scaling them towards 1 keeps the first
        # layers' Adam updates in proportion (a constant, not a weight: not in the state dict).
        self.input_scale = input_scale
        w = width
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.deep = nn.Sequential(*_conv(ENCODER_CHANNELS[4], w), *_conv(w, w))  # (B, w, H/8, W/8)
        self.middle = nn.Sequential(*_conv(w + ENCODER_CHANNELS[2], w * 2 // 3), *_conv(w * 2 // 3, w * 2 // 3))  # (B, 2w/3, H/4, W/4)
        self.shallow = nn.Sequential(*_conv(w * 2 // 3 + ENCODER_CHANNELS[0], w // 2), *_conv(w // 2, w // 3))  # (B, w/3, H/2, W/2)
        self.out = nn.Sequential(*_conv(w // 3, w // 3), *_conv(w // 3, 3, activate=False))  # (B, 3, H, W)
        if block8:
            self.deeper = nn.Sequential(*_conv(ENCODER_CHANNELS[8], w), *_conv(w, w))  # (B, w, H/16, W/16)
            self.deeper_merge = nn.Sequential(*_conv(w, w, activate=False))  # upsampled, added to the block-4 path
            nn.init.zeros_(self.deeper_merge[1].weight)
            nn.init.zeros_(self.deeper_merge[1].bias)

    def forward(self, block4: torch.Tensor, block2: torch.Tensor, block0: torch.Tensor,
                block8: torch.Tensor | None = None) -> torch.Tensor:
        """The renormalised maps (``block8`` only for a decoder built with ``block8=True``)."""
        s = self.input_scale
        x = self.deep(block4 * s)
        if block8 is not None:  # block 8 is 1/16 size: upsample, crop to block 4's size (odd sizes round up)
            extra = self.deeper_merge(self.up(self.deeper(block8 * s)))
            x = x + extra[:, :, : x.shape[2], : x.shape[3]]
        x = self.middle(torch.cat([self.up(x), block2 * s], dim=1))
        x = self.shallow(torch.cat([self.up(x), block0 * s], dim=1))
        return self.out(self.up(x))
