"""A train/validation split of MNIST tensors (``data.mnist_tensors``), and light augmentation.

Augmentation = a small random rotation and shift of every training digit, drawn fresh
each epoch. With only 4,000 training digits it is the cheapest way to stop the network
memorising them (and it makes drawn digits, which are never perfectly centred, read better).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from playground.errors import UserInputError
from playground.training_loop import Batches


def split_indices(count: int, valid_fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded random split of ``range(count)`` into (train, validation) indices."""
    if not 0.0 < valid_fraction < 0.9:
        raise UserInputError(f"the validation share must be between 0 and 90 %, got {valid_fraction * 100:g} %")
    order = torch.randperm(count, generator=torch.Generator().manual_seed(int(seed)))
    valid_count = max(1, int(round(count * valid_fraction)))
    return order[valid_count:], order[:valid_count]


def augment(images: torch.Tensor, generator: torch.Generator, max_degrees: float = 12.0,
            max_shift: float = 2.5, max_scale: float = 0.1) -> torch.Tensor:
    """Randomly rotate (±max_degrees), scale (±max_scale) and shift (±max_shift px) each digit.

    images: (B, 1, 28, 28) → (B, 1, 28, 28). One affine warp per digit, bilinear, black fill.
    """
    batch, _, height, width = images.shape
    angle = (torch.rand(batch, generator=generator) * 2 - 1) * math.radians(max_degrees)
    scale = 1 + (torch.rand(batch, generator=generator) * 2 - 1) * max_scale
    shift = (torch.rand(batch, 2, generator=generator) * 2 - 1) * max_shift
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.zeros(batch, 2, 3)  # maps output coordinates to input coordinates in [-1, 1]
    theta[:, 0, 0], theta[:, 0, 1] = cos, -sin
    theta[:, 1, 0], theta[:, 1, 1] = sin, cos
    theta[:, 0, 2] = shift[:, 0] * 2 / width
    theta[:, 1, 2] = shift[:, 1] * 2 / height
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def digit_batches(images: torch.Tensor, labels: torch.Tensor, batch_size: int, seed: int,
                  shuffle: bool = True, augmented: bool = False) -> Batches:
    """A re-iterable source of (B, 1, 28, 28) batches; reshuffled (and re-augmented) every epoch."""
    if batch_size < 1:
        raise UserInputError(f"batch size must be at least 1, got {batch_size}")
    order_generator = torch.Generator().manual_seed(int(seed))
    warp_generator = torch.Generator().manual_seed(int(seed) + 1)

    def batches():
        order = torch.randperm(len(images), generator=order_generator) if shuffle else torch.arange(len(images))
        for start in range(0, len(images), batch_size):
            index = order[start : start + batch_size]
            batch = images[index]
            if augmented:
                batch = augment(batch, warp_generator)
            yield batch, labels[index]

    return batches
