"""Browser: open the lab, change the init scheme, run a classic depth case, start and stop a race."""

from __future__ import annotations

import re

import pytest

from playground.tabs.init_lab import depth_view, init_race, weight_init
from tests.conftest import open_tab

pytestmark = pytest.mark.browser


def _choose(page, elem_id: str, option: str) -> None:
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def _race_step(page) -> int:
    return int(re.search(r"step (\d+)/", page.locator("#race-status").inner_text()).group(1))


def test_change_scheme_and_watch_depth_and_race(page):
    open_tab(page, weight_init.TITLE)
    std_text = page.locator("#init-std")
    # the default: seed rule N(0, 1/√256) → formula 0.06250
    page.wait_for_selector("#init-std :text('formula 0.06250')")

    _choose(page, "init-scheme", "Kaiming/He normal")
    # Kaiming with the ReLU gain: √2/√256 = 0.08839
    page.wait_for_selector("#init-std :text('formula 0.08839')")
    measured = float(re.search(r"Measured std ([0-9.]+)", std_text.inner_text()).group(1))
    assert abs(measured - 0.08839) < 0.002

    open_tab(page, depth_view.TITLE)
    _choose(page, "depth-case", "tanh + too small N(0, 0.01²): collapses to 0")
    page.wait_for_selector("#depth-verdict :text('Collapsed')")
    assert page.locator("#depth-figure img").count() == 1
    # changing the init by hand re-runs the view and clears the classic case shown
    _choose(page, "depth-scheme", "Kaiming/He normal")
    page.wait_for_selector("#depth-verdict :text('Stable')")  # tanh + Kaiming (gain 5/3) keeps its scale
    # The clearing is an event of its own beside the view's (unqueued, so it usually lands first): wait for it.
    page.wait_for_function("() => document.querySelector('#depth-case input').value === ''", timeout=15_000)

    open_tab(page, init_race.TITLE)
    page.locator("#race-start").click()
    page.wait_for_selector("#race-status :text('Training: step')", timeout=90_000)
    page.locator("#race-stop").click()
    # A frame already being computed may still land; then the run's last frame says it stopped.
    page.wait_for_selector("#race-status :text('Stopped')", timeout=30_000)
    table = page.locator("#race-table").inner_text()
    for runner in ("Seed rule: normal(0, 1/√n)", "Too small: normal(0, 0.01²)", "Kaiming/He normal"):
        assert runner in table  # one row per chosen init (3 by default)
    step_after_stop = _race_step(page)
    page.wait_for_timeout(2000)
    assert _race_step(page) == step_after_stop  # the stream really stopped
    page.errors.assert_clean()
