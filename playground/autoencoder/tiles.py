"""Run a fully convolutional network over a picture of any size, in overlapping tiles.

Why tiles: memory and latency stay bounded for big photos, and each tile's side can be a
multiple of the network's down-sampling factor. Why overlap and blending: a network sees
zero padding at a tile's edge and behaves a little differently there; neighbouring tiles
overlap by ``overlap`` pixels and are mixed with weights that ramp linearly from the edge,
so no seam is visible. The whole picture is first padded by reflection (``margin``), so
the picture's own border is never a tile edge either.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

TileFn = Callable[[np.ndarray], np.ndarray]  # (N, T, T, C) → (N, T, T, C)


def _plan(length: int, max_tile: int, overlap: int, multiple: int) -> tuple[int, list[int]]:
    """Tile side and start positions covering ``length`` pixels with as few tiles as fit."""
    count = max(1, math.ceil((length - overlap) / (max_tile - overlap)))
    side = math.ceil((length + (count - 1) * overlap) / count)
    side = math.ceil(side / multiple) * multiple
    if count == 1:
        return side, [0]
    stride = (length - side) / (count - 1)  # ≤ side - overlap by construction
    return side, [round(i * stride) for i in range(count)]


def _ramp(side: int, overlap: int) -> np.ndarray:
    """(side,) weights: rising over the first ``overlap`` pixels, falling over the last ones."""
    weights = np.ones(side, dtype=np.float32)
    if overlap > 0:
        edge = (np.arange(overlap, dtype=np.float32) + 0.5) / overlap  # (0, 1)
        weights[:overlap] = edge
        weights[-overlap:] = np.minimum(weights[-overlap:], edge[::-1])
    return weights


def run_tiled(
    fn: TileFn,
    image: np.ndarray,
    max_tile: int = 512,
    overlap: int = 32,
    margin: int = 8,
    multiple: int = 4,
    batch: int = 4,
) -> np.ndarray:
    """``fn`` applied to (H, W, C) ``image`` tile by tile; returns (H, W, C) float32."""
    image = np.asarray(image, dtype=np.float32)
    height, width = image.shape[:2]
    padded = np.pad(image, ((margin, margin), (margin, margin), (0, 0)), mode="reflect" if min(height, width) > margin else "edge")
    tile_h, rows = _plan(padded.shape[0], max_tile, overlap, multiple)
    tile_w, cols = _plan(padded.shape[1], max_tile, overlap, multiple)
    # The last tile may run past the padded picture (rounding to `multiple`): pad once more.
    extra_h = max(0, rows[-1] + tile_h - padded.shape[0])
    extra_w = max(0, cols[-1] + tile_w - padded.shape[1])
    padded = np.pad(padded, ((0, extra_h), (0, extra_w), (0, 0)), mode="edge")

    output = np.zeros_like(padded)
    total = np.zeros(padded.shape[:2] + (1,), dtype=np.float32)
    window = np.outer(_ramp(tile_h, overlap if len(rows) > 1 else 0), _ramp(tile_w, overlap if len(cols) > 1 else 0))[..., None]
    corners = [(top, left) for top in rows for left in cols]
    for start in range(0, len(corners), batch):
        group = corners[start : start + batch]
        tiles = np.stack([padded[t : t + tile_h, l : l + tile_w] for t, l in group])  # (N, th, tw, C)
        results = fn(tiles)
        for (top, left), result in zip(group, results):
            output[top : top + tile_h, left : left + tile_w] += result * window
            total[top : top + tile_h, left : left + tile_w] += window
    output /= np.maximum(total, 1e-8)
    return output[margin : margin + height, margin : margin + width]
