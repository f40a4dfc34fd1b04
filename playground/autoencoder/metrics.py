"""PSNR and SSIM (scikit-image) for images in [0, 1], grey (H, W) or colour (H, W, 3)."""

from __future__ import annotations

import numpy as np

from playground.lazy import lazy_module

sk_metrics = lazy_module("skimage.metrics")


def psnr(clean: np.ndarray, other: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB (data range 1); inf when the images are equal."""
    clean = np.asarray(clean, dtype=np.float64)
    other = np.asarray(other, dtype=np.float64)
    if np.array_equal(clean, other):
        return float("inf")
    return float(sk_metrics.peak_signal_noise_ratio(clean, other, data_range=1.0))


def ssim(clean: np.ndarray, other: np.ndarray) -> float:
    """Structural similarity in [-1, 1]; the window shrinks for pictures under 7 px."""
    clean = np.asarray(clean, dtype=np.float64)
    other = np.asarray(other, dtype=np.float64)
    side = min(clean.shape[:2])
    window = min(7, side if side % 2 else side - 1)
    colour = clean.ndim == 3
    return float(
        sk_metrics.structural_similarity(
            clean, other, data_range=1.0, win_size=window, channel_axis=2 if colour else None
        )
    )
