"""The first load: the page goes out gzipped (playground/compress.py), and Gradio's own scripts stay compressed once."""

from __future__ import annotations

import gzip
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
