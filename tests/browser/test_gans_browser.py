"""GAN lab in a real browser: sample a grid (digits, and an emoji group), draw on the pix2pix and both CycleGAN Sketchpads and get pictures."""

from __future__ import annotations

import math

import pytest

from tests.conftest import image_src, open_tab, wait_for_a_new_image
from playground.tabs.gans import TITLE

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


def test_sample_grid_and_sketch_to_emoji(page):
    open_tab(page, TITLE)

    # Sampling lab (the first inner tab): one click gives a grid image.
    page.locator("#gan-sample").click()
    assert image_src(page, "gan-grid")

    # pix2pix: draw a circle on the Sketchpad, translate, see the output.
    page.get_by_role("tab", name="pix2pix: sketch → emoji").click()
    _draw_a_circle(page, "p2p-sketch")
    page.locator("#p2p-translate").click()
    assert image_src(page, "p2p-output")

    page.errors.assert_clean()


def test_emoji_generator_draws_a_chosen_group(page):
    """Switching to the emoji generator offers its groups; asking for faces gives a new grid."""
    open_tab(page, TITLE)
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
    open_tab(page, TITLE)
    page.get_by_role("tab", name="CycleGAN: digits").click()
    first = image_src(page, "cycle-output")  # the first-visit example: both directions
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
    open_tab(page, TITLE)
    page.get_by_role("tab", name="CycleGAN: sketch ↔ emoji").click()
    first = image_src(page, "pairs-output")  # the first-visit example: a held-out drawing, scored
    assert "dB" in page.locator("#pairs-words").inner_text()
    _draw_a_circle(page, "pairs-sketch")
    page.locator("#pairs-translate").click()
    wait_for_a_new_image(page, "pairs-output", first)
    assert "cycle error" in page.locator("#pairs-words").inner_text()
    page.errors.assert_clean()
