"""The CNN from the seed notes, for 1-channel 28×28 MNIST digits.

The seed's ``Net`` takes a 32×32×3 picture through three stages of 3×3 convolution
(padding 1) + ReLU + 2×2 max-pool with 16, 32 and 64 channels, so the shapes its
comments work out by hand hold exactly:

    32×32×C → conv1 → 32×32×16 → pool → 16×16×16
            → conv2 → 16×16×32 → pool →  8× 8×32
            → conv3 →  8× 8×64 → pool →  4× 4×64 → flatten 1024
            → dropout(0.25) → linear 500 → ReLU → dropout(0.25) → linear 10 → log-softmax

Our digits are 28×28 with one channel. Rather than change the design, the module pads
each digit with 2 black pixels on every side (28 → 32, the way LeNet-5 read MNIST), so
every shape above — and the seed's ``4 * 4 * 64`` flatten — stays as written; only the
first convolution sees 1 input channel instead of 3. Padding and normalisation happen
inside ``forward``: callers pass digits as (B, 1, 28, 28) floats in [0, 1], white ink on
black, exactly like ``playground.data`` MNIST.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from playground.data import MNIST_MEAN, MNIST_STD

DIGIT_SIZE = 28
PADDED_SIZE = 32  # the seed's 32×32 input
PAD = (PADDED_SIZE - DIGIT_SIZE) // 2


class SeedCNN(nn.Module):
    """The seed notes' ``Net``: three conv+pool stages (16, 32, 64), dropout 0.25, 500 hidden units."""

    def __init__(self, in_channels: int = 1, classes: int = 10, dropout: float = 0.25, pad_to_32: bool = True):
        super().__init__()
        self.pad_to_32 = pad_to_32
        # convolutional layer (sees a 32 x 32 x 1 tensor)
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1)
        # convolutional layer (sees a 16 x 16 x 16 tensor)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        # convolutional layer (sees an 8 x 8 x 32 tensor)
        self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.dropout = nn.Dropout(dropout)
        # linear layer 1 (sees a flattened 4 x 4 x 64 vector)
        self.linear1 = nn.Linear(4 * 4 * 64, 500)
        self.linear2 = nn.Linear(500, classes)

    def prepare(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 28, 28) in [0, 1] → (B, 1, 32, 32), normalised and padded with black."""
        x = (x - MNIST_MEAN) / MNIST_STD
        if self.pad_to_32 and x.shape[-1] == DIGIT_SIZE:
            # pad with the *normalised* value of black so the border looks like background
            x = F.pad(x, (PAD, PAD, PAD, PAD), value=-MNIST_MEAN / MNIST_STD)
        return x

    def features(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The output of every conv stage (after ReLU and pooling), for looking inside."""
        x = self.prepare(x)
        maps = []
        for conv in (self.conv1, self.conv2, self.conv3):
            x = self.pool(F.relu(conv(x)))  # (B,16,16,16) → (B,32,8,8) → (B,64,4,4)
            maps.append(x)
        return maps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.prepare(x)  # (B, 1, 32, 32)
        x = self.pool(F.relu(self.conv1(x)))  # (B, 16, 16, 16)
        x = self.pool(F.relu(self.conv2(x)))  # (B, 32, 8, 8)
        x = self.pool(F.relu(self.conv3(x)))  # (B, 64, 4, 4)
        x = x.flatten(1)  # (B, 1024)
        x = self.dropout(x)
        x = F.relu(self.linear1(x))  # (B, 500)
        x = self.dropout(x)
        return F.log_softmax(self.linear2(x), dim=1)  # (B, 10)
