"""Tiny Shakespeare for the character-level GPT: where the text is, its vocabulary, its split.

The full text (1.1 M characters, public domain) is only needed by the training recipe and
the tests; it is found at ``$PLAYGROUND_SHAKESPEARE`` or ``../shared/data/tinyshakespeare.txt``
next to the repository. The app itself never needs it: the vocabulary travels in the
model's meta, live training uses the excerpt that ships with the package
(``assets/shakespeare_excerpt.txt``, the first 150 KB of the text) and the test of the
shipped model's card uses the first 12,801 held-out characters (``assets/shakespeare_heldout_head.txt``).

Split as nanoGPT does: the first 90 % of the characters train, the last 10 % are held out.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from playground.device import to_model

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
ENV_VARIABLE = "PLAYGROUND_SHAKESPEARE"
DEFAULT_PATH = REPO_ROOT.parent / "shared" / "data" / "tinyshakespeare.txt"
EXCERPT_PATH = Path(__file__).resolve().parent / "assets" / "shakespeare_excerpt.txt"
# The first 100 held-out windows of 128 characters (+1 target): the slice the recipe checks every
# eval_every steps, shipped so the test of the card runs without the full text.
HELDOUT_HEAD_PATH = Path(__file__).resolve().parent / "assets" / "shakespeare_heldout_head.txt"
TRAIN_FRACTION = 0.9

# The 65 characters of tiny Shakespeare in id order (sorted), as nanoGPT's char tokenizer has them.
SHAKESPEARE_VOCAB = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def shakespeare_path() -> Path:
    """The full text's location (the environment override first); raise if it is not there."""
    path = Path(os.environ.get(ENV_VARIABLE) or DEFAULT_PATH)
    if not path.exists():
        raise FileNotFoundError(
            f"tiny Shakespeare not found at {path}; set {ENV_VARIABLE} to the file "
            "(1,115,394 characters, the char-rnn / nanoGPT corpus)"
        )
    return path


def shakespeare_text() -> str:
    return shakespeare_path().read_text(encoding="utf-8")


def excerpt_text() -> str:
    """The excerpt shipped for live training (the first scenes of the text, < 200 KB)."""
    return EXCERPT_PATH.read_text(encoding="utf-8")


def heldout_head_text() -> str:
    return HELDOUT_HEAD_PATH.read_text(encoding="utf-8")


def encode(text: str, vocab: str) -> torch.Tensor:
    """Characters -> int64 ids (N,); every character must be in ``vocab``."""
    index = {char: i for i, char in enumerate(vocab)}
    return torch.tensor([index[char] for char in text], dtype=torch.long)


def decode(ids, vocab: str) -> str:
    return "".join(vocab[int(i)] for i in ids)


def split(ids: torch.Tensor, train_fraction: float = TRAIN_FRACTION) -> tuple[torch.Tensor, torch.Tensor]:
    """(train, held-out): the first ``train_fraction`` of the ids, then the rest."""
    cut = int(len(ids) * train_fraction)
    return ids[:cut], ids[cut:]


def shakespeare_split() -> tuple[torch.Tensor, torch.Tensor]:
    text = shakespeare_text()
    vocab = "".join(sorted(set(text)))
    if vocab != SHAKESPEARE_VOCAB:
        raise ValueError(f"unexpected tiny Shakespeare vocabulary ({len(vocab)} characters): is it the right file?")
    return split(encode(text, vocab))


def random_windows(
    ids: torch.Tensor, block_size: int, batch_size: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` random windows: inputs (B, T) and targets (B, T), the inputs shifted by one."""
    starts = torch.randint(0, len(ids) - block_size - 1, (batch_size,), generator=generator)
    offsets = torch.arange(block_size + 1)
    windows = ids[starts[:, None] + offsets]  # (B, T + 1)
    return windows[:, :-1], windows[:, 1:]


@torch.no_grad()
def held_out_loss(model, ids: torch.Tensor, block_size: int, max_windows: int | None = None, batch_size: int = 32) -> float:
    """Mean cross-entropy (nats/char) over consecutive, non-overlapping windows of ``ids``.

    Deterministic: the windows start at 0, block_size, 2·block_size, … Every character in
    those windows is scored (the first characters of a window see a short context, as in
    nanoGPT's estimate). ``max_windows`` caps the cost for tests.
    """
    was_training = model.training
    model.eval()
    count = (len(ids) - 1) // block_size
    if max_windows is not None:
        count = min(count, max_windows)
    starts = torch.arange(count) * block_size
    offsets = torch.arange(block_size + 1)
    total, characters = 0.0, 0
    for first in range(0, count, batch_size):
        windows = ids[starts[first : first + batch_size, None] + offsets]  # (b, T + 1)
        windows = to_model(model, windows)
        logits = model(windows[:, :-1])  # (b, T, V)
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), windows[:, 1:].reshape(-1), reduction="sum"
        )
        total += loss.item()
        characters += windows[:, 1:].numel()
    model.train(was_training)
    return total / characters
