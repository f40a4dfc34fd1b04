"""Fast numpy → picture helpers (no matplotlib: a page redraw must cost milliseconds)."""

from __future__ import annotations

import numpy as np

# Ten distinguishable class colours (the Tableau 10 palette), RGB 0-255.
# One colour per digit 0-9, picked (greedily, from a 16-step RGB grid) so that any two stay apart for
# colour-blind eyes as well: ΔE ≥ 28 under normal vision, protanopia, deuteranopia and tritanopia
# (``playground.colour_vision``). Matplotlib's tab10, used before, fell to ΔE 4.6 for protans.
CLASS_COLOURS = np.array(
    [
        [187, 119, 255], [238, 0, 0], [0, 221, 187], [0, 68, 85], [102, 0, 153],
        [170, 204, 119], [102, 0, 255], [136, 0, 17], [238, 187, 0], [68, 136, 170],
    ],
    dtype=np.uint8,
)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """[0, 1] floats → uint8 (grey (H, W) stays grey)."""
    return (np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def enlarge(image: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement: a 28×28 digit shown with visible pixels."""
    return np.repeat(np.repeat(np.asarray(image), factor, axis=0), factor, axis=1)


def digit_strip(rows: list[np.ndarray], factor: int = 3, gap: int = 2) -> np.ndarray:
    """A grid image from rows of (N, 28, 28) digits in [0, 1]: one row per list entry. → uint8 (H, W)."""
    count = max(len(row) for row in rows)
    cell = 28 * factor + gap
    grid = np.full((len(rows) * cell + gap, count * cell + gap), 60, dtype=np.uint8)  # dark grey gaps
    for r, row in enumerate(rows):
        for c, digit in enumerate(row):
            top, left = gap + r * cell, gap + c * cell
            grid[top : top + 28 * factor, left : left + 28 * factor] = to_uint8(enlarge(digit, factor))
    return grid
