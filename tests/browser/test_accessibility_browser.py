"""Keyboards and screen readers: axe-core on every leaf of the app, a keyboard-only visitor, polite live statuses.

axe-core (Deque's engine, the one Lighthouse's accessibility audits run) ships inside the pip
package ``axe-playwright-python``; its rules for WCAG 2.0/2.1 A and AA run on each open group
and tab at 1280 px, and on each group's page on a phone. A serious or critical violation
(a button with no name, text below 4.5:1, ARIA used wrongly) fails the test, with where it was.
"""

from __future__ import annotations

import re

import pytest

from playground.tabs import GROUPS, load_tab
from tests.browser.smoke import each_tab, wait_until_settled
from tests.browser.test_phone_browser import PHONE
from tests.conftest import PageErrors

pytestmark = pytest.mark.browser

AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}
SERIOUS = ("serious", "critical")


def _serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS).response
    return [
        f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes'][:4]]}"
        for violation in results["violations"]
        if violation["impact"] in SERIOUS
    ]


def test_axe_finds_nothing_serious_on_any_leaf_at_1280px(page):
    found = {}
    for group, title, _panel in each_tab(page):
        where = f"{group.title} › {title}"
        wait_until_settled(page)  # its first-visit pictures arrive, and nothing is dimmed while pending
        violations = _serious_violations(page)
        if violations:
            found[where] = violations
    assert not found, f"axe-core's serious and critical violations, by leaf: {found}"


def test_axe_finds_nothing_serious_on_each_group_page_on_a_phone(browser, app_url):
    context = browser.new_context(**PHONE)
    try:
        phone = context.new_page()
        phone.set_default_timeout(60_000)
        phone.goto(app_url)
        phone.wait_for_selector("#groups [role=tab]")
        found = {}
        for group in GROUPS:
            phone.locator("#groups > .tab-wrapper [role=tab]", has_text=group.title).first.tap()
            phone.locator(f"#group-{group.id}").wait_for()
            wait_until_settled(phone)
            violations = _serious_violations(phone)
            if violations:
                found[group.title] = violations
        assert not found, f"axe-core's serious and critical violations on a phone, by group: {found}"
    finally:
        context.close()


# ---------------------------------------------------------------- the keyboard alone

MAX_PRESSES = 150  # Tab presses allowed to reach a control: a sensible order reaches it well before

FOCUSED_JS = """() => {
  const node = document.activeElement;
  return {tag: node.tagName.toLowerCase(), type: node.type || '', text: (node.innerText || '').trim(),
          role: node.getAttribute('role') || '', label: node.getAttribute('aria-label') || '',
          panel: node.closest('[id^="group-"]')?.id || null};
}"""


def _focused(page) -> dict:
    return page.evaluate(FOCUSED_JS)


def _tab_until(page, wanted, what: str, key: str = "Tab") -> dict:
    """Press Tab (or ``key``: Shift+Tab goes back) until the focused element satisfies ``wanted``."""
    for _ in range(MAX_PRESSES):
        page.keyboard.press(key)
        focused = _focused(page)
        if wanted(focused):
            return focused
    raise AssertionError(f"{MAX_PRESSES} Tab presses never reached {what}")


def _inside(page, selector: str) -> bool:
    return page.evaluate("(selector) => !!document.activeElement.closest(selector)", selector)


def _use_a_control(page, group, title: str):
    """Tab to a control inside the open tab and use it with keys only; returns what changed."""
    if title == "ImageNet classifier":  # no slider here: pick an example photo and classify it
        _tab_until(page, lambda f: f["label"] == "Example: chelsea", "the example photo 'chelsea'")
        page.keyboard.press("Enter")
        _tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Classify", "the Classify button")
        page.keyboard.press("Enter")
        page.locator("#imagenet-top5").get_by_text(re.compile("cat", re.IGNORECASE)).first.wait_for(timeout=60_000)
        return page.locator("#imagenet-top5").inner_text().split("\n")[0]
    _tab_until(page, lambda f: f["type"] in ("range", "number") and _inside(page, f"#group-{group.id}"),
               f"a slider or number box in {title!r}")
    before = page.evaluate("() => document.activeElement.value")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    after = page.evaluate("() => document.activeElement.value")
    if after == before:  # at its top already: the other way
        page.keyboard.press("ArrowDown")
        after = page.evaluate("() => document.activeElement.value")
    assert after != before, f"{title}: the arrow keys did not change the focused control ({before})"
    return before, after


