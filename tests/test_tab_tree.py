"""The app's tab tree, read from the built Blocks: a visitor's path is a group, then a tab (never a third level
of tabs), every tab is one module of ``playground.tabs.GROUPS``, and tab modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import gradio as gr
import pytest

from playground.tabs import GROUPS, TAB_MODULES, load_tab, tab_id

TABS = Path(__file__).resolve().parents[1] / "playground" / "tabs"
MAX_LINES = 400  # a tab module past this becomes a small package, or hands parts to its compute package


def _tab_ancestors(block) -> list[gr.Tab]:
    found = []
    parent = block.parent
    while parent is not None:
        if isinstance(parent, gr.Tab):
            found.append(parent)
        parent = parent.parent
    return found


@pytest.fixture(scope="module")
def app():
    from playground.app import build_app

    return build_app()


def test_no_tabs_inside_a_tab_of_a_tab(app):
    """Tab bars sit at two levels only: the groups' bar (inside no tab) and each group's bar (inside its group's
    tab). A gr.Tabs inside a tab of a group would be a third level."""
    bars = [block for block in app.blocks.values() if isinstance(block, gr.Tabs)]
    too_deep = [(bar.elem_id, [tab.label for tab in _tab_ancestors(bar)]) for bar in bars if len(_tab_ancestors(bar)) > 1]
    assert not too_deep, f"tabs nested inside a tab of a tab: {too_deep}"
    tabs = [block for block in app.blocks.values() if isinstance(block, gr.Tab)]
    assert max(len(_tab_ancestors(tab)) for tab in tabs) == 1  # a group, then a tab


def test_the_built_tabs_are_the_groups_and_their_modules(app):
    tabs = [block for block in app.blocks.values() if isinstance(block, gr.Tab)]
    groups = [tab for tab in tabs if not _tab_ancestors(tab)]
    assert [tab.label for tab in groups] == [group.title for group in GROUPS]
    for group in GROUPS:
        inside = [tab for tab in tabs if _tab_ancestors(tab) and _tab_ancestors(tab)[0].id == group.id]
        assert [tab.label for tab in inside] == [load_tab(name).TITLE for name in group.modules]
        assert [tab.id for tab in inside] == [tab_id(name) for name in group.modules]
    titles = [load_tab(name).TITLE for name in TAB_MODULES]
    assert len(set(titles)) == len(titles), "two tabs share a title (the tests and the tour find tabs by title)"
    assert len(set(map(tab_id, TAB_MODULES))) == len(TAB_MODULES)
    assert all(tab_id(load_tab(name).__name__) == tab_id(name) for name in TAB_MODULES)  # a module finds its own


def test_group_labels_are_short():
    """Six short labels fit one row at 1280 px and wrap onto two at 390 px (the phone walk checks the page)."""
    assert len(GROUPS) <= 8
    assert all(len(group.title) <= 12 for group in GROUPS), [group.title for group in GROUPS]


def test_no_tab_module_shadows_a_name_of_its_package():
    """Importing ``playground.tabs.<topic>.<tab>`` binds ``<tab>`` in the package: a package that also imports a
    compute module by that name (``from playground.init_lab import explorer``) would find the tab instead."""
    clashes = []
    for init in TABS.glob("*/__init__.py"):
        names = set()
        for node in ast.parse(init.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        submodules = {path.stem for path in init.parent.glob("*.py") if path.name != "__init__.py"}
        clashes += [f"{init.parent.name}.{name}" for name in sorted(submodules & names)]
    assert not clashes, clashes


def test_tab_modules_stay_small():
    sizes = {str(path.relative_to(TABS)): len(path.read_text(encoding="utf-8").splitlines())
             for path in TABS.rglob("*.py")}
    assert not {name: lines for name, lines in sizes.items() if lines > MAX_LINES}, sizes
