"""GANs in a real browser: sample a grid (digits, and an emoji group), draw on the pix2pix and both CycleGAN Sketchpads
and get pictures; the before/after sliders follow the pictures they compare."""

from __future__ import annotations

import math

import pytest

from tests.conftest import image_src, open_tab, wait_for_a_new_image
from playground.tabs.gans import cyclegan, pairs, pix2pix, sampling

pytestmark = pytest.mark.browser


def _draw_a_circle(page, sketchpad_id: str) -> None:
    """Pick the pen, then draw a circle in the middle of a Sketchpad's canvas."""
    page.locator(f"#{sketchpad_id} button[aria-label='Brush']").click()
    canvas = page.locator(f"#{sketchpad_id} canvas").first
    canvas.wait_for(state="visible")
    canvas.scroll_into_view_if_needed()  # the mouse only draws where the page is on screen
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    radius = min(box["width"], box["height"]) / 4
    page.mouse.move(cx + radius, cy)
    page.mouse.down()
    for step in range(1, 41):
        angle = 2 * math.pi * step / 40
        page.mouse.move(cx + radius * math.cos(angle), cy + radius * math.sin(angle), steps=2)
    page.mouse.up()


def _slider_sources(page, elem_id: str) -> list[str]:
    return page.locator(f"#{elem_id} img").evaluate_all("(images) => images.map((image) => image.src)")


def test_sample_grid_and_sketch_to_emoji(page):
    open_tab(page, sampling.TITLE)

    # Sampling: one click gives a grid image.
    page.locator("#gan-sample").click()
    assert image_src(page, "gan-grid")

    # pix2pix: it opens on a traced held-out emoji, in the panel and in the before/after slider (with its
    # download button); a circle drawn on the Sketchpad and translated replaces both.
    open_tab(page, pix2pix.TITLE)
    first = image_src(page, "p2p-output")
    page.locator("#p2p-compare img").nth(1).wait_for(timeout=60_000)
    opened_on = _slider_sources(page, "p2p-compare")
    assert len(opened_on) == 2 and page.locator("#p2p-compare").get_by_role("button", name="Download").count() == 1
    _draw_a_circle(page, "p2p-sketch")
    page.locator("#p2p-translate").click()
    wait_for_a_new_image(page, "p2p-output", first)
    page.wait_for_function("([id, old]) => [...document.querySelectorAll(`#${id} img`)].map((i) => i.src).join() !== old",
                           arg=["p2p-compare", ",".join(opened_on)], timeout=60_000)
    page.errors.assert_clean()


def test_emoji_generator_draws_a_chosen_group(page):
    """Switching to the emoji generator offers its groups; asking for faces gives a new grid."""
    open_tab(page, sampling.TITLE)
    first = image_src(page, "gan-grid")  # the first-visit digit grid
    page.locator("#gan-model input").click()
    page.get_by_role("option", name="Emoji by group (64×64)", exact=True).click()
    page.wait_for_function("() => document.querySelector('#gan-columns').innerText.includes('faces')", timeout=30_000)
    page.locator("#gan-digit input").click()
    page.get_by_role("option", name="faces", exact=True).click()
    page.locator("#gan-sample").click()
    wait_for_a_new_image(page, "gan-grid", first)
    page.errors.assert_clean()


def test_draw_a_digit_for_the_cyclegan(page):
    open_tab(page, cyclegan.TITLE)
    first = image_src(page, "cycle-output")  # the first-visit example: both directions
    page.locator("#cycle-source").get_by_text("Draw", exact=True).click()  # the examples' panel gives way
    page.locator("#cycle-digit").wait_for(state="hidden")
    page.locator("#cycle-sketch button[aria-label='Brush']").click()
    canvas = page.locator("#cycle-sketch canvas").first
    canvas.wait_for(state="visible")
    box = canvas.bounding_box()
    x, top, bottom = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.2, box["y"] + box["height"] * 0.8
    page.mouse.move(x, top)  # a 1: one stroke down the middle
    page.mouse.down()
    page.mouse.move(x, bottom, steps=20)
    page.mouse.up()
    page.locator("#cycle-translate").click()
    wait_for_a_new_image(page, "cycle-output", first)
    assert "typeset" in page.locator("#cycle-readings").inner_text()
    page.errors.assert_clean()


def test_draw_for_pix2pix_and_the_unpaired_cyclegan_side_by_side(page):
    open_tab(page, pairs.TITLE)
    first = image_src(page, "pairs-output")  # the first-visit example: a held-out drawing, scored
    assert "dB" in page.locator("#pairs-words").inner_text()
    # The slider sets the real emoji against pix2pix's; choosing the CycleGAN puts its emoji there instead.
    caption = page.locator("#pairs-compare-caption")
    caption.get_by_text("The real emoji").wait_for(timeout=60_000)
    assert "pix2pix" in caption.inner_text()
    before = _slider_sources(page, "pairs-compare")
    page.locator("#pairs-compare-choice").get_by_text("CycleGAN (no pairs)").click()
    page.wait_for_function("() => document.querySelector('#pairs-compare-caption').innerText.includes('CycleGAN')",
                           timeout=60_000)
    assert _slider_sources(page, "pairs-compare")[1] != before[1]
    # A drawing of one's own: both translators, and the slider sets the drawing against the chosen one.
    page.locator("#pairs-source").get_by_text("Draw", exact=True).click()
    _draw_a_circle(page, "pairs-sketch")
    page.locator("#pairs-translate").click()
    wait_for_a_new_image(page, "pairs-output", first)
    assert "cycle error" in page.locator("#pairs-words").inner_text()
    caption.get_by_text("The drawing").wait_for(timeout=60_000)
    page.errors.assert_clean()