def test_a_keyboard_alone_opens_every_tab_and_moves_one_of_its_controls(browser, app_url):
    """No mouse: Tab to the group's label and press Enter, Tab to the tab's label and press Enter, then Tab
    to the first slider or number box in that tab and change it with the arrow keys (in the classifier,
    which has none: an example photo, then Classify)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        errors = PageErrors(page)
        page.goto(app_url)
        page.wait_for_selector("#groups [role=tab]")
        used = {}
        for group in GROUPS:
            for name in group.modules:
                title = load_tab(name).TITLE
                # Back up to the group labels above the tab (forward from the top, the first time).
                back = "Shift+Tab" if page.evaluate("() => document.activeElement !== document.body") else "Tab"
                _tab_until(page, lambda f, g=group: f["role"] == "tab" and f["text"] == g.title,
                           f"the {group.title!r} label", key=back)
                page.keyboard.press("Enter")
                page.locator(f"#group-{group.id}").wait_for()
                if len(group.modules) > 1:
                    _tab_until(page, lambda f, t=title, g=group: f["role"] == "tab" and f["text"] == t
                               and f["panel"] == f"group-{g.id}", f"the {title!r} label")
                    page.keyboard.press("Enter")
                    page.wait_for_timeout(300)
                used[title] = _use_a_control(page, group, title)
        print("used by keyboard:", used)
        assert len(used) == sum(len(group.modules) for group in GROUPS), used
        page.wait_for_timeout(1000)
        errors.assert_clean()
    finally:
        context.close()


# ---------------------------------------------------------------- statuses read out politely


def test_a_live_run_is_announced_politely_every_few_seconds_not_per_frame(page):
    """The CNN lab's status changes at every epoch (30 of them on 800 digits); the page's one polite live
    region says the latest status at most every 4 s (playground/look.py), and says how the run ended."""
    from playground.look import ANNOUNCE_MS
    from tests.conftest import open_tab

    open_tab(page, "CNN lab")
    page.evaluate("""() => {
      window.__said = []; window.__statuses = [];
      new MutationObserver(() => {
        const region = document.querySelector('#live-announcer');
        if (region && region.textContent !== window.__said.at(-1)?.text) window.__said.push({text: region.textContent, at: performance.now()});
        const status = document.querySelector('#cnn-status')?.innerText;
        if (status && status !== window.__statuses.at(-1)) window.__statuses.push(status);
      }).observe(document.body, {subtree: true, childList: true, characterData: true});
    }""")
    for elem_id, value in (("cnn-digits", "800"), ("cnn-epochs", "30")):
        field = page.locator(f"#{elem_id} input[type=number]").first
        field.fill(value)
        field.press("Enter")
    page.locator("#cnn-train").click()
    page.wait_for_function("() => /Epoch \\d+\\//.test(document.querySelector('#cnn-status').innerText)", timeout=90_000)
    page.wait_for_function("() => /^Done/.test(document.querySelector('#cnn-status').innerText)", timeout=180_000)
    page.wait_for_timeout(ANNOUNCE_MS + 1000)
    region = page.locator("#live-announcer")
    assert region.get_attribute("aria-live") == "polite" and region.get_attribute("role") == "status"
    said = page.evaluate("() => window.__said")
    statuses = page.evaluate("() => window.__statuses")
    assert len(statuses) > len(said) >= 2, (len(statuses), said)
    gaps = [later["at"] - earlier["at"] for earlier, later in zip(said, said[1:])]
    assert min(gaps) >= ANNOUNCE_MS * 0.9, gaps
    assert said[-1]["text"].startswith("Done"), said[-1]  # how the run ended is always said
    page.errors.assert_clean()


# ---------------------------------------------------------------- pictures say what they show


def test_output_pictures_say_what_they_show_with_their_numbers(page):
    """What a screen reader says of a picture is its alt text (an <img>) or its aria-label (a canvas drawn by
    the page): after sampling a GAN grid with seed 17 the grid's <img> names the seed and the classes it shows;
    the perceptron's board names its weights and the share of points its line classifies correctly."""
    from tests.conftest import image_src, open_tab, wait_for_a_new_image
    from playground.tabs.gans import sampling
    from playground.tabs.perceptron import explorer

    open_tab(page, sampling.TITLE)
    first = image_src(page, "gan-grid")
    seed = page.locator("#gan-seed input[type=number]").first
    seed.fill("17")
    seed.press("Enter")
    page.locator("#gan-sample").click()
    wait_for_a_new_image(page, "gan-grid", first)
    page.wait_for_function("() => /seed 17\\b/.test(document.querySelector('#gan-grid img').alt)", timeout=30_000)
    alt = page.locator("#gan-grid img").first.get_attribute("alt")
    assert re.search(r"^\d+ samples of .+: one column per class, left to right: 0, 1, 2, .*seed 17, truncation 3$", alt), alt

    open_tab(page, explorer.TITLE)
    board = "#perceptron-board [data-part=plane]"
    page.wait_for_function(f"() => /classifies \\d+ %/.test(document.querySelector('{board}')?.getAttribute('aria-label'))",
                           timeout=30_000)
    label = page.locator(board).get_attribute("aria-label")
    assert page.locator(board).get_attribute("role") == "img"
    assert re.search(r"w1 1, w2 -1, b 0.5, σ Sigmoid, the decision line classifies \d+ % of the \d+ points", label), label
    page.errors.assert_clean()


