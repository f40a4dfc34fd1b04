"""A curious visitor's walk through every leaf of the app, pressing buttons as they go.

Every group and every tab in it is opened in the order shown. In each, the first primary button
not yet pressed on this walk is pressed; the walk waits until the progress indicator is gone
(at most ``settle_ms``), then presses Stop if the panel has one and lets the last frames
land. Page errors and console errors (the caller's ``PageErrors``) and catch-all error messages
are problems; the walk says where it was when each first appeared. Clear messages (an empty
sketch, no files chosen) are what a visitor pressing buttons at random should get: they are
recorded, not counted.

Live runs stream while the walk moves on (Stop ends them at their next chunk), so frames of a
run still ending arrive in hidden tabs: exactly the order of events a class produces.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from tests.browser.smoke import BUSY, each_tab
from tests.conftest import PageErrors

# How long the walk stays after pressing a button before it looks for the progress indicator.
SHORTEST_MS = 2500
# The buttons that end a live run ("Stop", "⏸ Pause").
STOP = re.compile(r"^\W*(Stop|Pause)\b")
# A stable handle for a button (its elem_id, else its text and its place among the page's buttons).
BUTTON_KEY_JS = """(button) => button.id || `${button.innerText.trim()}#${[...document.querySelectorAll('button')].indexOf(button)}`"""


# Every error toast's message, recorded as it appears (toasts fade after a few seconds). Install it
# with ``context.add_init_script(RECORD_TOASTS_JS)`` before the page opens.
RECORD_TOASTS_JS = """
window.__errorToasts = [];
new MutationObserver(() => {
  for (const toast of document.querySelectorAll('[data-testid=toast-body].error:not([data-recorded])')) {
    toast.setAttribute('data-recorded', '');
    const texts = [...toast.querySelectorAll('[data-testid=toast-text]')].map((node) => node.innerText.trim());
    window.__errorToasts.push(texts.filter(Boolean).join(' | '));
  }
}).observe(document, {subtree: true, childList: true});
"""
# A message that explains nothing: the app's catch-all for an unexpected exception, Gradio's own
# when a handler fails outside the app's wrapper, or an error toast with no text at all.
CATCH_ALL = re.compile(r"^$|Something went wrong|errored out|Internal Server Error|Traceback", re.IGNORECASE)


def error_toasts(page) -> list[str]:
    return page.evaluate("() => window.__errorToasts || []")


@dataclass
class WalkLog:
    leaves: list[str] = field(default_factory=list)  # "Group › Tab", in the order visited
    pressed: dict[str, str] = field(default_factory=dict)  # leaf → the button pressed there
    no_button: list[str] = field(default_factory=list)  # leaves with no primary button (they answer to their controls)
    seconds: dict[str, float] = field(default_factory=dict)  # leaf → how long the walk spent there
    errors_at: dict[str, list[str]] = field(default_factory=dict)  # leaf → page/console errors and catch-all toasts
    messages: list[str] = field(default_factory=list)  # every error toast's text (clear messages are fine)


def _press_first_primary(page, panel, where: str, log: WalkLog, pressed: set[str], settle_ms: int) -> None:
    buttons = panel.locator("button.primary:visible")
    if buttons.count() == 0:
        log.no_button.append(where)
    for index in range(buttons.count()):
        button = buttons.nth(index)
        key = button.evaluate(BUTTON_KEY_JS)
        if key in pressed or not button.is_enabled():
            continue
        pressed.add(key)
        log.pressed[where] = button.inner_text().strip()
        button.click()
        page.wait_for_timeout(SHORTEST_MS)  # a live run streams a few frames (many hide their progress)
        waited = SHORTEST_MS
        while waited < settle_ms and page.locator(BUSY).count():
            page.wait_for_timeout(250)
            waited += 250
        stop = panel.get_by_role("button", name=STOP).locator("visible=true")
        if stop.count():
            stop.first.click()
            page.wait_for_timeout(500)
        return


def walk(page, errors: PageErrors, settle_ms: int = 25_000) -> WalkLog:
    """Walk every leaf on ``page`` (already open on the app); returns what it did and where errors appeared."""
    log = WalkLog()
    pressed: set[str] = set()
    seen_errors = 0

    def problems() -> list[str]:
        catch_all = [f"catch-all message: {text or '(no text)'}" for text in error_toasts(page) if CATCH_ALL.search(text)]
        return errors.console + catch_all

    def visit(where: str, panel) -> None:
        nonlocal seen_errors
        began = time.monotonic()
        log.leaves.append(where)
        _press_first_primary(page, panel, where, log, pressed, settle_ms)
        log.seconds[where] = time.monotonic() - began
        now = problems()
        if len(now) > seen_errors:
            log.errors_at[where] = now[seen_errors:]
            seen_errors = len(now)

    for group, title, panel in each_tab(page):
        visit(f"{group.title} › {title}", panel)
    page.wait_for_timeout(2000)  # the last runs' final frames land
    now = problems()
    if len(now) > seen_errors:
        log.errors_at["after the walk"] = now[seen_errors:]
    log.messages = error_toasts(page)
    return log
