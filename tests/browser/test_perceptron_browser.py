"""The Perceptron & activations tab in a real browser: a slider redraws, training starts and
stops, the settings go into the page address and come back from it, a click adds a point."""

from __future__ import annotations

import re
import time

import pytest

from playground.tabs.perceptron import activations, explorer, mlp
from tests.conftest import open_tab

pytestmark = pytest.mark.browser


def _epoch(page) -> int:
    match = re.search(r"Epoch (\d+)", page.inner_text("#mlp-status"))
    return int(match.group(1)) if match else -1


def test_slider_redraws_the_perceptron(page):
    open_tab(page, explorer.TITLE)
    formula = page.locator("#perceptron-formula")
    page.wait_for_function("() => document.querySelector('#perceptron-formula')?.innerText.includes('σ(1.00·x₁')")
    slider = page.locator("#perceptron-w1 input[type=range]")
    slider.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")  # w1: 1.00 → 1.30 in steps of 0.05
    page.wait_for_function("() => document.querySelector('#perceptron-formula').innerText.includes('σ(1.30·x₁')")
    assert "σ(1.30·x₁" in formula.inner_text()

    # The activation lab draws on first view, with sigmoid's largest slope in its table.
    open_tab(page, activations.TITLE)
    page.wait_for_function("() => (document.querySelector('#activation-facts')?.innerText || '').includes('0.25 (x = 0.00)')")
    page.errors.assert_clean()


def test_play_pause_and_the_address_keeps_the_settings(page, app_url):
    open_tab(page, mlp.TITLE)
    page.wait_for_function("() => /Epoch 0/.test(document.querySelector('#mlp-status')?.innerText || '')")

    # A setting change lands in the page address.
    hidden = page.locator("#mlp-hidden textarea, #mlp-hidden input").first
    hidden.fill("6, 3")
    hidden.press("Enter")
    page.wait_for_function("() => window.location.search.includes('mlp_hidden=6,3')")

    # Play streams epochs; pause stops them.
    page.click("#mlp-play")
    page.wait_for_function("() => { const m = /Epoch (\\d+)/.exec(document.querySelector('#mlp-status').innerText);"
                           " return m && Number(m[1]) >= 20; }", timeout=60_000)
    page.click("#mlp-pause")
    time.sleep(1.5)
    paused_at = _epoch(page)
    time.sleep(1.5)
    assert _epoch(page) == paused_at > 0

    # A click on the plane adds a point of the chosen class (it goes into the address too).
    page.get_by_label("class 1").check()
    page.locator("#mlp-board [data-part=plane]").click(position={"x": 40, "y": 40})
    page.wait_for_function("() => window.location.search.includes('mlp_own_points=')")
    address = page.url
    # The click's place on the plane: pixel (40, 40) of the shown canvas, scaled to its 300 px,
    # is x1 = 40 / 300 · 12 − 6 and x2 = 6 − 40 / 300 · 12 when shown at natural size.
    shown = page.evaluate("() => { const c = document.querySelector('#mlp-board [data-part=plane]'); return c.getBoundingClientRect().width / c.width; }")
    x1, x2, label = re.search(r"mlp_own_points=([-\d.]+),([-\d.]+),(\d)", address).groups()
    expected = 40 / shown / 300 * 12 - 6
    assert abs(float(x1) - expected) < 0.1 and abs(float(x2) + expected) < 0.1 and label == "1"
    page.errors.assert_clean()

    # Opening the link restores the settings (and opens this tab by itself).
    other = page.context.new_page()
    other.goto(address)
    other.wait_for_function("() => /Epoch 0/.test(document.querySelector('#mlp-status')?.innerText || '')",
                            timeout=60_000)
    assert other.locator("#mlp-hidden textarea, #mlp-hidden input").first.input_value() == "6, 3"
    assert re.search(r"(\d+) train / (\d+) test points", other.inner_text("#mlp-status"))
    assert "mlp_own_points=" in other.url
