"""Checks on the values a visitor (or an API caller) sends; each failure is a clear message.

Each function takes the setting's name as the visitor reads it ("learning rate", "seed"),
returns the value in the type the code needs (an ``int`` for a whole number, even when a
slider sent ``3.0``), and raises ``UserInputError`` with a message that names the allowed
values. The UI shows that message as it is (``ui.friendly``).

A settings dataclass checks itself in one method, ``validated()``, which returns the checked
copy and raises on the first bad setting::

    def validated(self) -> "RaceSettings":
        return replace(self, epochs=checks.integer("epochs", self.epochs, 1, 20),
                       seed=checks.seed(self.seed))
"""

from __future__ import annotations

import math
from typing import Collection, TypeVar

from playground.errors import UserInputError

T = TypeVar("T")

# One limit for every seed in the app: numpy's (np.random.seed takes 0 … 2³²−1; torch takes more).
MAX_SEED = 2**32 - 1


def _shown(value) -> str:
    """A value as a message quotes it: numbers compactly, long text cut short."""
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else f"{value:,}" if abs(value) >= 10**6 else str(value)
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}… ({len(text):,} characters)"


def number(name: str, value, allowed: str = "") -> float:
    """``value`` as a finite float (not missing, NaN or infinite); ``allowed`` (e.g. "between 0 and 1")
    goes into the message."""
    allowed = f" ({allowed})" if allowed else ""
    try:
        result = math.nan if value is None else float(value)  # None: an emptied number box
    except (TypeError, ValueError, OverflowError):
        raise UserInputError(f"{name} must be a number{allowed}, got {_shown(value)}.") from None
    if not math.isfinite(result):
        raise UserInputError(f"{name} must be a finite number{allowed}, got {_shown(value)}.")
    return result


def finite(**values) -> None:
    """Check several numbers at once: ``finite(learning_rate=lr, noise=noise)``
    (an underscore in a name reads as a space in the message)."""
    for name, value in values.items():
        number(name.replace("_", " "), value)


def real(name: str, value, low: float, high: float) -> float:
    """A finite float in [low, high]."""
    result = number(name, value, f"between {low:g} and {high:g}")
    if not low <= result <= high:
        raise UserInputError(f"{name} must be between {low:g} and {high:g}, got {result:g}.")
    return result


def integer(name: str, value, low: int, high: int) -> int:
    """A whole number in [low, high], as an int (``3.0`` from a slider is 3; ``2.5`` is refused)."""
    allowed = f"a whole number between {_shown(low)} and {_shown(high)}"
    result = number(name, value, allowed)
    if result != int(result) or not low <= result <= high:
        raise UserInputError(f"{name} must be {allowed}, got {_shown(value)}.")
    return int(result)


def seed(value, name: str = "seed") -> int:
    """A seed: a whole number in [0, MAX_SEED]."""
    return integer(name, value, 0, MAX_SEED)


def learning_rate(value, maximum: float, minimum: float = 0.0, name: str = "learning rate") -> float:
    """A learning rate in (0, maximum], or in [minimum, maximum] when a minimum above 0 is given."""
    bounds = f"between {minimum:g} and {maximum:g}" if minimum > 0 else f"above 0 and at most {maximum:g}"
    result = number(name, value, bounds)
    if not (minimum <= result <= maximum if minimum > 0 else 0 < result <= maximum):
        raise UserInputError(f"{name} must be {bounds}, got {result:g}.")
    return result


def choice(name: str, value: T, choices: Collection[T]) -> T:
    """``value`` if it is one of ``choices``; the message lists them."""
    try:
        known = value in choices
    except TypeError:  # an unhashable value (a list sent for a dropdown) is not a choice either
        known = False
    if not known:
        raise UserInputError(f"unknown {name} {_shown(value)}; choose one of: {', '.join(map(str, choices))}.")
    return value


def training_text(value, min_chars: int, max_chars: int, empty_hint: str, why_min: str = "", name: str = "the text") -> str:
    """A text to train a character model on: newlines normalised, not blank, ``min_chars`` to
    ``max_chars`` long. ``empty_hint`` says what to do instead; ``why_min`` why the minimum."""
    value = text(name, value, max_chars).replace("\r\n", "\n")
    if not value.strip():
        raise UserInputError(f"{name} is empty: {empty_hint}")
    if len(value) < min_chars:
        raise UserInputError(f"{name} is too short to learn from: {len(value):,} characters, "
                             f"at least {min_chars:,} needed{why_min}.")
    return value


def text(name: str, value, max_chars: int, min_chars: int = 0) -> str:
    """``value`` as a string of ``min_chars`` to ``max_chars`` characters (None reads as "")."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise UserInputError(f"{name} must be text, got {type(value).__name__}.")
    if len(value) > max_chars:
        raise UserInputError(f"{name} is too long: {len(value):,} characters; the limit is {max_chars:,}.")
    if len(value) < min_chars:
        raise UserInputError(f"{name} is too short: {len(value):,} characters; it needs at least {min_chars:,}.")
    return value
