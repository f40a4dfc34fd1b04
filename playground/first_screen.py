"""The first screen, painted from the page itself while Gradio's app is still being built.

On a phone (Lighthouse's mobile run: a 4× slower CPU) Gradio's page shows a spinner for seconds
after the document has arrived: its script first builds the whole app (every component and event
of every tab, measured 2026-12-07) before it paints the first tab. This module sends, inside the
HTML document, a plain copy of what that first screen shows: the app's title, its tagline and
where the models run, the labels of the groups and of the first group's tabs, and the first tab's
introduction. The text is taken from the built app, so it is the same text the app then shows.

While it is shown, Gradio's app is laid out beneath it but not visible (``visibility: hidden``,
which also keeps it out of the accessibility tree, so nothing is read twice). As soon as the app
has painted the first tab's introduction, a few lines of script remove the copy and show the app
in the same frame. If the app opens on another tab (a shared link), it is shown once its tab bar
exists; if it never gets that far, after ``GIVE_UP_MS``, so Gradio's own error screen is seen.

The tab labels in the copy are plain text (hidden from screen readers): they become buttons when
the app takes over. ``middleware(html)`` inserts the copy before ``<gradio-app>`` in the page "/".
"""

from __future__ import annotations

import html as html_escape
import re

import gradio as gr
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from playground.tabs import GROUPS, load_tab, tab_id

ELEMENT_ID = "first-screen"
WAITING_CLASS = "first-screen-waiting"
GIVE_UP_MS = 20_000  # show the app whatever it looks like after this long
TAB_BAR_GRACE_MS = 1_500  # the app's tab bar exists but the first introduction is not there: another tab opened

# The look of Gradio's first screen at its default theme (measured in Chromium at 390 and 1280 px):
# the same sizes, so the app replaces the copy with little movement. The colours follow the page's
# own (index.html sets them for light and dark).
STYLE = f"""
html.{WAITING_CLASS} gradio-app {{ visibility: hidden; }}
#{ELEMENT_ID} {{ box-sizing: border-box; width: 100%; max-width: 1280px; margin: 0 auto; padding: 16px 32px;
  font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  font-size: 14px; line-height: 22.75px; cursor: progress; }}
#{ELEMENT_ID} h1 {{ font-size: 22.4px; line-height: 29.12px; font-weight: 600; margin: 0; }}
#{ELEMENT_ID} p {{ margin: 0; }}
#{ELEMENT_ID} .first-screen-header {{ display: flex; flex-direction: column; gap: 16px; margin: 0 0 16px; }}
#{ELEMENT_ID} .first-screen-header > div > * + * {{ margin-top: 16px; }}
#{ELEMENT_ID} .first-screen-tabs {{ display: flex; flex-wrap: wrap; border-bottom: 1px solid #e5e7eb;
  margin: 0 0 16px; padding: 0 0 7px; list-style: none; }}
#{ELEMENT_ID} .first-screen-tabs li {{ display: flex; align-items: center; height: 44px; padding: 0 16px;
  font-size: 15.4px; line-height: 23.1px; font-weight: 600; }}
#{ELEMENT_ID} .first-screen-tabs.inner li {{ font-size: 14px; line-height: 21px; font-weight: 400; }}
#{ELEMENT_ID} .first-screen-tabs li:first-child {{ color: #4f46e5; box-shadow: inset 0 -2px #4f46e5; }}
@media (min-width: 641px) {{
  #{ELEMENT_ID} .first-screen-header {{ flex-direction: row; }}
  #{ELEMENT_ID} .first-screen-header > div {{ flex: 1; }}
  #{ELEMENT_ID} .first-screen-header > div + div {{ text-align: right; }}
  #{ELEMENT_ID} h1 {{ font-size: 26px; line-height: 33.8px; }}
  #{ELEMENT_ID} .first-screen-tabs li {{ height: 32px; }}
}}
#{ELEMENT_ID} .first-screen-loading {{ position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }}
"""

