"""The first minute of a visitor, as one reusable check (the shell test and the Space-build test use it).

At 1280×800: every top-level group and every tab inside it is reachable without Gradio's
"More tabs" overflow menu; each tab opens with text in it; each output a tab marks as
shown on first visit (``FIRST_VISIT`` class) has something in it without pressing a button;
and there are no console errors or error toasts.
"""

from __future__ import annotations

from playground.tabs import GROUPS, load_tab
from playground.ui import FIRST_VISIT
from tests.conftest import PageErrors, open_tab

VIEWPORT = {"width": 1280, "height": 800}


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
    """Open every group, every tab in it and every sub-tab inside that (nested ones as they appear), in the
    order shown; after each opens, yield (group, tab title, sub-tab title or None, the group's panel)."""
    for group in GROUPS:
        for name in group.modules:
            tab = load_tab(name)
            open_tab(page, tab.TITLE)  # its group's top-level tab, then the tab
            panel = page.locator(f"#group-{group.id}")
            panel.wait_for()
            yield group, tab.TITLE, None, panel
            seen = {load_tab(other).TITLE for other in group.modules}
            while True:
                shown = [text.strip() for text in panel.locator("[role=tab]:visible").all_inner_texts()]
                fresh = [title for title in shown if title and title not in seen]
                if not fresh:
                    break
                seen.add(fresh[0])
                panel.get_by_role("tab", name=fresh[0], exact=True).first.click()
                yield group, tab.TITLE, fresh[0], panel


def visit_every_tab(page) -> list[str]:
    """Click every group and every tab in it; return the tab titles visited."""
    visited = []
    assert_no_overflow_menu(page, "top level")
    for _group, title, sub_tab, panel in each_tab(page):
        where = f"tab {title!r}" if sub_tab is None else f"{title!r} › {sub_tab!r}"
        if sub_tab is None:
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
