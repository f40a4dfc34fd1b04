"""One module per tab, grouped under a few top-level tabs, in the order the app shows them.

The top level holds a handful of short group labels (``GROUPS``) so that every group is
one click away on a 1280 px screen, with no overflow menu; each group holds its tabs.
A tab module defines ``TITLE`` (the tab's label), ``build()`` (creates its components
inside the app's ``gr.Tab``; compute functions live above it and know no Gradio) and,
optionally, ``bench_cases()`` returning ``playground.bench_rows.BenchCase`` rows and
``warm_up()``, which the launched app runs once in the background (one-time costs).
No tab imports another tab.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

import playground.catalog  # noqa: F401  (every model registers itself: tabs ask the registry)


@dataclass(frozen=True)
class Group:
    title: str  # the top-level tab's label (short: several must fit side by side)
    id: str  # its stable id (gr.Tab id, and the browser tests' handle)
    modules: tuple[str, ...]  # the tab modules inside it, in order


GROUPS = (
    Group("Neurons", "neurons", ("perceptron", "init_lab")),
    Group("Vision", "vision", ("classifier", "cnn_lab", "transfer")),
    Group("Generative", "generative", ("autoencoder", "style", "gans", "diffusion")),
    Group("Sequences", "sequences", ("sequence", "gpt")),
)
TAB_MODULES = tuple(name for group in GROUPS for name in group.modules)


def load_tab(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def load_tabs() -> list[ModuleType]:
    return [load_tab(name) for name in TAB_MODULES]


def group_of(title: str) -> Group:
    """The group holding the tab whose ``TITLE`` is ``title``."""
    for group in GROUPS:
        if any(load_tab(name).TITLE == title for name in group.modules):
            return group
    raise KeyError(f"no tab titled {title!r}; known: {[tab.TITLE for tab in load_tabs()]}")
