"""pix2pix: a U-Net generator and a PatchGAN discriminator (Isola et al.), sized for 64×64.

The generator is an encoder (strided convolutions, 64→32→16→8→4) followed by a decoder
(transpose convolutions back to 64); U-Net skip connections hand each encoder level's
maps straight to the decoder level of the same size, so fine detail (where the lines
are) need not squeeze through the 4×4 bottleneck. Dropout in the two innermost decoder
blocks is pix2pix's only source of randomness; left on at test time it gives variety.

The discriminator sees the *pair* (input drawing, output picture) and answers "real
pair or fake pair?" for every overlapping patch (a 14×14 grid of ~34-pixel patches),
not once for the whole picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from playground.nets.dcgan import weights_init


@dataclass(frozen=True)
class Pix2PixConfig:
    in_channels: int = 1  # a line drawing
    out_channels: int = 3  # an RGB picture
    width: int = 16  # channels of the first encoder level
    image_size: int = 64


def _down(c_in: int, c_out: int, batch_norm: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(c_out))
    layers.append(nn.LeakyReLU(0.2, True))
    return nn.Sequential(*layers)


def _up(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.ConvTranspose2d(c_in, c_out, 4, 2, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(True))


DROPOUT = 0.5


def _dropout(features: torch.Tensor, training: bool, noise: torch.Generator | None) -> torch.Tensor:
    """Dropout while training, or at test time from an explicit random generator (``noise``):
    the shared inference model is never switched to train mode, and a seed gives the same
    variation every time."""
    if training:
        return F.dropout(features, DROPOUT, training=True)
    if noise is None:
        return features
    keep = torch.rand(features.shape, generator=noise).to(features.device) >= DROPOUT
    return features * keep / (1 - DROPOUT)


class UNetGenerator(nn.Module):
    """(B, 1, 64, 64) drawing in [-1, 1] → (B, 3, 64, 64) picture in [-1, 1]."""

    def __init__(self, config: Pix2PixConfig = Pix2PixConfig()) -> None:
        super().__init__()
        self.config = config
        w = config.width
        self.down1 = _down(config.in_channels, w, batch_norm=False)  # (B, w, 32, 32)
        self.down2 = _down(w, 2 * w)  # (B, 2w, 16, 16)
        self.down3 = _down(2 * w, 4 * w)  # (B, 4w, 8, 8)
        self.down4 = _down(4 * w, 4 * w)  # (B, 4w, 4, 4): the bottleneck
        self.up1 = _up(4 * w, 4 * w)  # (B, 4w, 8, 8) + dropout, then + down3 → 8w
        self.up2 = _up(8 * w, 2 * w)  # (B, 2w, 16, 16) + dropout, then + down2 → 4w
        self.up3 = _up(4 * w, w)  # (B, w, 32, 32), then + down1 → 2w
        self.out = nn.Sequential(nn.ConvTranspose2d(2 * w, config.out_channels, 4, 2, 1), nn.Tanh())  # (B, 3, 64, 64)
        self.apply(weights_init)

    def forward(
        self, drawing: torch.Tensor, skips: bool = True, noise: torch.Generator | None = None
    ) -> torch.Tensor:
        """``skips=False`` hands the decoder zeros instead of the encoder's maps (to see what
        they carry); ``noise`` (a torch.Generator) keeps dropout on at test time."""
        d1 = self.down1(drawing)
        d2 = self.down2(d1)
        d3 = self.down3(d2)
        bottleneck = self.down4(d3)

        def skip(features: torch.Tensor) -> torch.Tensor:
            return features if skips else torch.zeros_like(features)

        u1 = torch.cat([_dropout(self.up1(bottleneck), self.training, noise), skip(d3)], dim=1)  # (B, 8w, 8, 8)
        u2 = torch.cat([_dropout(self.up2(u1), self.training, noise), skip(d2)], dim=1)  # (B, 4w, 16, 16)
        u3 = torch.cat([self.up3(u2), skip(d1)], dim=1)  # (B, 2w, 32, 32)
        return self.out(u3)


class PatchDiscriminator(nn.Module):
    """(drawing (B, 1, 64, 64), picture (B, 3, 64, 64)) → (B, 1, 14, 14) real-pair logits per patch."""

    def __init__(self, config: Pix2PixConfig = Pix2PixConfig()) -> None:
        super().__init__()
        w = 2 * config.width
        self.net = nn.Sequential(
            nn.Conv2d(config.in_channels + config.out_channels, w, 4, 2, 1),  # (B, w, 32, 32)
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False),  # (B, 2w, 16, 16)
            nn.BatchNorm2d(2 * w),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * w, 4 * w, 4, 1, 1, bias=False),  # (B, 4w, 15, 15)
            nn.BatchNorm2d(4 * w),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(4 * w, 1, 4, 1, 1),  # (B, 1, 14, 14)
        )
        self.apply(weights_init)

    def forward(self, drawing: torch.Tensor, picture: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([drawing, picture], dim=1))


class Pix2Pix(nn.Module):
    """Generator and discriminator in one module (one weight file)."""

    def __init__(self, config: Pix2PixConfig = Pix2PixConfig()) -> None:
        super().__init__()
        self.config = config
        self.generator = UNetGenerator(config)
        self.discriminator = PatchDiscriminator(config)

    def forward(self, drawing: torch.Tensor, skips: bool = True, noise: torch.Generator | None = None) -> torch.Tensor:
        return self.generator(drawing, skips, noise)
