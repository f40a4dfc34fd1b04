"""The app in headless Chromium: every tab opens cleanly, the classifier works from a click."""

from __future__ import annotations

import pytest

from playground.tabs import load_tabs
from tests.conftest import open_tab

pytestmark = pytest.mark.browser


def test_header_says_where_models_run(page):
    badge = page.locator("#device-badge")
    assert "Models run on" in badge.inner_text()
    assert any(word in badge.inner_text() for word in ("CPU", "GPU", "MPS"))


def test_every_tab_opens_without_errors(page):
    for tab in load_tabs():
        open_tab(page, tab.TITLE)
        panel = page.get_by_role("tabpanel").filter(visible=True).first
        panel.wait_for()
        assert panel.inner_text().strip(), f"tab {tab.TITLE!r} is empty"
    page.errors.assert_clean()


def test_classifier_runs_on_a_bundled_example(page):
    open_tab(page, "ImageNet classifier")
    # The first example is skimage's coffee photo.
    page.locator(".gallery-item, button.gallery-item, [data-testid='examples'] button").first.click()
    page.locator("#imagenet-photo img").first.wait_for()  # the example has arrived in the input
    page.get_by_role("button", name="Classify").click()
    top = page.locator("#imagenet-top5")
    top.get_by_text("espresso").first.wait_for(timeout=60_000)
    assert "espresso" in top.inner_text()
    page.errors.assert_clean()
