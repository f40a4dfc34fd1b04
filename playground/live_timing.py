"""How long a live panel's chunks take on this machine: the waiting line's estimates before the process
has measured its own.

A visitor who presses Train while others train hears their place and an estimate at once. The runtime
estimates from the chunks it has timed in this process (``Runtime.chunk_seconds``), but a class that presses
at once asks before any chunk of the panel has run. Until then it uses this table: per panel, the mean
seconds a run's first chunk (model built, data loaded, first steps, first pictures) and its later chunks
spent in their CPU slot, measured with a class training on this machine. It lives in ``live_timing.json``
beside this module, with the date and the machine, and is written by

    python -m playground.live_timing [--panel NAME ...] [--visitors 30] [--seconds 30] [--classes 1]

which runs the load command's class on each panel (``playground.load``: a fresh app on loopback, every
visitor pressing Play at once, Stop after S seconds) with the server logging each chunk's seconds in its
slot (``PLAYGROUND_LIVE_TIMING_LOG``), and records the means (with ``--classes N``, N classes one after
another and the median of their means: the machine's other work varies from minute to minute). A panel missing from the table gets no
estimate until its first chunk ran in the process ("estimating the wait").
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TABLE = Path(__file__).with_name("live_timing.json")


@functools.cache
def _table() -> dict:
    return json.loads(TABLE.read_text()) if TABLE.exists() else {"panels": {}}


def chunk_seconds(panel: str, first: bool) -> float | None:
    """The measured mean seconds of a first (or a later) chunk of ``panel`` in its slot; None if unmeasured."""
    measured = _table()["panels"].get(panel)
    if measured is None:
        return None
    return float(measured["first_chunk_s" if first else "chunk_s"])


def summarise(lines: list[str], panel: str) -> dict | None:
    """The table's row for ``panel`` from the server's chunk log ("tab first seconds" per line); None without
    a first chunk and a later one."""
    first, later = [], []
    for line in lines:
        tab, is_first, seconds = line.split()
        if tab == panel:
            (first if is_first == "1" else later).append(float(seconds))
    if not first or not later:
        return None
    return {"first_chunk_s": round(statistics.mean(first), 4), "chunk_s": round(statistics.mean(later), 4),
            "first_chunks": len(first), "chunks": len(later)}


def combined(rows: list[dict]) -> dict:
    """Several classes' rows as one: the median of their means (a busy moment of the machine weighs less),
    with every class's means kept beside it."""
    return {"first_chunk_s": round(statistics.median(row["first_chunk_s"] for row in rows), 4),
            "chunk_s": round(statistics.median(row["chunk_s"] for row in rows), 4),
            "first_chunks": sum(row["first_chunks"] for row in rows), "chunks": sum(row["chunks"] for row in rows),
            "classes": [[row["first_chunk_s"], row["chunk_s"]] for row in rows]}


def measure(panel: str, visitors: int, seconds: float) -> dict | None:
    """One class on ``panel`` in a fresh app (the load command's run, its table printed); the panel's row.
    The load command runs as a child process (the runtime reads this module's table, and the load command
    reads the runtime's limits: importing it here would make the three import each other)."""
    log = Path(tempfile.mkstemp(prefix=f"live-timing-{panel}-", suffix=".log")[1])
    env = {**os.environ, "PLAYGROUND_LIVE_TIMING_LOG": str(log)}  # the app the load command starts inherits it
    try:
        subprocess.run([sys.executable, "-m", "playground.load", "--panel", panel, "--visitors", str(visitors),
                        "--seconds", f"{seconds:g}"], env=env, check=True)
        return summarise(log.read_text().splitlines(), panel)
    finally:
        log.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    from playground.load_tasks import PANELS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--panel", action="append", choices=sorted(PANELS), help="measure only these (repeatable)")
    parser.add_argument("--visitors", type=int, default=30, help="the class pressing Play at once (1–150)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each visitor watches (5–300)")
    parser.add_argument("--classes", type=int, default=1, help="classes measured per panel, one after another (1–5): "
                        "the table keeps the median of their means")
    args = parser.parse_args(argv)
    if not 1 <= args.visitors <= 150 or not 5 <= args.seconds <= 300 or not 1 <= args.classes <= 5:
        parser.error("--visitors must be 1–150, --seconds 5–300 and --classes 1–5")
    table = json.loads(TABLE.read_text()) if TABLE.exists() else {"panels": {}}
    failed = []
    for panel in args.panel or sorted(PANELS):
        rows = [measure(panel, args.visitors, args.seconds) for _ in range(args.classes)]
        if None in rows:
            failed.append(panel)  # a class with no first chunk and later one timed: nothing to record
            continue
        row = combined(rows)
        print(f"{panel:<20} first chunk {row['first_chunk_s']:.3f} s (n={row['first_chunks']}) · later chunks "
              f"{row['chunk_s']:.3f} s (n={row['chunks']})", flush=True)
        table["panels"][panel] = row
        table.update(
            measured_on=datetime.date.today().isoformat(),
            machine=f"{os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
            command=f"python -m playground.live_timing --visitors {args.visitors} --seconds {args.seconds:g} "
                    f"--classes {args.classes}",
            what="mean seconds a run's first chunk and its later chunks spend in their CPU slot, with a class of "
                 "visitors training the panel at once (python -m playground.load), in a fresh app",
        )
        table["panels"] = dict(sorted(table["panels"].items()))
        TABLE.write_text(json.dumps(table, indent=2) + "\n")  # after each panel: a long run keeps what it measured
    print(f"written: {TABLE}")
    if failed:
        raise SystemExit(f"no chunks timed, nothing recorded for: {', '.join(failed)}")


if __name__ == "__main__":
    main()
