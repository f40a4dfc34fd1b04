"""A curious visitor's walk through every leaf, pressing buttons as they go (``tests/browser/walk.py``).

Before the fix in ``playground.ui.steady_frames`` this walk threw in Gradio's LinePlot at three
places in one pass ("Cannot read properties of undefined (reading 'epoch' / 'step' / 'iteration')"):
a plot's frame followed by a frame that left it as it was (a runtime notice, the Stopped frame)
emptied the object the plot was showing, and the plot threw when its hidden tab next redrew.
"""

from __future__ import annotations

import re

import pytest

from playground.tabs import GROUPS, TAB_MODULES, load_tab
from tests.browser.walk import RECORD_TOASTS_JS, walk
from tests.conftest import PageErrors, open_tab

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 800}


def _open_page(browser, url):
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(RECORD_TOASTS_JS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors = PageErrors(page)
    page.goto(url)
    page.wait_for_selector("#groups [role=tab]")
    return context, page, errors


def test_walking_every_leaf_and_pressing_its_buttons_throws_nothing(browser, app_url):
    context, page, errors = _open_page(browser, app_url)
    try:
        log = walk(page, errors)
    finally:
        context.close()
    assert not log.errors_at, f"errors during the walk, by where they appeared: {log.errors_at}"
    # It really walked: every tab was opened and had a button pressed in it.
    for group in GROUPS:
        for name in group.modules:
            where = f"{group.title} › {load_tab(name).TITLE}"
            assert any(leaf.startswith(where) for leaf in log.leaves), f"{where} was never opened"
            assert where in log.pressed or where in log.no_button, f"no button was pressed in {where}"
    # The tabs without a primary button redraw as their controls change; another would be news.
    assert log.no_button == ["Neurons › Activations", "Neurons › Weight init"], log.no_button
    assert len(log.leaves) == len(TAB_MODULES)


def test_a_run_left_playing_in_a_hidden_tab_breaks_nothing(browser, app_url):
    """Play in the live MLP playground, then use another tab without pressing Pause: the run keeps
    streaming into its hidden tab, the visible tab answers, and coming back shows the latest frame."""
    context, page, errors = _open_page(browser, app_url)
    try:
        open_tab(page, "MLP playground")
        page.get_by_role("button", name=re.compile("Play")).first.click()
        status = page.locator("#mlp-status")
        page.wait_for_function("() => /Epoch \\d+/.test(document.querySelector('#mlp-status').innerText)",
                               timeout=60_000)
        open_tab(page, "CNN lab")
        page.locator("#cnn-train").click()  # a heavy run of its own beside the hidden one
        page.wait_for_function("() => /Epoch \\d+\\//.test(document.querySelector('#cnn-status').innerText)",
                               timeout=90_000)
        hidden_epoch = page.evaluate("() => document.querySelector('#mlp-status').innerText")
        page.wait_for_function("(before) => document.querySelector('#mlp-status').innerText !== before",
                               arg=hidden_epoch, timeout=60_000)  # still streaming while hidden
        page.locator("#cnn-stop").click()
        page.locator("#cnn-status").get_by_text("Stopped").wait_for(timeout=60_000)
        open_tab(page, "MLP playground")
        assert re.search(r"Epoch \d+", status.inner_text())
        page.get_by_role("button", name=re.compile("Pause")).first.click()
        status.get_by_text("Stopped").wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        errors.assert_clean()
    finally:
        context.close()
