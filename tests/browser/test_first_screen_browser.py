"""The first screen painted from the page (playground/first_screen.py) on a phone (390×844, touch): shown on its
own while Gradio's script has not run, handed over to the app without a jump, then gone."""

from __future__ import annotations

import pytest

from tests.conftest import PageErrors

pytestmark = pytest.mark.browser

PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2)

# Where the introduction's first line sits, in the copy or in the app (the first explainer's paragraph).
INTRO_TOP_JS = """(selector) => Math.round(document.querySelector(selector).getBoundingClientRect().top)"""
# Every layout shift the page recorded while loading (the Layout Instability API's own entries).
SHIFTS_JS = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => resolve(list.getEntries().map((entry) => entry.value)))
    .observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve([]), 500);
})"""


def test_without_gradios_script_the_first_screen_is_there_on_its_own(browser, app_url):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.route("**/assets/index-*.js", lambda route: route.abort())  # Gradio's app never starts
    page.goto(app_url)
    copy = page.locator("#first-screen")
    assert page.get_by_role("heading", name="Deep Learning Playground").is_visible()
    assert copy.get_by_text("One neuron.").is_visible()
    assert copy.get_attribute("aria-busy") == "true"
    assert page.evaluate("() => document.scrollingElement.scrollWidth") <= 390
    top = page.evaluate(INTRO_TOP_JS, "#first-screen > p:last-child")
    context.close()

    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors = PageErrors(page)
    page.goto(app_url)
    page.wait_for_selector("#groups [role=tab]")  # visible: the app has taken over
    assert page.locator("#first-screen").count() == 0
    assert page.locator("h1:visible").count() == 1
    app_top = page.evaluate(INTRO_TOP_JS, "#tab-perceptron-explorer .explainer p")
    assert abs(app_top - top) <= 16, (top, app_top)  # the introduction stays where the visitor was reading it
    assert sum(page.evaluate(SHIFTS_JS)) < 0.1
    errors.assert_clean()
    context.close()
