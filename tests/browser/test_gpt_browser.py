"""The GPT tab in a real browser: a view on the first visit, click a character, generate and stop."""

from __future__ import annotations

import pytest

from playground.tabs.gpt.inside import TITLE
from tests.conftest import open_tab

pytestmark = pytest.mark.browser

STATUS = "document.querySelector('#gpt-status')"


def _open(page) -> None:
    page.wait_for_timeout(500)  # let Gradio measure the tab strip
    open_tab(page, TITLE)
    # the view of the default prompt is computed when the tab opens
    page.wait_for_function(f"() => {STATUS} && {STATUS}.innerText.includes('The model read')", timeout=60_000)


def test_first_visit_shows_the_view_and_a_click_picks_the_character(page):
    _open(page)
    assert page.locator("#gpt-attention img").count() == 1
    page.locator("#gpt-tokens .score-token").nth(3).click()  # the "E" of "ROMEO"
    page.wait_for_function(f"() => {STATUS}.innerText.includes('Position 4 (E)')", timeout=30_000)
    assert page.locator("#gpt-position input[type=number]").input_value() == "4"
    page.errors.assert_clean()


def test_generation_streams_and_stops(page):
    _open(page)
    length = page.locator("#gpt-length input[type=number]")
    length.fill("1000")  # the most the tab writes: several seconds, so Stop normally comes first
    length.press("Enter")
    written = "#gpt-written textarea"
    # On a loaded machine the whole text can be written before Stop reaches the server; that attempt says
    # nothing about Stop, so it is tried again. Text that grows after Stop fails at once.
    for _attempt in range(3):
        page.locator("#gpt-generate").click()
        # the new run's first frames (a few characters), not a previous attempt's whole text
        page.wait_for_function(f"() => {{ const n = document.querySelector('{written}').value.length; "
                               f"return n > 5 && n < 1000; }}", timeout=60_000)
        page.locator("#gpt-stop").click()
        page.wait_for_timeout(1500)  # a frame already in flight may still land
        stopped = len(page.locator(written).input_value())
        page.wait_for_timeout(2000)
        assert len(page.locator(written).input_value()) == stopped
        if stopped < 1000:
            break
    assert stopped < 1000
    page.errors.assert_clean()
