"""Training recipes for the weights in ``pretrained/``, registered by name.

A recipe is a function decorated with ``@recipe("name")`` in a module of this package.
It takes ``RecipeArgs`` and returns ``RecipeOutput``; ``python -m playground.train NAME``
runs it and writes ``pretrained/NAME.safetensors`` with a card (sha256, wall time and
machine are filled in by the command, the rest comes from the recipe).

A recipe may also register ``@remeasure("name")``: a function that measures the shipped
weights again when the way the app runs them changes (not the weights), so that
``python -m playground.train NAME --remeasure`` refreshes the card's metrics and grid without
retraining; the card then says when and why.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

import torch

import playground.catalog  # noqa: F401  (every model registers itself: recipes ask the registry)


@dataclass
class RecipeArgs:
    seed: int = 0
    epochs: int | None = None  # None: the recipe's own default
    quick: bool = False  # a tiny run for smoke tests; never shipped
    extra: dict[str, Any] = field(default_factory=dict)  # --set key=value from the command line


@dataclass
class RecipeOutput:
    state_dict: dict[str, torch.Tensor]
    dataset: str  # what data, and how it was split
    data_licence: str
    arguments: dict[str, Any]  # every hyper-parameter that shaped the weights
    epochs: int
    metrics: dict[str, float]  # measured on held-out data
    notes: str = ""
    heldout_grid: Any = None  # a PIL image of held-out results, saved beside the card


@dataclass
class Remeasured:
    metrics: dict[str, float]  # replaces the card's metrics
    why: str  # what changed in how the app runs the weights
    notes: str = ""  # replaces the card's notes when given
    heldout_grid: Any = None


Recipe = Callable[[RecipeArgs], RecipeOutput]
Remeasure = Callable[[], Remeasured]
_recipes: dict[str, Recipe] = {}
_remeasures: dict[str, Remeasure] = {}


def recipe(name: str) -> Callable[[Recipe], Recipe]:
    def decorate(fn: Recipe) -> Recipe:
        if name in _recipes:
            raise ValueError(f"recipe {name!r} is already registered")
        _recipes[name] = fn
        return fn

    return decorate


def remeasure(name: str) -> Callable[[Remeasure], Remeasure]:
    def decorate(fn: Remeasure) -> Remeasure:
        if name in _remeasures:
            raise ValueError(f"a remeasure for {name!r} is already registered")
        _remeasures[name] = fn
        return fn

    return decorate


def load_remeasures() -> dict[str, Remeasure]:
    load_all()
    return dict(_remeasures)


def load_all() -> dict[str, Recipe]:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return dict(_recipes)
