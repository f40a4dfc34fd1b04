"""Fast pictures of the 2-D diffusion lab (numpy and Pillow, no matplotlib): a frame costs a few ms.

Every picture is the plane [-EXTENT, EXTENT]² drawn size × size, row 0 at the top (y = +EXTENT),
like the 2-D GAN's (``playground.gans.render2d``): real points light green under the model's.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from playground.figures import Line, line_chart
from playground.gans.render2d import to_pixels
from playground.gans.toy2d import EXTENT

PAPER = (250, 250, 250)
REAL_DOT = (150, 205, 160)  # the data, faint under everything else
SAMPLE_DOT = (40, 80, 200)
NOISY_DOT = (200, 110, 40)
ARROW = (60, 60, 60)
DIFFUSION_LINE = (40, 80, 200)
GAN_LINE = (110, 30, 160)


def blank(size: int) -> np.ndarray:
    image = np.empty((size, size, 3), dtype=np.uint8)
    image[:] = PAPER
    centre = size // 2
    image[centre, :] = (215, 215, 215)  # faint axes
    image[:, centre] = (215, 215, 215)
    return image


def dots(image: np.ndarray, points: np.ndarray, colour: tuple[int, int, int], radius: int = 1) -> np.ndarray:
    """Paint a (2r+1)² square per point, in place; points off the picture (or not finite) are skipped."""
    size = image.shape[0]
    points = points[np.isfinite(points).all(axis=1)]
    cols, rows = to_pixels(np.clip(points, -10 * EXTENT, 10 * EXTENT), size)
    inside = (cols >= 0) & (cols < size) & (rows >= 0) & (rows < size)
    cols, rows = cols[inside], rows[inside]
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            image[np.clip(rows + dy, 0, size - 1), np.clip(cols + dx, 0, size - 1)] = colour
    return image


def points_picture(real: np.ndarray, points: np.ndarray, size: int = 360, colour=SAMPLE_DOT) -> np.ndarray:
    """(size, size, 3) uint8: the data (faint) and ``points`` on top."""
    return dots(dots(blank(size), real, REAL_DOT), points, colour)


def _pixel(point: np.ndarray, size: int) -> tuple[float, float]:
    return ((point[0] + EXTENT) / (2 * EXTENT) * size, (EXTENT - point[1]) / (2 * EXTENT) * size)


def field_picture(real: np.ndarray, positions: np.ndarray, directions: np.ndarray, size: int = 360) -> np.ndarray:
    """Arrows of the field at grid ``positions`` (R², 2): their lengths scaled so the longest spans
    one grid cell, the shortest still visible; the data faint underneath."""
    image = Image.fromarray(dots(blank(size), real, REAL_DOT))
    draw = ImageDraw.Draw(image)
    lengths = np.linalg.norm(directions, axis=1)
    finite = np.isfinite(lengths)
    cells = int(round(np.sqrt(len(positions))))
    cell = size / (cells + 1)
    longest = lengths[finite].max() if finite.any() and lengths[finite].max() > 0 else 1.0
    for position, direction, length in zip(positions[finite], directions[finite], lengths[finite]):
        x0, y0 = _pixel(position, size)
        scale = 0.9 * cell * max(length / longest, 0.15) / max(length, 1e-12)
        dx, dy = direction[0] * scale, -direction[1] * scale  # the picture's y grows downwards
        x1, y1 = x0 + dx, y0 + dy
        draw.line([(x0, y0), (x1, y1)], fill=ARROW, width=1)
        # the head: two short strokes back from the tip
        angle = np.arctan2(dy, dx)
        for turn in (2.6, -2.6):
            draw.line([(x1, y1), (x1 + 4 * np.cos(angle + turn), y1 + 4 * np.sin(angle + turn))], fill=ARROW, width=1)
    return np.asarray(image)


def trajectories_picture(real: np.ndarray, trajectory: np.ndarray, paths: int = 60, size: int = 360) -> np.ndarray:
    """The first ``paths`` walks of a (steps + 1, N, 2) trajectory, from noise (orange) to samples (blue)."""
    image = Image.fromarray(dots(blank(size), real, REAL_DOT))
    draw = ImageDraw.Draw(image)
    walks = np.nan_to_num(np.clip(trajectory[:, :paths], -10 * EXTENT, 10 * EXTENT))  # (S + 1, P, 2)
    steps = len(walks) - 1
    if steps > 200:  # at most 200 segments a path: the picture cannot show more
        walks = walks[np.linspace(0, steps, 201).astype(int)]
        steps = 200
    for k in range(steps):
        share = (k + 1) / max(steps, 1)
        colour = tuple(int(a + share * (b - a)) for a, b in zip(NOISY_DOT, SAMPLE_DOT))
        for start, end in zip(walks[k], walks[k + 1]):
            draw.line([_pixel(start, size), _pixel(end, size)], fill=colour, width=1)
    picture = np.asarray(image).copy()
    dots(picture, walks[0], NOISY_DOT, radius=1)
    return dots(picture, walks[-1], SAMPLE_DOT, radius=1)


def steps_chart(results: list[dict], width: int = 420, height: int = 190) -> np.ndarray:
    """Bars of the sliced distance to the data (lower is better) per sampling step count; on the ring, the
    modes covered above each bar."""
    image = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(image)
    if not results:
        draw.text((10, height // 2), "Press 'Measure' to sample at every step count", fill=(110, 110, 110))
        return np.asarray(image)
    left, right, top, bottom = 10, width - 10, 34, height - 22
    values = [r["distance"] if np.isfinite(r["distance"]) else 0.0 for r in results]
    highest = max(max(values), 1e-9)
    slot = (right - left) / len(results)
    draw.text((left, 4), "distance to the data (lower is better) by sampling steps", fill=(60, 60, 60))
    for index, (result, value) in enumerate(zip(results, values)):
        x0 = left + index * slot + 4
        x1 = left + (index + 1) * slot - 4
        y0 = bottom - (bottom - top) * value / highest
        draw.rectangle([x0, y0, x1, bottom], fill=DIFFUSION_LINE)
        draw.text((x0, bottom + 4), str(result["steps"]), fill=(60, 60, 60))
        label = f"{result['distance']:.2f}"
        if "modes_covered" in result:
            label = f"{result['modes_covered']}/8"
        draw.text((x0, max(18, y0 - 12)), label, fill=(60, 60, 60))
    return np.asarray(image)


def progress_chart(diffusion: list[float], gan: list[float] | None, what: str, width: int = 360,
                   height: int = 170) -> np.ndarray:
    """One value per frame over training (modes covered, or the distance to the data) for the diffusion
    model and, where it trains beside it, the GAN."""
    lines = [Line(diffusion, DIFFUSION_LINE, "diffusion")]
    if gan is not None:
        lines.append(Line(gan, GAN_LINE, "GAN"))
    return line_chart(lines, width, height, note=what, empty="press Play")


def loss_chart(losses: list[float], width: int = 360, height: int = 150) -> np.ndarray:
    return line_chart([Line(losses, DIFFUSION_LINE, "loss")], width, height, smooth=True,
                      note=f"{len(losses)} steps", empty="press Play")
