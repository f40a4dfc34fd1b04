"""Sequences & attention in a real browser: start and stop a race, measure a gradient."""

from __future__ import annotations

import re

import pytest

from playground.tabs.sequence import gradient, race, welcome
from tests.conftest import open_tab

pytestmark = pytest.mark.browser

STEP = re.compile(r"step (\d+) / (\d+)")


def _open_sequence_tab(page) -> None:
    open_tab(page, welcome.TITLE)


def _step(page, selector: str) -> int:
    match = STEP.search(page.locator(selector).inner_text())
    return int(match.group(1)) if match else 0


def test_race_starts_streams_and_stops(page):
    _open_sequence_tab(page)
    open_tab(page, race.TITLE)
    page.locator("#seq-race-start").click()
    # the status streams "step N / 400": wait for two different frames
    page.wait_for_function(
        "() => /step (\\d+) \\/ 400/.test(document.querySelector('#seq-race-status').innerText)", timeout=90_000
    )
    first = _step(page, "#seq-race-status")
    page.wait_for_function(
        f"() => {{ const m = document.querySelector('#seq-race-status').innerText.match(/step (\\d+) \\//);"
        f" return m && Number(m[1]) > {first}; }}",
        timeout=90_000,
    )
    assert page.locator("#seq-race-plot img, #seq-race-plot svg, #seq-race-plot canvas").count() > 0
    page.locator("#seq-race-stop").click()
    # A frame already being computed may still land; then the run's last frame says it stopped.
    page.wait_for_selector("#seq-race-status :text('Stopped')", timeout=30_000)
    stopped_at = _step(page, "#seq-race-status")
    page.wait_for_timeout(3000)
    assert _step(page, "#seq-race-status") == stopped_at < 400  # no frames after Stop
    assert "held-out accuracy" in page.locator("#seq-race-status").inner_text()
    page.errors.assert_clean()


def test_gradient_plot_reports_the_elman_decay(page):
    _open_sequence_tab(page)
    open_tab(page, gradient.TITLE)
    page.locator("#seq-grad-run").click()
    page.wait_for_function(
        "() => document.querySelector('#seq-grad-summary').innerText.includes('smaller')", timeout=60_000
    )
    summary = page.locator("#seq-grad-summary").inner_text()
    elman = re.search(r"Elman RNN \(tanh\).*?\(([\d.e+]+)× smaller\)", summary)
    assert elman and float(elman.group(1)) >= 100
    page.errors.assert_clean()


def test_the_gradient_plot_tells_a_screen_reader_the_norms_it_shows(page):
    """Gradio draws a matplotlib plot as an <img> with a fixed alt; the page gives it the plot's caption: after
    measuring with another seed, the <img>'s alt names the norms the summary reports for that seed."""
    _open_sequence_tab(page)
    open_tab(page, gradient.TITLE)
    # While a measurement runs, Gradio writes its progress ("processing | 0.3s") inside the summary, over the
    # last seed's numbers: the test reads the numbers themselves, never "the text changed".
    elman = "Elman RNN \\(tanh\\): ‖∂h_T/∂x‖ at distance 1 = ([^ ,]+), at distance 20 = ([^ ,]+)"
    norms = "(pattern) => document.querySelector('#seq-grad-summary').innerText.match(new RegExp(pattern))?.slice(1, 3)"
    page.wait_for_function(norms, arg=elman, timeout=60_000)  # the first-visit measurement (seed 0)
    first = page.evaluate(norms, elman)
    seed = page.locator("#seq-grad-seed input[type=number]").first
    seed.fill("7")
    page.locator("#seq-grad-run").click()
    changed = f"([pattern, first]) => {{ const now = ({norms})(pattern); return now && now.join() !== first.join(); }}"
    page.wait_for_function(changed, arg=[elman, first], timeout=60_000)
    near, far = page.evaluate(norms, elman)  # seed 7's
    said = f"Elman RNN (tanh) {near} at distance 1, {far} at distance 20"
    page.wait_for_function("(said) => document.querySelector('#seq-grad-plot img')?.alt.includes(said)", arg=said,
                           timeout=30_000)
    alt = page.locator("#seq-grad-plot img").get_attribute("alt")
    assert alt.startswith("Gradient norm against distance: ") and f"(tanh) {first[0]} at distance 1" not in alt, alt
    page.errors.assert_clean()
