"""Emoji pictures rendered from Noto Color Emoji, and edge maps made from them.

Training recipes only: the font comes from Debian's ``fonts-noto-color-emoji``; the app
itself never needs it (it ships trained weights and a small held-out set instead).

- ``emoji_images(size)`` → (N, size, size, 3) uint8 emoji on white, one per code point
  (skin-tone swatches, flag letters and tag characters left out), cached on disk.
- A fixed split keeps every 10th emoji out of all training (``split="heldout"``).
- ``edge_map(rgb)`` → the line drawing pix2pix learns from: Canny edges of the picture
  plus the outline of its silhouette. The same function turns uploads into edges.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground.data import _cache_dir

FONT_PATH = Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf")
FONT_SIZE = 109  # the only size the bitmap font has
HELDOUT_EVERY = 10  # every 10th emoji (in code-point order) is never trained on
FONT_LICENCE = "Noto Color Emoji (SIL Open Font License 1.1; emoji artwork Apache-2.0), Debian fonts-noto-color-emoji"

_EXCLUDED_RANGES = (
    (0x1F1E6, 0x1F1FF),  # regional indicator letters (render as boxed letters)
    (0x1F3FB, 0x1F3FF),  # skin-tone modifiers (render as colour swatches)
    (0xE0000, 0xE007F),  # tag characters
    (0xFE00, 0xFE0F),  # variation selectors
)


def font_available() -> bool:
    return FONT_PATH.exists()


def _code_points() -> list[int]:
    from fontTools.ttLib import TTFont  # ships with matplotlib

    cmap = TTFont(str(FONT_PATH)).getBestCmap()
    return [
        cp
        for cp in sorted(cmap)
        if cp > 0x2000 and not any(low <= cp <= high for low, high in _EXCLUDED_RANGES)
    ]


def _render(code_point: int, font: ImageFont.FreeTypeFont, size: int, margin: float) -> np.ndarray | None:
    canvas = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((8, 8), chr(code_point), font=font, embedded_color=True)
    box = canvas.getbbox()
    if box is None:
        return None
    glyph = canvas.crop(box)
    side = int(round(max(glyph.size) * (1 + 2 * margin)))  # square, centred, with a margin
    square = Image.new("RGBA", (side, side), (255, 255, 255, 0))
    square.paste(glyph, ((side - glyph.width) // 2, (side - glyph.height) // 2))
    small = square.resize((size, size), Image.Resampling.LANCZOS)
    white = Image.new("RGBA", small.size, (255, 255, 255, 255))
    return np.asarray(Image.alpha_composite(white, small).convert("RGB"))


@functools.lru_cache(maxsize=4)
def _all_emoji(size: int) -> tuple[np.ndarray, np.ndarray]:
    cache = _cache_dir() / f"emoji_{size}.npz"
    if cache.exists():
        with np.load(cache) as stored:
            return stored["images"], stored["code_points"]
    if not font_available():
        raise FileNotFoundError(
            f"{FONT_PATH} is missing: `apt-get install fonts-noto-color-emoji` (needed to train, not to run the app)"
        )
    font = ImageFont.truetype(str(FONT_PATH), FONT_SIZE)
    images, kept = [], []
    for cp in _code_points():
        picture = _render(cp, font, size, margin=0.04)
        if picture is not None:
            images.append(picture)
            kept.append(cp)
    images_array, code_points = np.stack(images), np.array(kept, dtype=np.int64)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez_compressed(tmp, images=images_array, code_points=code_points)
    tmp.replace(cache)
    return images_array, code_points


def emoji_images(size: int, split: str = "train") -> np.ndarray:
    """(N, size, size, 3) uint8 emoji on white; ``split`` is "train", "heldout" or "all"."""
    images, _ = _all_emoji(size)
    index = np.arange(len(images))
    if split == "train":
        return images[index % HELDOUT_EVERY != 0]
    if split == "heldout":
        return images[index % HELDOUT_EVERY == 0]
    if split == "all":
        return images
    raise ValueError(f"unknown split {split!r}; choose train, heldout or all")


def edge_map(rgb: np.ndarray, sigma: float = 1.5, low: float = 0.08, high: float = 0.2) -> np.ndarray:
    """(H, W, 3) uint8 picture → (H, W) float32 ink in {0, 1}: black-on-white line drawing's ink.

    Canny edges of the luminance, plus the outline of whatever is not white paper, so a
    pale emoji still gets its silhouette. The defaults suit 128 px pictures: a wider blur
    and higher thresholds than Canny's usual keep the strong lines a person would draw
    and drop the shading's faint double edges.
    """
    from scipy import ndimage
    from skimage.feature import canny

    gray = np.asarray(rgb, dtype=np.float32).mean(axis=2) / 255.0  # (H, W)
    edges = canny(gray, sigma=sigma, low_threshold=low, high_threshold=high)
    shape = np.asarray(rgb).min(axis=2) < 245  # not paper
    outline = shape & ~ndimage.binary_erosion(shape)
    return (edges | outline).astype(np.float32)


def thicken(ink: np.ndarray) -> np.ndarray:
    """Grow 1-pixel lines to ~2 pixels (a 3×3 cross), like a pen on the sketchpad."""
    from scipy import ndimage

    return ndimage.binary_dilation(ink > 0.5).astype(np.float32)