# A gr.Plot block as Gradio 6.31 draws it (read from the app's page): its label (an icon, then the text),
# then the matplotlib <img> whose alt Gradio fixes.
PLOT_BLOCK = """<div id="plot" class="block"><label data-testid="block-label"><span><svg aria-hidden="true"></svg></span>
 Loss: step 1</label><div class="matplotlib layout" data-testid="matplotlib">
 <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="matplotlib plot visualising provided data"></div></div>"""


def test_a_plots_img_takes_its_label_whatever_gradio_changes_first(browser):
    """The page script (look.HEAD) keeps a matplotlib plot's alt equal to its label, at once, for each way
    Gradio changes a plot (seen in the app: a new figure rewrites the label's text node in place and replaces
    the <img>, whose alt Gradio sets again), in either order, and when only the label changes."""
    from playground.look import HEAD

    context = browser.new_context()
    page = context.new_page()
    errors = PageErrors(page)
    page.set_content(f"<html><head>{HEAD}</head><body>{PLOT_BLOCK}</body></html>")
    alt = "() => document.querySelector('#plot img').alt"
    page.wait_for_function(f"() => ({alt})() === 'Loss: step 1'", timeout=5_000)
    steps = {  # each in one task, as Svelte applies an update; the alt is read in the next task
        "label text only": "label.lastChild.data = ' Loss: step 2';",
        "label, then a new img": "label.lastChild.data = ' Loss: step 3'; plot.replaceChildren(newImg());",
        "a new img, then the label": "plot.replaceChildren(newImg()); label.lastChild.data = ' Loss: step 4';",
        "Gradio's alt set again": "plot.querySelector('img').alt = 'matplotlib plot visualising provided data';",
    }
    for what, change in steps.items():
        said = page.evaluate("""(change) => new Promise((done) => {
          const label = document.querySelector('#plot [data-testid=block-label]');
          const plot = document.querySelector('#plot [data-testid=matplotlib]');
          const newImg = () => Object.assign(document.createElement('img'),
            {src: plot.querySelector('img').src, alt: 'matplotlib plot visualising provided data'});
          new Function('label', 'plot', 'newImg', change)(label, plot, newImg);
          setTimeout(() => done([label.lastChild.data.trim(), plot.querySelector('img').alt]));
        })""", change)
        assert said[1] == said[0], (what, said)
    assert not errors.console, errors.console
    context.close()
