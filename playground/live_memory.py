"""The live runtime's memory reservations: one per live panel, measured, never guessed.

A panel's reservation is the peak growth of the server's resident memory during one run with the
page's default settings, in a freshly started app. It includes what that first run loads once
(data, a model): an upper bound for the runs after it. The table lives in ``live_memory.json``
beside this module, with the date and the machine it was measured on, and is written by

    python -m playground.live_memory [--panel NAME ...] [--seconds S]

For each panel it starts the app (as ``python app.py`` does, on loopback), makes the calls the
panel needs first (e.g. loading an example set), waits until the server's memory has settled (its
start-up warm-up done), presses Play through the panel's API (``playground.load_tasks``), samples
the server's VmRSS every 20 ms until the run ends or S seconds have passed, presses Stop, and
records the peak less the settled value.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import threading
import time
from pathlib import Path

TABLE = Path(__file__).with_name("live_memory.json")
FLOOR_MB = 10.0  # smaller readings are noise (allocator slack): every run reserves at least this


@functools.cache
def _table() -> dict:
    return json.loads(TABLE.read_text())


UNMEASURED_MB = 500.0  # a panel added since the last measurement reserves this much (a test keeps the table whole)


def reservation(panel: str) -> float:
    """MB the runtime reserves for one run of ``panel``."""
    measured = _table()["panels"].get(panel)
    if measured is None:
        return UNMEASURED_MB
    return max(FLOOR_MB, float(measured["mb"]))


def measured_panels() -> list[str]:
    return sorted(_table()["panels"])


# ---------------------------------------------------------------- the measuring command


def _settled_rss(pid: int, timeout: float = 90.0) -> float:
    """The server's VmRSS once it has changed by less than 2 MB over 3 s (its warm-up is done)."""
    from playground.load import status_mb

    deadline = time.monotonic() + timeout
    readings: list[float] = []
    while time.monotonic() < deadline:
        readings.append(status_mb(pid))
        if len(readings) >= 7 and max(readings[-7:]) - min(readings[-7:]) < 2.0:
            break
        time.sleep(0.5)
    return readings[-1]


def measure(panel: str, seconds: float) -> dict:
    """One default run of ``panel`` in a fresh app: {"mb": peak growth, "frames": streamed frames, "seconds": run}."""
    from gradio_client import Client

    from playground.load import status_mb
    from playground.load_tasks import PANELS, is_training_frame
    from playground.serving import free_port, start_app, stop, wait_for_http

    task = PANELS[panel]
    port = free_port()
    process = start_app(port)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_http(url, process, timeout=180)
        client = Client(url, verbose=False, download_files=False)
        for _kind, call in task.before:
            call(client)
        args = task.play_args()
        before = _settled_rss(process.pid)
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], status_mb(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        began = time.monotonic()
        job = client.submit(*args, api_name=task.play)
        while not job.done() and time.monotonic() - began < seconds:
            time.sleep(0.05)
        ran = time.monotonic() - began
        if not job.done() and task.stop:
            client.predict(api_name=task.stop)
        while not job.done() and time.monotonic() - began < seconds + 60:
            time.sleep(0.05)
        time.sleep(0.5)
        done.set()
        sampler.join()
        frames = sum(is_training_frame(task, output) for output in job.outputs())
        if job.exception() is not None:
            print(f"{panel}: the run failed: {job.exception()}", flush=True)
        return {"mb": round(peak[0] - before, 1), "frames": frames, "seconds": round(ran, 1)}
    finally:
        stop(process)


def main(argv: list[str] | None = None) -> None:
    from playground.load_tasks import PANELS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--panel", action="append", choices=sorted(PANELS), help="measure only these (repeatable)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long a run may go before Stop (5–300)")
    args = parser.parse_args(argv)
    if not 5 <= args.seconds <= 300:
        parser.error("--seconds must be 5–300")
    table = json.loads(TABLE.read_text()) if TABLE.exists() else {"panels": {}}
    failed = []
    for panel in args.panel or sorted(PANELS):
        result = measure(panel, args.seconds)
        print(f"{panel:<20} {result['mb']:>8.1f} MB  ({result['frames']} frames in {result['seconds']:.0f} s)",
              flush=True)
        if result["frames"] == 0:
            failed.append(panel)  # the run never trained: its reading means nothing
            continue
        table["panels"][panel] = result
        table.update(
            measured_on=datetime.date.today().isoformat(),
            machine=f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
            command="python -m playground.live_memory" + (f" --seconds {args.seconds:g}" if args.seconds != 30 else ""),
            what="peak growth of the server's VmRSS during one default run, in a fresh app (MB)",
        )
        table["panels"] = dict(sorted(table["panels"].items()))
        TABLE.write_text(json.dumps(table, indent=2) + "\n")  # after each panel: a long run keeps what it measured
    print(f"written: {TABLE}")
    if failed:
        raise SystemExit(f"no training frame streamed, nothing recorded for: {', '.join(failed)}")


if __name__ == "__main__":
    main()
