"""Fast numpy pictures for the 2-D GAN: a discriminator heatmap with points, and loss curves.

No matplotlib: a frame is a few numpy operations (~ms), so live training can redraw
many times a second.
"""

from __future__ import annotations

import numpy as np

from playground.figures import Line, line_chart
from playground.gans.toy2d import EXTENT

# D(x) = 0 (sure it is fake) → purple, 0.5 → white, 1 (sure it is real) → green.
_FAKE_COLOUR = np.array([150, 90, 200], dtype=np.float32)
_PAPER = np.array([250, 250, 250], dtype=np.float32)
_REAL_COLOUR = np.array([70, 170, 90], dtype=np.float32)
REAL_DOT = (20, 110, 40)
FAKE_DOT = (110, 30, 160)


def heatmap_colours(probabilities: np.ndarray) -> np.ndarray:
    """(H, W) probabilities → (H, W, 3) float colours on the fake–paper–real scale."""
    p = np.clip(probabilities, 0.0, 1.0)[..., None]
    towards_real = np.clip(2 * p - 1, 0, 1)
    towards_fake = np.clip(1 - 2 * p, 0, 1)
    return _PAPER + towards_real * (_REAL_COLOUR - _PAPER) + towards_fake * (_FAKE_COLOUR - _PAPER)


def to_pixels(points: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Plane coordinates in [-EXTENT, EXTENT] → integer (column, row) pixels of a size×size image."""
    cols = ((points[:, 0] + EXTENT) / (2 * EXTENT) * size).astype(np.int64)
    rows = ((EXTENT - points[:, 1]) / (2 * EXTENT) * size).astype(np.int64)
    return cols, rows


def _dots(image: np.ndarray, points: np.ndarray, colour: tuple[int, int, int], radius: int) -> None:
    """Paint a (2r+1)² square per point, in place; points off the picture are skipped."""
    size = image.shape[0]
    cols, rows = to_pixels(points, size)
    inside = (cols >= 0) & (cols < size) & (rows >= 0) & (rows < size)
    cols, rows = cols[inside], rows[inside]
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            r = np.clip(rows + dy, 0, size - 1)
            c = np.clip(cols + dx, 0, size - 1)
            image[r, c] = colour


def plane_image(
    d_map: np.ndarray,  # (R, R) probabilities, row 0 at the top
    real: np.ndarray,  # (N, 2)
    fake: np.ndarray,  # (M, 2)
    size: int = 360,
) -> np.ndarray:
    """(size, size, 3) uint8: the discriminator's heatmap, real points (green), fake points (purple)."""
    repeat = max(1, size // d_map.shape[0])
    colours = heatmap_colours(d_map)  # (R, R, 3)
    image = np.repeat(np.repeat(colours, repeat, axis=0), repeat, axis=1)
    image = image[:size, :size]
    if image.shape[0] < size:  # resolution not a divisor of size: pad with the edge colour
        image = np.pad(image, ((0, size - image.shape[0]), (0, size - image.shape[1]), (0, 0)), mode="edge")
    image = image.astype(np.uint8)
    centre = size // 2
    image[centre, :] = (image[centre, :] * 0.85).astype(np.uint8)  # faint axes
    image[:, centre] = (image[:, centre] * 0.85).astype(np.uint8)
    _dots(image, real, REAL_DOT, radius=1)
    _dots(image, fake, FAKE_DOT, radius=1)
    return image


def loss_chart(d_losses: list[float], g_losses: list[float], width: int = 360, height: int = 150) -> np.ndarray:
    """(height, width, 3) uint8 line chart of both losses (D blue, G orange), smoothed."""
    lines = [Line(d_losses, (40, 90, 200), "D loss"), Line(g_losses, (230, 120, 20), "G loss")]
    steps = max(len(d_losses), len(g_losses))
    return line_chart(lines, width, height, smooth=True, note=f"{steps} steps")
