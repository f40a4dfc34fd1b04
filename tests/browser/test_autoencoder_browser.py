"""Autoencoders tab in headless Chromium: denoise and read PSNR, click the latent plane, train live."""

from __future__ import annotations

import re

import pytest

from tests.conftest import open_tab

pytestmark = pytest.mark.browser


def _number(page, elem_id: str) -> float | None:
    text = page.locator(f"#{elem_id} input").input_value()
    return float(text) if text else None


def _wait_for_number_change(page, elem_id: str, old: float | None) -> float:
    page.wait_for_function(
        """([id, old]) => { const v = document.querySelector('#' + id + ' input').value;
                            return v !== '' && Number(v) !== old; }""",
        arg=[elem_id, old],
        timeout=60_000,
    )
    return _number(page, elem_id)


def test_denoise_a_test_digit_change_the_noise_level_and_read_psnr(page):
    open_tab(page, "Denoise")
    page.locator("#ae-source").get_by_text("Test digit").click()
    page.locator("#ae-digit-index").wait_for()
    page.locator("#ae-denoise-button").click()
    page.locator("#ae-denoise-table").get_by_text("Autoencoder (digits)").wait_for(timeout=60_000)
    noisy_low, net_low = _number(page, "ae-psnr-noisy"), _number(page, "ae-psnr-net")
    assert 5 < noisy_low < 30
    assert net_low > noisy_low  # the autoencoder improved on the noisy digit
    level = page.locator("#ae-level input[type=number]")
    level.fill("0.9")
    level.press("Enter")
    page.locator("#ae-denoise-button").click()
    noisy_high = _wait_for_number_change(page, "ae-psnr-noisy", noisy_low)
    assert noisy_high < noisy_low  # more noise, lower PSNR
    assert "PSNR" in page.locator("#ae-denoise-table").inner_text()
    page.errors.assert_clean()


def test_clicking_the_latent_plane_decodes_a_point(page):
    open_tab(page, "Compress")
    plane = page.locator("#ae-plane img")
    plane.wait_for()
    box = plane.bounding_box()
    plane.click(position={"x": box["width"] * 0.5, "y": box["height"] * 0.4})
    text = page.locator("#ae-decoded-text")
    text.get_by_text("Decoded the point").wait_for(timeout=60_000)
    assert re.search(r"z = \(-?\d+\.\d+, -?\d+\.\d+\)", text.inner_text())
    page.locator("#ae-decoded img").wait_for()
    page.errors.assert_clean()


def test_live_training_streams_and_stops(page):
    open_tab(page, "Autoencoder live")
    page.locator("#ae-live-start").click()
    status = page.locator("#ae-live-status")
    # At least two frames arrived (steps per frame shrink when the server is crowded: any two steps).
    page.wait_for_function("() => /step \\d+\\//.test(document.querySelector('#ae-live-status').innerText)",
                           timeout=90_000)
    first = re.search(r"step (\d+)/", status.inner_text()).group(1)
    page.wait_for_function(
        "(first) => { const m = /step (\\d+)\\//.exec(document.querySelector('#ae-live-status').innerText);"
        " return m && m[1] !== first; }", arg=first, timeout=90_000)
    page.locator("#ae-live-stop").click()
    # The frame being computed may still land; then the run's last frame says it stopped, and nothing follows.
    status.get_by_text("Stopped").wait_for(timeout=30_000)
    stopped_at = status.inner_text()
    page.wait_for_timeout(5000)
    assert status.inner_text() == stopped_at  # no more frames after Stop
    assert "done" not in stopped_at  # it stopped because of the button, long before the 5 epochs
    assert page.locator("#ae-live-picture img").count() == 1
    page.errors.assert_clean()


def test_the_comparison_slider_sets_any_result_against_the_clean_photo_with_its_scores(page):
    """The tab opens with the clean photo and the autoencoder's result in one before/after slider, its PSNR
    and SSIM beside it; choosing the median filter puts that result there, with the scores its panel shows."""
    open_tab(page, "Denoise")
    caption = page.locator("#ae-compare-caption")
    caption.get_by_text("Autoencoder (photos) · PSNR").wait_for(timeout=60_000)
    assert page.locator("#ae-compare img").count() == 2
    assert page.locator("#ae-compare").get_by_role("button", name="Download").count() == 1
    # While the page's first examples still stream, their last message puts the comparison back once
    # (playground/ui.py, _FirstVisit.values): choose again until the choice holds.
    for _attempt in range(20):
        page.locator("#ae-compare-choice").get_by_text("Autoencoder").click()
        page.locator("#ae-compare-choice").get_by_text("Median filter").click()
        page.wait_for_timeout(3000)
        if "Median filter · PSNR" in caption.inner_text():
            break
    caption.get_by_text("Median filter · PSNR").wait_for(timeout=10_000)
    scores = re.search(r"Median filter · (PSNR [\d.]+ dB · SSIM [\d.]+)", caption.inner_text()).group(1)
    # The median panel's own label carries the same figures.
    assert page.get_by_text(f"Median filter · {scores}", exact=True).count() >= 1
    page.errors.assert_clean()
