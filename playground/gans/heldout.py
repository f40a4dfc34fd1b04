"""A small set of held-out (drawing, emoji) pairs that ships with the app.

The pix2pix recipe writes it (``write_heldout_set``) from emoji that no recipe trains
on; the tests measure pix2pix's L1 on it without the emoji font, and the tab offers its
drawings as examples. Card: ``assets/emoji_heldout_128.md``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from playground.gans.emoji_data import edge_map

ASSET = Path(__file__).resolve().parent / "assets" / "emoji_heldout_128.npz"
SHIPPED = 64  # pairs kept (of the 141 held out), to stay well under a megabyte


def write_heldout_set(held_emoji: np.ndarray, held_groups: np.ndarray, path: Path = ASSET) -> Path:
    """Save the first SHIPPED held-out emoji (128×128 RGB), their edge maps (bit-packed) and
    their groups (indices into ``emoji_data.GROUPS``)."""
    emoji = held_emoji[:SHIPPED]
    inks = np.stack([edge_map(picture) for picture in emoji]) > 0.5  # (N, 128, 128) bool
    path.parent.mkdir(exist_ok=True)
    np.savez_compressed(path, emoji=emoji, inks=np.packbits(inks, axis=-1), groups=held_groups[:SHIPPED])
    return path


@functools.lru_cache(maxsize=1)
def heldout_pairs() -> tuple[np.ndarray, np.ndarray]:
    """((N, 128, 128) float32 inks, (N, 128, 128, 3) uint8 emoji) from the shipped file."""
    with np.load(ASSET) as stored:
        inks = np.unpackbits(stored["inks"], axis=-1).astype(np.float32)  # 128 columns: 16 whole bytes
        return inks, stored["emoji"]


@functools.lru_cache(maxsize=1)
def heldout_groups() -> np.ndarray:
    """(N,) int64: each shipped held-out emoji's group, an index into ``emoji_data.GROUPS``."""
    with np.load(ASSET) as stored:
        return stored["groups"]
