"""Convolutional autoencoders: strided convolutions down, transpose convolutions up.

- ``DigitAutoencoder`` (28×28 MNIST digits). Two stride-2 convolutions squeeze a digit to
  a (C, 7, 7) feature map; two ``ConvTranspose2d`` layers "upsample" it back to 28×28.
  With ``latent_dim`` set, the 7×7 map is flattened through a linear bottleneck of
  ``latent_dim`` numbers (2 for the latent plane, 8 or 32 to see how much survives),
  which is what makes it a compressor.
- ``PhotoDenoiser`` (RGB photos of any size divisible by 4). The same down/up shape with
  skip connections (a small U-Net), fed the noisy image plus a constant map of the noise
  level σ, predicting the noise to subtract (residual learning, as in DnCNN / FFDNet).
  Fully convolutional, so it runs on tiles of any size.
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


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.ReLU())


class PhotoDenoiser(nn.Module):
    """(B, 3, H, W) noisy RGB in [0, 1] and σ (B,) → denoised (B, 3, H, W); H, W divisible by 4."""

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        w = width
        self.head = nn.Sequential(_conv(4, w), _conv(w, w))  # (B, w, H, W); 4 = RGB + σ map
        self.down1 = nn.Sequential(_conv(w, 2 * w, stride=2), _conv(2 * w, 2 * w))  # (B, 2w, H/2, W/2)
        self.down2 = nn.Sequential(_conv(2 * w, 4 * w, stride=2), _conv(4 * w, 4 * w), _conv(4 * w, 4 * w))  # (B, 4w, H/4, W/4)
        self.up2 = nn.ConvTranspose2d(4 * w, 2 * w, 2, stride=2)  # (B, 2w, H/2, W/2)
        self.merge2 = _conv(2 * w, 2 * w)
        self.up1 = nn.ConvTranspose2d(2 * w, w, 2, stride=2)  # (B, w, H, W)
        self.merge1 = _conv(w, w)
        self.tail = nn.Conv2d(w, 3, 3, padding=1)  # (B, 3, H, W): the predicted noise

    def forward(self, noisy: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
        level = sigma.view(-1, 1, 1, 1).expand(-1, 1, *noisy.shape[2:])  # (B, 1, H, W)
        x1 = self.head(torch.cat([noisy, level], dim=1))
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        y2 = self.merge2(self.up2(x3) + x2)  # skips are added, not concatenated: cheaper
        y1 = self.merge1(self.up1(y2) + x1)
        return noisy - self.tail(y1)
