"""GAN lab in a real browser: sample a grid, draw on the pix2pix Sketchpad and get a picture."""

from __future__ import annotations

import math

import pytest

from tests.conftest import open_tab
from playground.tabs.gans import TITLE

pytestmark = pytest.mark.browser


def _image_src(page, elem_id: str) -> str:
    locator = page.locator(f"#{elem_id} img")
    locator.first.wait_for(state="visible", timeout=90_000)
    return locator.first.get_attribute("src") or ""


def test_sample_grid_and_sketch_to_emoji(page):
    open_tab(page, TITLE)

    # Sampling lab (the first inner tab): one click gives a grid image.
    page.locator("#gan-sample").click()
    assert _image_src(page, "gan-grid")

    # pix2pix: draw a circle-ish stroke on the Sketchpad, translate, see the output.
    page.get_by_role("tab", name="pix2pix: sketch → emoji").click()
    page.locator("#p2p-sketch button[aria-label='Brush']").click()  # pick the pen first
    canvas = page.locator("#p2p-sketch canvas").first
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
    page.locator("#p2p-translate").click()
    assert _image_src(page, "p2p-output")

    page.errors.assert_clean()
