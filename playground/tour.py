"""``python -m playground.tour``: one visitor opens every tab in a real browser; the server's peak memory.

    python -m playground.tour                      # starts the app (as python app.py), tours it, stops it
    python -m playground.tour --url URL --server-pid PID   # an app already running (another checkout)

Headless Chromium (Playwright, a test dependency) opens the page and clicks every tab it can
see, the ones a click revealed before their parent's siblings, until none is new; after each click it waits until
no output has shown Gradio's loading marks for a second, so each tab's first-visit outputs
(which load its models) are done. It prints the tabs clicked and the server's VmHWM, the kernel's high-water
mark of its resident memory. The tour knows nothing of this version's tab names, so the same
command measures an older checkout served with ``--url`` (issue 15: "peak RSS of the app after
touching every tab").
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from playground import chromium
from playground.serving import free_port, start_app, stop, wait_for_http

QUIET_MS = 1000  # no loading marks for this long: the tab has finished loading
MAX_WAIT_MS = 120_000  # per tab, whatever happens


def high_water_mb(pid: int) -> float:
    """VmHWM of ``pid`` in MB: the most resident memory it has ever held."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


# Gradio's loading marks (progress bar, timer text, a pending output) that are on screen now.
_BUSY = """() => Array.from(document.querySelectorAll('.eta-bar, .progress-text, .pending, .generating'))
    .filter((element) => element.offsetParent !== null).length"""


def _wait_until_idle(page) -> None:
    """Until no output has shown Gradio's loading marks for QUIET_MS (each tab's first-visit
    outputs load its models and compute; their results arrive on one long-lived stream, so
    the network never goes quiet and cannot be the signal)."""
    page.wait_for_timeout(300)  # let a click's first event start
    waited, quiet = 300, 0
    while waited < MAX_WAIT_MS and quiet < QUIET_MS:
        page.wait_for_timeout(100)
        waited += 100
        quiet = quiet + 100 if not page.evaluate(_BUSY) else 0


# For each element: its path from the document root as child indices, plus its label ("0/3/1/0:Draw").
_PLACES = """(elements) => elements.map((element) => {
    const path = [];
    for (let node = element; node.parentElement; node = node.parentElement) {
        path.unshift(Array.prototype.indexOf.call(node.parentElement.children, node));
    }
    return path.join('/') + ':' + element.innerText.trim();
})"""


def tour(url: str, pid: int) -> tuple[float, list[tuple[str, float]]]:
    """Open the page at ``url`` and click every tab once. Returns how far the high-water mark of the server
    (process ``pid``) rose while the page loaded, and each tab's label in the order clicked with how far it rose
    while that tab loaded (MB)."""
    from playwright.sync_api import sync_playwright

    clicked: list[tuple[str, float]] = []
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright, "--no-sandbox", "--disable-gpu", "--no-first-run")
        # Wide, so that no tab hides in Gradio's "More tabs" overflow menu (older versions of the app had one).
        page = browser.new_page(viewport={"width": 3840, "height": 1200})
        before = high_water_mb(pid)
        page.goto(url)
        page.wait_for_selector("[role=tab]", timeout=MAX_WAIT_MS)
        _wait_until_idle(page)
        page_load_rise = round(high_water_mb(pid) - before, 1)
        seen: set[str] = set()
        while True:
            tabs = page.locator("[role=tab]:visible")
            # Labels repeat ("Draw", "Upload" in several tabs): a tab is known by its place in the page.
            places = tabs.evaluate_all(_PLACES)
            labels = [text.strip() for text in tabs.all_inner_texts()]
            fresh = [index for index, place in enumerate(places) if labels[index] and place not in seen]
            if not fresh:
                break
            # Deepest first: the tabs a click just revealed, before that tab's siblings (which would hide them).
            chosen = max(fresh, key=lambda index: (places[index].count("/"), -index))
            seen.add(places[chosen])
            before = high_water_mb(pid)
            tabs.nth(chosen).click()
            _wait_until_idle(page)
            clicked.append((labels[chosen], round(high_water_mb(pid) - before, 1)))
        browser.close()
    return page_load_rise, clicked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an app already running (then --server-pid says which process it is)")
    parser.add_argument("--server-pid", type=int)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    process = None
    if args.url:
        if not args.server_pid:
            parser.error("--url needs --server-pid (the memory is read from /proc)")
        url, pid = args.url, args.server_pid
    else:
        port = free_port()
        process = start_app(port)
        url, pid = f"http://127.0.0.1:{port}/", process.pid
        wait_for_http(url, process, timeout=180)
    try:
        before = high_water_mb(pid)
        began = time.perf_counter()
        page_load_rise, clicked = tour(url, pid)
        # Where the peak grew: the page load, and the tabs whose first visit raised it by 1 MB or more.
        rises = {"(page load)": page_load_rise}
        rises.update({f"{number}:{label}": rise for number, (label, rise) in enumerate(clicked, 1) if rise >= 1.0})
        result = {"tabs": len(clicked), "seconds": round(time.perf_counter() - began, 1),
                  "peak_rss_mb_at_start": round(before, 1), "peak_rss_mb": round(high_water_mb(pid), 1),
                  "clicked": [label for label, _ in clicked], "peak_rise_mb": rises}
    finally:
        if process is not None:
            stop(process)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"clicked {result['tabs']} tabs in {result['seconds']} s: {', '.join(result['clicked'])}")
        for tab, rise in sorted(result["peak_rise_mb"].items(), key=lambda item: -item[1]):
            print(f"  peak +{rise:.0f} MB on first visiting {tab}")
        print(f"server peak RSS (VmHWM): {result['peak_rss_mb_at_start']:.0f} MB after start, "
              f"{result['peak_rss_mb']:.0f} MB after the tour")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
