"""The live-training runtime: every live-training stream in the app runs through it.

Many visitors train at once on one small machine (a class of 30 on a 2-vCPU Space). A live
stream is a generator that does a bounded chunk of work (some epochs, a few optimizer steps)
and yields a frame. The runtime drives such generators and owns the policy that used to be
spread over the tabs:

- **Admission** (``Runtime.start``): one job per visitor per tab (a second Play replaces the
  first, which ends with a frame saying so). A job runs at once while there is room: fewer than
  ``max_jobs`` running, their memory reservations (measured per panel: ``live_memory``) within
  the budget, and the process's resident memory below its limit. Otherwise it joins the
  **waiting line**: served in arrival order as runs end, told its place and an estimate at once
  and every second while it waits, and Stop (or leaving the page) takes it out of the line.
  ``Busy``, a clear refusal that names the wait, only when the line is full (``max_line``),
  when the process is at its memory limit, or when one visitor's own runs would pass their share.
- **Fair sharing** (time slices): a job does each chunk inside one of ``slots`` CPU slots,
  granted in turn (first come, first served, and a job goes to the back of the line after
  every chunk: round robin; a job's first turn goes ahead of the others' next turns, so a
  first frame comes after one chunk). Heavy jobs (Gatys, CNN training, DCGAN) may hold at most
  ``heavy_slots`` slots at once, so light jobs always keep a core; heavy jobs are served in
  turn among themselves, so they never starve either.
- **Frame pacing**: ``Job.work_seconds()`` is how long this chunk should train. A job alone
  gets a frame period of ``Pacing.frame_seconds``; with more jobs than slots each job's
  share shrinks, so 30 tiny jobs each make progress every round instead of 2 jobs owning
  the cores. ``Job.full_frame()`` tells a stream when to redraw its secondary pictures:
  every frame normally, every few frames when the server is crowded.
- **Honest waiting**: a job that waits for its turn longer than ``Pacing.notice_seconds``
  yields a notice with its place in line and an estimate, updated while it waits.
- **Stop**: ``Runtime.stop(owner, tab)`` (or ``Job.stop``) ends the run at the next chunk
  boundary; the stream's last frame says why (stopped, replaced, time limit, paused).
- **One-shot priority**: ``Runtime.priority()`` lets a click (classify, denoise, a settings
  change) take the next free slot ahead of every live job (``ui.friendly`` uses it).
- **Abandoned streams**: a stream nobody reads any more (its browser tab closed) no longer
  counts after ``Pacing.abandoned_seconds``, and does no work, since work happens only when
  the consumer asks for the next frame.

The runtime knows no Gradio: frames are whatever the generator yields, and notices are made
by a ``notice(text)`` callback the caller passes (``playground.live_ui`` is the Gradio glue).
There is one runtime per process (``default_runtime()``, the app's); tests make their own.
"""

from __future__ import annotations

import collections
import contextlib
import heapq
import math
import os
import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, TypeVar

from playground.device import usable_cores
from playground.errors import Busy

Frame = TypeVar("Frame")
__all__ = ["Busy", "Job", "Pacing", "Runtime"]


@dataclass(frozen=True)
class Pacing:
    """How fast frames come and how long a run may last (the one place for these numbers)."""

    frame_seconds: float = 0.08  # a job alone: one chunk of work + drawing every ~0.08 s (+ sending: ~11 frames/s)
    min_work_seconds: float = 0.002  # never less than this per chunk (the job still does ≥ 1 step)
    crowded_jobs_per_slot: int = 3  # more jobs than this per slot: secondary pictures every few frames
    # A job waiting longer than this for its turn is told its place (each wait drawn around it: see
    # Runtime.run). Once a second: each notice costs the server a few ms of its GIL, and a class of 30 told
    # twice a second spent a quarter of its time on them.
    notice_seconds: float = 1.0
    first_notice_seconds: float = 0.05  # ... before its first frame: this soon (a visitor who just pressed Play)
    line_notice_seconds: float = 1.0  # a job in the waiting line hears its place at once, then this often
    max_run_seconds: float = 600.0  # a run ends itself after 10 minutes (press Play to go on)
    abandoned_seconds: float = 30.0  # a stream not read for this long no longer counts as running
    away_seconds: float = 2.0  # a first turn away showing a notice keeps later turns behind it this long at most


