"""The live-training runtime (playground.live) on fake jobs: fairness, Stop, admission, isolation.

No timing assertions: the tests count chunks and frames, never seconds. Fake jobs are
small generators that record what they did; the real MLP trainer checks isolation.
"""

from __future__ import annotations

import threading
import time

import pytest
import torch

from playground import live
from playground.errors import Busy
from playground.perceptron.config import PlaygroundConfig
from playground.perceptron.session import Session


def notice(text: str) -> tuple[str, str]:
    return ("notice", text)


def counting_stream(counts: dict, name: str, in_slot: list | None = None, heavy_in_slot: list | None = None,
                    heavy: bool = False, gate: threading.Event | None = None):
    """A fake job: each chunk adds one to counts[name] (and records who else is working), then yields."""
    try:
        while True:
            if gate is not None:
                gate.wait()
            if in_slot is not None:
                in_slot.append(name)
                if heavy:
                    heavy_in_slot.append(name)
                    counts.setdefault("max heavy at once", 0)
                    counts["max heavy at once"] = max(counts["max heavy at once"], len(heavy_in_slot))
                counts.setdefault("max at once", 0)
                counts["max at once"] = max(counts["max at once"], len(in_slot))
            time.sleep(0.0005)  # stands in for work that releases the GIL, as torch does
            counts[name] = counts.get(name, 0) + 1
            if in_slot is not None:
                in_slot.remove(name)
                if heavy:
                    heavy_in_slot.remove(name)
            yield ("frame", name, counts[name])
    finally:
        counts[f"{name} closed"] = True


def consume(stream, frames: list, start: threading.Barrier | None = None):
    if start is not None:
        start.wait()  # every reader begins together
    for frame in stream:
        frames.append(frame)


