"""MNIST as standardised tensors, made once per process (read-only, shared by every visitor)."""

from __future__ import annotations

import functools

import torch

from playground import data

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # MNIST pixel statistics on a 0..1 scale


def _standardise(images) -> torch.Tensor:
    pixels = torch.from_numpy(images).float().div(255).unsqueeze(1)  # (N, 1, 28, 28)
    return (pixels - MNIST_MEAN) / MNIST_STD


@functools.lru_cache(maxsize=1)
def train_tensors() -> tuple[torch.Tensor, torch.Tensor]:
    """(4000, 1, 28, 28) standardised digits and their (4000,) labels."""
    digits = data.mnist_train()
    return _standardise(digits.images), torch.from_numpy(digits.labels)


@functools.lru_cache(maxsize=1)
def test_tensors() -> tuple[torch.Tensor, torch.Tensor]:
    """The 1,000 held-out digits, never trained on: (1000, 1, 28, 28), (1000,)."""
    digits = data.mnist_test()
    return _standardise(digits.images), torch.from_numpy(digits.labels)
