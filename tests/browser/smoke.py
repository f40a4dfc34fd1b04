"""The first minute of a visitor, as one reusable check (the shell test and the Space-build test use it).

At 1280×800: every top-level group and every tab inside it is reachable without Gradio's
"More tabs" overflow menu; each tab opens with text in it; each output a tab marks as
shown on first visit (``FIRST_VISIT`` class) has something in it without pressing a button;
and there are no console errors or error toasts.
"""

from __future__ import annotations

from playground.tabs import GROUPS, load_tab, tab_id
from playground.ui import FIRST_VISIT
from tests.conftest import PageErrors, open_tab

VIEWPORT = {"width": 1280, "height": 800}
# Gradio's status tracker carries `pending` or `generating` while an event runs; `hide` otherwise.
BUSY = "[data-testid=status-tracker].pending:visible, [data-testid=status-tracker].generating:visible"
# While an output waits for its event, Gradio dims it (a `pending` block drawn at 20 % opacity).
DIMMED_JS = """() => [...document.querySelectorAll('.pending')].some(
    (node) => node.offsetParent !== null && Number(getComputedStyle(node).opacity) < 1)"""


def wait_until_settled(page, quiet_ms: int = 750, timeout_ms: int = 30_000) -> bool:
    """Wait until no visible output has been pending (its tracker shown, or drawn dimmed) for ``quiet_ms``;
    whether it settled before ``timeout_ms``.

    What a page is checked for that a visitor reads (contrast, names) is checked on the settled page: not
    on a block Gradio dims for a moment while its first-visit event runs, nor before the page's own
    fixes (``look.HEAD``, 250 ms after a change) have run. The quiet span also lets a tab's first-visit
    events begin before the page is called settled."""
    step = 250
    quiet = 0
    for _ in range(max(1, timeout_ms // step)):
        busy = page.locator(BUSY).count() or page.evaluate(DIMMED_JS)
        quiet = 0 if busy else quiet + step
        if quiet >= quiet_ms:
            return True
        page.wait_for_timeout(step)
    return False


def assert_no_overflow_menu(page, where: str) -> None:
    hidden_tabs = page.get_by_role("button", name="More tabs")
    assert hidden_tabs.count() == 0, f"{where}: some tabs sit behind the 'More tabs' menu at 1280 px"


def _filled(element) -> bool:
    """Whether an output shows something: a picture with a source, a drawn plot, or text."""
    return bool(element.evaluate(
        """(node) => {
            const picture = node.querySelector('img[src]:not([src=""]), canvas, svg.main-svg, .js-plotly-plot, video');
            if (picture) return true;
            const field = node.querySelector('textarea, input[type=text]');
            if (field && field.value.trim()) return true;
            const text = (node.querySelector('.prose, .output-class, table, pre, .md') || node).innerText || '';
            return text.replace(/\\s+/g, '').length > 0 && !/^(Empty|Nothing)/.test(text.trim());
        }"""
    ))


def assert_first_visit_outputs_filled(page, where: str, timeout_ms: int = 60_000) -> None:
    panel = f".{FIRST_VISIT}:visible"
    outputs = page.locator(panel)
    deadline_ms = timeout_ms
    step = 250
    while deadline_ms > 0:
        empty = [i for i in range(outputs.count()) if not _filled(outputs.nth(i))]
        if not empty:
            return
        page.wait_for_timeout(step)
        deadline_ms -= step
    ids = [outputs.nth(i).get_attribute("id") or outputs.nth(i).get_attribute("class") for i in empty]
    raise AssertionError(f"{where}: outputs still empty on first visit: {ids}")


def each_tab(page):
    """Open every group and every tab in it, in the order shown; after each opens, yield (group, tab title,
    the tab's panel). A visitor's path is two levels deep: there is nothing to open inside a tab."""
    for group in GROUPS:
        for name in group.modules:
            title = load_tab(name).TITLE
            open_tab(page, title)  # its group's top-level tab, then the tab
            panel = page.locator(f"#tab-{tab_id(name)}")
            panel.wait_for()
            yield group, title, panel


def visit_every_tab(page) -> list[str]:
    """Click every group and every tab in it; return the tab titles visited."""
    visited = []
    assert_no_overflow_menu(page, "top level")
    for _group, title, panel in each_tab(page):
        where = f"tab {title!r}"
        assert panel.inner_text().strip(), f"tab {title!r} is empty"
        visited.append(title)
        assert_no_overflow_menu(page, where)
        assert_first_visit_outputs_filled(page, where)
    return visited


def smoke_test_page(browser, url: str) -> None:
    """The whole first minute on a fresh page (its own session) of the app at ``url``."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        errors = PageErrors(page)
        page.goto(url)
        page.wait_for_selector("#groups [role=tab]")
        visited = visit_every_tab(page)
        assert len(visited) == sum(len(group.modules) for group in GROUPS)
        errors.assert_clean()
    finally:
        context.close()
