"""DCGAN, built to the seed notes' guidelines for stable GANs.

- No pooling: the discriminator downsamples with strided convolutions, the generator
  upsamples with fractional-strided (transpose) convolutions.
- Batch norm in both networks (not on the generator's output layer nor the
  discriminator's input layer, as in the DCGAN paper); layers followed by batch norm
  have ``bias=False``.
- No fully connected hidden layers: the latent vector is a (B, nz, 1, 1) "image" and
  the first transpose convolution projects it to a 4×4 map; the discriminator ends
  with a convolution that covers the whole last map.
- ReLU in the generator except the output, which is Tanh; LeakyReLU(0.2) in the
  discriminator.

Three sizes: 28×28 (MNIST: 1→4→7→14→28), 32×32 (1→4→8→16→32) and 64×64 (emoji:
1→4→8→16→32→64, one more level on each side). A generator
with ``num_classes > 0`` is class-conditional: a one-hot label is appended to z as extra
channels, and the discriminator sees the label as constant one-hot maps stacked on the
image.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class DCGANConfig:
    image_size: int = 32  # 28 (MNIST), 32 or 64
    channels: int = 3  # 1 for digits, 3 for RGB
    nz: int = 64  # latent size
    width: int = 32  # channels of the last hidden generator layer; doubles per level down
    num_classes: int = 0  # > 0: class-conditional


def _check_size(size: int) -> None:
    if size not in (28, 32, 64):
        raise ValueError(f"DCGAN here supports 28×28, 32×32 or 64×64 images, got {size}")


def as_onehot(labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """(B,) class indices → (B, K) one-hot; (B, K) floats pass through (soft labels, for
    morphing one class into another)."""
    if labels.is_floating_point() and labels.dim() == 2:
        return labels
    return F.one_hot(labels.long(), num_classes)


def weights_init(module: nn.Module) -> None:
    """The DCGAN paper's init: conv weights N(0, 0.02); batch-norm scale N(1, 0.02), shift 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class Generator(nn.Module):
    """z (B, nz) [+ labels (B,)] → images (B, C, S, S) in [-1, 1]."""

    def __init__(self, config: DCGANConfig = DCGANConfig()) -> None:
        super().__init__()
        _check_size(config.image_size)
        self.config = config
        w = config.width
        z_channels = config.nz + config.num_classes
        # 28×28 takes 4→7 with a 3×3 kernel; 32×32 takes 4→8 with the usual 4×4.
        k2, p2 = (3, 1) if config.image_size == 28 else (4, 1)
        top = 8 * w if config.image_size == 64 else 4 * w  # 64 px: one more level, so one more doubling

        def up(c_in: int, c_out: int, kernel: int = 4, padding: int = 1) -> list[nn.Module]:
            return [nn.ConvTranspose2d(c_in, c_out, kernel, 2, padding, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(True)]

        extra = up(8 * w, 4 * w) if config.image_size == 64 else []  # (B, 4w, 8, 8) at 64 px
        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_channels, top, 4, 1, 0, bias=False),  # (B, top, 4, 4)
            nn.BatchNorm2d(top),
            nn.ReLU(True),
            *extra,
            *up(4 * w, 2 * w, k2, p2),  # (B, 2w, 7|8|16, ·)
            *up(2 * w, w),  # (B, w, 14|16|32, ·)
            nn.ConvTranspose2d(w, config.channels, 4, 2, 1),  # (B, C, 28|32|64, ·)
            nn.Tanh(),
        )
        self.apply(weights_init)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        # z.shape[0], not len(z): an exported graph then keeps the batch size dynamic
        z = z.view(z.shape[0], self.config.nz, 1, 1)
        if self.config.num_classes:
            if labels is None:
                raise ValueError("this generator is class-conditional: pass labels")
            onehot = as_onehot(labels, self.config.num_classes).to(z.dtype)  # (B, K)
            z = torch.cat([z, onehot.view(z.shape[0], -1, 1, 1)], dim=1)  # (B, nz + K, 1, 1)
        return self.net(z)


class Discriminator(nn.Module):
    """images (B, C, S, S) [+ labels (B,)] → real-vs-fake logits (B,)."""

    def __init__(self, config: DCGANConfig = DCGANConfig()) -> None:
        super().__init__()
        _check_size(config.image_size)
        self.config = config
        w = config.width
        c_in = config.channels + config.num_classes
        # 28: 28→14→7→4 (3×3, stride 2); 32: 32→16→8→4; 64: 64→32→16→8→4.
        k3 = 3 if config.image_size == 28 else 4
        last = 8 * w if config.image_size == 64 else 4 * w
        extra: list[nn.Module] = []
        if config.image_size == 64:
            extra = [nn.Conv2d(4 * w, 8 * w, 4, 2, 1, bias=False), nn.BatchNorm2d(8 * w), nn.LeakyReLU(0.2, True)]
        self.net = nn.Sequential(
            nn.Conv2d(c_in, w, 4, 2, 1),  # (B, w, 14|16|32, ·): no batch norm on the input layer
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False),  # (B, 2w, 7|8|16, ·)
            nn.BatchNorm2d(2 * w),
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * w, 4 * w, k3, 2, 1, bias=False),  # (B, 4w, 4|4|8, ·)
            nn.BatchNorm2d(4 * w),
            nn.LeakyReLU(0.2, True),
            *extra,  # 64 px: (B, 8w, 4, 4)
            nn.Conv2d(last, 1, 4, 1, 0),  # (B, 1, 1, 1): one logit, no fully connected layer
        )
        self.apply(weights_init)

    def forward(self, images: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        if self.config.num_classes:
            if labels is None:
                raise ValueError("this discriminator is class-conditional: pass labels")
            size = self.config.image_size
            onehot = as_onehot(labels, self.config.num_classes).to(images.dtype)  # (B, K)
            maps = onehot.view(len(images), -1, 1, 1).expand(-1, -1, size, size)  # (B, K, S, S)
            images = torch.cat([images, maps], dim=1)
        return self.net(images).view(-1)


class DCGAN(nn.Module):
    """Both networks in one module, so one weight file holds a GAN and its critic. With
    ``discriminator=False`` only the generator is built: all the app samples with, and a
    smaller weight file."""

    def __init__(self, config: DCGANConfig = DCGANConfig(), discriminator: bool = True) -> None:
        super().__init__()
        self.config = config
        self.generator = Generator(config)
        if discriminator:
            self.discriminator = Discriminator(config)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.generator(z, labels)


MNIST_CONFIG = DCGANConfig(image_size=28, channels=1, nz=64, width=32, num_classes=10)
EMOJI_CONFIG = DCGANConfig(image_size=64, channels=3, nz=100, width=32, num_classes=8)  # 8 emoji groups
