"""The Kodak24 test photos: the usual colour benchmark of denoising papers, measured their way.

Protocol (as the papers do it): clean 8-bit photo / 255, plus Gaussian noise of σ/255, not
clipped; the denoised output is clipped to [0, 1]; PSNR against the clean photo. Grey runs use
the same photos converted to grey (ITU-R 601 luma, as Pillow's "L" does). Kodak24 is for
measuring only and never shipped or trained on; it lives beside the checkout in
``../shared/data/kodak24`` (or ``shared/data/kodak24`` inside it, or wherever
``PLAYGROUND_KODAK24`` points).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from playground.autoencoder import baselines
from playground.autoencoder.denoise import denoise_photo
from playground.autoencoder.metrics import psnr

_CHECKOUT = Path(__file__).resolve().parents[2]


def folder() -> Path | None:
    """The Kodak24 folder, or None where this machine has none."""
    candidates = [os.environ.get("PLAYGROUND_KODAK24"), _CHECKOUT.parent / "shared" / "data" / "kodak24",
                  _CHECKOUT / "shared" / "data" / "kodak24"]
    for candidate in candidates:
        if candidate and len(sorted(Path(candidate).glob("kodim*.png"))) == 24:
            return Path(candidate)
    return None


def photos(grey: bool = False) -> list[np.ndarray]:
    """The 24 photos as float32 in [0, 1]: (H, W, 3), or (H, W) when ``grey``."""
    where = folder()
    if where is None:
        raise FileNotFoundError("Kodak24 is not on this machine (../shared/data/kodak24 or PLAYGROUND_KODAK24)")
    mode = "L" if grey else "RGB"
    return [np.asarray(Image.open(path).convert(mode), dtype=np.float32) / 255.0 for path in sorted(where.glob("kodim*.png"))]


@dataclass(frozen=True)
class Scores:
    sigma: int  # on the 0-255 scale
    grey: bool
    network: list[float]  # PSNR per photo, dB
    non_local_means: list[float]

    @property
    def margin(self) -> float:
        """Mean network PSNR minus mean non-local-means PSNR, dB."""
        return float(np.mean(self.network) - np.mean(self.non_local_means))


def measure(sigma: int, grey: bool = False, model=None, seed: int = 0, images: list[np.ndarray] | None = None) -> Scores:
    """The network and non-local means on every Kodak24 photo at noise σ/255, same noise for both."""
    rng = np.random.default_rng(seed)
    network, nlm = [], []
    for clean in images if images is not None else photos(grey):
        noisy = clean + rng.normal(size=clean.shape).astype(np.float32) * (sigma / 255.0)  # not clipped
        network.append(psnr(clean, denoise_photo(noisy, sigma / 255.0, model)))
        nlm.append(psnr(clean, baselines.non_local_means(noisy, sigma / 255.0)))
    return Scores(sigma=sigma, grey=grey, network=network, non_local_means=nlm)
