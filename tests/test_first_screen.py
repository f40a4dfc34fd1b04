"""The first screen sent inside the page (playground/first_screen.py): where it sits, that it says what the app
then shows (read from the page's own config), that it stays small, and that only the page "/" carries it. How it
hands over to the app in a browser: ``tests/browser/test_first_screen_browser.py``."""

from __future__ import annotations

import html
import json
import re
import urllib.request

from playground.first_screen import ELEMENT_ID, insert, markdown_to_html

# The copy's markup, style and script: 3.6 KiB on 2026-12-07 (uncompressed; it is gzipped with the page).
FIRST_SCREEN_BUDGET_KIB = 8


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def _first_screen(page: str) -> str:
    start = page.index(f'<div id="{ELEMENT_ID}"')
    return page[start:page.index("<script>", start)]


def _text(markup: str) -> str:
    """What a reader sees: tags dropped (a block's end is a space), entities decoded, whitespace collapsed."""
    markup = re.sub(r"</(p|h\d|li|ul|span|div)>", " ", markup)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def _plain(markdown: str) -> str:
    return " ".join(re.sub(r"^#+ |\*\*|`", "", markdown, flags=re.MULTILINE).split())


def _config_node(layout: dict, component_id: int) -> dict | None:
    if layout["id"] == component_id:
        return layout
    for child in layout.get("children", []):
        found = _config_node(child, component_id)
        if found:
            return found
    return None


def _ids_inside(layout: dict) -> list[int]:
    return [layout["id"]] + [i for child in layout.get("children", []) for i in _ids_inside(child)]


def test_markdown_is_escaped_then_given_its_emphasis():
    assert markdown_to_html("# A <b> & B\n**bold** and *it* x*y `z<1`") == (
        "<h1>A &lt;b&gt; &amp; B</h1><p><strong>bold</strong> and <em>it</em> x*y <code>z&lt;1</code></p>")


def test_the_copy_goes_before_gradios_element_in_the_body_only():
    page = b'<head><script>"<gradio-app"</script></head><body style="x"><gradio-app eager="true"></gradio-app></body>'
    assert insert(page, "<p>copy</p>") == page.replace(b"<gradio-app eager", b"<p>copy</p><gradio-app eager")
    assert insert(b"<body>no app</body>", "<p>copy</p>") == b"<body>no app</body>"


def test_the_page_shows_the_first_screen_the_app_then_shows(app_url):
    page = _get(app_url).decode()
    assert page.index(f'<div id="{ELEMENT_ID}"') > page.index("<body")
    assert page.index(f'<div id="{ELEMENT_ID}"') < page.index("<gradio-app")
    shown = _text(_first_screen(page))
    config = json.loads(_get(app_url + "config"))
    components = {component["id"]: component for component in config["components"]}
    by_elem_id = {component["props"].get("elem_id"): component for component in components.values()}
    # The header, the group labels and the first group's tab labels, as the app shows them.
    for elem_id in ("app-title", "device-badge"):
        assert _plain(by_elem_id[elem_id]["props"]["value"]) in shown
    group_labels = [components[child["id"]]["props"]["label"]
                    for child in _config_node(config["layout"], by_elem_id["groups"]["id"])["children"]]
    first_group = _config_node(config["layout"], by_elem_id["group-neurons"]["id"])
    tab_labels = [components[i]["props"]["label"] for i in _ids_inside(first_group)[1:]
                  if components[i]["type"] == "tabitem"]
    assert " ".join(group_labels) in shown and " ".join(tab_labels) in shown
    # The first tab's introduction: the first explainer inside the first tab of the first group.
    first_tab = _config_node(config["layout"], by_elem_id["tab-perceptron-explorer"]["id"])
    introduction = next(components[i] for i in _ids_inside(first_tab)
                        if "explainer" in (components[i]["props"].get("elem_classes") or []))
    assert shown.endswith(_plain(introduction["props"]["value"]))


def test_the_first_screen_stays_small(app_url):
    page = _get(app_url).decode()
    start = page.index("<style>", page.index("<body"))
    end = page.index("</script>", page.index(f'<div id="{ELEMENT_ID}"')) + len("</script>")
    assert page[start:end].count(f'id="{ELEMENT_ID}"') == 1
    assert len(page[start:end].encode()) / 1024 <= FIRST_SCREEN_BUDGET_KIB, len(page[start:end].encode())


def test_only_the_page_carries_it(app_url):
    for path in ("config", "gradio_api/info"):
        assert ELEMENT_ID.encode() not in _get(app_url + path), path
