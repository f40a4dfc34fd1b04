"""The shipped denoisers applied to plain arrays: digits (28×28) and photos of any size."""

from __future__ import annotations

import numpy as np
import torch

from playground import registry
from playground.autoencoder.tiles import run_tiled
from playground.device import device_of, to_model

# Whole bundled photos the photo denoiser never trained on: its card measures on them, the tab marks them.
HELD_OUT_PHOTOS = ("astronaut", "coffee", "camera", "flower")

DIGIT_DENOISER = "autoencoder_mnist_denoiser"
PHOTO_DENOISER = "autoencoder_photo_denoiser"
MAX_TILE = 320  # px: the side of one tile; bigger photos run in overlapping tiles


def denoise_digits(noisy: np.ndarray, model: torch.nn.Module | None = None) -> np.ndarray:
    """(N, 28, 28) or (28, 28) in [0, 1] → the same shape, denoised by the digit autoencoder."""
    model = model or registry.get(DIGIT_DENOISER)
    array = np.asarray(noisy, dtype=np.float32)
    batch = to_model(model, torch.from_numpy(array.reshape(-1, 1, 28, 28)))  # (N, 1, 28, 28)
    with torch.inference_mode():
        out = model(batch).cpu().numpy()
    return out.reshape(array.shape)


def denoise_photo(noisy: np.ndarray, sigma: float, model: torch.nn.Module | None = None, max_tile: int = MAX_TILE) -> np.ndarray:
    """(H, W, 3) or (H, W) in [0, 1] with Gaussian noise of ``sigma`` → denoised, same shape.

    Any size: the network runs on overlapping tiles blended without seams (see ``tiles``).
    A grey photo goes in as three equal channels carrying the same noise, which is how the
    network saw grey photos in training; the three outputs are averaged back to one.
    """
    model = model or registry.get(PHOTO_DENOISER)
    array = np.asarray(noisy, dtype=np.float32)
    grey = array.ndim == 2
    rgb = np.repeat(array[..., None], 3, axis=2) if grey else array[..., :3]
    device = device_of(model)

    def run(tiles: np.ndarray) -> np.ndarray:  # (N, T, T, 3) → (N, T, T, 3)
        batch = torch.from_numpy(np.ascontiguousarray(tiles.transpose(0, 3, 1, 2))).to(device)
        level = torch.full((len(batch),), float(sigma), device=device)
        with torch.inference_mode():
            return model(batch, level).cpu().numpy().transpose(0, 2, 3, 1)

    multiple = getattr(model, "MULTIPLE", 8)
    out = np.clip(run_tiled(run, rgb, max_tile=max_tile, multiple=multiple), 0.0, 1.0)
    return out.mean(axis=2) if grey else out
