"""The init lab's own checks (names of schemes and activations) and its gain rule; numbers are
checked with ``playground.checks``."""

from __future__ import annotations

from playground import checks
from playground.activations import ACTIVATIONS
from playground.init_schemes import SCHEMES, gain_for


def known_scheme(key: str) -> str:
    return checks.choice("init scheme", key, sorted(SCHEMES))


def known_activation(name: str) -> str:
    return checks.choice("activation", name, sorted(ACTIVATIONS))


def scheme_gain(key: str, activation: str) -> float:
    """The gain this lab uses, as PyTorch's own defaults do: Kaiming/He takes the activation's
    gain (√2 for ReLU, 5/3 for tanh; ``calculate_gain``), every other scheme takes gain 1.
    That is why "ReLU + Xavier" shrinks here and "ReLU + Kaiming" does not."""
    return gain_for(activation) if key.startswith("kaiming") else 1.0
