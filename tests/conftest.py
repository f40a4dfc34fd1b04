"""Shared fixtures: a real app server, a gradio_client for its API, a headless browser.

The server is launched once per test session in a subprocess on a free port, exactly
as `python app.py` would run it, and killed at the end.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import playground.catalog  # noqa: F401  (every model registers itself: tests ask the registry directly)
from playground.chromium import CHROMIUM
from playground.chromium import executable as chromium_executable
from playground.serving import free_port, start_app, stop, wait_for_http  # noqa: F401 (tests import them from here)

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``cuda`` need a CUDA GPU: skipped (and said so) where there is none."""
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU (run on one: pytest -m cuda)")
    for item in items:
        if item.get_closest_marker("cuda") is not None:
            item.add_marker(skip)


@pytest.fixture
def not_an_image(tmp_path) -> str:
    """A file named like a picture that holds text: every upload must refuse it with a message."""
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    return str(path)


@pytest.fixture
def blank_picture(tmp_path) -> str:
    """A white 60×60 PNG: a picture with nothing in it."""
    from PIL import Image

    path = tmp_path / "blank.png"
    Image.new("RGB", (60, 60), "white").save(path)
    return str(path)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """URL of a real app server started like `python app.py` (offline, on a free port)."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("app") / "server.log"
    with open(log_path, "w") as log:
        process = start_app(port, log=log, cwd=ROOT, script="app.py")
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process)
        yield url
    finally:
        stop(process)
        if process.returncode not in (0, -15, None):
            print(log_path.read_text()[-5000:])


@pytest.fixture(scope="session")
def client(app_url):
    from gradio_client import Client

    return Client(app_url, verbose=False)


def chromium_available() -> bool:
    return chromium_executable() is not None


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not chromium_available():
        if IN_CI:
            pytest.fail(f"CI=true but Chromium is missing at {CHROMIUM}: browser tests must run in CI")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (browser tests run in CI)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class PageErrors:
    """Collects console errors and page errors, and finds Gradio error toasts."""

    # Messages that are not the app's fault (the browser trying to reach the network, which is closed).
    IGNORED = ("net::ERR_", "Failed to load resource", "favicon")

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def _on_console(self, message) -> None:
        if message.type == "error" and not any(text in message.text for text in self.IGNORED):
            self.console.append(message.text)

    def toasts(self) -> list[str]:
        return [text for text in self.page.locator(".toast-body.error, .toast-wrap .error").all_inner_texts() if text]

    def assert_clean(self) -> None:
        assert not self.console, f"console errors: {self.console}"
        assert not self.toasts(), f"error toasts: {self.toasts()}"


@pytest.fixture
def page(browser, app_url):
    """A fresh page (its own Gradio session) on the running app; fails on console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors = PageErrors(page)
    page.goto(app_url)
    page.wait_for_selector(".tabs, [role=tablist]")
    page.errors = errors
    yield page
    context.close()


def open_tab(page, title: str) -> None:
    """Click the tab whose label is ``title``: first its group's top-level tab, then the tab
    itself (inactive tabs are not in the DOM until clicked)."""
    from playground.tabs import group_of

    group = group_of(title)
    page.locator("#groups > .tab-wrapper").get_by_role("tab", name=group.title, exact=True).click()
    page.locator(f"#group-{group.id}").get_by_role("tab", name=title, exact=True).click()


def image_src(page, elem_id: str) -> str:
    """The ``src`` of the first picture in the output ``elem_id``, once one is shown."""
    locator = page.locator(f"#{elem_id} img")
    locator.first.wait_for(state="visible", timeout=90_000)
    return locator.first.get_attribute("src") or ""


def wait_for_a_new_image(page, elem_id: str, old_src: str) -> None:
    """Until the output's picture is another one than ``old_src`` (the answer to a click arrived)."""
    page.wait_for_function(
        "([id, old]) => { const img = document.querySelector(`#${id} img`); return img && img.src && img.src !== old; }",
        arg=[elem_id, old_src], timeout=90_000,
    )
