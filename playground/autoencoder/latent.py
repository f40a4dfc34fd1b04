"""The 2-D latent plane of a digit autoencoder, and how much a digit survives a bottleneck.

``latent_plane`` encodes the 1,000 held-out test digits to points (z1, z2); ``render_plane``
draws them coloured by class into a square picture whose pixels map back to latent
coordinates (``pixel_to_latent``), so a click on the picture names a point to decode.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch

from playground import data, registry
from playground.autoencoder.metrics import psnr
from playground.autoencoder.render import CLASS_COLOURS, digit_strip, enlarge, to_uint8
from playground.device import to_model
from playground.errors import UserInputError

PLANE_MODEL = "autoencoder_mnist_z2"
PLANE_SIZE = 420  # px, square


@dataclass(frozen=True)
class LatentPlane:
    codes: np.ndarray  # (N, 2) latent points of the test digits
    labels: np.ndarray  # (N,) their classes
    low: np.ndarray  # (2,) the plane's lower corner (z1, z2)
    high: np.ndarray  # (2,) the upper corner


def encode_digits(model: torch.nn.Module, digits: np.ndarray) -> np.ndarray:
    """(N, 28, 28) in [0, 1] → (N, latent_dim) codes."""
    batch = to_model(model, torch.from_numpy(np.asarray(digits, dtype=np.float32)).unsqueeze(1))  # (N, 1, 28, 28)
    with torch.inference_mode():
        return model.encode(batch).cpu().numpy()


def decode_codes(model: torch.nn.Module, codes: np.ndarray) -> np.ndarray:
    """(N, latent_dim) → (N, 28, 28) digits in [0, 1]."""
    batch = to_model(model, torch.as_tensor(np.asarray(codes, dtype=np.float32)))  # (N, latent_dim)
    with torch.inference_mode():
        return model.decode(batch)[:, 0].cpu().numpy()


@functools.lru_cache(maxsize=4)
def latent_plane(model_name: str = PLANE_MODEL) -> LatentPlane:
    """The held-out digits in the latent plane (cached: the shared model never changes)."""
    test = data.mnist_test()
    codes = encode_digits(registry.get(model_name), test.images.astype(np.float32) / 255.0)
    low, high = np.percentile(codes, 0.5, axis=0), np.percentile(codes, 99.5, axis=0)
    pad = 0.08 * (high - low)  # a margin so the outermost points are not on the frame
    return LatentPlane(codes, test.labels, low - pad, high + pad)


def latent_to_pixel(plane: LatentPlane, codes: np.ndarray, size: int = PLANE_SIZE) -> np.ndarray:
    """(N, 2) codes → (N, 2) pixel (x, y); z2 grows upwards like a chart."""
    unit = (np.asarray(codes) - plane.low) / (plane.high - plane.low)  # (N, 2) in [0, 1] inside the frame
    return np.stack([unit[:, 0] * (size - 1), (1 - unit[:, 1]) * (size - 1)], axis=1)


def pixel_to_latent(plane: LatentPlane, x: float, y: float, size: int = PLANE_SIZE) -> np.ndarray:
    """The inverse of ``latent_to_pixel`` for one clicked pixel → (2,) code."""
    if not (np.isfinite(x) and np.isfinite(y)):
        raise UserInputError("The clicked position is not a number.")
    unit = np.array([x / (size - 1), 1 - y / (size - 1)])
    return plane.low + unit * (plane.high - plane.low)


def render_plane(plane: LatentPlane, marker: np.ndarray | None = None, size: int = PLANE_SIZE) -> np.ndarray:
    """(size, size, 3) uint8: test digits as dots coloured by class; ``marker`` (2,) drawn as a cross."""
    canvas = np.full((size, size, 3), 250, dtype=np.uint8)
    # light grid lines at the latent axes' zero, when inside the frame
    origin = latent_to_pixel(plane, np.zeros((1, 2)), size)[0].round().astype(int)
    if 0 <= origin[0] < size:
        canvas[:, origin[0]] = 215
    if 0 <= origin[1] < size:
        canvas[origin[1], :] = 215
    pixels = latent_to_pixel(plane, plane.codes, size).round().astype(int)
    offsets = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3) if dy * dy + dx * dx <= 5]  # a small disc
    for dy, dx in offsets:
        ys = np.clip(pixels[:, 1] + dy, 0, size - 1)
        xs = np.clip(pixels[:, 0] + dx, 0, size - 1)
        canvas[ys, xs] = CLASS_COLOURS[plane.labels]
    if marker is not None:
        mx, my = latent_to_pixel(plane, np.asarray(marker)[None], size)[0].round().astype(int)
        for d in range(-8, 9):
            for width in (-1, 0, 1):
                canvas[np.clip(my + d, 0, size - 1), np.clip(mx + width, 0, size - 1)] = 0
                canvas[np.clip(my + width, 0, size - 1), np.clip(mx + d, 0, size - 1)] = 0
    return canvas


def legend_html() -> str:
    """Coloured class names for the plane (HTML)."""
    items = "".join(
        f'<span style="margin-right:10px"><span style="color:rgb{tuple(int(v) for v in colour)};font-size:1.3em">●</span> {digit}</span>'
        for digit, colour in enumerate(CLASS_COLOURS)
    )
    return f'<div class="ae-legend">{items}</div>'


def decode_click(x: float, y: float, model_name: str = PLANE_MODEL, size: int = PLANE_SIZE):
    """A click at pixel (x, y) of the plane → (code (2,), decoded digit (28, 28), plane picture with a cross)."""
    plane = latent_plane(model_name)
    code = pixel_to_latent(plane, float(x), float(y), size)
    digit = decode_codes(registry.get(model_name), code[None])[0]
    return code, digit, render_plane(plane, marker=code, size=size)


def manifold(model_name: str = PLANE_MODEL, steps: int = 12) -> np.ndarray:
    """(steps·28, steps·28) uint8: the decoder's digit at every point of a grid over the plane."""
    plane = latent_plane(model_name)
    z1 = np.linspace(plane.low[0], plane.high[0], steps)
    z2 = np.linspace(plane.high[1], plane.low[1], steps)  # top row = high z2, as in the plane picture
    codes = np.array([[a, b] for b in z2 for a in z1], dtype=np.float32)
    digits = decode_codes(registry.get(model_name), codes)  # (steps², 28, 28)
    rows = digits.reshape(steps, steps, 28, 28)
    return to_uint8(np.concatenate([np.concatenate(list(row), axis=1) for row in rows], axis=0))


