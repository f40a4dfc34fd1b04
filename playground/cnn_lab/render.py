"""Fast numpy → PIL pictures for the lab: tiles of maps, filters, a confusion matrix."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def grayscale(image: np.ndarray, size: int = 140) -> Image.Image:
    """A (H, W) array in [0, 1] as a nearest-neighbour-enlarged grayscale picture."""
    pixels = (np.clip(image, 0, 1) * 255).astype(np.uint8)
    return Image.fromarray(pixels).resize((size, size), Image.Resampling.NEAREST)


def tile(maps: np.ndarray, columns: int | None = None, cell: int = 48, gap: int = 2,
         diverging: bool = False) -> Image.Image:
    """(N, H, W) maps as a grid of cells; each map scaled on its own (diverging: blue − / red +)."""
    count = len(maps)
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    canvas = np.full((rows * (cell + gap) + gap, columns * (cell + gap) + gap, 3), 235, dtype=np.uint8)
    for index, single in enumerate(maps):
        if diverging:
            scale = max(float(np.abs(single).max()), 1e-8)
            value = single / scale  # in [-1, 1]
            rgb = np.stack([1 + np.minimum(value, 0), 1 - np.abs(value), 1 - np.maximum(value, 0)], axis=-1)
            rgb = np.clip(rgb, 0, 1)  # white at 0, red for +, blue for −
        else:
            low, high = float(single.min()), float(single.max())
            value = (single - low) / (high - low) if high > low else np.zeros_like(single)
            rgb = np.stack([value] * 3, axis=-1)
        picture = Image.fromarray((rgb * 255).astype(np.uint8)).resize((cell, cell), Image.Resampling.NEAREST)
        top, left = gap + (index // columns) * (cell + gap), gap + (index % columns) * (cell + gap)
        canvas[top : top + cell, left : left + cell] = np.asarray(picture)
    return Image.fromarray(canvas)


def confusion_image(confusion: np.ndarray, cell: int = 36) -> Image.Image:
    """A 10×10 confusion matrix (rows: true digit, columns: predicted) with the counts written in."""
    classes = len(confusion)
    margin = cell
    size = margin + classes * cell
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    font = _font(cell // 3)
    row_totals = np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    share = confusion / row_totals
    for true in range(classes):
        draw.text((margin // 2, margin + true * cell + cell // 2), str(true), fill="black", font=font, anchor="mm")
        draw.text((margin + true * cell + cell // 2, margin // 2), str(true), fill="black", font=font, anchor="mm")
        for predicted in range(classes):
            value = share[true, predicted]
            if true == predicted:
                colour = (int(255 - 155 * value), int(255 - 55 * value), int(255 - 155 * value))  # green
            else:
                strength = min(1.0, value * 8)  # mistakes are rare: amplify them
                colour = (255, int(255 - 180 * strength), int(255 - 180 * strength))  # red
            left, top = margin + predicted * cell, margin + true * cell
            draw.rectangle([left, top, left + cell - 1, top + cell - 1], fill=colour, outline=(220, 220, 220))
            if confusion[true, predicted]:
                draw.text((left + cell // 2, top + cell // 2), str(int(confusion[true, predicted])),
                          fill="black", font=font, anchor="mm")
    return image
