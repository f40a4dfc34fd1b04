"""Checks on the numbers a visitor (or an API caller) sends; each failure is a clear message."""

from __future__ import annotations

import math

from playground.activations import ACTIVATIONS
from playground.errors import UserInputError
from playground.init_schemes import SCHEMES, gain_for


def finite(name: str, value) -> float:
    """``value`` as a float, or UserInputError if it is missing, NaN or infinite."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise UserInputError(f"{name} must be a number, got {value!r}.") from None
    if not math.isfinite(number):
        raise UserInputError(f"{name} must be a finite number, got {value!r}.")
    return number


def int_in_range(name: str, value, low: int, high: int) -> int:
    """``value`` as an int in [low, high], or a message that names the range."""
    number = finite(name, value)
    if number != int(number):
        raise UserInputError(f"{name} must be a whole number, got {value!r}.")
    if not low <= number <= high:
        raise UserInputError(f"{name} must be between {low} and {high}, got {int(number)}.")
    return int(number)


def float_in_range(name: str, value, low: float, high: float) -> float:
    number = finite(name, value)
    if not low <= number <= high:
        raise UserInputError(f"{name} must be between {low:g} and {high:g}, got {number:g}.")
    return number


def known_scheme(key: str) -> str:
    if key not in SCHEMES:
        raise UserInputError(f"unknown init scheme {key!r}; choose one of {sorted(SCHEMES)}")
    return key


def known_activation(name: str) -> str:
    if name not in ACTIVATIONS:
        raise UserInputError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return name


def scheme_gain(key: str, activation: str) -> float:
    """The gain this lab uses, as PyTorch's own defaults do: Kaiming/He takes the activation's
    gain (√2 for ReLU, 5/3 for tanh; ``calculate_gain``), every other scheme takes gain 1.
    That is why "ReLU + Xavier" shrinks here and "ReLU + Kaiming" does not."""
    return gain_for(activation) if key.startswith("kaiming") else 1.0
