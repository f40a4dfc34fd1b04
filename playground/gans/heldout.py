"""A small set of held-out (drawing, emoji) pairs that ships with the app.

The pix2pix recipe writes it (``write_heldout_set``) from emoji that no recipe trains
on; the tests measure pix2pix's L1 on it without the emoji font, and the tab offers its
drawings as examples. Card: ``assets/emoji_heldout_64.md``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from playground.gans.emoji_data import edge_map

ASSET = Path(__file__).resolve().parent / "assets" / "emoji_heldout_64.npz"
SHIPPED = 96  # pairs kept (of the 141 held out), to stay a few hundred KB


def write_heldout_set(held_emoji: np.ndarray, path: Path = ASSET) -> Path:
    """Save the first SHIPPED held-out emoji (64×64 RGB) and their edge maps (bit-packed)."""
    emoji = held_emoji[:SHIPPED]
    inks = np.stack([edge_map(picture) for picture in emoji]) > 0.5  # (N, 64, 64) bool
    path.parent.mkdir(exist_ok=True)
    np.savez_compressed(path, emoji=emoji, inks=np.packbits(inks, axis=-1))
    return path


@functools.lru_cache(maxsize=1)
def heldout_pairs() -> tuple[np.ndarray, np.ndarray]:
    """((N, 64, 64) float32 inks, (N, 64, 64, 3) uint8 emoji) from the shipped file."""
    with np.load(ASSET) as stored:
        inks = np.unpackbits(stored["inks"], axis=-1)[:, :, :64].astype(np.float32)
        return inks, stored["emoji"]
