"""CNN lab in headless Chromium: start and stop live training, draw a digit, read the prediction."""

from __future__ import annotations

import pytest

from tests.conftest import open_tab

pytestmark = pytest.mark.browser


def _set_number(page, elem_id: str, value: str) -> None:
    field = page.locator(f"#{elem_id} input[type=number]").first
    field.fill(value)
    field.press("Enter")


def test_train_stop_and_read_a_drawn_digit(page):
    open_tab(page, "CNN lab")
    _set_number(page, "cnn-digits", "400")
    _set_number(page, "cnn-epochs", "30")
    page.locator("#cnn-train").click()
    log = page.locator("#cnn-log textarea")
    page.wait_for_function(
        "() => (document.querySelector('#cnn-log textarea')?.value || '').includes('Saving model')", timeout=90_000
    )
    assert "Validation loss decreased (inf →" in log.input_value()
    page.locator("#cnn-checkpoint").get_by_text("seed_cnn_best").first.wait_for()
    page.locator("#cnn-stop").click()
    page.wait_for_timeout(1500)
    stopped_log = log.input_value()
    page.wait_for_timeout(5000)  # an epoch on 360 digits takes well under 5 s: nothing new may arrive
    assert log.input_value() == stopped_log
    assert "Epoch: 30" not in stopped_log

    # Draw a "1": pick the brush, then one vertical stroke down the middle of the canvas.
    page.locator("#cnn-sketch").get_by_role("button", name="Brush").click()
    canvas = page.locator("#cnn-sketch canvas").first
    box = canvas.bounding_box()
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x, box["y"] + box["height"] * (0.2 + 0.6 * step / 20))
    page.mouse.up()
    prediction = page.locator("#cnn-prediction")
    # The panel opens on a held-out digit already read (a 0): wait until it shows the drawing's reading.
    page.wait_for_function("() => /\\d+%/.test(document.querySelector('#cnn-prediction')?.innerText || '')")
    before = prediction.inner_text()
    page.locator("#cnn-classify").click()
    page.wait_for_function(
        "(before) => { const text = document.querySelector('#cnn-prediction')?.innerText || '';"
        " return /\\d+%/.test(text) && !/\\d\\.\\ds/.test(text) && text !== before; }", arg=before, timeout=60_000
    )
    top = prediction.locator("h2, .output-class").first.inner_text().strip()
    assert top == "1", prediction.inner_text()
    page.errors.assert_clean()
