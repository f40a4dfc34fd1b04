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


def test_a_visitor_alone_on_a_panel_hears_the_tables_figure_a_class_its_own_timings():
    runtime = live.Runtime(slots=2, heavy_slots=1, chunk_prior=live_timing.chunk_seconds)
    first = live_timing.chunk_seconds("cnn_lab", True)
    alone = runtime.start("alone", "cnn_lab", heavy=True)
    runtime._enter_line(alone)
    assert runtime.place(alone)[2] == pytest.approx(first)  # nothing ahead: its own first chunk, as measured
    assert runtime.chunk_seconds("no such panel", True) is None  # unmeasured: "estimating the wait"
    others = [runtime.start(f"visitor {i}", "cnn_lab", heavy=True) for i in range(3)]
    for job in others:
        runtime._enter_line(job)
    assert runtime.place(others[2])[2] is None  # a class: no number until its own first chunks are timed
    assert "estimating the wait" in runtime.waiting_notice(others[2])
    for seconds in (2.0, 0.5, 0.6):  # a cold first chunk, then two as the class goes
        runtime._leave_slot(runtime.start(f"done {seconds}", "cnn_lab", heavy=True), seconds)
    # The mean of those timed, the cold one left out (0.55 s); the fourth in line waits for the three first
    # turns ahead, then its own.
    assert runtime.chunk_seconds("cnn_lab", True) == pytest.approx(0.55)
    assert runtime.place(others[2])[2] == pytest.approx(4 * 0.55)
    assert "about 2.2 s to your first frame" in runtime.waiting_notice(others[2])


def test_several_classes_are_combined_by_their_median():
    rows = [{"first_chunk_s": 0.6, "chunk_s": 0.4, "first_chunks": 30, "chunks": 100},
            {"first_chunk_s": 0.9, "chunk_s": 0.5, "first_chunks": 30, "chunks": 90},  # a busy minute
            {"first_chunk_s": 0.5, "chunk_s": 0.3, "first_chunks": 30, "chunks": 110}]
    row = live_timing.combined(rows)
    assert (row["first_chunk_s"], row["chunk_s"], row["first_chunks"], row["chunks"]) == (0.6, 0.4, 90, 300)
    assert row["classes"] == [[0.6, 0.4], [0.9, 0.5], [0.5, 0.3]]
