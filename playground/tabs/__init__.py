"""One module per tab, in the order the app shows them.

A tab module defines ``TITLE`` (the tab's label), ``build()`` (creates its components
inside the app's ``gr.Tab``; compute functions live above it and know no Gradio) and,
optionally, ``bench_cases()`` returning ``playground.benchmarking.BenchCase`` rows and
``warm_up()``, which the launched app runs once in the background (one-time costs).
No tab imports another tab.
"""

from __future__ import annotations

import importlib
from types import ModuleType

TAB_MODULES = (
    "classifier",
    "perceptron",
    "init_lab",
    "cnn_lab",
    "transfer",
    "autoencoder",
    "style",
    "gans",
    "sequence",
)


def load_tabs() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{name}") for name in TAB_MODULES]
