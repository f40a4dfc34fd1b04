"""Style transfer in headless Chromium: AdaIN at a click, a short Gatys run that streams and stops."""

from __future__ import annotations

import pytest

from tests.conftest import open_tab

pytestmark = pytest.mark.browser

TITLE = "Style transfer"


def set_slider(page, elem_id: str, value: int) -> None:
    box = page.locator(f"#{elem_id} input[type=number]")
    box.fill(str(value))
    box.press("Enter")


def test_adain_and_a_short_gatys_run_show_images_and_stop_keeps_the_latest(page):
    open_tab(page, TITLE)
    page.locator("#style-content img").first.wait_for()  # the default pair is loaded

    page.locator("#style-run-adain").click()
    page.locator("#style-adain-out img").first.wait_for(timeout=90_000)
    page.locator("#style-adain-info").get_by_text("ms").wait_for()
    assert "one forward pass" in page.locator("#style-adain-info").inner_text()

    set_slider(page, "style-gatys-size", 64)
    set_slider(page, "style-gatys-iterations", 1000)  # long: we stop it ourselves
    page.locator("#style-run-gatys").click()
    page.locator("#style-gatys-out img").first.wait_for(timeout=90_000)
    page.locator("#style-gatys-info").get_by_text("running").wait_for()
    page.locator("#style-stop-gatys").click()
    page.locator("#style-gatys-info").get_by_text("stopped").wait_for(timeout=30_000)
    assert page.locator("#style-gatys-out img").first.get_attribute("src")  # the latest image stays
    page.errors.assert_clean()
