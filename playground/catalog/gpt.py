"""The character-level GPT trained on tiny Shakespeare.

``registry.get("char_gpt_shakespeare")(ids)`` takes (B, T) int64 character ids (T ≤
``meta["block_size"]``; id i is ``meta["vocab"][i]``) and returns (B, T, V) logits over the
next character. The architecture is read from the weight card, which the recipe wrote, so
the model always matches its weights.
"""

from __future__ import annotations

import torch

from playground import registry, weights
from playground.errors import WeightsError
from playground.inference import Example, FastPaths
from playground.gpt.data import SHAKESPEARE_VOCAB
from playground.nets.gpt import GPT, GPTConfig

NAME = "char_gpt_shakespeare"


def _config() -> GPTConfig:
    try:
        model = weights.read_card(NAME)["arguments"]["model"]
    except (WeightsError, KeyError):  # no card yet: the recipe's defaults
        return GPTConfig(vocab_size=len(SHAKESPEARE_VOCAB))
    return GPTConfig(**model)


_CONFIG = _config()


def _prompt_ids():
    """A typical call: one full-length prompt of character ids, always the same."""
    generator = torch.Generator().manual_seed(0)
    return (torch.randint(0, _CONFIG.vocab_size, (1, _CONFIG.block_size), generator=generator),)

registry.register(
    NAME,
    builder=lambda: GPT(_CONFIG),
    weights=NAME,
    meta={
        "task": "char-language-model",
        "input": f"(B, T) int64 character ids, T ≤ {_CONFIG.block_size}; id i is meta['vocab'][i]",
        "output": "(B, T, V) logits over the next character",
        "vocab": SHAKESPEARE_VOCAB,
        "block_size": _CONFIG.block_size,
        "config": _CONFIG.to_dict(),
        "inference": FastPaths((Example("forward", _prompt_ids, label=f"one {_CONFIG.block_size}-character prompt"),)),
        "provenance": f"python -m playground.train {NAME} (playground/nets/gpt.py on tiny Shakespeare)",
    },
)
