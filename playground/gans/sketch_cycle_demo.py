"""What the GAN tab shows for the sketch ↔ emoji CycleGAN: pix2pix and the CycleGAN on the same drawing.

``from_drawing`` puts a drawing beside what pix2pix (trained with pairs) and the CycleGAN (trained
without) make of it, and the CycleGAN's emoji drawn back (drawing → emoji → drawing);
``from_emoji`` runs the other cycle (emoji → drawing → emoji) for a picture. ``heldout_comparison`` does the
first for a held-out drawing and adds the real emoji and each answer's PSNR against it. Plain
values in and out: the tab (``playground.tabs.gans``) adds Gradio.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from playground import checks, registry
from playground.gans import pix2pix, sketch_cycle, typeset_digits
from playground.errors import UserInputError
from playground.gans.heldout import heldout_pairs

SCALE = 2  # 128 px pictures shown at 256 px (nearest neighbour: the pixels the networks made)
GAP = 12
CAPTION = 24


@functools.lru_cache(maxsize=1)
def _font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(typeset_digits.font_dir() / "DejaVuSans.ttf"), 15)


def captioned_row(pictures: list[np.ndarray], captions: list[str]) -> np.ndarray:
    """(S, S, 3) uint8 pictures side by side, each enlarged and captioned above: (H, W, 3) uint8."""
    side = pictures[0].shape[0] * SCALE
    row = Image.new("RGB", (len(pictures) * (side + GAP) - GAP, side + CAPTION), "white")
    draw = ImageDraw.Draw(row)
    for index, (picture, caption) in enumerate(zip(pictures, captions)):
        left = index * (side + GAP)
        row.paste(Image.fromarray(picture).resize((side, side), Image.Resampling.NEAREST), (left, CAPTION))
        draw.text((left + side // 2, CAPTION // 2), caption, fill="black", font=_font(), anchor="mm")
    return np.asarray(row)


def row_panels(image: np.ndarray, size: int = pix2pix.SIZE) -> list[np.ndarray]:
    """A picture of ``captioned_row``s of (size, size) pictures → the pictures of its last row, enlarged as
    shown, without their captions: [(size·SCALE, size·SCALE, 3) uint8, …]."""
    side = size * SCALE
    row = image[-side:]  # the last row's pictures (its captions sit above them)
    count = (row.shape[1] + GAP) // (side + GAP)
    return [row[:, index * (side + GAP): index * (side + GAP) + side] for index in range(count)]


def _psnr(picture: np.ndarray, target: np.ndarray) -> float:
    mse = max(float(((picture.astype(np.float32) - target.astype(np.float32)) ** 2).mean()) / 255**2, 1e-10)
    return 10 * np.log10(1 / mse)


def _answers(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pix2pix's emoji, the CycleGAN's emoji, the CycleGAN's emoji drawn back as a picture)."""
    paired = pix2pix.translate(ink)
    unpaired, back = sketch_cycle.round_trip_from_sketch(ink)
    return paired, unpaired, back


def from_drawing(ink: np.ndarray, caption: str = "your drawing") -> tuple[np.ndarray, str]:
    """A (128, 128) ink → (the comparison row, a sentence about it)."""
    ink = pix2pix.checked_ink(ink)
    paired, unpaired, back = _answers(ink)
    image = captioned_row([pix2pix.ink_picture(ink), paired, unpaired, back],
                          [caption, "pix2pix (with pairs)", "CycleGAN (no pairs)", "CycleGAN, drawn back"])
    return image, _cycle_sentence(ink, back)


def _cycle_sentence(ink: np.ndarray, back: np.ndarray) -> str:
    back_ink = 1 - back[:, :, 0].astype(np.float32) / 255
    return (f"Drawing → CycleGAN's emoji → drawing: the cycle error |x − back| is {np.abs(back_ink - ink).mean():.3f} "
            "(mean per pixel, 0–1). A small error only says the emoji kept enough of the lines to redraw them; "
            "whether the colours are right is what the pairs teach pix2pix.")


def from_emoji(picture: np.ndarray) -> tuple[np.ndarray, str]:
    """A (128, 128, 3) uint8 picture → (picture → the CycleGAN's drawing → coloured back; a sentence)."""
    picture = np.asarray(picture)
    if picture.shape != (pix2pix.SIZE, pix2pix.SIZE, 3) or picture.dtype != np.uint8:
        raise UserInputError(f"expected a {pix2pix.SIZE}×{pix2pix.SIZE} RGB picture, got {picture.shape} {picture.dtype}")
    drawings, backs = sketch_cycle.emoji_to_sketches(registry.get(sketch_cycle.MODEL), picture[None])
    image = captioned_row(
        [picture, pix2pix.ink_picture(drawings[0]), backs[0]],
        ["the picture", "CycleGAN draws it", "and colours it back"],
    )
    error = np.abs(backs[0].astype(np.float32) - picture).mean() / 255
    return image, (f"Picture → CycleGAN's drawing → picture: the cycle error is {error:.3f} (mean per pixel, 0–1). "
                   "Below, the picture's traced edges (Canny + outline, what pix2pix is given) go through both.")


def heldout_comparison(index) -> tuple[np.ndarray, str]:
    """The index-th (1…64) shipped held-out drawing: drawing | pix2pix | CycleGAN | the real emoji."""
    inks, emoji = heldout_pairs()
    index = checks.integer("held-out example", index, 1, len(inks)) - 1
    ink, real = inks[index], emoji[index]
    paired, unpaired, back = _answers(ink)
    paired_db, unpaired_db = _psnr(paired, real), _psnr(unpaired, real)
    image = captioned_row(
        [pix2pix.ink_picture(ink), paired, unpaired, real],
        ["held-out drawing", f"pix2pix · {paired_db:.1f} dB", f"CycleGAN · {unpaired_db:.1f} dB", "the real emoji"],
    )
    return image, (f"PSNR against the real emoji (higher is closer): pix2pix {paired_db:.1f} dB, "
                   f"CycleGAN {unpaired_db:.1f} dB. " + _cycle_sentence(ink, back))
