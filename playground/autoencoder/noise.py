"""Corruptions a denoiser learns to undo. Images are float arrays in [0, 1]; so are the results.

Every function takes an explicit ``numpy.random.Generator`` (reproducible from a seed) and
works on a grey (H, W) picture, a colour (H, W, 3) picture and a batch (N, H, W) of digits.
"""

from __future__ import annotations

import numpy as np

from playground import checks

# name shown in the UI -> (level label, default level, max level)
NOISE_TYPES: dict[str, tuple[str, float, float]] = {
    "Gaussian": ("σ (pixels in 0–1)", 0.3, 1.0),
    "Salt and pepper": ("fraction of pixels flipped", 0.2, 0.9),
    "Speckle": ("σ of the multiplicative noise", 0.5, 2.0),
    "Masking": ("fraction of pixels erased", 0.4, 0.95),
    "Erased blocks": ("fraction of the area erased", 0.25, 0.9),
}


def gaussian(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Additive white Gaussian noise of standard deviation ``sigma``, clipped to [0, 1]."""
    return np.clip(image + rng.normal(0.0, sigma, image.shape), 0.0, 1.0).astype(np.float32)


def salt_and_pepper(image: np.ndarray, amount: float, rng: np.random.Generator) -> np.ndarray:
    """A fraction ``amount`` of the values set to 0 or 1 (half each)."""
    noisy = np.array(image, dtype=np.float32, copy=True)
    hit = rng.random(image.shape) < amount
    noisy[hit] = (rng.random(int(hit.sum())) < 0.5).astype(np.float32)
    return noisy


def speckle(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Multiplicative noise ``x + x·n`` with n ~ N(0, σ²) (as in radar and ultrasound), clipped."""
    return np.clip(image * (1.0 + rng.normal(0.0, sigma, image.shape)), 0.0, 1.0).astype(np.float32)


def mask_pixels(image: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """A random ``fraction`` of the pixels erased to 0 (all channels of a pixel together)."""
    shape = image.shape[:2] if image.ndim == 3 and image.shape[2] in (1, 3, 4) else image.shape
    keep = rng.random(shape) >= fraction
    if keep.ndim < image.ndim:
        keep = keep[..., None]
    return (image * keep).astype(np.float32)


def erase_blocks(image: np.ndarray, fraction: float, rng: np.random.Generator, block: int | None = None) -> np.ndarray:
    """Square blocks erased to 0 until about ``fraction`` of the area is gone.

    ``image`` is (H, W), (H, W, C) or (N, H, W); blocks are 1/7 of the shorter side by default
    (4 px on a 28×28 digit). Each picture of a batch gets its own blocks.
    """
    if image.ndim == 3 and image.shape[2] not in (1, 3, 4):  # a batch (N, H, W)
        return np.stack([erase_blocks(one, fraction, rng, block) for one in image])
    height, width = image.shape[:2]
    block = block or max(2, min(height, width) // 7)
    noisy = np.array(image, dtype=np.float32, copy=True)
    erased = np.zeros((height, width), dtype=bool)
    # Blocks overlap, so place them until the erased area reaches the target (bounded loop).
    for _ in range(int(4 * fraction * height * width / block**2) + 1):
        if erased.mean() >= fraction:
            break
        top = rng.integers(0, max(1, height - block + 1))
        left = rng.integers(0, max(1, width - block + 1))
        erased[top : top + block, left : left + block] = True
    noisy[erased] = 0.0
    return noisy


def corrupt(image: np.ndarray, kind: str, level: float, seed: int | np.random.Generator = 0) -> np.ndarray:
    """Apply the noise ``kind`` (a key of NOISE_TYPES) at ``level``; raises UserInputError on bad values."""
    label, _, top = NOISE_TYPES[checks.choice("noise", kind, NOISE_TYPES)]
    level = checks.real(f"{kind} noise level ({label})", level, 0.0, top)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(int(seed))
    image = np.asarray(image, dtype=np.float32)
    level = float(level)
    if kind == "Gaussian":
        return gaussian(image, level, rng)
    if kind == "Salt and pepper":
        return salt_and_pepper(image, level, rng)
    if kind == "Speckle":
        return speckle(image, level, rng)
    if kind == "Masking":
        return mask_pixels(image, level, rng)
    return erase_blocks(image, level, rng)


# Training mixture for the digit denoiser: (kind, highest level drawn), each equally likely.
TRAINING_MIX: tuple[tuple[str, float], ...] = (
    ("Gaussian", 0.7),
    ("Salt and pepper", 0.5),
    ("Speckle", 1.5),
    ("Masking", 0.7),
    ("Erased blocks", 0.5),
)


def random_corruption(batch: np.ndarray, rng: np.random.Generator, mix=TRAINING_MIX) -> np.ndarray:
    """Each picture of a (N, H, W) batch corrupted by a kind and level drawn from ``mix``."""
    out = np.empty_like(batch, dtype=np.float32)
    for i, picture in enumerate(batch):
        kind, top = mix[rng.integers(len(mix))]
        out[i] = corrupt(picture, kind, rng.uniform(0.0, top), rng)
    return out
