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

    # The stopped run's last picture, set against the content at its size, with the run's figures in the label.
    page.get_by_text("Compare the Gatys result with the content, full size").click()
    pictures = page.locator("#style-gatys-compare img")
    pictures.nth(1).wait_for(timeout=30_000)
    assert "stopped" in page.locator("#style-gatys-compare").inner_text().lower()
    sizes = [_picture_size(pictures.nth(index).get_attribute("src")) for index in range(2)]
    assert sizes[0] == sizes[1] and max(sizes[0]) == 64, sizes
    page.errors.assert_clean()


def _picture_size(url: str) -> tuple[int, int]:
    import io
    import urllib.request

    from PIL import Image

    with urllib.request.urlopen(url) as response:
        return Image.open(io.BytesIO(response.read())).size


def test_the_adain_result_can_be_set_against_the_content_in_a_slider(page):
    """The default pair opens already stylised; the slider holds the content and the result at one size, and a
    new AdaIN run (here at α = 0.5) replaces them."""
    from PIL import Image
    import io
    import urllib.request

    open_tab(page, TITLE)
    page.get_by_text("Compare with the content, full size").click()
    pictures = page.locator("#style-adain-compare img")
    pictures.nth(1).wait_for(timeout=60_000)
    page.locator("#style-adain-out img").first.wait_for(timeout=60_000)
    set_slider(page, "style-alpha", 0.5)
    page.locator("#style-adain-compare").scroll_into_view_if_needed()
    old = pictures.nth(1).get_attribute("src")
    page.locator("#style-run-adain").click()
    page.wait_for_function("(old) => document.querySelectorAll('#style-adain-compare img')[1]?.src !== old", arg=old,
                           timeout=90_000)
    sizes = []
    for index in range(2):
        with urllib.request.urlopen(pictures.nth(index).get_attribute("src")) as response:
            sizes.append(Image.open(io.BytesIO(response.read())).size)
    assert sizes[0] == sizes[1] and max(sizes[0]) == 512, sizes  # content and result at the result's size
    page.errors.assert_clean()