def process_rss_mb() -> float:
    """This process's resident memory now, in MB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _total_ram_mb() -> float:
    """This process's share of the machine's memory in MB (8 GB where the OS does not say): all of it, or
    PLAYGROUND_MEMORY_SHARE of it (e.g. 0.5 for each of two replicas on one machine: playground.deploy)."""
    share = float(os.environ.get("PLAYGROUND_MEMORY_SHARE", "1"))
    try:
        return share * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (ValueError, OSError, AttributeError):
        return share * 8192.0


def default_rss_limit_mb() -> float:
    """No new run starts above this RSS: PLAYGROUND_RSS_LIMIT_MB, else 80 % of the machine's RAM."""
    override = os.environ.get("PLAYGROUND_RSS_LIMIT_MB")
    return float(override) if override else 0.8 * _total_ram_mb()


def default_memory_budget_mb() -> float:
    """Memory the live runs may reserve together: PLAYGROUND_LIVE_MEMORY_MB, else 60 % of the machine's
    RAM less 1.5 GB for the app itself (its models, Gradio, one-shot requests): 8.1 GB of a 16 GB Space."""
    override = os.environ.get("PLAYGROUND_LIVE_MEMORY_MB")
    return float(override) if override else max(512.0, 0.6 * _total_ram_mb() - 1536.0)


@dataclass(eq=False)
class Job:
    """One visitor's running live stream in one tab."""

    runtime: "Runtime"
    owner: str  # who runs it (a Gradio session); jobs never see each other's state
    tab: str  # which live panel (one running job per owner and tab)
    heavy: bool = False
    memory_mb: float = 10.0  # what this job reserves against the runtime's memory budget
    min_frame_seconds: float = 0.0  # at most one frame per this many seconds (0: as fast as its share allows)
    frame_seconds: float = 0.0  # its frame period alone (0: Pacing.frame_seconds); a light panel asks for less
    notice_seconds: float = 0.0  # after its first frame, a wait for a turn this long is told (0: Pacing.notice_seconds)
    started: float = 0.0
    frames: int = 0  # chunks done (each ends with a frame)
    work_seconds_total: float = 0.0  # time spent inside its slots
    reason: str | None = None  # why it stops, once asked to
    last_read: float = 0.0  # when its consumer last asked for a frame
    queued: bool = False  # in the waiting line: admitted by Runtime.start, not yet running
    progress: float | None = None  # how much of the run is done (0–1), where the stream says
    first_frames: str = ""  # what the run's first frames show, where that is not training yet (said while it waits)
    _overhead: float = 0.0  # running estimate: seconds of each chunk that are not training (drawing)
    _granted: float = 0.0  # the work seconds handed out for the current chunk
    _waiting: bool = False  # its thread is waiting for a slot now (not away yielding a notice)
    _chunk_began: float = 0.0  # when its current chunk took its slot
    _away_since: float | None = None  # when it last left its wait for a slot to show a notice (None: not away)
    _event: threading.Event = field(default_factory=threading.Event)

    # ---------------------------------------------------------- stopping

    def stop(self, reason: str = "stopped") -> None:
        """Ask the run to end at the next chunk boundary; its last frame says ``reason``."""
        if self.reason is None:
            self.reason = reason
        self._event.set()
        self.runtime._wake()

    @property
    def stopping(self) -> bool:
        return self._event.is_set()

    @property
    def stop_event(self) -> threading.Event:
        """Set when the run should end: long chunks (e.g. one Gatys step) may poll it inside."""
        return self._event

    def report_progress(self, done: float, total: float) -> None:
        """The stream says how far its run is (e.g. epochs done of epochs asked): the waiting line's
        estimates use it to tell when this run will end."""
        if total > 0 and math.isfinite(done):
            self.progress = min(1.0, max(0.0, done / total))

    # ---------------------------------------------------------- pacing (asked inside a chunk)

    def share(self) -> float:
        """This job's share of one slot right now: 1 alone, slots / jobs when crowded."""
        return min(1.0, self.runtime.slots / max(1, self.runtime.running()))

    def work_seconds(self) -> float:
        """How long this chunk should train: the frame period times this job's share, less
        what the job's drawing took on earlier frames (measured, so frames stay on time)."""
        self._granted = max(self.runtime.pacing.min_work_seconds, self.period() * self.share() - self._overhead)
        return self._granted

    def period(self) -> float:
        """Its frame period alone: its own (a panel whose frames cost little asks for more of them), else the pacing's."""
        return self.frame_seconds or self.runtime.pacing.frame_seconds

    def due(self) -> bool:
        """Inside a chunk: whether it has worked this job's share of the frame period. A loop
        with many small updates yields a frame when it is due and skips the updates between."""
        return self.runtime.clock() - self._chunk_began >= self.period() * self.share()

    def scaled(self, steps: int) -> int:
        """``steps`` of work per frame scaled by this job's share (at least 1)."""
        return max(1, math.floor(steps * self.share()))

    def full_frame(self) -> bool:
        """Whether this frame should redraw everything (True) or only the main picture."""
        crowd = self.runtime.running() / (self.runtime.slots * self.runtime.pacing.crowded_jobs_per_slot)
        if crowd <= 1:
            return True
        return self.frames % math.ceil(crowd) == 0

    def _chunk_done(self, seconds: float) -> None:
        self.frames += 1
        self.work_seconds_total += seconds
        if self._granted:
            self._overhead = 0.7 * self._overhead + 0.3 * max(0.0, seconds - self._granted)
            self._granted = 0.0


