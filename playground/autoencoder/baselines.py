"""Classical denoisers to compare the networks with: Gaussian blur, median filter, non-local means.

Each takes an image in [0, 1] (grey (H, W) or colour (H, W, 3)) and returns one of the same
shape. Their strength follows the noise level the way a careful person would set it by hand
(``default_params``); ``best_of`` picks, with the clean image, the setting that scores best
(an oracle: a stronger opponent than any real use of these filters could be).
"""

from __future__ import annotations

import numpy as np

from playground.autoencoder.metrics import psnr
from playground.lazy import lazy_module

ndimage = lazy_module("scipy.ndimage")
restoration = lazy_module("skimage.restoration")

BLUR_SIGMAS = (0.5, 0.75, 1.0, 1.5, 2.0)  # px
MEDIAN_SIZES = (3, 5)  # px


def gaussian_blur(image: np.ndarray, sigma_px: float) -> np.ndarray:
    image = np.asarray(image, dtype=np.float32)
    sigmas = (sigma_px, sigma_px, 0) if image.ndim == 3 else sigma_px  # never blur across colours
    return ndimage.gaussian_filter(image, sigmas, mode="reflect")


def median(image: np.ndarray, size: int) -> np.ndarray:
    image = np.asarray(image, dtype=np.float32)
    footprint = (size, size, 1) if image.ndim == 3 else (size, size)
    return ndimage.median_filter(image, size=footprint, mode="reflect")


def noise_sigma(image: np.ndarray) -> float:
    """Estimated Gaussian noise σ, for noise whose σ is not known (Donoho's wavelet rule).

    The finest diagonal Haar detail of a picture is almost all noise, so σ ≈ median(|HH|) / 0.6745.
    Written out here (it is four lines) rather than pulling in PyWavelets for skimage's version.
    """
    image = np.asarray(image, dtype=np.float64)
    grey = image.mean(axis=2) if image.ndim == 3 else image
    height, width = (grey.shape[0] // 2) * 2, (grey.shape[1] // 2) * 2
    if height == 0 or width == 0:
        return 0.0
    g = grey[:height, :width]
    diagonal = (g[0::2, 0::2] - g[0::2, 1::2] - g[1::2, 0::2] + g[1::2, 1::2]) / 2  # (H/2, W/2) Haar HH
    sigma = float(np.median(np.abs(diagonal)) / 0.6745)
    # Averaging three colour channels divides independent noise by √3: undo that.
    return sigma * np.sqrt(3) if image.ndim == 3 else sigma


def non_local_means(image: np.ndarray, sigma: float | None = None) -> np.ndarray:
    """scikit-image non-local means with its documented settings (h = 0.8 σ, 5×5 patches, 13×13 search)."""
    image = np.asarray(image, dtype=np.float32)
    sigma = noise_sigma(image) if sigma is None else float(sigma)
    sigma = max(sigma, 1e-3)
    out = restoration.denoise_nl_means(
        image, h=0.8 * sigma, sigma=sigma, patch_size=5, patch_distance=6, fast_mode=True,
        channel_axis=2 if image.ndim == 3 else None,
    )
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def default_params(sigma: float) -> tuple[float, int]:
    """(blur σ in px, median size) for a noise level σ: stronger noise, stronger smoothing."""
    blur = 0.5 if sigma < 0.05 else 1.0 if sigma < 0.15 else 1.5
    size = 3 if sigma < 0.2 else 5
    return blur, size


def best_of(clean: np.ndarray, noisy: np.ndarray, sigma: float | None = None) -> dict[str, tuple[np.ndarray, float, str]]:
    """{name: (output, PSNR, setting)} with each filter's best setting for this very image."""
    results = {}
    blurred = [(gaussian_blur(noisy, s), f"σ = {s} px") for s in BLUR_SIGMAS]
    medians = [(median(noisy, k), f"{k}×{k}") for k in MEDIAN_SIZES]
    for name, candidates in (("Gaussian blur", blurred), ("Median filter", medians)):
        scored = [(out, psnr(clean, out), setting) for out, setting in candidates]
        results[name] = max(scored, key=lambda item: item[1])
    nlm = non_local_means(noisy, sigma)
    results["Non-local means"] = (nlm, psnr(clean, nlm), "h = 0.8 σ")
    return results
