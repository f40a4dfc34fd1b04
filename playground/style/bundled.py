"""The styles and content photos the tab offers: bundled textures/photos and procedural art."""

from __future__ import annotations

from typing import Callable

from PIL import Image

from playground import data
from playground.style import procedural

CONTENT_PHOTOS = ("chelsea", "coffee", "astronaut", "rocket", "horse", "grace_hopper", "china")

# Display name -> loader of an RGB PIL image. Procedural art uses seeds 0–99, which the
# AdaIN recipe never trains on (it uses seeds ≥ 10,000).
STYLES: dict[str, Callable[[], Image.Image]] = {
    "immunohistochemistry": lambda: data.photo("immunohistochemistry"),
    "brick": lambda: data.photo("brick"),
    "gravel": lambda: data.photo("gravel"),
    "grass": lambda: data.photo("grass"),
    "hubble_deep_field": lambda: data.photo("hubble_deep_field"),
    "colorwheel": lambda: data.photo("colorwheel"),
    "coins": lambda: data.photo("coins"),
    "stripes (procedural)": lambda: procedural.stripes(seed=3, size=384),
    "mosaic (procedural)": lambda: procedural.mosaic(seed=1, size=384),
    "brush strokes (procedural)": lambda: procedural.brush_strokes(seed=7, size=384),
    "dots (procedural)": lambda: procedural.dots(seed=2, size=384),
}


def style_image(name: str) -> Image.Image:
    if name not in STYLES:
        raise KeyError(f"unknown bundled style {name!r}; known: {sorted(STYLES)}")
    return STYLES[name]()


def style_file(name: str, max_side: int = 512) -> str:
    """A bundled style saved once as a PNG in the cache (for gr.Examples); returns its path."""
    stem = name.split(" (")[0].replace(" ", "_")
    return data.cached_image_file("styles", stem, lambda: style_image(name), max_side, suffix=".png")