# ---------------------------------------------------------------- compression


def sample_test_digits(seed: int, count: int = 10) -> np.ndarray:
    """``count`` held-out digits, one per class in order when count is 10 → (count, 28, 28) in [0, 1]."""
    test = data.mnist_test()
    rng = np.random.default_rng(int(seed))
    picks = [rng.choice(np.flatnonzero(test.labels == digit % 10)) for digit in range(count)]
    return test.images[picks].astype(np.float32) / 255.0


def compress(model: torch.nn.Module, digits: np.ndarray) -> tuple[np.ndarray, float]:
    """Digits squeezed through ``model``'s bottleneck and rebuilt → (reconstructions, mean PSNR)."""
    rebuilt = decode_codes(model, encode_digits(model, digits))
    return rebuilt, float(np.mean([min(psnr(c, r), 60.0) for c, r in zip(digits, rebuilt)]))


def compression_ratio(latent_dim: int) -> float:
    """How many times fewer numbers the bottleneck keeps than the 784 pixels."""
    return 784 / latent_dim


def compression_figure(models: dict[str, torch.nn.Module], digits: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """Originals on the first row, then one row of reconstructions per model; plus one row of facts per model."""
    rows, facts = [digits], []
    for label, model in models.items():
        rebuilt, score = compress(model, digits)
        rows.append(rebuilt)
        facts.append({"model": label, "latent_dim": model.latent_dim, "psnr": score})
    return digit_strip(rows, factor=3), facts


__all__ = ["enlarge", "legend_html"]
