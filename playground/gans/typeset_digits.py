"""Typeset digits 0–9 at 28×28, prepared the way MNIST prepared handwriting.

The CycleGAN's second domain: the same ten digits, printed instead of written. Every font
ships inside matplotlib (``mpl-data/fonts/ttf``: DejaVu, STIX and Computer Modern; the
symbol fonts are left out), so the app and the tests can render them anywhere, offline.

Each digit is drawn large (a 96 px font on a 192 px canvas), given a random stroke width and
a small rotation, then cut to its bounding box, scaled so its longer side fits a box of
about 20 px (aspect kept) and placed in a 28×28 frame with its centre of mass on pixel
(14, 14) (``images.mnist_style``, as drawings are): white ink on black, exactly how MNIST's
handwriting was normalised. The small
random changes (size, stroke, rotation, a one-pixel shift) make a font give many slightly
different digits; everything is drawn from one seeded random generator, so a seed always
gives the same pictures.

Some fonts are held out (``HELDOUT_FONTS``): no recipe trains on them, and the cards
measure typeset → handwritten on them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from playground.images import mnist_style

TRAIN_FONTS = (
    "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-BoldOblique",
    "DejaVuSerif", "DejaVuSerif-Italic", "DejaVuSerif-BoldItalic",
    "DejaVuSansMono", "DejaVuSansMono-Bold", "DejaVuSansMono-Oblique",
    "STIXGeneral", "STIXGeneralBol", "STIXGeneralBolIta",
    "cmr10", "cmtt10", "cmb10", "cmti10",
)
# One font of each family never trained on: the held-out measure asks about new typefaces.
HELDOUT_FONTS = ("DejaVuSans-Oblique", "DejaVuSerif-Bold", "DejaVuSansMono-BoldOblique", "STIXGeneralItalic", "cmss10")
FONT_SETS = {"train": TRAIN_FONTS, "heldout": HELDOUT_FONTS}
FONT_LICENCE = ("fonts shipped with matplotlib: DejaVu (Bitstream Vera licence, public-domain changes), "
                "STIX (SIL Open Font License 1.1), Computer Modern BaKoMa (Knuth's licence: free use)")

RENDER_SIZE = 96  # font size of the large drawing (pixels)
CANVAS = 192

# Pixels (at 96 px) each font's strokes are grown (+) or thinned (−) so that its plain digits
# carry about as much ink as MNIST's handwriting (mean pixel 0.131): pen strokes are all about
# one width, fonts are not, and a CycleGAN asked to turn a bold 4 into a thin handwritten one
# has more to invent. Only the sans faces are thinned: a serif face's hairlines (the bar of a
# 4, the top of a 7) vanish under thinning, so bold serif faces stay heavier (0.15–0.19).
# Found with ``plain_ink`` by trying −4…+7 (sans) or 0…+7 per font; tests/test_cyclegan.py checks the table.
BASE_STROKE = {
    "DejaVuSans": 0, "DejaVuSans-Bold": -3, "DejaVuSans-BoldOblique": -3, "DejaVuSans-Oblique": 0,
    "DejaVuSerif": 0, "DejaVuSerif-Italic": 1, "DejaVuSerif-BoldItalic": 0, "DejaVuSerif-Bold": 0,
    "DejaVuSansMono": 0, "DejaVuSansMono-Bold": -2, "DejaVuSansMono-Oblique": 0, "DejaVuSansMono-BoldOblique": -2,
    "STIXGeneral": 1, "STIXGeneralBol": 0, "STIXGeneralBolIta": 0, "STIXGeneralItalic": 1,
    "cmr10": 1, "cmtt10": 0, "cmb10": 0, "cmti10": 2, "cmss10": 1,
}


@dataclass(frozen=True)
class Jitter:
    """The random changes each rendered digit gets (uniform in each range)."""

    box: tuple[float, float] = (18.5, 20.0)  # longer side in the 28×28 frame (MNIST: 20)
    stroke: tuple[float, float] = (-1.0, 2.5)  # pixels at 96 px added to the font's BASE_STROKE (rotation and
    # squeezing shrink a digit a little, so the range leans thicker to keep MNIST's ink)
    rotate: tuple[float, float] = (-8.0, 8.0)  # degrees
    squeeze: tuple[float, float] = (0.85, 1.05)  # width scale before fitting (handwriting is often narrower)
    shift: int = 1  # pixels of random shift after centring, each way


NO_JITTER = Jitter(box=(20.0, 20.0), stroke=(0.0, 0.0), rotate=(0.0, 0.0), squeeze=(1.0, 1.0), shift=0)


def font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _known(name: str) -> str:
    if name not in BASE_STROKE:
        raise ValueError(f"unknown font {name!r}; choose one of {list(TRAIN_FONTS + HELDOUT_FONTS)}")
    return name


@functools.lru_cache(maxsize=32)
def _font(name: str) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_dir() / f"{_known(name)}.ttf"), RENDER_SIZE)


def _large_glyph(digit: int, font: str, stroke: int, angle: float, squeeze: float) -> np.ndarray:
    """The digit drawn at 96 px, its strokes grown (``stroke`` > 0) or thinned (< 0) by that many
    pixels each side, rotated and squeezed: (H, W) float32 ink in [0, 1]."""
    canvas = Image.new("L", (CANVAS, CANVAS), 0)
    ImageDraw.Draw(canvas).text((CANVAS // 2, CANVAS // 2), str(digit), font=_font(font), fill=255, anchor="mm",
                                stroke_width=max(stroke, 0), stroke_fill=255)
    if stroke < 0:  # a minimum filter of width 2k+1 takes k pixels off every edge
        canvas = canvas.filter(ImageFilter.MinFilter(2 * -stroke + 1))
    canvas = canvas.rotate(angle, resample=Image.Resampling.BILINEAR)
    if squeeze != 1.0:
        canvas = canvas.resize((max(1, round(CANVAS * squeeze)), CANVAS), Image.Resampling.BILINEAR)
    return np.asarray(canvas, dtype=np.float32) / 255.0


def plain_ink(font: str, stroke: int) -> float:
    """Mean pixel (0–1) of the font's ten digits drawn upright with ``stroke`` at the MNIST box: the
    figure BASE_STROKE matches to MNIST's."""
    return float(np.mean([mnist_style(_large_glyph(digit, font, stroke, 0.0, 1.0)) for digit in range(10)]))


