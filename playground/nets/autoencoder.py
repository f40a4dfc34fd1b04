"""Convolutional autoencoders: strided convolutions down, transpose convolutions up.

- ``DigitAutoencoder`` (28×28 MNIST digits). Two stride-2 convolutions squeeze a digit to
  a (C, 7, 7) feature map; two ``ConvTranspose2d`` layers "upsample" it back to 28×28.
  With ``latent_dim`` set, the 7×7 map is flattened through a linear bottleneck of
  ``latent_dim`` numbers (2 for the latent plane, 8 or 32 to see how much survives),
  which is what makes it a compressor.
- ``PhotoDenoiser`` (RGB or grey photos of any size divisible by 8). The same down/up shape
  with skip connections (a residual U-Net over four scales), fed the noisy image plus a
  constant map of the noise level σ, predicting the noise to subtract (residual learning, as
  in DnCNN; one model for every σ, as in FFDNet). Fully convolutional: it runs on tiles.
"""

from __future__ import annotations

import torch
from torch import nn


class DigitAutoencoder(nn.Module):
    """28×28 digits in [0, 1] → 28×28 in [0, 1]; optional linear bottleneck of ``latent_dim``."""

    def __init__(self, latent_dim: int | None = None, width: int = 32) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.width = width
        self.encoder = nn.Sequential(
            nn.Conv2d(1, width, 3, padding=1), nn.ReLU(),  # (B, w, 28, 28)
            nn.Conv2d(width, width, 3, stride=2, padding=1), nn.ReLU(),  # (B, w, 14, 14)
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.ReLU(),  # (B, 2w, 7, 7)
        )
        if latent_dim is not None:
            flat = 2 * width * 7 * 7
            self.to_latent = nn.Linear(flat, latent_dim)  # (B, latent_dim)
            self.from_latent = nn.Sequential(nn.Linear(latent_dim, flat), nn.ReLU())  # (B, 2w*49)
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1), nn.ReLU(),  # (B, w, 14, 14)
            nn.ConvTranspose2d(width, width, 4, stride=2, padding=1), nn.ReLU(),  # (B, w, 28, 28)
            nn.Conv2d(width, 1, 3, padding=1),  # (B, 1, 28, 28) logits
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 28, 28) → (B, latent_dim), or the (B, 2w, 7, 7) map without a bottleneck."""
        features = self.encoder(x)
        if self.latent_dim is None:
            return features
        return self.to_latent(features.flatten(1))

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        """The inverse of ``encode``: → (B, 1, 28, 28) in [0, 1]."""
        if self.latent_dim is not None:
            code = self.from_latent(code).view(-1, 2 * self.width, 7, 7)
        return torch.sigmoid(self.decoder(code))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


class ResidualBlock(nn.Module):
    """x + conv(relu(conv(x))): the same shape in and out, (B, C, H, W)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1), nn.ReLU(), nn.Conv2d(channels, channels, 3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class PhotoDenoiser(nn.Module):
    """(B, 3, H, W) noisy RGB in [0, 1] and σ (B,) → denoised (B, 3, H, W); H, W divisible by 8.

    A residual U-Net over four scales (widths w, 2w, 4w, 8w): residual blocks at each scale,
    2×2 stride-2 convolutions down and 2×2 stride-2 transpose convolutions up (kernel = stride,
    so every output pixel gets exactly one kernel tap: no checkerboard), skips added back.
    The coarsest scale sees a 1/8-size picture, which is what lets it tell strong noise from
    texture. Grey photos go in as three equal channels with equal noise (it was trained so).
    """

    MULTIPLE = 8  # H and W must be divisible by this (three halvings)

    def __init__(self, width: int = 16, blocks: int = 2) -> None:
        super().__init__()
        widths = [width, 2 * width, 4 * width, 8 * width]
        self.head = nn.Conv2d(4, width, 3, padding=1)  # RGB + σ map → (B, w, H, W)
        self.encoders = nn.ModuleList(_blocks(c, blocks) for c in widths[:-1])
        self.downs = nn.ModuleList(nn.Conv2d(a, b, 2, stride=2) for a, b in zip(widths[:-1], widths[1:]))
        self.middle = _blocks(widths[-1], blocks)  # (B, 8w, H/8, W/8)
        self.ups = nn.ModuleList(nn.ConvTranspose2d(b, a, 2, stride=2) for a, b in zip(widths[:-1], widths[1:]))
        self.decoders = nn.ModuleList(_blocks(c, blocks) for c in widths[:-1])
        self.tail = nn.Conv2d(width, 3, 3, padding=1)  # (B, 3, H, W): the predicted noise

    def forward(self, noisy: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        level = sigma.view(-1, 1, 1, 1).expand(-1, 1, *noisy.shape[2:])  # (B, 1, H, W)
        x = self.head(torch.cat([noisy, level], dim=1))
        skips = []
        for encode, down in zip(self.encoders, self.downs):
            x = encode(x)
            skips.append(x)  # (B, w·2^i, H/2^i, W/2^i)
            x = down(x)
        x = self.middle(x)
        for up, decode, skip in zip(reversed(self.ups), reversed(self.decoders), reversed(skips)):
            x = decode(up(x) + skip)  # skips are added, not concatenated: cheaper
        return noisy - self.tail(x)


def _blocks(channels: int, count: int) -> nn.Sequential:
    return nn.Sequential(*[ResidualBlock(channels) for _ in range(count)])
