"""``python -m playground.first_load`` — what a visitor's first page load costs, beside a bare Gradio page.

Starts the app (as ``python app.py`` does) and a bare two-tab Gradio page side by side, waits until
the app is ready (``/readyz``), then for each page:

- loads it once in headless Chromium and sums the bytes on the wire (the browser's own count of
  encoded bytes, headers included) by resource type, and the compressed size of the HTML document;
- runs Lighthouse (``npx lighthouse``, mobile form factor with its simulated throttling: a slow 4G
  link and a 4× slower CPU) and reports its performance score, largest contentful paint, total
  blocking time, cumulative layout shift, transferred bytes and accessibility score. Skipped with a
  note when npx is absent.

Both pages are measured in the same run, so the ratio means something on a shared machine: absolute
seconds vary from machine to machine. Run it under the heavy lock; it takes about two minutes.

    python -m playground.first_load [--json PATH] [--no-lighthouse]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from playground import chromium, serving

LIGHTHOUSE = os.environ.get("PLAYGROUND_LIGHTHOUSE", "lighthouse@12")
ROOT = Path(__file__).resolve().parent.parent
SETTLE_MS = 8_000  # after "load": Gradio fetches component scripts and first-visit values after the document

# Gradio's smallest multi-tab page, the reference the issue's targets are quoted against.
BARE_PAGE = """
import os, gradio as gr
with gr.Blocks(title="bare") as demo:
    with gr.Tab("One"):
        gr.Textbox(label="Text")
        gr.Button("Go")
    with gr.Tab("Two"):
        gr.Slider(0, 10, label="Number")
demo.launch(server_name="127.0.0.1", server_port=int(os.environ["GRADIO_SERVER_PORT"]), ssr_mode=False)
"""


def wire_bytes(url: str) -> dict:
    """One first visit in headless Chromium (a phone viewport): encoded bytes per resource type."""
    from playwright.sync_api import sync_playwright

    finished: dict[str, int] = {}
    kinds: dict[str, str] = {}
    urls: dict[str, str] = {}
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright, "--no-sandbox")
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            page = context.new_page()
            devtools = context.new_cdp_session(page)
            devtools.send("Network.enable")
            devtools.on("Network.responseReceived", lambda event: (
                kinds.__setitem__(event["requestId"], event.get("type", "Other")),
                urls.__setitem__(event["requestId"], event["response"]["url"])))
            devtools.on("Network.loadingFinished",
                        lambda event: finished.__setitem__(event["requestId"], int(event["encodedDataLength"])))
            page.goto(url, wait_until="load", timeout=120_000)
            page.wait_for_timeout(SETTLE_MS)
        finally:
            browser.close()
    by_type: Counter = Counter()
    document = 0
    for request, size in finished.items():
        by_type[kinds.get(request, "Other")] += size
        if kinds.get(request) == "Document":
            document += size
    return {"total_kib": sum(finished.values()) / 1024, "requests": len(finished), "document_kib": document / 1024,
            "by_type_kib": {kind: round(size / 1024, 1) for kind, size in by_type.most_common()}}


def lighthouse(url: str) -> dict | None:
    """Lighthouse's mobile run on ``url`` (performance and accessibility), or None without npx."""
    npx = shutil.which("npx")
    if npx is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [npx, "--yes", LIGHTHOUSE, url, "--quiet", "--output=json", f"--output-path={report}",
                   "--only-categories=performance,accessibility",
                   "--chrome-flags=--headless=new --no-sandbox --disable-gpu"]
        subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": chromium.CHROMIUM}, timeout=300,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        data = json.loads(report.read_text())
    audits = data["audits"]
    return {
        "performance": data["categories"]["performance"]["score"],
        "accessibility": data["categories"]["accessibility"]["score"],
        "largest_paint_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
        "first_paint_s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "blocking_ms": audits["total-blocking-time"]["numericValue"],
        "layout_shift": audits["cumulative-layout-shift"]["numericValue"],
        "transferred_kib": audits["total-byte-weight"]["numericValue"] / 1024,
        "largest_paint_element": _largest_paint_element(audits),
    }


def _largest_paint_element(audits: dict) -> str | None:
    """The HTML of the element Lighthouse timed as the largest paint (for the JSON report only)."""
    def snippets(node):
        if isinstance(node, dict):
            if "snippet" in node:
                yield node["snippet"]
            for value in node.values():
                yield from snippets(value)
        elif isinstance(node, list):
            for value in node:
                yield from snippets(value)

    return next(snippets(audits.get("largest-contentful-paint-element", {})), None)


def _start(port: int, log, **kwargs) -> subprocess.Popen:
    return serving.start_app(port, log=log, cwd=ROOT, **kwargs)


def measure(with_lighthouse: bool = True) -> dict[str, dict]:
    app_port, bare_port = serving.free_port(), serving.free_port()
    with tempfile.TemporaryFile("w+") as log:
        app = _start(app_port, log, script="app.py")
        bare = subprocess.Popen([sys.executable, "-c", BARE_PAGE], cwd=ROOT, env=serving.app_env(bare_port),
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            app_url, bare_url = f"http://127.0.0.1:{app_port}/", f"http://127.0.0.1:{bare_port}/"
            serving.wait_for_http(app_url + "readyz", app, timeout=300)  # first-visit examples computed
            serving.wait_for_http(bare_url, bare)
            results = {}
            for name, url in (("bare Gradio page", bare_url), ("this app", app_url)):
                results[name] = {**wire_bytes(url), "lighthouse": lighthouse(url) if with_lighthouse else None}
            return results
        finally:
            serving.stop(app)
            serving.stop(bare)


def print_table(results: dict[str, dict]) -> None:
    print(f"{'page':18s} {'wire KiB':>9s} {'requests':>8s} {'document':>9s} {'scripts':>8s} {'styles':>7s} {'fonts':>6s}"
          f" | {'LH perf':>7s} {'LCP s':>6s} {'FCP s':>6s} {'TBT ms':>7s} {'CLS':>5s} {'LH KiB':>7s} {'a11y':>5s}")
    for name, row in results.items():
        kinds = row["by_type_kib"]
        line = (f"{name:18s} {row['total_kib']:9.1f} {row['requests']:8d} {row['document_kib']:9.1f} "
                f"{kinds.get('Script', 0):8.1f} {kinds.get('Stylesheet', 0):7.1f} {kinds.get('Font', 0):6.1f}")
        audit = row["lighthouse"]
        if audit:
            line += (f" | {audit['performance']:7.2f} {audit['largest_paint_s']:6.1f} {audit['first_paint_s']:6.1f} "
                     f"{audit['blocking_ms']:7.0f} {audit['layout_shift']:5.2f} {audit['transferred_kib']:7.1f} {audit['accessibility']:5.2f}")
        else:
            line += " | (Lighthouse not run: needs npx)"
        print(line)
    print("targets (issue 37): largest paint ≤ 6 s and ≤ 700 KiB transferred under Lighthouse's mobile throttling")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--no-lighthouse", action="store_true", help="only the browser's byte count")
    args = parser.parse_args(argv)
    results = measure(with_lighthouse=not args.no_lighthouse)
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
