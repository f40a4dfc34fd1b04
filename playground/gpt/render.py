"""Pictures for the GPT view, drawn with numpy + Pillow (fast, lossless PNG in the browser).

- ``attention_image``: one head's (T, T) map, query rows × key columns, the causal upper
  triangle left blank, the chosen query row outlined, characters on both axes.
- ``embedding_image``: token, position and summed embeddings as (T, C) heat strips.
- ``embedding_scatter``: the 2-D principal-component map of every character's embedding.
- ``curves_figure``: held-out loss of the live GPT and LSTM (matplotlib).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground.figures import figure_to_array, new_figure
from playground.gpt.explain import visible

BACKGROUND = (255, 255, 255)
MASKED = (236, 236, 236)  # the causal upper triangle: positions a query may not see
OUTLINE = (230, 60, 40)


@functools.lru_cache(maxsize=None)
def _lut(name: str) -> np.ndarray:
    from matplotlib import colormaps

    return (colormaps[name](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)  # (256, 3)


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSansMono.ttf"
    return ImageFont.truetype(str(path), size)


def _colour(values: np.ndarray, name: str, low: float, high: float) -> np.ndarray:
    scaled = np.clip((values - low) / max(high - low, 1e-12), 0, 1)
    return _lut(name)[(scaled * 255).astype(np.int64)]  # (..., 3)


def _cell_size(steps: int) -> int:
    return int(np.clip(640 // max(steps, 1), 4, 24))


def attention_image(attention: np.ndarray, text: str, query: int | None = None, gamma: float = 0.5) -> Image.Image:
    """One head's attention (T, T) as a picture; ``gamma`` < 1 brightens weak weights so they show."""
    steps = attention.shape[0]
    cell = _cell_size(steps)
    labels = cell >= 9
    margin = cell + 4 if labels else 0
    colours = _colour(attention ** gamma, "viridis", 0.0, 1.0)  # (T, T, 3)
    colours[np.triu(np.ones((steps, steps), dtype=bool), k=1)] = MASKED
    grid = np.repeat(np.repeat(colours, cell, axis=0), cell, axis=1)  # (T·cell, T·cell, 3)
    image = Image.new("RGB", (margin + grid.shape[1] + 2, margin + grid.shape[0] + 2), BACKGROUND)
    image.paste(Image.fromarray(grid), (margin, margin))
    draw = ImageDraw.Draw(image)
    if labels:
        font = _font(max(8, cell - 3))
        for t, char in enumerate(text):
            centre = margin + t * cell + cell // 2
            draw.text((centre, margin // 2), visible(char), fill=(40, 40, 40), font=font, anchor="mm")  # keys
            draw.text((margin // 2, centre), visible(char), fill=(40, 40, 40), font=font, anchor="mm")  # queries
    if query is not None and 0 <= query < steps:
        top = margin + query * cell
        draw.rectangle([margin - 1, top - 1, margin + (query + 1) * cell, top + cell], outline=OUTLINE, width=2)
    return image


def embedding_image(token: np.ndarray, position: np.ndarray, text: str) -> Image.Image:
    """Three (T, C) strips side by side: token embedding + position embedding = what block 1 reads."""
    strips = [token, position, token + position]
    scale = max(float(np.abs(strip).max()) for strip in strips) or 1.0
    steps, channels = token.shape
    cell_h = int(np.clip(512 // max(steps, 1), 3, 16))
    cell_w = int(np.clip(256 // channels, 1, 4))
    label_w = cell_h + 6 if cell_h >= 9 else 0
    gap, title_h = 12, 18
    width = label_w + 3 * channels * cell_w + 2 * gap
    image = Image.new("RGB", (width, title_h + steps * cell_h), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = _font(11)
    left = label_w
    for strip, title in zip(strips, ("token", "+ position", "= input to block 1")):
        colours = _colour(strip, "RdBu_r", -scale, scale)  # red positive, blue negative
        grid = np.repeat(np.repeat(colours, cell_h, axis=0), cell_w, axis=1)
        image.paste(Image.fromarray(grid), (left, title_h))
        draw.text((left, 2), title, fill=(40, 40, 40), font=font)
        left += channels * cell_w + gap
    if label_w:
        small = _font(max(8, cell_h - 3))
        for t, char in enumerate(text):
            draw.text((label_w // 2, title_h + t * cell_h + cell_h // 2), visible(char), fill=(40, 40, 40), font=small, anchor="mm")
    return image


def embedding_scatter(points: np.ndarray, vocab: str, highlight: str = "") -> Image.Image:
    """Every character's token embedding on its first two principal components; the prompt's in red."""
    figure = new_figure(5.2, 4.4)
    axis = figure.subplots()
    axis.scatter(points[:, 0], points[:, 1], s=0)
    for (x, y), char in zip(points, vocab):
        colour = "#d62728" if char in highlight else "#1f3b73"
        weight = "bold" if char in highlight else "normal"
        axis.text(x, y, visible(char), ha="center", va="center", fontsize=10, color=colour, weight=weight, family="DejaVu Sans Mono")
    axis.set_xlabel("principal component 1")
    axis.set_ylabel("principal component 2")
    axis.set_title("Token embeddings of all characters (prompt's in red)", fontsize=10)
    axis.grid(True, alpha=0.3)
    figure.tight_layout()
    return Image.fromarray(figure_to_array(figure))


def curves_figure(curves: dict[str, tuple[list[int], list[float]]], title: str):
    """Held-out loss (nats per character) against the training step, one line per model."""
    figure = new_figure(6.4, 3.2)
    axis = figure.subplots()
    colours = {"GPT": "#9467bd", "LSTM": "#ff7f0e"}
    for name, (steps, losses) in curves.items():
        axis.plot(steps, losses, label=name, color=colours.get(name.split()[0]))
    axis.set_xlabel("training step")
    axis.set_ylabel("held-out loss (nats / char)")
    axis.set_title(title, fontsize=10)
    axis.grid(True, alpha=0.3)
    if curves:
        axis.legend(fontsize=8)
    figure.tight_layout()
    return figure
