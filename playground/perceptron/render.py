"""Fast drawings for live training: numpy arrays → uint8 RGB images, a few ms each.

No matplotlib here (a figure costs ~50 ms; these cost ~1–3 ms): the decision regions and
neuron maps are colour look-ups on a grid, the points and curves are drawn by Pillow.
Plane coordinates are [-EXTENT, EXTENT]²; row 0 of an image is the top (x2 = +EXTENT).
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground.figures import Line, line_chart
from playground.perceptron.datasets import EXTENT

# Class colours: TF Playground's orange and blue first, then three more that stay apart for colour-blind
# eyes too (Okabe–Ito's bluish green and reddish purple, and dark grey): any two differ by ΔE ≥ 15 under
# protanopia, deuteranopia and tritanopia (``colour_vision``; the green and red these replaced: 1.2 for protans).
PALETTE = np.array([[245, 147, 34], [8, 119, 189], [0, 158, 115], [204, 121, 167], [90, 90, 90]], dtype=np.float32)
WHITE = np.array([255, 255, 255], dtype=np.float32)
_FONT = ImageFont.load_default()


def _diverging_lut() -> np.ndarray:
    """256 colours from orange (0) through white (127.5) to blue (255)."""
    t = np.linspace(-1, 1, 256, dtype=np.float32)[:, None]  # (256, 1)
    low = WHITE + (PALETTE[0] - WHITE) * np.clip(-t, 0, 1)
    high = WHITE + (PALETTE[1] - WHITE) * np.clip(t, 0, 1)
    return np.where(t < 0, low, high).astype(np.uint8)  # (256, 3)


DIVERGING = _diverging_lut()


def to_pixels(points: np.ndarray, size: int) -> np.ndarray:
    """(n, 2) plane coordinates → (n, 2) pixel (column, row) positions in a size × size image."""
    column = (points[:, 0] + EXTENT) / (2 * EXTENT) * size
    row = (EXTENT - points[:, 1]) / (2 * EXTENT) * size
    return np.stack([column, row], 1)


def to_plane(column: float, row: float, size: int) -> tuple[float, float]:
    """A pixel position (e.g. a click) → plane coordinates (x1, x2)."""
    return column / size * 2 * EXTENT - EXTENT, EXTENT - row / size * 2 * EXTENT


def _upscale(image: np.ndarray, size: int) -> np.ndarray:
    """(G, G, 3) → (size, size, 3): pixel repeat when size is a multiple of G, else bilinear."""
    grid = image.shape[0]
    if size % grid == 0:
        factor = size // grid
        return image.repeat(factor, 0).repeat(factor, 1)
    return np.asarray(Image.fromarray(image).resize((size, size), Image.BILINEAR))


def draw_points(image: np.ndarray, points: np.ndarray, labels: np.ndarray, outline: tuple[int, int, int],
                radius: float = 3.5) -> np.ndarray:
    """Dots in class colours; the outline tells train (white) from test (black) points."""
    picture = Image.fromarray(image)
    draw = ImageDraw.Draw(picture)
    for (column, row), label in zip(to_pixels(points, image.shape[0]), labels):
        draw.ellipse((column - radius, row - radius, column + radius, row + radius),
                     fill=tuple(int(c) for c in PALETTE[label % len(PALETTE)]), outline=outline)
    return np.asarray(picture)


def points_layer(size: int, train_points: np.ndarray, train_labels: np.ndarray,
                 test_points: np.ndarray | None = None, test_labels: np.ndarray | None = None) -> Image.Image:
    """The data points on a transparent size × size layer (drawn once per data set, reused every frame)."""
    layer = np.zeros((size, size, 4), np.uint8)
    picture = Image.fromarray(layer, "RGBA")
    draw = ImageDraw.Draw(picture)
    for points, labels, outline in ((train_points, train_labels, (255, 255, 255, 255)),
                                    (test_points, test_labels, (0, 0, 0, 255))):
        if points is None or not len(points):
            continue
        for (column, row), label in zip(to_pixels(points, size), labels):
            colour = tuple(int(c) for c in PALETTE[label % len(PALETTE)]) + (255,)
            draw.ellipse((column - 3.5, row - 3.5, column + 3.5, row + 3.5), fill=colour, outline=outline)
    return picture


def decision_image(probabilities: np.ndarray, resolution: int, size: int, points: Image.Image) -> np.ndarray:
    """Each cell coloured by the class probabilities (pale where the net is unsure), smoothly
    upscaled, with the ``points_layer`` on top.

    probabilities: (resolution², classes), rows from the top of the plane.
    """
    classes = probabilities.shape[1]
    mix = probabilities @ PALETTE[:classes]  # (G², 3) the probability-weighted class colour
    confidence = (probabilities.max(1, keepdims=True) - 1 / classes) / (1 - 1 / classes)  # (G², 1) in [0, 1]
    alpha = 0.25 + 0.55 * confidence
    cells = (WHITE + (mix - WHITE) * alpha).astype(np.uint8).reshape(resolution, resolution, 3)
    background = Image.fromarray(cells).resize((size, size), Image.BILINEAR).convert("RGBA")
    return np.asarray(Image.alpha_composite(background, points).convert("RGB"))


def neuron_maps(hidden: list[np.ndarray], resolution: int, names: list[str], cell: int = 48, gap: int = 4) -> np.ndarray:
    """One small map per hidden neuron (rows: layers; columns: neurons), orange < 0 < blue.

    hidden: [(resolution², width), ...]; each map is scaled by its own largest |value|.
    """
    if not hidden:
        picture = Image.new("RGB", (360, 40), "white")
        ImageDraw.Draw(picture).text((8, 12), "No hidden layer: the inputs feed the output directly.", fill=(60, 60, 60), font=_FONT)
        return np.asarray(picture)
    canvas = _neuron_canvas(tuple(h.shape[1] for h in hidden), tuple(names), cell, gap).copy()
    step = max(1, resolution // cell)
    for row, values in enumerate(hidden):
        maps = values.reshape(resolution, resolution, -1)[::step, ::step]  # (g, g, width)
        scale = np.abs(maps).max(axis=(0, 1), keepdims=True)
        scaled = maps / np.where(scale > 1e-8, scale, 1.0)  # in [-1, 1]
        index = np.clip((scaled + 1) * 127.5, 0, 255).astype(np.uint8)
        colours = DIVERGING[index]  # (g, g, width, 3)
        top = gap + row * (cell + gap)
        for neuron in range(maps.shape[2]):
            tile = colours[:, :, neuron]
            if tile.shape[0] != cell:
                tile = np.asarray(Image.fromarray(tile).resize((cell, cell), Image.NEAREST))
            left = NEURON_LABEL_WIDTH + neuron * (cell + gap)
            canvas[top:top + cell, left:left + cell] = tile
    return canvas


NEURON_LABEL_WIDTH = 84


@functools.lru_cache(maxsize=64)
def _neuron_canvas(widths: tuple[int, ...], names: tuple[str, ...], cell: int, gap: int) -> np.ndarray:
    """The white canvas with the layer labels (drawn once per layout: text costs ~0.3 ms a line)."""
    height = len(widths) * (cell + gap) + gap
    picture = Image.new("RGB", (NEURON_LABEL_WIDTH + max(widths) * (cell + gap), height), "white")
    draw = ImageDraw.Draw(picture)
    for row, name in enumerate(names):
        top = gap + row * (cell + gap)
        draw.text((4, top + cell // 2 - 12), f"layer {row + 1}", fill=(40, 40, 40), font=_FONT)
        draw.text((4, top + cell // 2 + 2), name, fill=(110, 110, 110), font=_FONT)
    canvas = np.asarray(picture).copy()
    canvas.setflags(write=False)
    return canvas


TRAIN_COLOUR = (60, 60, 60)
TEST_COLOUR = tuple(int(c) for c in PALETTE[0])


def loss_curves(train: list[float], test: list[float], width: int = 360, height: int = 170) -> np.ndarray:
    """Train (dark grey) and test (orange) loss per epoch, on a linear axis from 0 to the largest loss
    (the latest values are in the status line)."""
    lines = [Line(train, TRAIN_COLOUR, "train loss"), Line(test, TEST_COLOUR, "test loss")]
    return line_chart(lines, width, height, empty="press play or step to train")


def perceptron_image(outputs: np.ndarray, resolution: int, size: int, low: float, high: float,
                     line: tuple[float, float, float], points: np.ndarray | None = None,
                     labels: np.ndarray | None = None) -> np.ndarray:
    """A perceptron's output over the plane (orange = ``low``, blue = ``high``), its decision
    line w1·x1 + w2·x2 + b = 0 in black, and the data points.

    outputs: (resolution²,) rows from the top; line: (w1, w2, b).
    """
    span = high - low if high - low > 1e-12 else 1.0
    index = np.clip((outputs - low) / span * 255, 0, 255).astype(np.uint8)
    image = _upscale(DIVERGING[index].reshape(resolution, resolution, 3), size)
    if points is not None and len(points):
        image = draw_points(image, points, labels, outline=(255, 255, 255))
    ends = _line_in_square(*line)
    if ends:
        picture = Image.fromarray(image)
        pixels = to_pixels(np.array(ends), size)
        ImageDraw.Draw(picture).line([tuple(p) for p in pixels.tolist()], fill=(0, 0, 0), width=2)
        image = np.asarray(picture)
    return image


def _line_in_square(w1: float, w2: float, b: float) -> list[tuple[float, float]] | None:
    """The two points where w1·x1 + w2·x2 + b = 0 crosses the border of the plane (None if it misses)."""
    ends = []
    e = EXTENT
    if abs(w2) > 1e-12:
        for x1 in (-e, e):
            x2 = -(w1 * x1 + b) / w2
            if -e <= x2 <= e:
                ends.append((x1, x2))
    if abs(w1) > 1e-12:
        for x2 in (-e, e):
            x1 = -(w2 * x2 + b) / w1
            if -e <= x1 <= e:
                ends.append((x1, x2))
    unique = list(dict.fromkeys((round(a, 9), round(c, 9)) for a, c in ends))
    return unique[:2] if len(unique) >= 2 else None
