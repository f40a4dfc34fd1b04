"""The figures every tab shares, in three kinds (no Gradio here):

- ``curve_table`` / ``history_table``: named curves → the long table ``gr.LinePlot`` draws
  (one row per point: x, y and the curve's name).
- ``line_chart``: a fast Pillow line chart as an (H, W, 3) uint8 array (~1–3 ms), for live
  loops that redraw many times a second. Axis from 0 to the largest value; the legend and
  labels are cached images (Pillow's text costs ~0.3 ms a label).
- ``new_figure`` / ``figure_to_array``: matplotlib through its object API only. Handlers run
  in a thread pool, and pyplot keeps global state (a current figure, a backend) that two
  threads would share; a ``Figure`` of one's own with an Agg canvas shares nothing.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# ---------------------------------------------------------------- tables for gr.LinePlot


def curve_table(curves: Mapping[str, Iterable[tuple[float, float]]], x: str, y: str, color: str = "curve") -> pd.DataFrame:
    """{name: [(x, y), …]} → columns x, y, color; points that are not finite numbers are left out
    (a diverged step has no place on the axis).

    The columns are typed even when there are no rows yet, so the plot reads x and y as numbers
    from the first frame on (an untyped empty table would tell it they are names)."""
    rows = [
        (float(px), float(py), str(name))
        for name, points in curves.items()
        for px, py in points
        if py is not None and math.isfinite(py)
    ]
    columns = list(zip(*rows)) if rows else [(), (), ()]
    return pd.DataFrame({
        x: pd.Series(columns[0], dtype="float64"),
        y: pd.Series(columns[1], dtype="float64"),
        color: pd.Series(columns[2], dtype="string"),
    })


def history_table(history: Mapping[str, Sequence[float]], names: Mapping[str, str], y: str,
                  x: str = "epoch", color: str = "curve") -> pd.DataFrame:
    """Per-epoch lists {key: [epoch 1, epoch 2, …]} → ``curve_table`` of the keys in ``names``
    ({history key: curve name}, in legend order)."""
    return curve_table({name: enumerate(history.get(key, []), start=1) for key, name in names.items()}, x, y, color)


# ---------------------------------------------------------------- a fast line chart

_FONT = ImageFont.load_default()
AXIS_COLOUR = (150, 150, 150)
NOTE_COLOUR = (110, 110, 110)


@dataclass(frozen=True)
class Line:
    values: Sequence[float]  # one y per step or epoch; non-finite values are skipped
    colour: tuple[int, int, int]
    name: str


def line_chart(lines: Sequence[Line], width: int = 360, height: int = 170, smooth: bool = False,
               note: str = "", empty: str = "") -> np.ndarray:
    """(height, width, 3) uint8: every line on one axis from 0 to the largest value.

    ``smooth``: a moving mean over 1 % of the points hides step-to-step noise. ``note``: a
    label on the right of the legend (e.g. "120 steps"). ``empty``: shown instead of the
    legend while no line has a finite value yet.
    """
    left, right, top, bottom = 16, width - 8, 30, height - 8
    finite = [float(v) for line in lines for v in line.values if math.isfinite(v)]
    legend = tuple((line.name, line.colour) for line in lines)
    picture = Image.fromarray(_background(width, height, legend if finite or not empty else (), empty))
    if note:
        label = _label(note, NOTE_COLOUR)
        picture.paste(label, (right - label.width, 2))
    if not finite:
        return np.asarray(picture)
    high = max(max(finite), 1e-3)
    picture.paste(_label(f"axis: 0 to {high:.3g}", NOTE_COLOUR), (left + 8, 15))
    draw = ImageDraw.Draw(picture)
    longest = max(max(len(line.values) for line in lines), 2)
    for line in lines:
        values = np.asarray(line.values, dtype=np.float64)
        window = max(1, len(values) // 100) if smooth else 1
        if window > 1:
            values = np.convolve(values, np.ones(window) / window, mode="valid")
        # At most one point every 2 px; index i of the smoothed values is step i + window - 1.
        index = np.unique(np.linspace(0, len(values) - 1, min(len(values), (right - left) // 2)).astype(int))
        index = index[np.isfinite(values[index])]
        xs = left + (index + window - 1) / (longest - 1) * (right - left)
        ys = bottom - values[index] / high * (bottom - top)
        if len(xs) == 1:
            draw.ellipse((xs[0] - 2, ys[0] - 2, xs[0] + 2, ys[0] + 2), fill=line.colour)
        elif len(xs) > 1:
            draw.line(list(zip(xs.tolist(), ys.tolist())), fill=line.colour, width=2)
    return np.asarray(picture)


@functools.lru_cache(maxsize=16)
def _background(width: int, height: int, legend: tuple, empty: str) -> np.ndarray:
    """The axes and the legend (or the ``empty`` text when ``legend`` is empty), drawn once."""
    left, right, top, bottom = 16, width - 8, 30, height - 8
    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    draw.line((left, top, left, bottom, right, bottom), fill=AXIS_COLOUR)
    x = left + 8
    for name, colour in legend:
        draw.line((x, 8, x + 14, 8), fill=colour, width=2)
        draw.text((x + 18, 2), name, fill=colour, font=_FONT)
        x += 18 + int(draw.textlength(name, font=_FONT)) + 16
    if not legend and empty:
        draw.text((left + 8, top + 40), empty, fill=(120, 120, 120), font=_FONT)
    canvas = np.asarray(picture).copy()
    canvas.setflags(write=False)
    return canvas


@functools.lru_cache(maxsize=512)
def _label(text: str, colour: tuple[int, int, int]) -> Image.Image:
    """A small white image with ``text`` on it (cached: the same labels come back every frame)."""
    box = ImageDraw.Draw(Image.new("RGB", (1, 1))).textbbox((0, 0), text, font=_FONT)
    picture = Image.new("RGB", (box[2] + 2, box[3] + 2), "white")
    ImageDraw.Draw(picture).text((0, 0), text, fill=colour, font=_FONT)
    return picture


# ---------------------------------------------------------------- matplotlib, safe in threads


def new_figure(width: float, height: float, dpi: int = 100, layout: str | None = None) -> Figure:
    """A Figure of the caller's own (object API: no pyplot state shared between handler threads).

    Draw on ``figure.subplots(…)`` or ``figure.add_axes(…)``; give it to ``gr.Plot`` as it is,
    or to ``figure_to_array`` for a picture.
    """
    from matplotlib.figure import Figure  # imported on first use: the app starts without matplotlib

    return Figure(figsize=(width, height), dpi=dpi, layout=layout)


def figure_to_array(figure: Figure) -> np.ndarray:
    """Render with the Agg canvas: (H, W, 3) uint8."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()
