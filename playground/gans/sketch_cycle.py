"""Sketch ↔ emoji CycleGAN: pix2pix's task learned *without* the pairs.

pix2pix learns from (drawing, emoji) pairs: for every drawing it is told the emoji it should
become. This CycleGAN gets two piles that share nothing: the drawings of one half of the
training emoji (A) and the pictures of the *other* half (B), so no emoji it sees was ever drawn
for it and no drawing ever had its emoji shown. All it has to go on is that a translated drawing
should look like an emoji to D_b, and that emoji → drawing → emoji (and drawing → emoji →
drawing) should come back. Shown beside pix2pix on the same held-out drawings, the difference is
what the pairs buy (the seed: pix2pix "needs paired image data").

Pictures are 128×128 like pix2pix's; drawings are 1 channel (ink +1 on paper −1, the pix2pix
convention), emoji 3 channels, both in [-1, 1]. The identity loss needs equal channels and is
off here.
"""

from __future__ import annotations

import numpy as np
import torch

from playground import registry
from playground.device import to_model
from playground.gans.pix2pix import augment_pairs, checked_ink, ink_picture
from playground.nets.cyclegan import SKETCH_EMOJI_CONFIG, CycleGAN

MODEL = "cyclegan_emoji"
CONFIG = SKETCH_EMOJI_CONFIG  # 128 px (pix2pix's SIZE), 1 ↔ 3 channels


def unpaired_piles(drawings: torch.Tensor, emoji: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Paired training data → two unrelated piles: the drawings of the even-numbered emoji (A)
    and the pictures of the odd-numbered ones (B). (N, 1, S, S), (N, 3, S, S) → about half of each."""
    return drawings[0::2], emoji[1::2]


def augment_piles(sketches: torch.Tensor, emoji: torch.Tensor, generator: torch.Generator):
    """pix2pix's augmentation, each pile on its own: drawings get mirrors, zoom/shift, stroke
    widths and wiped-out patches; emoji get mirrors and zoom/shift. ``augment_pairs`` moves a
    drawing and its target together, so each pile is passed with a stand-in partner that is
    thrown away (blank paper for the emoji, the drawing itself for the drawings)."""
    sketches, _ = augment_pairs(sketches, sketches.expand(-1, 3, -1, -1), generator)
    _, emoji = augment_pairs(torch.full_like(emoji[:, :1], -1.0), emoji, generator)
    return sketches, emoji


# ---------------------------------------------------------------- translation


def _emoji_pixels(outputs: torch.Tensor) -> np.ndarray:
    """(N, 3, S, S) in [-1, 1] → (N, S, S, 3) uint8."""
    return ((outputs.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()


def _inks(outputs: torch.Tensor) -> np.ndarray:
    """(N, 1, S, S) in [-1, 1] (ink +1) → (N, S, S) float32 ink in [0, 1]."""
    return ((outputs.clamp(-1, 1) + 1) / 2)[:, 0].float().cpu().numpy()


@torch.inference_mode()
def sketches_to_emoji(model: CycleGAN, inks: np.ndarray, batch: int = 16,
                      back: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """(N, S, S) inks in [0, 1] → (emoji (N, S, S, 3) uint8, the emoji drawn back (N, S, S) ink, or None
    when ``back`` is off)."""
    model.eval()
    pictures, backs = [], []
    for start in range(0, len(inks), batch):
        drawings = torch.from_numpy(np.asarray(inks[start : start + batch], np.float32) * 2 - 1).unsqueeze(1)
        emoji = model.g_ab(to_model(model, drawings))  # (b, 3, S, S)
        pictures.append(_emoji_pixels(emoji))
        if back:
            backs.append(_inks(model.g_ba(emoji)))
    return np.concatenate(pictures), np.concatenate(backs) if back else None


@torch.inference_mode()
def emoji_to_sketches(model: CycleGAN, emoji: np.ndarray, batch: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """(N, S, S, 3) uint8 emoji → (drawings (N, S, S) ink in [0, 1], the drawings coloured back (N, S, S, 3) uint8)."""
    model.eval()
    drawings, backs = [], []
    for start in range(0, len(emoji), batch):
        pictures = torch.from_numpy(np.array(emoji[start : start + batch])).permute(0, 3, 1, 2).float() / 127.5 - 1
        sketch = model.g_ba(to_model(model, pictures))  # (b, 1, S, S)
        drawings.append(_inks(sketch))
        backs.append(_emoji_pixels(model.g_ab(sketch)))
    return np.concatenate(drawings), np.concatenate(backs)


def round_trip_from_sketch(ink: np.ndarray, model_name: str = MODEL) -> tuple[np.ndarray, np.ndarray]:
    """One (S, S) ink (already fitted to the square, like pix2pix's) → (emoji (S, S, 3) uint8, drawn back as a picture)."""
    emoji, back = sketches_to_emoji(registry.get(model_name), checked_ink(ink)[None])
    return emoji[0], ink_picture(back[0])