class Runtime:
    """Admission, time slices and Stop for live jobs (see the module docstring)."""

    def __init__(
        self,
        slots: int | None = None,
        heavy_slots: int = 1,
        max_jobs: int = 128,
        max_line: int = 200,
        memory_budget_mb: float | None = None,
        visitor_memory_mb: float = 1024.0,
        rss_limit_mb: float | None = None,
        pacing: Pacing = Pacing(),
        clock: Callable[[], float] = time.monotonic,
        rss_mb: Callable[[], float] = process_rss_mb,
        chunk_prior: Callable[[str, bool], float | None] | None = None,
    ):
        self.slots = slots or max(1, min(usable_cores(), 8))  # the cores this process may use
        self.heavy_slots = max(1, min(heavy_slots, self.slots))
        self.max_jobs = max_jobs
        self.max_line = max_line
        self.memory_budget_mb = memory_budget_mb if memory_budget_mb is not None else default_memory_budget_mb()
        self.visitor_memory_mb = visitor_memory_mb
        self.rss_limit_mb = rss_limit_mb if rss_limit_mb is not None else default_rss_limit_mb()
        self.pacing = pacing
        self.clock = clock
        self.rss_mb = rss_mb  # how much memory the process holds now (a reader, so tests can fake it)
        self._cond = threading.Condition()
        self._jobs: dict[tuple[str, str], Job] = {}
        self._line: collections.deque[Job] = collections.deque()  # jobs waiting for a slot, in order
        self._admission: collections.deque[Job] = collections.deque()  # the waiting line: queued jobs, in arrival order
        self._durations: dict[str, float] = {}  # per tab: running mean of how long its runs lasted (s)
        self._in_slot: set[Job] = set()
        # Seconds the latest chunks spent in their slot, by (tab, first chunk): a run's first chunk also builds
        # its model and loads its data. The estimates use their mean, leaving out stalled ones (``_typical``).
        self._chunk_seconds: dict[tuple[str, bool], collections.deque[float]] = {}
        # The (tab, first chunk) kinds this process has run once: its very first chunk of a kind also imported
        # modules and loaded data that every later one finds ready (a fresh app's first DCGAN turn: 0.75–0.9 s
        # beside 0.1–0.25 s), so it is not timed for the estimates.
        self._warmed: set[tuple[str, bool]] = set()
        # Between chunks a slot may stand idle while the next in line comes back from showing its notice (its
        # page's round trip): the latest such hand-overs by heaviness, seconds from a slot freed to it taken.
        self._handovers: dict[bool, collections.deque[float]] = {False: collections.deque(maxlen=15),
                                                                  True: collections.deque(maxlen=15)}
        self._freed_at: dict[bool, float] = {}  # when a slot of that kind was last freed with someone in line
        # The same from the app's measured table (playground.live_timing), for a tab this process has not timed
        # yet; None: no estimate until it has.
        self.chunk_prior = chunk_prior or (lambda tab, first: None)
        self._timing_log = os.environ.get("PLAYGROUND_LIVE_TIMING_LOG")  # where live_timing's measuring run reads chunks
        self._local = threading.local()  # per thread: whether it holds a one-shot's slot
        self._spread = random.Random()  # draws each wait's patience around the notice period

    # ---------------------------------------------------------- admission

    def start(self, owner: str, tab: str, *, heavy: bool = False, memory_mb: float = 10.0,
              min_frame_seconds: float = 0.0, frame_seconds: float = 0.0, notice_seconds: float = 0.0) -> Job:
        """A new job for this owner and tab, replacing their previous one: running at once when there is
        room, else in the waiting line (``Job.queued``); raises ``Busy`` when it can do neither.

        ``min_frame_seconds`` slows a stream that should be watched step by step (the
        perceptron rule): its frames come at most that often, and it waits outside any slot.
        ``frame_seconds`` is its frame period alone (0: the pacing's), for a stream whose frames
        are cheap (numbers the page draws) and can come faster. ``notice_seconds``: how long it may
        wait for a turn after its first frame before it is told its place (0: the pacing's), for a
        stream whose page keeps moving between frames (each notice is a message: it costs a crowd).
        """
        with self._cond:
            self._forget_abandoned()
            previous = self._jobs.pop((owner, tab), None)
            if previous is not None:
                previous.stop("replaced by a new run")
                self._leave_line(previous)
            own = sum(job.memory_mb for job in self._jobs.values() if job.owner == owner)
            if own + memory_mb > self.visitor_memory_mb:
                raise Busy(
                    f"your other trainings already use {own:.0f} MB of your {self.visitor_memory_mb:.0f} MB; "
                    "stop one of them (in its tab) and press again"
                )
            now = self.clock()
            job = Job(self, owner, tab, heavy=heavy, memory_mb=memory_mb, started=now, last_read=now,
                      min_frame_seconds=min_frame_seconds, frame_seconds=frame_seconds,
                      notice_seconds=notice_seconds)
            if not self._admission and self._fits(job):
                pass  # room now: it runs
            elif self._at_memory_limit(job):
                raise Busy(self._memory_limit_message())
            elif len(self._admission) >= self.max_line:
                raise Busy(self._line_full_message(job))
            else:
                job.queued = True
                self._admission.append(job)
            self._jobs[(owner, tab)] = job
            return job

    def _running_jobs(self) -> list[Job]:
        return [job for job in self._jobs.values() if not job.queued]

    def _fits(self, job: Job) -> bool:
        """Whether ``job`` may run now beside the running ones (count, reservations, resident memory)."""
        running = self._running_jobs()
        reserved = sum(other.memory_mb for other in running)
        return (len(running) < self.max_jobs and reserved + job.memory_mb <= self.memory_budget_mb
                and not self._at_memory_limit(job))

    def _at_memory_limit(self, job: Job) -> bool:
        """The process's resident memory would pass its limit with this job (while others run: alone,
        a job always runs, since waiting would free nothing)."""
        return bool(self._running_jobs()) and self.rss_mb() + job.memory_mb > self.rss_limit_mb

    def _admit_waiting(self) -> None:
        """Start the jobs at the head of the waiting line while they fit, in arrival order (caller holds the lock)."""
        while self._admission and self._fits(self._admission[0]):
            job = self._admission.popleft()
            job.queued = False
            job.started = self.clock()  # its time limit counts from here
        self._cond.notify_all()

    def _leave_line(self, job: Job) -> None:
        if job in self._admission:
            self._admission.remove(job)
            self._admit_waiting()

    def _memory_limit_message(self) -> str:
        wait = self._seconds_until_a_run_ends()
        when = f"the next run should end in about {_duration(wait)}" if wait is not None else "runs are ending"
        return (f"the server is at its memory limit ({self.rss_mb():.0f} of {self.rss_limit_mb:.0f} MB) with "
                f"{len(self._running_jobs())} people training; {when}: please press again then")

    def _line_full_message(self, job: Job) -> str:
        wait = self._line_wait(len(self._admission) + 1, job.tab)
        when = f"your turn would come in about {_duration(wait)}" if wait is not None else "runs are ending"
        return (f"the line for live training is full: {len(self._admission)} people are waiting and "
                f"{len(self._running_jobs())} are training; {when}: please press again then")

    def _forget_abandoned(self) -> None:
        """Drop jobs whose stream nobody has read for a while (a closed tab): they do no work."""
        limit = self.clock() - self.pacing.abandoned_seconds
        for key, job in list(self._jobs.items()):
            if job.last_read < limit and job not in self._in_slot:
                job.stop("abandoned")
                del self._jobs[key]
                if job.queued:
                    self._admission.remove(job)
        self._admit_waiting()

    def _finish(self, job: Job) -> None:
        with self._cond:
            if self._jobs.get((job.owner, job.tab)) is job:
                del self._jobs[(job.owner, job.tab)]
            if job in self._line:
                self._line.remove(job)
            self._in_slot.discard(job)
            if job.queued:
                self._admission.remove(job)
            elif job.frames:  # a run that ran: how long runs of this tab last, for the line's estimates
                lasted = self.clock() - job.started
                known = self._durations.get(job.tab)
                self._durations[job.tab] = lasted if known is None else 0.7 * known + 0.3 * lasted
            self._admit_waiting()

    def running(self) -> int:
        """How many jobs run now (training, or waiting for their turn on the CPU; not the waiting line)."""
        with self._cond:
            return len(self._jobs) - len(self._admission)

    def waiting(self) -> int:
        """How many jobs are in the waiting line."""
        with self._cond:
            return len(self._admission)

    def job(self, owner: str, tab: str) -> Job | None:
        with self._cond:
            return self._jobs.get((owner, tab))

    def stop(self, owner: str, tab: str | None = None, reason: str = "stopped") -> int:
        """Stop this owner's job in ``tab`` (every tab when None); returns how many were asked."""
        with self._cond:
            jobs = [job for (who, where), job in self._jobs.items() if who == owner and tab in (None, where)]
        for job in jobs:
            job.stop(reason)
        return len(jobs)

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    # ---------------------------------------------------------- time slices

    def _may_take_slot(self, job: Job) -> bool:
        """The first job in line that the slot limits allow (heavy jobs skip ahead of nobody).

        A job away showing a notice keeps its place but blocks nobody, with one exception: a first turn away
        for a moment (its notice on the way to its visitor) keeps every job of its kind behind it waiting, so
        a class that pressed at once is served in the order it arrived, as the estimates it hears assume."""
        if len(self._in_slot) >= self.slots:
            return False
        heavy_busy = sum(1 for other in self._in_slot if other.heavy) >= self.heavy_slots
        now = self.clock()
        held = {False: False, True: False}  # by heaviness: a first turn of that kind ahead is away for a moment
        for waiting in self._line:
            if waiting.stopping:
                continue
            if not waiting._waiting:
                if (not waiting.frames and waiting._away_since is not None
                        and now - waiting._away_since < self.pacing.away_seconds):
                    held[waiting.heavy] = True
                continue  # away showing a notice
            if waiting.heavy and heavy_busy:
                continue  # a heavy job must wait for a heavy slot; light jobs behind it go first
            if held[waiting.heavy]:
                continue  # a first turn ahead of it is away for a moment: its turn is kept
            return waiting is job
        return False

    def _take_turn(self, job: Job, timeout: float) -> bool:
        """Wait up to ``timeout`` s for a slot, keeping the place in line; True once in a slot."""
        deadline = self.clock() + timeout
        with self._cond:
            if job not in self._line:
                self._enter_line(job)
            job._waiting, job._away_since = True, None
            try:
                while not self._may_take_slot(job):
                    left = deadline - self.clock()
                    if job.stopping:
                        self._line.remove(job)
                        return False
                    if left <= 0:
                        job._away_since = self.clock()  # off to show a notice; back in a moment
                        return False
                    self._cond.wait(min(left, 0.25))
            finally:
                job._waiting = False
            self._line.remove(job)
            self._in_slot.add(job)
            freed = self._freed_at.pop(job.heavy, None)
            if freed is not None and job.owner:
                self._handovers[job.heavy].append(self.clock() - freed)
            return True

    def _enter_line(self, job: Job) -> None:
        """Back of the line, except a job's first turn: it goes behind the other first turns only
        (so a visitor who just pressed Play sees a frame after one chunk, not after a round)."""
        if job.frames:
            self._line.append(job)
            return
        position = 0
        for waiting in self._line:
            if waiting.frames:
                break
            position += 1
        self._line.insert(position, job)

    def _leave_slot(self, job: Job, seconds: float) -> None:
        with self._cond:
            self._in_slot.discard(job)
            kind = (job.tab, job.frames == 0)
            if kind in self._warmed:
                self._chunk_seconds.setdefault(kind, collections.deque(maxlen=7)).append(seconds)
            self._warmed.add(kind)
            if any(other.heavy == job.heavy and other.owner for other in self._line):
                self._freed_at[job.heavy] = self.clock()  # someone of its kind waits: time the hand-over
            else:
                self._freed_at.pop(job.heavy, None)
            self._cond.notify_all()
        if self._timing_log and job.owner:
            with open(self._timing_log, "a") as log:  # one line a chunk: tab, first (0/1), seconds in its slot
                log.write(f"{job.tab} {int(job.frames == 0)} {seconds:.6f}\n")

    def chunk_seconds(self, tab: str, first: bool) -> float | None:
        """How long a chunk of ``tab`` takes in its slot (``first``: a run's first): the mean of the latest
        ones timed in this process once there are two (``_typical``; the process's very first is not timed).
        Before that, the measured table's figure, but only for a visitor alone on the tab: where a class trains it, the machine is timing it right now, and the table,
        measured at another moment of a shared machine, may be off by half (None until the class's own)."""
        timed = self._chunk_seconds.get((tab, first), ())
        if len(timed) >= 2:
            return _typical(timed)
        if sum(1 for job in self._jobs.values() if job.tab == tab) > 1:
            return None
        return timed[0] if timed else self.chunk_prior(tab, first)

    def place(self, job: Job) -> tuple[int, int, float | None]:
        """(place in line from 1, jobs in line, estimated seconds until its next frame, None until chunks of
        the tabs involved were measured). The slots it may use (a heavy job: the heavy slots) first finish the
        chunks in them now, then take the chunks of the jobs ahead that go first (a first turn: only the first
        turns ahead) one by one as each slot frees, then its own; each turn also costs a hand-over (the mean of
        the latest ones: a few slow ones among many quick ones add up over a line)."""
        with self._cond:
            now = self.clock()
            line = list(self._line)
            place = line.index(job) + 1 if job in line else 0
            ahead = [other for other in line[: max(0, place - 1)]
                     if (other.heavy or not job.heavy) and (other.frames == 0 or job.frames > 0)
                     and not other.stopping]
            in_slot = [other for other in self._in_slot if (other.heavy or not job.heavy) and other.owner]  # no one-shots
            chunks = [self.chunk_seconds(other.tab, other.frames == 0) for other in ahead]
            busy = [self.chunk_seconds(other.tab, other.frames == 0) for other in in_slot]
            own = self.chunk_seconds(job.tab, job.frames == 0)
            if own is None or None in chunks or None in busy:
                return place, len(line), None
            slots = self.heavy_slots if job.heavy else self.slots
            # Seconds until each slot it may use is free: the chunks in them now finish, the rest are free.
            free = [max(0.0, seconds - (now - other._chunk_began)) for seconds, other in zip(busy, in_slot)]
            free = sorted(free)[:slots] + [0.0] * max(0, slots - len(free))  # sorted: already a heap
            handovers = self._handovers[job.heavy]
            handover = statistics.fmean(handovers) if handovers else 0.0
            for seconds in chunks:  # each job ahead takes the slot that frees first
                heapq.heapreplace(free, free[0] + handover + seconds)
            return place, len(line), free[0] + handover + own

    def waiting_notice(self, job: Job) -> str:
        """Its place and the estimate: the seconds until its next frame (before its first: until that one, and
        what it will show when that is not training yet)."""
        place, waiting, seconds = self.place(job)
        running = self.running()
        people = "person is" if running == 1 else "people are"
        frame = "your next frame" if job.frames else "your first frame"
        estimate = f"about {seconds:.1f} s to {frame}" if seconds is not None else "estimating the wait"
        shows = f" {job.first_frames}" if job.first_frames and not job.frames else ""
        return (f"Waiting for a turn on the CPU: place {place} of {waiting} in line, {estimate} "
                f"({running} {people} training; everyone gets a turn).{shows}")

    # ---------------------------------------------------------- the waiting line's estimates

    def _seconds_left(self, job: Job, now: float) -> float | None:
        """How long a running job should still run: from its progress when it reports one, else from
        how long this tab's runs lasted; None when neither is known yet."""
        elapsed = now - job.started
        if job.progress:
            return elapsed * (1 - job.progress) / job.progress
        lasted = self._durations.get(job.tab)
        if lasted is None:
            return None
        return max(lasted - elapsed, 0.1 * lasted)  # overdue: it should end soon, not never

    def _run_seconds(self, tab: str, now: float) -> float | None:
        """How long a new run of ``tab`` should last: as its runs lasted, else as its running ones go."""
        if tab in self._durations:
            return self._durations[tab]
        whole = [(now - job.started) / job.progress for job in self._running_jobs() if job.tab == tab and job.progress]
        return statistics.median(whole) if whole else None

    def _line_wait(self, place: int, tab: str) -> float | None:
        """Seconds until the job at ``place`` (from 1) in the waiting line starts: each run that ends lets
        the next in line start (the runs end when their progress or their tab's past runs say)."""
        now = self.clock()
        ends = [self._seconds_left(job, now) for job in self._running_jobs()]
        if not ends or any(end is None for end in ends):
            return None
        heapq.heapify(ends)
        ahead = list(self._admission)[: place - 1]
        for job in ahead:
            starts = heapq.heappop(ends)
            lasts = self._run_seconds(job.tab, now)
            if lasts is None:
                return None
            heapq.heappush(ends, starts + lasts)
        return heapq.heappop(ends)

    def _seconds_until_a_run_ends(self) -> float | None:
        now = self.clock()
        ends = [self._seconds_left(job, now) for job in self._running_jobs()]
        return min(ends) if ends and None not in ends else None

    def line_notice(self, job: Job) -> str:
        """What a job in the waiting line is told: its place, how many train, and an estimate."""
        with self._cond:
            place = list(self._admission).index(job) + 1 if job in self._admission else 0
            waiting, running = len(self._admission), len(self._running_jobs())
            wait = self._line_wait(place, job.tab) if place else None
        estimate = (f"about {_duration(wait)}" if wait is not None
                    else "an estimate comes once the first runs have gone a little way")
        return (f"**In line:** place {place} of {waiting}; your run starts when a place frees up, {estimate} "
                f"({running} people are training now; Stop leaves the line).")

    @contextlib.contextmanager
    def priority(self):
        """A one-shot request (classify, denoise, a settings change) takes the next free slot
        ahead of every live job: a visitor's click waits at most one chunk, however many train."""
        if getattr(self._local, "in_priority", False):
            yield  # already holding a slot on this thread (a handler calling another)
            return
        ticket = Job(self, owner="", tab="one-shot")
        with self._cond:
            self._line.appendleft(ticket)
            ticket._waiting = True
            try:
                while not self._may_take_slot(ticket):
                    self._cond.wait(0.25)
            finally:
                ticket._waiting = False
                self._line.remove(ticket)
            self._in_slot.add(ticket)
        self._local.in_priority = True
        try:
            yield
        finally:
            self._local.in_priority = False
            with self._cond:
                self._in_slot.discard(ticket)
                self._cond.notify_all()

    # ---------------------------------------------------------- driving a stream

    def run(self, job: Job, frames: Iterator[Frame], notice: Callable[[str], Frame]) -> Iterator[Frame]:
        """Drive ``frames`` one chunk per turn; yields its frames and the runtime's notices.

        The last frame always says why the run ended when it did not end by itself
        (Stop, replaced, time limit). Closing this generator (the visitor left) closes
        ``frames`` too.
        """
        pacing = self.pacing
        try:
            while job.queued and not job.stopping:  # in the waiting line: say where, now and every second
                job.last_read = self.clock()
                yield notice(self.line_notice(job))
                with self._cond:
                    self._cond.wait_for(lambda: not job.queued or job.stopping, pacing.line_notice_seconds)
            last_began = self.clock()
            told = False  # whether this run has told its visitor their place yet
            spread = False  # whether its notices were moved off the class's common beat yet
            while True:
                job.last_read = self.clock()
                if job.stopping:
                    break
                if job.last_read - job.started > pacing.max_run_seconds:
                    job.stop(f"paused itself after {pacing.max_run_seconds / 60:.0f} minutes; press play to go on")
                    break
                if job.min_frame_seconds and job.frames:
                    rest = job.min_frame_seconds - (self.clock() - last_began)
                    if rest > 0 and job.stop_event.wait(rest):
                        break
                # Before its first frame a visitor hears their place almost at once (not after a notice period).
                quick = not job.frames and not told
                patience = pacing.first_notice_seconds if quick else pacing.notice_seconds
                if job.frames and job.notice_seconds:
                    patience = job.notice_seconds  # its page has a frame, and keeps moving meanwhile
                if not quick:
                    # Spread out: a class that pressed at once would otherwise be told in bursts (29 notices at
                    # one moment each period). The chunk running through a burst ran ~60 % longer than the
                    # next, so the line's first few timings, all it has to estimate with, were a lottery. The
                    # wait after the quick notice is drawn across a whole period, so notices flow evenly from
                    # the start: the first chunks timed share the CPU with them as every later chunk does.
                    patience *= self._spread.uniform(0.25, 1.25) if not spread else self._spread.uniform(0.75, 1.25)
                    spread = True
                if not self._take_turn(job, patience):
                    if not job.stopping:
                        told = True
                        yield notice(self.waiting_notice(job))
                    continue
                began = last_began = job._chunk_began = self.clock()
                try:
                    frame = next(frames)
                except StopIteration:
                    if job.stopping:  # it ended early because it was asked to (e.g. a cut-short step)
                        yield notice(_ended(job.reason))
                    return
                finally:
                    seconds = self.clock() - began
                    self._leave_slot(job, seconds)
                    job._chunk_done(seconds)
                yield frame
            yield notice(_ended(job.reason))
        finally:
            frames.close()
            self._finish(job)

    def run_once(self, job: Job, work: Callable[[], Frame], notice: Callable[[str], Frame]) -> Iterator[Frame]:
        """One chunk of work as a stream of one frame (e.g. a single Step), in turn like the rest."""

        def one() -> Iterator[Frame]:
            yield work()

        return self.run(job, one(), notice)


