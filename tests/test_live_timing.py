"""The waiting line's measured chunk table (playground.live_timing) and how the app's runtime uses it."""

from __future__ import annotations

import pytest

from playground import live, live_timing


def test_the_table_says_when_where_and_how_it_was_measured():
    table = live_timing._table()
    assert table["measured_on"] and table["machine"] and table["command"].startswith("python -m playground.live_timing")
    assert "cnn_lab" in table["panels"]  # the panel whose line a class meets first
    for panel, row in table["panels"].items():
        assert row["first_chunks"] >= 1 and row["chunks"] >= 1, f"{panel}: too few chunks timed"
        assert 0 < live_timing.chunk_seconds(panel, True) < 60 and 0 < live_timing.chunk_seconds(panel, False) < 60


def test_the_table_is_the_mean_of_the_chunks_the_server_logged():
    log = ["cnn_lab 1 0.600000", "cnn_lab 0 0.300000", "gatys 0 2.000000", "cnn_lab 1 0.800000", "cnn_lab 0 0.500000"]
    row = live_timing.summarise(log, "cnn_lab")
    assert row == {"first_chunk_s": 0.7, "chunk_s": 0.4, "first_chunks": 2, "chunks": 2}
    assert live_timing.summarise(log, "gatys") is None  # no first chunk timed: nothing to record


def test_the_apps_runtime_estimates_from_the_table_before_any_chunk_ran():
    runtime = live.Runtime(slots=2, heavy_slots=1, chunk_prior=live_timing.chunk_seconds)
    assert runtime.chunk_seconds("cnn_lab", True) == live_timing.chunk_seconds("cnn_lab", True)
    assert runtime.chunk_seconds("no such panel", True) is None  # unmeasured: "estimating the wait"
    jobs = [runtime.start(f"visitor {i}", "cnn_lab", heavy=True) for i in range(4)]
    for job in jobs:
        runtime._enter_line(job)
    first = live_timing.chunk_seconds("cnn_lab", True)
    # The fourth in line: the three first turns ahead of it, one heavy slot, then its own.
    assert runtime.place(jobs[3])[2] == pytest.approx(4 * first)
    assert f"about {4 * first:.1f} s" in runtime.waiting_notice(jobs[3])
