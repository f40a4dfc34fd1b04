"""Flow matching for the emoji groups (64×64 colour): the digit model's network and sampler, on emoji.

The same rectified flow as ``flow_digits`` (straight lines from noise to pictures, Euler steps,
classifier-free guidance), with the same ``FlowUNet`` folded 4×4 (a 64×64×3 emoji becomes 48
channels at 16×16) and one label per emoji group (``gans.emoji_data.GROUPS``, 8 of them; label 8
is "no group").

Measured with the emoji DCGAN card's own code (``gans.quality``): the Fréchet distance to the
held-out emoji in the Lite0 backbone's features, the copy check, and the two group readers, on
500 samples asked in the held-out emoji's group proportions.
"""

from __future__ import annotations

import numpy as np
import torch

from playground.diffusion import flow_digits
from playground.gans import quality
from playground.gans.sampling import to_uint8
from playground.nets.flow_unet import FlowUNetConfig

SIZE = 64
GROUP_COUNT = 8  # len(gans.emoji_data.GROUPS)
CONFIG = FlowUNetConfig(width=64, num_classes=GROUP_COUNT, channels=3, fold=4)
NO_GROUP = GROUP_COUNT  # the unconditional label
SHAPE = (3, SIZE, SIZE)
SAMPLE_SEED = 12345  # the DCGAN card's seed
GRID_SEED = 7


def sample(model, groups: torch.Tensor, steps: int, guidance: float, seed: int,
           guidance_from: float = 0.0, batch: int = 100) -> np.ndarray:
    """(N,) groups → (N, 64, 64, 3) uint8 emoji on white, in batches of ``batch`` (seed + start each)."""
    parts = []
    for start in range(0, len(groups), batch):
        pictures, _ = flow_digits.sample(model, groups[start : start + batch], steps, guidance, seed=seed + start,
                                         guidance_from=guidance_from, shape=SHAPE, no_label=NO_GROUP)
        parts.append(to_uint8(pictures))
    return np.concatenate(parts)


def measure(model, asked: np.ndarray, train: np.ndarray, train_groups: np.ndarray, held: np.ndarray,
            held_groups: np.ndarray, steps: int, guidance: float, guidance_from: float) -> dict:
    """The dcgan_emoji card's metrics for the flow model's samples of the ``asked`` (N,) groups."""
    samples = sample(model, torch.from_numpy(asked), steps, guidance, SAMPLE_SEED, guidance_from)
    metrics = quality.emoji_sample_quality(samples, train, held)
    metrics.update(quality.group_agreement(samples, asked, train, train_groups, held, held_groups, GROUP_COUNT))
    return metrics


def sample_grid(model, train: np.ndarray, steps: int, guidance: float, guidance_from: float, rows: int = 3):
    """The DCGAN card's grid: ``rows`` rows of one sample per group (columns in GROUPS order), then each
    first-row sample's nearest training emoji (Lite0 features)."""
    groups = torch.arange(rows * GROUP_COUNT) % GROUP_COUNT
    pictures = sample(model, groups, steps, guidance, GRID_SEED, guidance_from)
    return quality.sample_grid_with_neighbours(pictures, train, columns=GROUP_COUNT)