# The most live jobs the app's runtime runs at once (PLAYGROUND_LIVE_JOBS) and the most that wait in
# its line (PLAYGROUND_LINE_SIZE); Gradio's own limit for live streams is their sum (playground.live_ui).
MAX_LIVE_JOBS = int(os.environ.get("PLAYGROUND_LIVE_JOBS", "128"))
LINE_SIZE = int(os.environ.get("PLAYGROUND_LINE_SIZE", "200"))
_DEFAULT: Runtime | None = None
_DEFAULT_LOCK = threading.Lock()


def default_runtime() -> Runtime:
    """This process's runtime (the app's; made on first use). Tests make their own ``Runtime``."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            from playground import live_timing

            _DEFAULT = Runtime(max_jobs=MAX_LIVE_JOBS, max_line=LINE_SIZE, chunk_prior=live_timing.chunk_seconds)
        return _DEFAULT


def _typical(seconds) -> float:
    """What a chunk typically takes, from the latest timings: their mean (a line's wait is a sum of chunks, and
    the slow ones among them count in full), leaving out stalled ones (more than three times the median)."""
    middle = statistics.median(seconds)
    return statistics.fmean(value for value in seconds if value <= 3 * middle)


def _duration(seconds: float) -> str:
    """A wait in words: "40 s", "3 min"."""
    return f"{max(1, round(seconds))} s" if seconds < 90 else f"{round(seconds / 60)} min"


def _ended(reason: str | None) -> str:
    return {
        "stopped": "**Stopped.**",
        "replaced by a new run": "**Stopped:** replaced by your new run.",
        None: "**Stopped.**",
    }.get(reason, f"**Stopped:** {reason}.")
