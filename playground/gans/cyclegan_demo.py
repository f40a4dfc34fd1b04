"""What the GAN tab shows for the digit CycleGAN: A → B → A as pictures, with the classifier's reading.

``round_trip_row`` runs one digit there and back with the shared model and draws the three
panels side by side, each captioned with what the project's digit classifier reads in it;
``panels`` stacks rows (one per direction) and ``summary`` says the same in words, with the
cycle error. Plain values in and out: the tab (``playground.tabs.gans``) adds Gradio.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground import checks, data
from playground.gans import typeset_digits
from playground.gans.cyclegan import HANDWRITTEN_TO_TYPESET, checked_digit, checked_direction, round_trip
from playground.gans.cyclegan_quality import read_digits

SCALE = 7  # 28 px digits drawn at 196 px (nearest neighbour: the pixels the networks see)
GAP = 56  # room for an arrow between panels
CAPTION = 26  # a line of text above and below each panel


@dataclass(frozen=True)
class RoundTrip:
    direction: str
    digits: tuple[np.ndarray, np.ndarray, np.ndarray]  # input, translation, back; (28, 28) in [0, 1]
    readings: tuple[tuple[int, float], ...]  # (digit, probability) the classifier reads in each

    @property
    def cycle_error(self) -> float:
        return float(np.abs(self.digits[2] - self.digits[0]).mean())

    @property
    def names(self) -> tuple[str, str, str]:
        start, end = ("handwritten", "typeset") if self.direction == HANDWRITTEN_TO_TYPESET else ("typeset", "handwritten")
        return start, end, f"back to {start}"


def run(digit: np.ndarray, direction: str) -> RoundTrip:
    digit = checked_digit(digit)
    translated, back = round_trip(digit, checked_direction(direction))
    predicted, confidence = read_digits(np.stack([digit, translated, back]))
    return RoundTrip(direction, (digit, translated, back), tuple(zip(predicted.tolist(), confidence.tolist())))


@functools.lru_cache(maxsize=2)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(typeset_digits.font_dir() / "DejaVuSans.ttf"), size)


def _row(trip: RoundTrip) -> Image.Image:
    side = 28 * SCALE
    row = Image.new("RGB", (3 * side + 2 * GAP, side + 2 * CAPTION), "white")
    draw = ImageDraw.Draw(row)
    for index, (digit, name, (read, probability)) in enumerate(zip(trip.digits, trip.names, trip.readings)):
        left = index * (side + GAP)
        pixels = (np.clip(digit, 0, 1) * 255).astype(np.uint8).repeat(SCALE, 0).repeat(SCALE, 1)
        row.paste(Image.fromarray(pixels).convert("RGB"), (left, CAPTION))
        draw.text((left + side // 2, CAPTION // 2), name, fill="black", font=_font(16), anchor="mm")
        draw.text((left + side // 2, CAPTION + side + CAPTION // 2), f"reads {read} ({probability:.0%})",
                  fill="black", font=_font(16), anchor="mm")
        if index:
            draw.text((left - GAP // 2, CAPTION + side // 2), "→", fill="black", font=_font(34), anchor="mm")
    return row


def panels(trips: list[RoundTrip]) -> np.ndarray:
    """Rows of input → translation → back, one per round trip: (H, W, 3) uint8."""
    rows = [np.asarray(_row(trip)) for trip in trips]
    spacer = np.full((16, rows[0].shape[1], 3), 255, np.uint8)
    return np.concatenate([part for row in rows for part in (row, spacer)][:-1], axis=0)


def summary(trips: list[RoundTrip]) -> str:
    lines = []
    for trip in trips:
        (first, _), (middle, _), (last, _) = trip.readings
        kept = "kept its digit" if first == middle == last else "changed what the classifier reads"
        lines.append(f"**{trip.names[0].capitalize()} → {trip.names[1]} → back**: the classifier reads "
                     f"{first} → {middle} → {last} ({kept}); cycle error |x − back| = {trip.cycle_error:.3f} "
                     "(mean per pixel, 0–1).")
    return "\n\n".join(lines)


# ---------------------------------------------------------------- the examples


def typeset_example(digit, font: str) -> np.ndarray:
    """A held-out font's digit, plain: (28, 28) float32 in [0, 1]."""
    digit = checks.integer("digit", digit, 0, 9)
    font = checks.choice("font", font, typeset_digits.HELDOUT_FONTS)
    return typeset_digits.render_digit(digit, font).astype(np.float32) / 255.0


def handwritten_example(digit, index) -> np.ndarray:
    """The index-th (1…100) held-out MNIST test digit of a class: (28, 28) float32 in [0, 1]."""
    digit = checks.integer("digit", digit, 0, 9)
    index = checks.integer("example", index, 1, data.MNIST_TEST_PER_CLASS)
    test = data.mnist_test()
    return test.images[np.flatnonzero(test.labels == digit)[index - 1]].astype(np.float32) / 255.0
