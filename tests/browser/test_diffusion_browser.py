"""Diffusion lab in a real browser: the first visit shows the untrained 2-D model beside the GAN, Play trains both
until Stop, the noise-level slider redraws, and the shipped digit model samples a grid and one trajectory."""

from __future__ import annotations

import re
import time

import pytest

from playground.tabs import TAB_MODULES, load_tab
from playground.tabs.diffusion import digit_sampler, lab
from tests.browser.smoke import assert_first_visit_outputs_filled
from tests.conftest import image_src, open_tab, wait_for_a_new_image

pytestmark = pytest.mark.browser


def _training_steps(page) -> int:
    text = page.locator("#dif-status textarea").input_value()
    match = re.search(r"(\d+) training steps", text)
    return int(match.group(1)) if match else -1


def _after_every_example(page) -> None:
    """Wait for the page-load stream of examples to end: its last message puts every example back (a run
    started before it would be shown its untrained example again). The last tab's examples come last."""
    open_tab(page, load_tab(TAB_MODULES[-1]).TITLE)
    assert_first_visit_outputs_filled(page, "the last tab", timeout_ms=240_000)


def test_play_trains_beside_the_gan_until_stop(page):
    _after_every_example(page)
    open_tab(page, lab.TITLE)
    for elem_id in ("dif-samples", "dif-gan-plane", "dif-forward", "dif-field", "dif-trajectories"):
        assert image_src(page, elem_id)  # the first visit fills every picture
    page.wait_for_function("() => /0 training steps/.test(document.querySelector('#dif-status textarea')?.value || '')",
                           timeout=90_000)
    page.locator("#dif-play").click()
    page.wait_for_function(
        "() => { const m = /(\\d+) training steps/.exec(document.querySelector('#dif-status textarea').value);"
        " return m && Number(m[1]) >= 100; }", timeout=90_000)
    assert "GAN" in page.locator("#dif-status textarea").input_value()
    page.locator("#dif-stop").click()
    page.wait_for_function("() => /Stopped/.test(document.querySelector('#dif-status textarea').value)",
                           timeout=30_000)
    stopped_at = _training_steps(page)
    time.sleep(1.5)
    assert _training_steps(page) == stopped_at > 0

    # Moving the noise level redraws the forward-noising picture.
    before = image_src(page, "dif-forward")
    slider = page.locator("#dif-t input[type=range]")
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    wait_for_a_new_image(page, "dif-forward", before)
    page.errors.assert_clean()


def test_digit_grid_and_trajectory(page):
    open_tab(page, digit_sampler.TITLE)
    first = image_src(page, "dif-digit-grid")  # the first-visit grid: all ten digits
    assert "step 0" in page.locator("#dif-digit-caption").inner_text()
    page.locator("#dif-digit input").click()
    page.get_by_role("option", name="7", exact=True).click()
    page.locator("#dif-digit-sample").click()
    wait_for_a_new_image(page, "dif-digit-grid", first)
    strip = image_src(page, "dif-digit-trajectory")
    page.locator("#dif-digit-watch").click()
    wait_for_a_new_image(page, "dif-digit-trajectory", strip)
    page.errors.assert_clean()
