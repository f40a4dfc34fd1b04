"""The app's tabs: a few groups, each holding its tabs; one module per tab, in the order the app shows them.

A visitor's path is two levels deep at most: a group (``GROUPS``, short labels, so that every group is
one click away on a 1280 px screen and they wrap onto a second row on a phone), then a tab. Inside a
tab, sections are accordions or side-by-side panels, never tabs again (``tests/test_tab_tree.py``).

A tab module defines ``TITLE`` (the tab's label, unique in the app) and ``build()`` (creates its
components inside the app's ``gr.Tab``; compute functions live above it and know no Gradio). The tabs
of one topic share a package (``gans/``, ``perceptron/``, …) whose ``__init__`` holds what they share
(handlers, their benchmark rows). A topic, package or single-tab module, may define ``bench_cases()``
returning ``playground.bench_rows.BenchCase`` rows and ``warm_up()``, which the launched app runs once
in the background (one-time costs). No tab imports another tab.
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
    modules: tuple[str, ...]  # its tab modules (under playground.tabs), in order


GROUPS = (
    Group("Neurons", "neurons", ("perceptron.explorer", "perceptron.activations", "perceptron.mlp",
                                 "init_lab.weight_init", "init_lab.depth_view", "init_lab.init_race",
                                 "init_lab.batch_norm")),
    Group("Vision", "vision", ("classifier", "cnn_lab", "transfer")),
    Group("Images", "images", ("autoencoder.denoise", "autoencoder.compress", "autoencoder.training", "style")),
    Group("GANs", "gans", ("gans.sampling", "gans.toy", "gans.live_dcgan", "gans.pix2pix", "gans.cyclegan",
                           "gans.pairs")),
    Group("Diffusion", "diffusion", ("diffusion.lab", "diffusion.digit_sampler")),
    Group("Sequences", "sequences", ("sequence.welcome", "sequence.gradient", "sequence.race", "sequence.timeseries",
                                     "sequence.attention", "gpt.inside", "gpt.vs_lstm")),
)
TAB_MODULES = tuple(name for group in GROUPS for name in group.modules)


def tab_id(name: str) -> str:
    """A tab module's stable id in the page (its gr.Tab id; ``tab-<id>`` is the tab panel's element id), from
    its name in ``GROUPS`` or its full module name: "perceptron.mlp" and "playground.tabs.perceptron.mlp" →
    "perceptron-mlp"."""
    return name.removeprefix(f"{__name__}.").replace(".", "-").replace("_", "-")


def load_tab(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{name}")


def load_tabs() -> list[ModuleType]:
    return [load_tab(name) for name in TAB_MODULES]


def load_topics() -> list[ModuleType]:
    """The topics the tabs belong to, once each (a package such as ``gans``, or a single-tab module): where
    ``bench_cases()`` and ``warm_up()`` live."""
    topics = dict.fromkeys(name.split(".")[0] for name in TAB_MODULES)
    return [load_tab(name) for name in topics]


def group_of(title: str) -> Group:
    """The group holding the tab whose ``TITLE`` is ``title``."""
    for group in GROUPS:
        if any(load_tab(name).TITLE == title for name in group.modules):
            return group
    raise KeyError(f"no tab titled {title!r}; known: {[tab.TITLE for tab in load_tabs()]}")
