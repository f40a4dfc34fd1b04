"""playground.checks: each check returns the value in the type the code needs, or a message that
names the allowed values; and the app keeps one way of checking settings."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from playground import checks
from playground.errors import UserInputError

PACKAGE = Path(__file__).resolve().parent.parent / "playground"


def test_numbers_must_be_finite():
    assert checks.number("noise", "0.5") == 0.5
    for bad, message in ((math.nan, "a finite"), (math.inf, "a finite"), (None, "a finite"), ("hot", "a number")):
        with pytest.raises(UserInputError, match=f"noise must be {message}"):
            checks.number("noise", bad)


def test_several_numbers_at_once_name_the_bad_one():
    checks.finite(learning_rate=0.1, gate_bias=2)
    with pytest.raises(UserInputError, match="^gate bias must be a finite number, got nan"):
        checks.finite(learning_rate=0.1, gate_bias=math.nan)


def test_ranges_name_their_bounds():
    assert checks.real("mix", 1, 0, 1) == 1.0
    with pytest.raises(UserInputError, match="mix must be between 0 and 1, got 1.5"):
        checks.real("mix", 1.5, 0, 1)


def test_whole_numbers_come_back_as_ints_and_fractions_are_refused():
    value = checks.integer("epochs", 3.0, 1, 20)  # what a slider sends
    assert value == 3 and isinstance(value, int)
    for bad in (2.5, 0, 21, -1e12, 1e12, math.nan):
        with pytest.raises(UserInputError, match="epochs must be .*(whole|finite) number"):
            checks.integer("epochs", bad, 1, 20)


def test_one_seed_limit_everywhere():
    assert checks.MAX_SEED == 2**32 - 1
    assert checks.seed(checks.MAX_SEED) == checks.MAX_SEED
    for bad in (-1, checks.MAX_SEED + 1, -1e12, 0.5):
        with pytest.raises(UserInputError, match="seed must be a whole number between 0 and 4,294,967,295"):
            checks.seed(bad)
    sources = "\n".join(path.read_text() for path in PACKAGE.rglob("*.py") if path.name != "checks.py")
    assert not re.search(r"2\s*\*\*\s*31\s*-\s*1|2\s*\*\*\s*32\s*-\s*1", sources), "a seed limit of its own"


def test_learning_rates():
    assert checks.learning_rate(0.1, maximum=1) == 0.1
    with pytest.raises(UserInputError, match=r"learning rate must be above 0 and at most 1, got 0"):
        checks.learning_rate(0, maximum=1)
    with pytest.raises(UserInputError, match=r"learning rate must be between 1e-05 and 0.01, got 0.1"):
        checks.learning_rate(0.1, minimum=1e-5, maximum=1e-2)
    with pytest.raises(UserInputError, match="learning rate must be a finite number"):
        checks.learning_rate(math.nan, maximum=1)


def test_choices_list_what_is_allowed():
    assert checks.choice("cell", "gru", ("lstm", "gru")) == "gru"
    with pytest.raises(UserInputError, match="unknown cell 'rnn'; choose one of: lstm, gru"):
        checks.choice("cell", "rnn", ("lstm", "gru"))
    with pytest.raises(UserInputError, match="unknown cell"):
        checks.choice("cell", ["lstm"], ("lstm", "gru"))  # unhashable: still a clear message


def test_text_length_and_long_values_are_quoted_short():
    assert checks.text("prompt", None, 10) == ""
    with pytest.raises(UserInputError, match="prompt is too long: 200,000 characters; the limit is 1,000") as error:
        checks.text("prompt", "a" * 200_000, 1000)
    assert len(str(error.value)) < 200
    with pytest.raises(UserInputError, match="too short"):
        checks.text("text", "hi", 100, min_chars=40)
    with pytest.raises(UserInputError) as error:
        checks.choice("photo", "x" * 200_000, ("cat",))
    assert len(str(error.value)) < 200, "a message never repeats a huge value"


def test_settings_are_checked_one_way():
    """Settings dataclasses check themselves in ``validated()`` (returning the checked copy);
    none of the old spellings may come back."""
    old = re.compile(r"def (validate|check|check_settings|validate_config)\(")
    found = [f"{path.relative_to(PACKAGE)}: {match.group(0)}" for path in PACKAGE.rglob("*.py")
             for match in old.finditer(path.read_text())]
    assert not found, found
