"""Groups that are not open when the page loads fetch their scripts when first opened.

Gradio's page downloads the script of every component type anywhere in the config, in every tab,
unless the component is hidden (``visible=False``): measured 2026-12-07 in Chromium, the first
page of this app fetched ~820 KiB of scripts, among them the drawing pad's canvas engine, the
gallery's video player (hls.js) and the code editor, for tabs nobody had opened yet.

``reveal_on_first_open(tab)`` sends every shown component inside ``tab`` hidden, and shows them
again the first time the visitor opens the tab: a browser-side listener (no server round trip)
that does nothing on later visits, so what the tab itself hides or shows later is left alone.
Values set while hidden (the first-visit examples) are kept and appear with the components.
Components a tab builds hidden on purpose stay hidden. API endpoints are unchanged.
"""

from __future__ import annotations

import json

import gradio as gr

# Runs in the page when the tab is selected: on the first selection it returns "show" for each
# component, later it returns `undefined`, which Gradio reads as "leave this output as it is".
_REVEAL_ONCE = """() => {{
  const opened = (window.playgroundOpenedTabs = window.playgroundOpenedTabs || new Set());
  if (opened.has({key})) return Array({count}).fill(undefined);
  opened.add({key});
  return Array.from({{length: {count}}}, () => ({{__type__: 'update', visible: true}}));
}}"""


def _components_inside(block) -> list[gr.components.Component]:
    found = []
    for child in getattr(block, "children", None) or []:
        if isinstance(child, gr.components.Component):
            found.append(child)
        found.extend(_components_inside(child))
    return found


def _hide_until(block, key: str, listener) -> int:
    shown = [component for component in _components_inside(block)
             if component.visible is True and not isinstance(component, gr.State)]
    for component in shown:
        component.visible = False
    if shown:
        listener(None, None, shown, js=_REVEAL_ONCE.format(key=json.dumps(key), count=len(shown)),
                 api_visibility="private", queue=False, show_progress="hidden")
    return len(shown)


def reveal_on_first_open(tab: gr.Tab, key: str) -> int:
    """Hide ``tab``'s shown components until the visitor first opens it (call inside ``with app``,
    after the tab is built). ``key`` names the tab uniquely on the page. Returns how many were hidden."""
    return _hide_until(tab, key, tab.select)


def reveal_closed_accordions(app: gr.Blocks) -> int:
    """Every accordion built closed shows its components when first expanded (by a click, or by an
    update that opens it: Gradio sends "expand" for both). Call inside ``with app``, before
    ``reveal_on_first_open`` so a tab's closed accordions stay deferred when the tab opens."""
    closed = [block for block in app.blocks.values() if isinstance(block, gr.Accordion) and block.open is False]
    return sum(_hide_until(accordion, f"accordion-{index}", accordion.expand) for index, accordion in enumerate(closed))
