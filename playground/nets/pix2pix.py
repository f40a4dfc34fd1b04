"""pix2pix: a U-Net generator and a PatchGAN discriminator (Isola et al.).

The generator is an encoder (strided 4×4 convolutions halving the picture down to a 4×4
bottleneck: 128→64→32→16→8→4) followed by a decoder back to full size. U-Net skip
connections hand each encoder level's maps straight to the decoder level of the same
size, so fine detail (where the lines are: a face's eyes and mouth) need not squeeze
through the bottleneck. The decoder upsamples by nearest-neighbour doubling followed by a
3×3 convolution rather than a transpose convolution: a stride-2 transpose convolution
overlaps its kernels unevenly and paints a checkerboard, resize-then-convolve cannot.
Dropout in the two innermost decoder blocks is pix2pix's only source of randomness; left
on at test time it gives variety.

The discriminator sees the *pair* (input drawing, output picture) and answers "real pair
or fake pair?" for every overlapping patch (a 15×15 grid of ~46-pixel patches at 128 px),
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
    width: int = 16  # channels of the first encoder level (doubling per level, at most 8×)
    image_size: int = 128  # a power of two ≥ 32
    disc_width: int = 16  # channels of the discriminator's first layer

    def level_widths(self) -> list[int]:
        """Channels of each encoder level, outermost first: one level per halving down to 4×4."""
        levels = (self.image_size // 4).bit_length() - 1  # 128 → 5 levels: 64, 32, 16, 8, 4
        return [self.width * min(2**level, 8) for level in range(levels)]


def _down(c_in: int, c_out: int, batch_norm: bool = True) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Conv2d(c_in, c_out, 4, 2, 1, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(c_out))
    layers.append(nn.LeakyReLU(0.2, True))
    return nn.Sequential(*layers)


def _up(c_in: int, c_out: int) -> nn.Sequential:
    """(B, c_in, h, w) → (B, c_out, 2h, 2w): double by copying pixels, then a 3×3 convolution."""
    return nn.Sequential(
        nn.Upsample(scale_factor=2, mode="nearest"),
        nn.Conv2d(c_in, c_out, 3, 1, 1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(True),
    )


DROPOUT = 0.5
DROPOUT_BLOCKS = 2  # the innermost decoder blocks that drop out (as in the paper)


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
    """(B, 1, S, S) drawing in [-1, 1] → (B, 3, S, S) picture in [-1, 1], S = config.image_size."""

    def __init__(self, config: Pix2PixConfig = Pix2PixConfig()) -> None:
        super().__init__()
        self.config = config
        widths = config.level_widths()  # e.g. [16, 32, 64, 128, 128] at 128 px
        # Encoder level i: (B, widths[i], S/2^(i+1), S/2^(i+1)); the last one is the 4×4 bottleneck.
        self.downs = nn.ModuleList(
            _down(c_in, c_out, batch_norm=level > 0)
            for level, (c_in, c_out) in enumerate(zip([config.in_channels, *widths[:-1]], widths))
        )
        # Decoder block j doubles the size and meets encoder level L-2-j; its output is
        # concatenated with that level's maps, so the next block reads twice the channels.
        self.ups = nn.ModuleList()
        c_in = widths[-1]
        for level in reversed(range(len(widths) - 1)):
            self.ups.append(_up(c_in, widths[level]))
            c_in = 2 * widths[level]
        self.out = nn.Sequential(
            nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c_in, config.out_channels, 3, 1, 1), nn.Tanh()
        )  # (B, 3, S, S)
        self.apply(weights_init)

    def forward(
        self, drawing: torch.Tensor, skips: bool = True, noise: torch.Generator | None = None, mirror: bool = False
    ) -> torch.Tensor:
        """``skips=False`` hands the decoder zeros instead of the encoder's maps (to see what
        they carry); ``noise`` (a torch.Generator) keeps dropout on at test time. ``mirror``
        colours the drawing and its mirror image in one batch and averages the two answers
        (the second flipped back): a test-time ensemble that evens out the generator's
        left/right quirks, used by the app (held-out figures in the pix2pix card)."""
        if not mirror:
            return self._colour(drawing, skips, noise)
        # One batch of 2B (the drawings, then their mirror images), cut in two halves again by chunk,
        # which an exported graph does at run time: no batch or picture size is baked into it.
        both = self._colour(torch.cat([drawing, drawing.flip(-1)]), skips, noise)  # (2B, 3, S, S)
        plain, mirrored = both.chunk(2)
        return (plain + mirrored.flip(-1)) / 2

    def _colour(self, drawing: torch.Tensor, skips: bool, noise: torch.Generator | None) -> torch.Tensor:
        """(B, 1, S, S) drawing → (B, 3, S, S) picture: the U-Net itself."""
        encoded = []
        features = drawing
        for down in self.downs:
            features = down(features)
            encoded.append(features)
        features = encoded.pop()  # the bottleneck (B, widths[-1], 4, 4)
        for block, up in enumerate(self.ups):
            features = up(features)
            if block < DROPOUT_BLOCKS:
                features = _dropout(features, self.training, noise)
            skip = encoded.pop()
            features = torch.cat([features, skip if skips else torch.zeros_like(skip)], dim=1)
        return self.out(features)


class PatchDiscriminator(nn.Module):
    """(drawing (B, 1, S, S), picture (B, 3, S, S)) → (B, 1, S/8 − 1, S/8 − 1) real-pair logits per patch."""

    def __init__(self, config: Pix2PixConfig = Pix2PixConfig()) -> None:
        super().__init__()
        w = config.disc_width
        self.net = nn.Sequential(
            nn.Conv2d(config.in_channels + config.out_channels, w, 4, 2, 1),  # (B, w, S/2, S/2)
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False),  # (B, 2w, S/4, S/4)
            nn.BatchNorm2d(2 * w),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * w, 4 * w, 4, 2, 1, bias=False),  # (B, 4w, S/8, S/8)
            nn.BatchNorm2d(4 * w),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(4 * w, 1, 4, 1, 1),  # (B, 1, S/8 − 1, S/8 − 1)
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

    def forward(self, drawing: torch.Tensor, skips: bool = True, noise: torch.Generator | None = None,
                mirror: bool = False) -> torch.Tensor:
        return self.generator(drawing, skips, noise, mirror)
