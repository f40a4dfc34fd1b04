"""The first load: the page goes out gzipped (playground/compress.py), Gradio's own scripts stay compressed once, and
the page fetches no scripts for what it does not show yet (playground/deferred.py). Seconds and total bytes are
measured by ``python -m playground.first_load`` (Lighthouse), not here."""

from __future__ import annotations

import gzip
import json
import re
import urllib.request


def _get(url: str, accept_encoding: str) -> tuple[bytes, dict]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept_encoding})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read(), {key.lower(): value for key, value in response.headers.items()}


def test_the_page_is_sent_gzipped_and_unzips_to_the_same_page(app_url):
    plain, plain_headers = _get(app_url, "identity")
    packed, headers = _get(app_url, "gzip, deflate, br")
    assert "content-encoding" not in plain_headers  # a browser that accepts no compression gets it as it is
    assert headers.get("content-encoding") == "gzip"
    html = gzip.decompress(packed)
    assert html == plain
    assert len(packed) < len(plain) / 5, (len(packed), len(plain))


def test_a_script_is_compressed_once_by_gradio(app_url):
    page, _ = _get(app_url, "identity")
    script = re.search(rb'src="([^"]*assets/index-[^"]+\.js)"', page)
    assert script, "the page names no index script"
    path = script.group(1).decode()
    url = path if path.startswith("http") else app_url.rstrip("/") + "/" + path.lstrip("./")
    body, headers = _get(url, "gzip, deflate, br")
    assert headers.get("content-encoding") == "br"  # Gradio's own Brotli; ours does not gzip it again
    import brotli  # Gradio depends on it

    assert brotli.decompress(body)[:200].strip()


# The page's compressed HTML (it carries the whole config): 137 KiB on 2026-12-07, 1.28 MB before gzip.
DOCUMENT_BUDGET_KIB = 160
# Component types whose scripts are heavy and that the first group (Neurons) does not show:
# brotli-compressed sizes in gradio 6.31, measured in Chromium 2026-12-07.
HEAVY_SCRIPTS = {
    "imageeditor": "the drawing pads' canvas engine, ~150 KiB",
    "gallery": "a video player (hls.js) for galleries, ~165 KiB",
    "code": "the code editor, ~125 KiB",
}


def test_the_gzipped_page_stays_under_its_budget(app_url):
    packed, _ = _get(app_url, "gzip")
    assert len(packed) / 1024 <= DOCUMENT_BUDGET_KIB, f"{len(packed) / 1024:.0f} KiB"


def test_the_first_page_shows_no_component_whose_script_is_heavy(app_url):
    """Gradio fetches the script of every shown component type, in open tabs or not: the groups not open
    and the closed accordions send theirs hidden until opened."""
    config = json.loads(_get(app_url + "config", "identity")[0])
    shown = {component["type"] for component in config["components"] if component["props"].get("visible") is True}
    assert not shown & set(HEAVY_SCRIPTS), {kind: HEAVY_SCRIPTS[kind] for kind in shown & set(HEAVY_SCRIPTS)}
    hidden = {component["type"] for component in config["components"]} - shown
    assert set(HEAVY_SCRIPTS) <= hidden  # they are in the app: this test would notice them
