"""The app on a phone (390×844, touch), beside the 1280 px walk (``test_walk_browser.py``).

The walk opens every group and every tab in it in the order shown (``smoke.each_tab``, tapping its
labels) and checks in each: no "More tabs" menu, the page does not scroll sideways, every picture
fits the screen's width, and no console error. Then a visitor's hands: a slider dragged by a
finger, a digit drawn with a finger and read by the CNN, a photo chosen through the upload
area's file chooser and classified.
"""

from __future__ import annotations

import pytest

from playground.data import photo_file
from tests.browser.smoke import assert_no_overflow_menu, each_tab
from tests.browser.walk import RECORD_TOASTS_JS, error_toasts
from tests.conftest import PageErrors

pytestmark = pytest.mark.browser

PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2)

# What sticks out of the screen on the right: the page's width beyond the viewport, and every
# visible picture (img, canvas, svg) whose right edge passes it (by more than a rounding pixel).
SIDEWAYS_JS = """() => {
  const width = window.innerWidth;
  const wider = [...document.querySelectorAll('img, canvas, svg')].filter((node) => {
    const box = node.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.right > width + 1 && node.closest('[aria-hidden=true]') === null;
  }).map((node) => `${node.tagName.toLowerCase()} in #${node.closest('[id]')?.id} (${Math.round(node.getBoundingClientRect().right)} px)`);
  return {page: document.scrollingElement.scrollWidth, width, wider};
}"""

# Whether each word of the title sits on one line (a word broken across two lines has two boxes).
TITLE_WORDS_JS = """() => {
  const heading = document.querySelector('#app-title h1');
  const text = heading.firstChild;
  const broken = [];
  for (const match of text.textContent.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    if (range.getClientRects().length !== 1) broken.push(match[0]);
  }
  return broken;
}"""


@pytest.fixture
def phone(browser, app_url):
    context = browser.new_context(**PHONE)
    context.add_init_script(RECORD_TOASTS_JS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.errors = PageErrors(page)
    page.goto(app_url)
    page.wait_for_selector("#groups [role=tab]")
    yield page
    context.close()


def _tap_tab(page, title: str) -> None:
    """``open_tab`` with a finger: tap the group's label, then the tab's."""
    from playground.tabs import group_of

    group = group_of(title)
    page.locator("#groups > .tab-wrapper").get_by_role("tab", name=group.title, exact=True).tap()
    page.locator(f"#group-{group.id}").get_by_role("tab", name=title, exact=True).tap()


def _touch_drag(page, start: tuple[float, float], end: tuple[float, float], steps: int = 12) -> None:
    """One finger pressed at ``start``, moved to ``end`` and lifted, as a touch screen sends it."""
    session = page.context.new_cdp_session(page)
    (x0, y0), (x1, y1) = start, end
    session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for step in range(1, steps + 1):
        x, y = x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps
        session.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        page.wait_for_timeout(16)
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def test_every_leaf_is_reachable_on_a_phone_and_fits_its_width(phone):
    page = phone
    assert page.evaluate(TITLE_WORDS_JS) == [], "the title breaks inside a word"
    assert_no_overflow_menu(page, "top level")
    leaves = []
    for group, title, _panel in each_tab(page):
        where = f"{group.title} › {title}"
        leaves.append(where)
        assert_no_overflow_menu(page, where)
        page.wait_for_timeout(300)  # the leaf's pictures take their size
        sideways = page.evaluate(SIDEWAYS_JS)
        assert sideways["page"] <= sideways["width"], f"{where}: the page scrolls sideways ({sideways})"
        assert not sideways["wider"], f"{where}: pictures wider than the screen: {sideways['wider']}"
    page.wait_for_timeout(1000)
    page.errors.assert_clean()
    assert not error_toasts(page)
    from playground.tabs import GROUPS, TAB_MODULES, load_tab

    for group in GROUPS:
        for name in group.modules:
            assert any(leaf.startswith(f"{group.title} › {load_tab(name).TITLE}") for leaf in leaves)
    assert len(leaves) == len(TAB_MODULES), leaves


def test_a_finger_drags_a_slider_draws_a_digit_and_chooses_a_photo(phone):
    page = phone
    # A slider dragged by a finger: the autoencoder's noise level, from its left end to its right end.
    _tap_tab(page, "Denoise")
    slider = page.locator("#ae-level input[type=range]")
    slider.scroll_into_view_if_needed()
    before = float(slider.input_value())
    box = slider.bounding_box()
    middle = box["y"] + box["height"] / 2
    _touch_drag(page, (box["x"] + 2, middle), (box["x"] + box["width"] - 2, middle))
    assert float(slider.input_value()) > before, "a finger dragging the slider to its right end did not move it"
    assert float(slider.input_value()) == float(slider.get_attribute("max"))

    # A "1" drawn with a finger: one stroke down the middle of the CNN lab's drawing pad.
    _tap_tab(page, "CNN lab")
    page.locator("#cnn-sketch").scroll_into_view_if_needed()
    page.locator("#cnn-sketch").get_by_role("button", name="Brush").tap()
    box = page.locator("#cnn-sketch canvas").first.bounding_box()
    x = box["x"] + box["width"] / 2
    _touch_drag(page, (x, box["y"] + box["height"] * 0.2), (x, box["y"] + box["height"] * 0.8), steps=20)
    page.wait_for_function("() => /\\d+%/.test(document.querySelector('#cnn-prediction')?.innerText || '')")
    before = page.locator("#cnn-prediction").inner_text()
    page.locator("#cnn-classify").tap()
    page.wait_for_function(
        "(before) => { const text = document.querySelector('#cnn-prediction')?.innerText || '';"
        " return /\\d+%/.test(text) && !/\\d\\.\\ds/.test(text) && text !== before; }", arg=before, timeout=60_000
    )
    assert page.locator("#cnn-prediction").locator("h2, .output-class").first.inner_text().strip() == "1"

    # A photo chosen through the upload area (a phone opens its picker there), then classified: the panel
    # opens on an example photo, so the visitor first taps ✕ to remove it.
    _tap_tab(page, "ImageNet classifier")
    photo = page.locator("#imagenet-photo")
    photo.get_by_role("button", name="Remove Image").tap()
    with page.expect_file_chooser() as chooser:
        photo.locator("button.upload-container").tap()
    chooser.value.set_files(photo_file("coffee"))
    page.locator("#imagenet-photo img").first.wait_for()
    page.get_by_role("button", name="Classify").tap()
    page.locator("#imagenet-top5").get_by_text("espresso").first.wait_for(timeout=60_000)
    page.errors.assert_clean()
