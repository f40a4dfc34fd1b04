"""Gram matrices: the "style" of a feature map is which channels fire together.

For a map F of shape (C, H, W) reshaped to (C, N) with N = H·W, the Gram matrix is
G = F Fᵀ / (C·N): entry (i, j) is how strongly channels i and j co-occur, averaged over
every position — so it keeps texture and colour statistics and throws away where things are.
"""

from __future__ import annotations

import torch


def gram(features: torch.Tensor) -> torch.Tensor:
    """(B, C, H, W) → (B, C, C), normalised by C·H·W so layers of any size weigh alike."""
    batch, channels, height, width = features.shape
    flat = features.reshape(batch, channels, height * width)  # (B, C, N)
    return flat @ flat.transpose(1, 2) / (channels * height * width)


def style_distance(features_a: dict, features_b: dict) -> float:
    """Mean over layers of the squared Frobenius distance between Gram matrices (summed per layer)."""
    total = 0.0
    for key in features_a:
        total += float(((gram(features_a[key]) - gram(features_b[key])) ** 2).sum())
    return total / max(len(features_a), 1)