def render_digit(digit: int, font: str, rng: np.random.Generator | None = None, jitter: Jitter = Jitter()) -> np.ndarray:
    """One typeset digit → (28, 28) uint8, white on black. ``rng=None`` renders it plain (no jitter)."""
    base = BASE_STROKE[_known(font)]
    if rng is None:
        jitter, rng = NO_JITTER, np.random.default_rng(0)
    box, stroke, angle, squeeze = (rng.uniform(*jitter.box), rng.uniform(*jitter.stroke),
                                   rng.uniform(*jitter.rotate), rng.uniform(*jitter.squeeze))
    stroke = max(int(round(base + stroke)), min(base, 0))  # a face that is not thinned is never thinned by jitter
    frame = mnist_style(_large_glyph(int(digit), font, stroke, angle, squeeze), box)
    if jitter.shift:
        frame = np.roll(frame, tuple(rng.integers(-jitter.shift, jitter.shift + 1, size=2)), axis=(0, 1))
    return (np.clip(frame, 0, 1) * 255).round().astype(np.uint8)


def typeset_digits(count: int, fonts: str = "train", seed: int = 0, jitter: Jitter = Jitter()):
    """``count`` digits (N, 28, 28) uint8 and their labels (N,) int64: digits 0..9 in turn, each
    from a random font of the set ("train" or "heldout"), jittered; the same for the same seed."""
    if fonts not in FONT_SETS:
        raise ValueError(f"unknown font set {fonts!r}; choose one of {list(FONT_SETS)}")
    names = FONT_SETS[fonts]
    rng = np.random.default_rng(seed)
    labels = np.arange(count, dtype=np.int64) % 10
    choices = rng.integers(0, len(names), size=count)
    images = np.stack([render_digit(int(d), names[c], rng, jitter) for d, c in zip(labels, choices)])
    return images, labels


def font_specimens(fonts: str = "heldout") -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every digit of every font in the set, unjittered: (F·10, 28, 28) uint8, labels, font per row."""
    names = FONT_SETS[fonts]
    images = np.stack([render_digit(d, name) for name in names for d in range(10)])
    labels = np.tile(np.arange(10, dtype=np.int64), len(names))
    return images, labels, [name for name in names for _ in range(10)]
