"""The app in headless Chromium: every tab reachable and alive on first visit, the classifier works from a click."""

from __future__ import annotations

import pytest

from tests.browser.smoke import smoke_test_page
from tests.conftest import open_tab

pytestmark = pytest.mark.browser


def test_header_says_where_models_run(page):
    badge = page.locator("#device-badge")
    assert "Models run on" in badge.inner_text()
    assert any(word in badge.inner_text() for word in ("CPU", "GPU", "MPS"))


def test_every_tab_is_reachable_at_1280px_and_shows_something_on_first_visit(browser, app_url):
    smoke_test_page(browser, app_url)


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