def run_jobs(runtime, specs, total_chunks: int):
    """Run one thread per (owner, heavy) spec until ``total_chunks`` chunks were done, then Stop all.

    Returns (counts per owner, frames per owner)."""
    counts: dict = {}
    in_slot: list = []
    heavy_in_slot: list = []
    frames = {owner: [] for owner, _ in specs}
    threads = []
    start = threading.Barrier(len(specs))
    for owner, heavy in specs:
        job = runtime.start(owner, "tab", heavy=heavy)
        stream = runtime.run(job, counting_stream(counts, owner, in_slot, heavy_in_slot, heavy), notice)
        threads.append(threading.Thread(target=consume, args=(stream, frames[owner], start)))
    for thread in threads:
        thread.start()
    done = threading.Event()

    def watch():
        while not done.is_set():
            if sum(counts.get(owner, 0) for owner, _ in specs) >= total_chunks:
                for owner, _ in specs:
                    runtime.stop(owner, "tab")
                done.set()
            else:
                done.wait(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    for thread in threads:
        thread.join(timeout=60)
    done.set()
    watcher.join()
    assert not any(thread.is_alive() for thread in threads)
    return counts, frames


# ------------------------------------------------------------------ fairness


def test_light_jobs_share_the_slots_round_robin():
    runtime = live.Runtime(slots=2, pacing=live.Pacing(notice_seconds=5))
    owners = [f"visitor {i}" for i in range(8)]
    counts, _ = run_jobs(runtime, [(owner, False) for owner in owners], total_chunks=400)
    done = [counts[owner] for owner in owners]
    # Turns are handed out in order: everyone progresses, nobody gets far ahead.
    assert min(done) > 0
    assert max(done) - min(done) <= 0.25 * max(done) + 3, done
    assert counts["max at once"] <= 2
    assert runtime.running() == 0


def test_heavy_jobs_are_bounded_and_neither_kind_starves():
    runtime = live.Runtime(slots=2, heavy_slots=1, pacing=live.Pacing(notice_seconds=5))
    specs = [("heavy a", True), ("heavy b", True), ("light a", False), ("light b", False), ("light c", False)]
    counts, _ = run_jobs(runtime, specs, total_chunks=300)
    assert counts["max heavy at once"] == 1  # heavy jobs never hold both slots
    assert all(counts[owner] > 0 for owner, _ in specs)
    heavy = [counts["heavy a"], counts["heavy b"]]
    assert max(heavy) - min(heavy) <= 0.25 * max(heavy) + 3  # heavy jobs take turns among themselves
    # Light jobs are never held back by heavy ones (they may use either slot).
    assert min(counts["light a"], counts["light b"], counts["light c"]) >= 0.5 * min(heavy)


def test_work_per_frame_shrinks_with_the_number_of_jobs():
    runtime = live.Runtime(slots=2)
    alone = runtime.start("a", "tab")
    alone_seconds, alone_steps = alone.work_seconds(), alone.scaled(100)
    for index in range(19):
        runtime.start(f"other {index}", "tab")
    crowded_seconds, crowded_steps = alone.work_seconds(), alone.scaled(100)
    assert crowded_seconds < alone_seconds / 5
    assert (alone_steps, crowded_steps) == (100, 10)
    # Crowded: only some frames redraw everything.
    full = []
    for frame in range(12):
        alone.frames = frame
        full.append(alone.full_frame())
    assert 0 < sum(full) < 12


# ------------------------------------------------------------------ Stop and replace


def test_stop_ends_the_run_with_a_last_frame_saying_so_and_closes_the_job():
    runtime = live.Runtime(slots=1)
    counts: dict = {}
    job = runtime.start("me", "tab")
    stream = runtime.run(job, counting_stream(counts, "me"), notice)
    assert next(stream) == ("frame", "me", 1)
    assert next(stream) == ("frame", "me", 2)
    assert runtime.stop("me", "tab") == 1
    rest = list(stream)
    assert rest == [("notice", "**Stopped.**")]
    assert counts["me"] == 2  # no chunk ran after Stop
    assert counts["me closed"] and runtime.running() == 0


def test_a_second_play_replaces_the_first_and_the_first_says_so():
    runtime = live.Runtime(slots=2)
    counts: dict = {}
    first = runtime.run(runtime.start("me", "tab"), counting_stream(counts, "first"), notice)
    next(first)
    second = runtime.run(runtime.start("me", "tab"), counting_stream(counts, "second"), notice)
    assert list(first)[-1] == ("notice", "**Stopped:** replaced by your new run.")
    assert next(second) == ("frame", "second", 1)
    assert runtime.running() == 1
    second.close()
    assert counts["second closed"] and runtime.running() == 0


def test_stop_touches_only_that_visitor_and_tab():
    runtime = live.Runtime(slots=2)
    counts: dict = {}
    mine = runtime.run(runtime.start("me", "mlp"), counting_stream(counts, "mine"), notice)
    my_other_tab = runtime.run(runtime.start("me", "gan"), counting_stream(counts, "my gan"), notice)
    theirs = runtime.run(runtime.start("you", "mlp"), counting_stream(counts, "theirs"), notice)
    for stream in (mine, my_other_tab, theirs):
        next(stream)
    runtime.stop("me", "mlp")
    assert list(mine)[-1][0] == "notice"
    assert next(theirs) == ("frame", "theirs", 2)
    assert next(my_other_tab) == ("frame", "my gan", 2)
    assert runtime.stop("me") == 1  # every tab of mine: the GAN
    assert list(my_other_tab)[-1] == ("notice", "**Stopped.**")
    assert next(theirs) == ("frame", "theirs", 3)


def test_a_stream_whose_reader_left_is_closed_and_frees_its_place():
    runtime = live.Runtime(slots=1)
    counts: dict = {}
    stream = runtime.run(runtime.start("me", "tab"), counting_stream(counts, "me"), notice)
    next(stream)
    stream.close()  # what happens when the browser tab closes and Gradio drops the stream
    assert counts["me closed"] and runtime.running() == 0


def test_an_abandoned_job_stops_counting_after_a_while():
    now = [0.0]
    runtime = live.Runtime(slots=1, pacing=live.Pacing(abandoned_seconds=30), clock=lambda: now[0])
    runtime.start("gone", "tab")  # started, then nobody ever read its stream
    now[0] = 31.0
    runtime.start("here", "tab")
    assert runtime.running() == 1 and runtime.job("gone", "tab") is None


def test_a_run_pauses_itself_after_the_time_limit():
    now = [0.0]
    runtime = live.Runtime(slots=1, pacing=live.Pacing(max_run_seconds=60), clock=lambda: now[0])
    counts: dict = {}
    stream = runtime.run(runtime.start("me", "tab"), counting_stream(counts, "me"), notice)
    next(stream)
    now[0] = 61.0
    assert list(stream) == [("notice", "**Stopped:** paused itself after 1 minutes; press play to go on.")]


# ------------------------------------------------------------------ honest waiting


def test_a_waiting_job_is_told_its_place_then_runs():
    runtime = live.Runtime(slots=1, pacing=live.Pacing(notice_seconds=0.01))
    counts: dict = {}
    gate = threading.Event()
    holder = runtime.run(runtime.start("first", "tab"), counting_stream(counts, "first", gate=gate), notice)
    holder_frames: list = []
    thread = threading.Thread(target=consume, args=(holder, holder_frames))
    thread.start()  # it takes the only slot and blocks on the gate inside its chunk
    waiter = runtime.run(runtime.start("second", "tab"), counting_stream(counts, "second"), notice)
    kind, text = next(waiter)
    while counts.get("second"):  # (the holder may not have reached its slot yet)
        kind, text = next(waiter)
    assert kind == "notice" and "place 1 of 1 in line" in text and "2 people are training" in text
    gate.set()
    frame = next(waiter)
    while frame[0] == "notice":
        frame = next(waiter)
    assert frame[:2] == ("frame", "second")
    runtime.stop("first", "tab")
    thread.join(timeout=30)
    waiter.close()
    assert runtime.running() == 0


@pytest.mark.parametrize("patient", [False, True])
def test_a_stream_whose_page_keeps_moving_is_told_of_a_wait_only_after_its_own_notice_seconds(patient):
    # The live MLP's board plays the last message's states while it waits for a turn: its job asks to be told
    # of a wait after 30 s instead of the pacing's 0.01 s (each notice is a message a crowd pays for).
    runtime = live.Runtime(slots=1, pacing=live.Pacing(notice_seconds=0.01))
    job = runtime.start("me", "tab", notice_seconds=30.0 if patient else 0.0)
    counts: dict = {}
    mine = runtime.run(job, counting_stream(counts, "me"), notice)
    assert next(mine)[0] == "frame"  # alone: its first frame at once
    holding, gate = threading.Event(), threading.Event()

    def holder_stream():
        while True:
            holding.set()
            gate.wait()
            yield ("frame", "holder")

    holder = runtime.run(runtime.start("holder", "tab"), holder_stream(), notice)
    holder_thread = threading.Thread(target=lambda: [None for _ in holder])
    holder_thread.start()
    assert holding.wait(30)  # the holder has the only slot
    read: list = []
    reader = threading.Thread(target=lambda: read.append(next(mine)))
    reader.start()
    reader.join(1.0)  # a second's wait for a turn: 100 times the pacing's notice time
    if patient:
        assert not read  # not told: it waits on, silently
    else:
        assert read and read[0][0] == "notice"
    gate.set()
    reader.join(30)
    frame = read[-1] if patient else next(mine)
    while frame[0] == "notice":
        frame = next(mine)
    assert frame[:2] == ("frame", "me")
    mine.close()
    runtime.stop("holder", "tab")
    holder_thread.join(30)


def test_min_frame_seconds_paces_a_stream_without_changing_its_frames():
    runtime = live.Runtime(slots=1)
    counts: dict = {}
    job = runtime.start("me", "tab", min_frame_seconds=0.001)
    stream = runtime.run(job, counting_stream(counts, "me"), notice)
    assert [next(stream) for _ in range(3)] == [("frame", "me", 1), ("frame", "me", 2), ("frame", "me", 3)]
    stream.close()


# ------------------------------------------------------------------ admission limits


def _frames_until(stream, wanted) -> list:
    """Read ``stream`` until a frame satisfies ``wanted``; returns every frame read."""
    frames = []
    for frame in stream:
        frames.append(frame)
        if wanted(frame):
            return frames
    raise AssertionError(f"the stream ended without the frame wanted: {frames}")


def test_beyond_the_running_limit_visitors_wait_in_line_in_arrival_order():
    runtime = live.Runtime(slots=2, max_jobs=2, pacing=live.Pacing(line_notice_seconds=0.01))
    counts: dict = {}
    running = {owner: runtime.start(owner, "tab") for owner in ("a", "b")}
    waiting = {owner: runtime.start(owner, "tab") for owner in ("c", "d", "e")}
    assert [job.queued for job in waiting.values()] == [True, True, True]
    assert runtime.running() == 2 and runtime.waiting() == 3
    streams = {owner: runtime.run(job, counting_stream(counts, owner), notice) for owner, job in waiting.items()}
    # Each hears its place at once (before any waiting), with how many train.
    for place, owner in enumerate(("c", "d", "e"), start=1):
        kind, text = next(streams[owner])
        assert kind == "notice" and f"place {place} of 3" in text and "2 people are training" in text
    # A run ends: the first in line starts, the others move up.
    runtime._finish(running["a"])
    assert not waiting["c"].queued and waiting["d"].queued
    assert _frames_until(streams["c"], lambda frame: frame[0] == "frame")[-1] == ("frame", "c", 1)
    assert "place 1 of 2" in next(streams["d"])[1]
    runtime._finish(running["b"])
    assert not waiting["d"].queued and waiting["e"].queued
    assert "place 1 of 1" in next(streams["e"])[1]
    for stream in streams.values():
        stream.close()
    assert runtime.running() == 0 and runtime.waiting() == 0


def test_stop_while_waiting_leaves_the_line_and_says_so():
    runtime = live.Runtime(slots=1, max_jobs=1, pacing=live.Pacing(line_notice_seconds=0.01))
    holder = runtime.start("a", "tab")
    first, second = runtime.start("b", "tab"), runtime.start("c", "tab")
    stream_b = runtime.run(first, counting_stream({}, "b"), notice)
    stream_c = runtime.run(second, counting_stream({}, "c"), notice)
    assert "place 1 of 2" in next(stream_b)[1] and "place 2 of 2" in next(stream_c)[1]
    runtime.stop("b", "tab")
    assert list(stream_b)[-1] == ("notice", "**Stopped.**")
    assert "place 1 of 1" in next(stream_c)[1]
    runtime._finish(holder)
    assert not second.queued
    stream_c.close()


def test_a_second_press_while_waiting_keeps_one_place_at_the_back():
    runtime = live.Runtime(slots=1, max_jobs=1)
    runtime.start("a", "tab")
    runtime.start("b", "tab")
    runtime.start("c", "tab")
    again = runtime.start("b", "tab")  # b presses again: its old place is given up, it goes to the back
    assert again.queued and runtime.waiting() == 2
    assert "place 2 of 2" in runtime.line_notice(again)


def test_a_full_line_refuses_and_names_the_wait():
    now = [0.0]
    runtime = live.Runtime(slots=1, max_jobs=1, max_line=2, clock=lambda: now[0])
    running = runtime.start("a", "tab")
    runtime.start("b", "tab")
    runtime.start("c", "tab")
    with pytest.raises(Busy, match=r"^the line for live training is full: 2 people are waiting and 1 are training; "
                                   r"runs are ending: please press again then$"):
        runtime.start("d", "tab")
    now[0] = 10.0
    running.report_progress(1, 4)  # a quarter done in 10 s: 30 s left, and each run lasts 40 s
    with pytest.raises(Busy, match=r"your turn would come in about 2 min: please press again then$"):
        runtime.start("d", "tab")  # 30 s, then b's 40 s, then c's 40 s: 110 s


def test_the_estimate_follows_progress_and_past_runs():
    now = [0.0]
    runtime = live.Runtime(slots=2, max_jobs=2, clock=lambda: now[0])
    a, b = runtime.start("a", "cnn"), runtime.start("b", "cnn")
    c, d, e = (runtime.start(owner, "cnn") for owner in "cde")
    assert "an estimate comes once the first runs have gone a little way" in runtime.line_notice(c)
    now[0] = 10.0
    a.report_progress(1, 2)  # half done after 10 s: 10 s left, a run lasts 20 s
    b.report_progress(1, 4)  # a quarter done: 30 s left
    # A new run should last 30 s (the median of 20 and 40). c starts when a ends (10 s) and ends at 40 s;
    # d starts when b ends (30 s); e when c ends (40 s).
    assert "about 10 s" in runtime.line_notice(c)
    assert "about 30 s" in runtime.line_notice(d)
    assert "about 40 s" in runtime.line_notice(e)
    now[0] = 20.0
    a.frames = 40  # it streamed its run
    runtime._finish(a)  # ran 20 s: the tab's runs last 20 s from now on (for those without progress)
    assert not c.queued
    b.report_progress(1, 2)  # half done after 20 s: 20 s left
    assert "about 20 s" in runtime.line_notice(d)  # b has 20 s left; c (no progress yet) 20 s


def test_the_memory_budget_queues_runs_and_one_visitor_cannot_take_it_all():
    runtime = live.Runtime(slots=2, memory_budget_mb=150, visitor_memory_mb=60)
    for owner in ("a", "b", "c"):
        assert not runtime.start(owner, "gatys", memory_mb=40, heavy=True).queued
    assert runtime.start("d", "gatys", memory_mb=40, heavy=True).queued  # 160 MB would pass the 150 MB budget
    assert runtime.start("e", "mlp", memory_mb=10).queued  # arrival order: nobody overtakes d
    with pytest.raises(Busy, match="your other trainings already use 40 MB of your 60 MB"):
        runtime.start("a", "cnn", memory_mb=21)
    runtime.stop("a", "gatys")
    runtime._finish(runtime.job("a", "gatys"))
    assert not runtime.job("d", "gatys").queued and not runtime.job("e", "mlp").queued
    assert runtime.running() == 4


def test_a_process_at_its_memory_limit_refuses_new_runs_and_names_the_wait():
    rss = [500.0]
    now = [0.0]
    runtime = live.Runtime(slots=2, rss_limit_mb=1000, rss_mb=lambda: rss[0], clock=lambda: now[0])
    job = runtime.start("a", "mlp", memory_mb=10)
    rss[0] = 995.0  # something grew: the next run would pass the limit
    now[0] = 30.0
    job.report_progress(3, 4)
    with pytest.raises(Busy, match=r"^the server is at its memory limit \(995 of 1000 MB\) with 1 people training; "
                                   r"the next run should end in about 10 s: please press again then$"):
        runtime.start("b", "mlp", memory_mb=10)
    rss[0] = 600.0
    runtime.start("b", "mlp", memory_mb=10)
    assert runtime.running() == 2


def test_a_visitor_who_left_the_line_loses_their_place():
    now = [0.0]
    runtime = live.Runtime(slots=1, max_jobs=1, clock=lambda: now[0])
    running = runtime.start("a", "tab")
    runtime.start("gone", "tab")
    stays = runtime.start("stays", "tab")
    now[0] = 10.0
    running.last_read = stays.last_read = 10.0  # their pages still read; "gone" closed its tab at 0 s
    now[0] = runtime.pacing.abandoned_seconds + 5
    runtime.start("new", "tab")
    assert runtime.job("gone", "tab") is None
    assert "place 1 of 2" in runtime.line_notice(stays)


# ------------------------------------------------------------------ the line's estimates against a simulated class


class SimulatedClock:
    """Real time plus simulated seconds: a chunk "takes" its known duration by moving the clock on."""

    def __init__(self):
        self.offset, self._lock = 0.0, threading.Lock()

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def spend(self, seconds: float) -> None:
        with self._lock:
            self.offset += seconds


def timed_stream(clock: SimulatedClock, first: float, later: float, line_formed=lambda: True):
    """A fake run whose first chunk takes ``first`` simulated seconds (model built, data loaded) and the next ``later``.
    Its first chunk begins once ``line_formed()`` (the class is in line, as when everyone pressed in one instant)."""
    chunks = 0
    deadline = time.monotonic() + 10
    while not line_formed() and time.monotonic() < deadline:
        time.sleep(0.001)
    while True:
        time.sleep(0.001)  # stands in for work that releases the GIL, as torch does
        clock.spend(first if chunks == 0 else later)
        chunks += 1
        yield ("frame", chunks)


def class_presses_at_once(runtime, clock, people: int, first: float, later: float) -> list[tuple[float, float]]:
    """``people`` heavy runs of one tab start together; each reader keeps reading until every run has had its
    first frame. Per run: (the first estimate it was shown, the simulated wait from that notice to its first frame)."""
    jobs = [runtime.start(f"visitor {i}", "cnn", heavy=True) for i in range(people)]
    firsts: dict[int, float] = {}
    shown: dict[int, tuple[float, float]] = {}
    everyone_started = threading.Event()

    def line_formed() -> bool:  # the others wait for a turn behind the one in the slot
        return len(firsts) > 0 or len(runtime._line) >= people - 1

    def read(index: int, job) -> None:
        for frame in runtime.run(job, timed_stream(clock, first, later, line_formed), notice):
            if frame[0] == "notice":
                if index not in shown and index not in firsts and "about" in frame[1]:
                    shown[index] = (float(frame[1].split("about ")[1].split(" s")[0]), clock())
                time.sleep(0.005)  # the notice's way to the page (real time: longer than a chunk's)
            elif frame[0] == "frame" and index not in firsts:
                firsts[index] = clock()
                if len(firsts) == people:
                    everyone_started.set()
            if everyone_started.is_set():
                return  # closing the stream ends the run

    threads = [threading.Thread(target=read, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(firsts) == people and not any(thread.is_alive() for thread in threads)
    return [(estimate, firsts[i] - at) for i, (estimate, at) in shown.items()]


# Notices every few ms of real time. While a notice travels to its page (5 ms real, more on a busy machine),
# many simulated seconds of chunks may pass: the grace for a first turn away showing one is an hour of them.
SIMULATED_PACING = live.Pacing(first_notice_seconds=0.001, notice_seconds=0.003, away_seconds=3600.0)


@pytest.mark.parametrize("first, later", [(4.0, 1.0), (1.5, 3.0), (3.0, 0.5)])
def test_a_class_pressing_at_once_is_told_its_wait_within_30_percent(first, later):
    # A class that presses at once hears a number once two first turns were timed here (the table, measured at
    # another moment, is not used for a class). Next turns of the runs already going must not slip in ahead
    # of the first turns: the estimate counts on that.
    clock = SimulatedClock()
    table = {True: 2 * first, False: 2 * later}  # off by half: unused while the class's own timings come
    runtime = live.Runtime(slots=2, heavy_slots=1, clock=clock, chunk_prior=lambda tab, is_first: table[is_first],
                           pacing=SIMULATED_PACING)
    told = class_presses_at_once(runtime, clock, 12, first, later)
    assert len(told) >= 5  # those still waiting once two first turns were timed (after the process's cold first)
    for estimate, waited in told:
        assert abs(estimate - waited) <= 0.3 * waited, (estimate, waited)
    assert runtime.chunk_seconds("cnn", True) == pytest.approx(first, rel=0.01)  # as timed here


class StoppedClock:
    """A clock that moves only when told (a test sets the moment)."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def timed_turns(runtime, tab: str, seconds: list[float], first: bool = True) -> None:
    """Record chunks of ``tab`` that took ``seconds`` in their slot, as finished turns would (the process's very
    first of a kind is not timed: pass a cold one first)."""
    for index, spent in enumerate(seconds):
        done = runtime.start(f"earlier {tab} {index}", tab)
        done.frames = 0 if first else 1
        runtime._leave_slot(done, spent)
        runtime._finish(done)


def test_the_estimate_counts_each_job_ahead_on_the_slot_that_frees_first():
    # Two slots: one frees in 0.2 s, the other in 1.8 s. The first in line takes the first (0.2 + its 2 s),
    # the second the other (1.8 + 2 s). Averaging the slots' work over both ((0.2 + 1.8) / 2 + 2 = 3 s for the
    # first) told the head of a GPT class 40 % too long.
    clock = StoppedClock()
    runtime = live.Runtime(slots=2, clock=clock)
    timed_turns(runtime, "gpt", [9.0, 2.0, 2.0])  # the process's first, cold, then two as the class goes
    running = [runtime.start(f"running {i}", "gpt") for i in range(2)]
    waiting = [runtime.start(f"waiting {i}", "gpt") for i in range(3)]
    for job in running:
        assert runtime._take_turn(job, 0)
    running[0]._chunk_began, running[1]._chunk_began = clock.now - 1.8, clock.now - 0.2
    for job in waiting:
        assert not runtime._take_turn(job, 0)  # both slots busy: it keeps its place in line
    estimates = [runtime.place(job)[2] for job in waiting]
    assert estimates == pytest.approx([0.2 + 2.0, 1.8 + 2.0, 0.2 + 2.0 + 2.0])


def test_the_estimate_adds_up_the_chunks_as_they_come_leaving_out_a_cold_start():
    # A line's wait is a sum of chunks: one slow turn in three (the machine's other work) counts in full,
    # where the median of the latest turns said every turn was quick. The process's very first run of a panel
    # (imports, data loaded) is no guide to the next ones, even when only three times as long (a fresh app's
    # first DCGAN turn took 0.75-0.9 s beside 0.1-0.25 s; counted, the class was told 1.7x its wait).
    clock = StoppedClock()
    runtime = live.Runtime(slots=1, clock=clock)
    timed_turns(runtime, "dcgan", [0.75, 0.2, 0.25])  # the class's first number comes with two turns timed
    assert runtime.chunk_seconds("dcgan", True) == pytest.approx(0.225)
    timed_turns(runtime, "dcgan", [0.5, 0.2, 0.15, 0.5])
    assert runtime.chunk_seconds("dcgan", True) == pytest.approx(0.3)
    timed_turns(runtime, "stalled", [0.4, 0.3, 0.35, 0.3, 2.0])  # one turn stalled (swapping, a pause)
    assert runtime.chunk_seconds("stalled", True) == pytest.approx((0.3 + 0.35 + 0.3) / 3)


def test_the_notice_says_which_frame_it_estimates_and_what_a_first_frame_shows():
    # Transfer's first frames show its features being extracted, not training: a visitor who waits for them is
    # told so, and the estimate names the frame it is for (the load command measures that same frame).
    clock = StoppedClock()
    runtime = live.Runtime(slots=1, clock=clock)
    timed_turns(runtime, "transfer", [3.0, 1.0, 1.0])
    timed_turns(runtime, "transfer", [0.5, 0.5, 0.5], first=False)
    running, waiting = runtime.start("running", "transfer"), runtime.start("waiting", "transfer")
    waiting.first_frames = "Your first frames show the features being extracted."
    assert runtime._take_turn(running, 0) and not runtime._take_turn(waiting, 0)
    running._chunk_began = clock.now
    first = runtime.waiting_notice(waiting)
    assert "about 2.0 s to your first frame" in first and first.endswith(waiting.first_frames)
    waiting.frames = 3  # a later turn: its next frame, nothing more to say about it
    later = runtime.waiting_notice(waiting)
    assert "about 1.5 s to your next frame" in later and waiting.first_frames not in later


# ------------------------------------------------------------------ isolation (the real MLP trainer)

XOR = PlaygroundConfig(dataset="xor", hidden=(6, 4), seed=3)
SPIRAL = PlaygroundConfig(dataset="spiral", hidden=(8,), activation="relu", seed=5, learning_rate=0.1)


def _weights_after(config: PlaygroundConfig, epochs: int) -> dict:
    session = Session()
    session.apply(config)
    session.train_epochs(epochs)
    return {key: value.clone() for key, value in session.trainer.model.state_dict().items()}


def test_concurrent_sessions_train_exactly_as_they_would_alone():
    torch.set_num_threads(1)
    epochs = 12
    expected = {"xor": _weights_after(XOR, epochs), "spiral": _weights_after(SPIRAL, epochs)}
    runtime = live.Runtime(slots=2)
    sessions = {}

    def train(owner: str, config: PlaygroundConfig):
        session = sessions[owner] = Session()
        session.apply(config)

        def chunks():
            while session.trainer.epoch < epochs:
                session.train_epochs(1)
                yield session.trainer.epoch

        list(runtime.run(runtime.start(owner, "mlp"), chunks(), notice))

    threads = [threading.Thread(target=train, args=(f"{name} {i}", config))
               for i in range(3) for name, config in (("xor", XOR), ("spiral", SPIRAL))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for owner, session in sessions.items():
        reference = expected[owner.split()[0]]
        state = session.trainer.model.state_dict()
        assert session.trainer.epoch == epochs
        assert all(torch.equal(state[key], reference[key]) for key in reference), owner


def test_a_first_turn_goes_ahead_of_the_next_turns_of_running_jobs():
    runtime = live.Runtime(slots=1)
    old, new = runtime.start("old", "tab"), runtime.start("new", "tab")
    old.frames = 5  # it has had turns
    other_new = runtime.start("other new", "tab")
    for job in (old, new, other_new):
        runtime._enter_line(job)
    assert list(runtime._line) == [new, other_new, old]


def test_a_one_shot_request_goes_ahead_of_everyone_waiting():
    runtime = live.Runtime(slots=1, pacing=live.Pacing(notice_seconds=5))
    order: list[str] = []
    gate = threading.Event()
    counts: dict = {}
    holder = runtime.run(runtime.start("holder", "tab"), counting_stream(counts, "holder", gate=gate), notice)
    holder_thread = threading.Thread(target=consume, args=(holder, []))
    holder_thread.start()  # holds the only slot until the gate opens
    waiter = runtime.run(runtime.start("waiter", "tab"), counting_stream(counts, "waiter"), notice)

    def wait_in_line():
        next(waiter)
        order.append("live job")

    def click():
        with runtime.priority():
            with runtime.priority():  # re-entrant on one thread
                order.append("one-shot")

    threads = [threading.Thread(target=wait_in_line)]
    threads[0].start()
    while not runtime.place(runtime.job("waiter", "tab"))[0]:
        time.sleep(0.001)  # (the live job is in line before the click)
    threads.append(threading.Thread(target=click))
    threads[1].start()
    while len(runtime._line) < 2:
        time.sleep(0.001)
    gate.set()
    for thread in threads:
        thread.join(timeout=30)
    assert order == ["one-shot", "live job"]
    runtime.stop("holder", "tab")
    holder_thread.join(timeout=30)
    waiter.close()


def test_a_stream_that_ends_itself_because_it_was_stopped_still_says_so():
    runtime = live.Runtime(slots=1)
    job = runtime.start("me", "tab")

    def cut_short():
        yield "frame 1"
        job.stop()
        return  # e.g. a long step that saw the stop event and gave up
        yield "never"

    assert list(runtime.run(job, cut_short(), notice)) == ["frame 1", ("notice", "**Stopped.**")]
