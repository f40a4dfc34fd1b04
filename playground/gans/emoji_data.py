"""Emoji pictures rendered from Noto Color Emoji, and edge maps made from them.

Training recipes only: the font comes from Debian's ``fonts-noto-color-emoji``; the app
itself never needs it (it ships trained weights and a small held-out set instead).

- ``emoji_images(size)`` → (N, size, size, 3) uint8 emoji on white, one per code point
  (skin-tone swatches, flag letters and tag characters left out), cached on disk.
- A fixed split keeps every 10th emoji out of all training (``split="heldout"``).
- ``emoji_groups(size, split)`` → (N,) index into ``GROUPS`` (faces, hearts, animals, …) for
  the same pictures, worked out from each code point's Unicode name: the class-conditional
  DCGAN draws the group a visitor asks for.
- ``edge_map(rgb)`` → the line drawing pix2pix learns from: Canny edges of the picture
  plus the outline of its silhouette. The same function turns uploads into edges.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
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
    return _split(images, split)


def _split(rows: np.ndarray, split: str) -> np.ndarray:
    """The fixed split: every ``HELDOUT_EVERY``-th row (code-point order) is held out."""
    index = np.arange(len(rows))
    if split == "train":
        return rows[index % HELDOUT_EVERY != 0]
    if split == "heldout":
        return rows[index % HELDOUT_EVERY == 0]
    if split == "all":
        return rows
    raise ValueError(f"unknown split {split!r}; choose train, heldout or all")


GROUPS = ("faces", "hearts", "people & hands", "animals", "food & plants", "travel & places", "signs & symbols",
          "objects")

# Unicode names are enough to sort emoji into broad groups; the order of the tests below
# matters ("CAT FACE" is a face, "HEART HANDS" a heart, "CLOCK FACE" an object).
_PEOPLE = re.compile(
    r"\b(MAN|WOMAN|MEN|WOMEN|PERSON|PEOPLE|BOY|GIRL|BABY|CHILD|ADULT|PRINCE|PRINCESS|HAND|HANDS|FINGER|FINGERS|"
    r"FIST|THUMBS|RUNNER|SURFER|SWIMMER|DANCER|SANTA|MERPERSON|ELF|GENIE|ZOMBIE|VAMPIRE|FAIRY|MAGE|GUARDSMAN|"
    r"DETECTIVE|OLDER|ANGEL|NINJA|BRIDE|ARM|LEG|FOOT|EAR|NOSE|EYE|EYES|MOUTH|TONGUE|LIPS|TOOTH|BONE|BRAIN|LUNGS|"
    r"SKIER|SNOWBOARDER|GOLFER|LIFTER|BICYCLIST|JUGGLING|CARTWHEEL|WRESTLERS|HANDBALL|BATH|SILHOUETTE|"
    r"SILHOUETTES|FAMILY|COUPLE|KISS|MASSAGE|HAIRCUT|PREGNANT|BREAST|SUPERHERO|SUPERVILLAIN|TROLL|FENCER|"
    r"CLIMBING|BUST|BUSTS|FOOTPRINTS)\b")
_ANIMAL = re.compile(r"\b(SPIDER|DOVE|BIRD|FISH|OCTOPUS|SNAIL|BUG|ANT|HONEYBEE|BEETLE|SCORPION|BAT|OWL|EAGLE|DUCK|"
                     r"SHARK|BUTTERFLY|LIZARD|SNAKE|TURTLE|PAW)\b")
_FOOD = re.compile(r"\b(FLOWER|ROSE|TULIP|BLOSSOM|LEAF|LEAVES|HERB|SHAMROCK|CACTUS|TREE|MUSHROOM|CHESTNUT|CUP|"
                   r"BEVERAGE|BOTTLE|MILK|ICE|CAKE|PIE|CHEESE|BREAD|BUTTER)\b")
_SYMBOL = re.compile(
    r"\b(ARROW|ARROWS|SQUARED|CIRCLED|SIGN|SYMBOL|MARK|BUTTON|SQUARE|TRIANGLE|CIRCLE|DIAMOND|STAR|SPARKLE|SPARKLES|"
    r"CROSS|ARIES|TAURUS|GEMINI|CANCER|LEO|VIRGO|LIBRA|SCORPIUS|SAGITTARIUS|CAPRICORN|AQUARIUS|PISCES|OPHIUCHUS|"
    r"KEYCAP|NUMBER|LETTER|LETTERS|SUIT|RECYCLING|ENTRY|NEGATIVE|IDEOGRAPH|LOOP|TRIDENT|DOUBLE|PLUS|MINUS|"
    r"DIVISION|MULTIPLICATION|EQUALS|YIN|PEACE|MENORAH|WHEEL|ATOM|RADIOACTIVE|BIOHAZARD|MEDICAL|FLEUR|INFINITY|"
    r"CYCLONE)\b")
_PLACE = re.compile(
    r"\b(CAR|TRAIN|BUS|SHIP|BOAT|AIRPLANE|ROCKET|MOON|SUN|CLOUD|RAIN|SNOW|EARTH|GLOBE|MOUNTAIN|VOLCANO|BUILDING|"
    r"BUILDINGS|HOUSE|HOUSES|CASTLE|TOWER|BRIDGE|STATUE|TENT|FOUNTAIN|CITYSCAPE|SUNRISE|SUNSET|NIGHT|WAVE|UMBRELLA|"
    r"LIGHTNING|FIRE|COMET|RAINBOW|SNOWFLAKE|SNOWMAN|TORNADO|FOG|THERMOMETER|DROPLET|MAP|COMPASS|ISLAND|DESERT|"
    r"BEACH|CAMPING|STADIUM|HOSPITAL|HOTEL|SCHOOL|BANK|CHURCH|MOSQUE|SYNAGOGUE|KAABA|SHINTO|STATION|TAXI|AMBULANCE|"
    r"TRUCK|TRACTOR|MOTORCYCLE|BICYCLE|SCOOTER|FUEL|ANCHOR|SAILBOAT|CANOE|FERRY|HELICOPTER|SATELLITE|SEAT|TRAFFIC)\b")


def group_of(code_point: int) -> str:
    """The broad group (one of ``GROUPS``) an emoji belongs to, from its Unicode name and block."""
    name = unicodedata.name(chr(code_point), "")
    if "CLOCK" in name:
        return "objects"
    if "FACE" in name:
        return "faces"
    if "HEART" in name:
        return "hearts"
    if 0x1F400 <= code_point <= 0x1F43F or 0x1F980 <= code_point <= 0x1F9AE or 0x1FAB0 <= code_point <= 0x1FABF:
        return "animals"
    if _ANIMAL.search(name) and not re.search(r"FISHING|BATH|BAT AND", name):
        return "animals"
    if 0x1F330 <= code_point <= 0x1F37F or 0x1F950 <= code_point <= 0x1F97F or 0x1FAD0 <= code_point <= 0x1FADF:
        return "food & plants"
    if _FOOD.search(name):
        return "food & plants"
    if _PEOPLE.search(name):
        return "people & hands"
    if _SYMBOL.search(name):
        return "signs & symbols"
    if 0x1F680 <= code_point <= 0x1F6FF or 0x1F3D4 <= code_point <= 0x1F3F0 or _PLACE.search(name):
        return "travel & places"
    return "objects"


def emoji_groups(size: int, split: str = "train") -> np.ndarray:
    """(N,) int64 index into ``GROUPS`` for each picture of ``emoji_images(size, split)``."""
    _, code_points = _all_emoji(size)
    groups = np.array([GROUPS.index(group_of(int(cp))) for cp in code_points], dtype=np.int64)
    return _split(groups, split)


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