# Runs as the document is parsed (before Gradio's deferred module script). Swaps in one frame.
SCRIPT = f"""
(() => {{
  const root = document.documentElement, copy = document.getElementById('{ELEMENT_ID}');
  root.classList.add('{WAITING_CLASS}');
  let tabBarSince = null, observer = null;
  const show = () => {{
    if (observer) observer.disconnect();
    copy.remove();
    root.classList.remove('{WAITING_CLASS}');
  }};
  const check = () => {{
    const app = document.querySelector('gradio-app');
    if (!app) return;
    const intro = app.querySelector('.explainer .prose');
    if (intro && intro.textContent.trim()) {{ requestAnimationFrame(show); observer.disconnect(); return; }}
    if (app.querySelector('#groups [role=tab]') && tabBarSince === null) {{
      tabBarSince = performance.now();
      setTimeout(show, {TAB_BAR_GRACE_MS});
    }}
  }};
  observer = new MutationObserver(check);
  observer.observe(root, {{childList: true, subtree: true}});
  setTimeout(show, {GIVE_UP_MS});
}})();
"""


def _inline_markdown(text: str) -> str:
    """The few Markdown forms the header and introductions use: **bold**, *italic*, `code`. Escaped first."""
    text = html_escape.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", text)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def markdown_to_html(markdown: str) -> str:
    """Headings (``# ``) and paragraphs (one per line) with inline emphasis: all a first screen holds."""
    parts = []
    for line in markdown.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        heading = re.match(r"^(#{1,3}) (.*)$", line)
        if heading:
            level = len(heading.group(1))
            parts.append(f"<h{level}>{_inline_markdown(heading.group(2))}</h{level}>")
        else:
            parts.append(f"<p>{_inline_markdown(line)}</p>")
    return "".join(parts)


def _blocks_inside(block):
    for child in getattr(block, "children", None) or []:
        yield child
        yield from _blocks_inside(child)


def _by_elem_id(app: gr.Blocks, elem_id: str):
    return next((block for block in app.blocks.values() if getattr(block, "elem_id", None) == elem_id), None)


def first_tab_introduction(app: gr.Blocks) -> str | None:
    """The Markdown of the introduction (``ui.explainer``) at the top of the tab the page opens on."""
    first_tab = _by_elem_id(app, f"tab-{tab_id(GROUPS[0].modules[0])}")
    for block in _blocks_inside(first_tab) if first_tab is not None else ():
        if isinstance(block, gr.Markdown) and "explainer" in (block.elem_classes or []):
            return block.value
    return None


def html(app: gr.Blocks) -> str:
    """The copy of the first screen, read from the built ``app`` (its header and first tab)."""
    header = "".join(f"<div>{markdown_to_html(block.value)}</div>" for block in (_by_elem_id(app, "app-title"),
                                                                               _by_elem_id(app, "device-badge")) if block)
    groups = "".join(f"<li>{html_escape.escape(group.title)}</li>" for group in GROUPS)
    tabs = "".join(f"<li>{html_escape.escape(load_tab(name).TITLE)}</li>" for name in GROUPS[0].modules)
    introduction = first_tab_introduction(app)
    intro = markdown_to_html(introduction) if introduction else ""
    return (f'<style>{STYLE}</style>'
            f'<div id="{ELEMENT_ID}" aria-busy="true">'
            f'<span class="first-screen-loading">Loading the playground…</span>'
            f'<div class="first-screen-header">{header}</div>'
            f'<ul class="first-screen-tabs" aria-hidden="true">{groups}</ul>'
            f'<ul class="first-screen-tabs inner" aria-hidden="true">{tabs}</ul>{intro}</div>'
            f'<script>{SCRIPT}</script>')


def insert(page: bytes, first_screen: str) -> bytes:
    """``page`` with ``first_screen`` just before its ``<gradio-app>`` element (the page unchanged without one)."""
    body = page.find(b"<body")
    at = page.find(b"<gradio-app", body) if body >= 0 else -1
    if at < 0:
        return page
    return page[:at] + first_screen.encode() + page[at:]


class FirstScreen:
    """Inserts the first screen into the HTML page answered at "/" (other paths pass untouched)."""

    def __init__(self, app: ASGIApp, first_screen: str) -> None:
        self.app = app
        self.first_screen = first_screen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") != "/":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page, headers = b"".join(chunks), list(start["headers"])
            content_type = next((value for key, value in headers if key.lower() == b"content-type"), b"")
            encoded = any(key.lower() == b"content-encoding" for key, _ in headers)
            if content_type.startswith(b"text/html") and not encoded:
                page = insert(page, self.first_screen)
                headers = [(key, value) for key, value in headers if key.lower() != b"content-length"]
                headers.append((b"content-length", str(len(page)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, collect)


def middleware(first_screen: str) -> Middleware:
    return Middleware(FirstScreen, first_screen=first_screen)
