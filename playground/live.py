"""The live-training runtime: every live-training stream in the app runs through it.

Many visitors train at once on one small machine (a class of 30 on a 2-vCPU Space). A live
stream is a generator that does a bounded chunk of work (some epochs, a few optimizer steps)
and yields a frame. The runtime drives such generators and owns the policy that used to be
spread over the tabs:

- **Admission** (``Runtime.start``): one running job per visitor per tab (a second Play
  replaces the first, which ends with a frame saying so); a clear refusal, ``Busy``, when
  too many jobs run, when their memory reservations would pass the budget (in all, or for one
  visitor), or when the process's resident memory is near its limit.
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
import math
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, TypeVar

from playground.errors import Busy

Frame = TypeVar("Frame")
__all__ = ["Busy", "Job", "Pacing", "Runtime"]


@dataclass(frozen=True)
class Pacing:
    """How fast frames come and how long a run may last (the one place for these numbers)."""

    frame_seconds: float = 0.08  # a job alone: one chunk of work + drawing every ~0.08 s (+ sending: ~11 frames/s)
    min_work_seconds: float = 0.002  # never less than this per chunk (the job still does ≥ 1 step)
    crowded_jobs_per_slot: int = 3  # more jobs than this per slot: secondary pictures every few frames
    notice_seconds: float = 0.5  # a job waiting longer than this for its turn is told its place
    max_run_seconds: float = 600.0  # a run ends itself after 10 minutes (press Play to go on)
    abandoned_seconds: float = 30.0  # a stream not read for this long no longer counts as running


def process_rss_mb() -> float:
    """This process's resident memory now, in MB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _total_ram_mb() -> float:
    """This machine's memory in MB (8 GB where the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    except (ValueError, OSError, AttributeError):
        return 8192.0


def _default_rss_limit_mb() -> float:
    """Refuse new jobs above this RSS: PLAYGROUND_RSS_LIMIT_MB, else 4 GB or 70 % of RAM if less."""
    override = os.environ.get("PLAYGROUND_RSS_LIMIT_MB")
    return float(override) if override else min(4096.0, 0.7 * _total_ram_mb())


def _default_memory_budget_mb() -> float:
    """Memory the live jobs may reserve together: PLAYGROUND_LIVE_MEMORY_MB, else a third of RAM, ≤ 3 GB."""
    override = os.environ.get("PLAYGROUND_LIVE_MEMORY_MB")
    return float(override) if override else min(3072.0, _total_ram_mb() / 3)


@dataclass(eq=False)
class Job:
    """One visitor's running live stream in one tab."""

    runtime: "Runtime"
    owner: str  # who runs it (a Gradio session); jobs never see each other's state
    tab: str  # which live panel (one running job per owner and tab)
    heavy: bool = False
    memory_mb: float = 10.0  # what this job reserves against the runtime's memory budget
    min_frame_seconds: float = 0.0  # at most one frame per this many seconds (0: as fast as its share allows)
    started: float = 0.0
    frames: int = 0  # chunks done (each ends with a frame)
    work_seconds_total: float = 0.0  # time spent inside its slots
    reason: str | None = None  # why it stops, once asked to
    last_read: float = 0.0  # when its consumer last asked for a frame
    _overhead: float = 0.0  # running estimate: seconds of each chunk that are not training (drawing)
    _granted: float = 0.0  # the work seconds handed out for the current chunk
    _waiting: bool = False  # its thread is waiting for a slot now (not away yielding a notice)
    _chunk_began: float = 0.0  # when its current chunk took its slot
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

    # ---------------------------------------------------------- pacing (asked inside a chunk)

    def share(self) -> float:
        """This job's share of one slot right now: 1 alone, slots / jobs when crowded."""
        return min(1.0, self.runtime.slots / max(1, self.runtime.running()))

    def work_seconds(self) -> float:
        """How long this chunk should train: the frame period times this job's share, less
        what the job's drawing took on earlier frames (measured, so frames stay on time)."""
        pacing = self.runtime.pacing
        self._granted = max(pacing.min_work_seconds, pacing.frame_seconds * self.share() - self._overhead)
        return self._granted

    def due(self) -> bool:
        """Inside a chunk: whether it has worked this job's share of the frame period. A loop
        with many small updates yields a frame when it is due and skips the updates between."""
        budget = self.runtime.pacing.frame_seconds * self.share()
        return self.runtime.clock() - self._chunk_began >= budget

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
        max_jobs: int = 64,
        memory_budget_mb: float | None = None,
        visitor_memory_mb: float = 1024.0,
        rss_limit_mb: float | None = None,
        pacing: Pacing = Pacing(),
        clock: Callable[[], float] = time.monotonic,
        rss_mb: Callable[[], float] = process_rss_mb,
    ):
        self.slots = slots or max(1, min(os.cpu_count() or 1, 8))
        self.heavy_slots = max(1, min(heavy_slots, self.slots))
        self.max_jobs = max_jobs
        self.memory_budget_mb = memory_budget_mb if memory_budget_mb is not None else _default_memory_budget_mb()
        self.visitor_memory_mb = visitor_memory_mb
        self.rss_limit_mb = rss_limit_mb if rss_limit_mb is not None else _default_rss_limit_mb()
        self.pacing = pacing
        self.clock = clock
        self.rss_mb = rss_mb  # how much memory the process holds now (a reader, so tests can fake it)
        self._cond = threading.Condition()
        self._jobs: dict[tuple[str, str], Job] = {}
        self._line: collections.deque[Job] = collections.deque()  # jobs waiting for a slot, in order
        self._in_slot: set[Job] = set()
        self._chunk_estimate = 0.02  # seconds per chunk, running mean over all jobs (for estimates)
        self._local = threading.local()  # per thread: whether it holds a one-shot's slot

    # ---------------------------------------------------------- admission

    def start(self, owner: str, tab: str, *, heavy: bool = False, memory_mb: float = 10.0,
              min_frame_seconds: float = 0.0) -> Job:
        """Admit a new job, replacing this owner's running job in this tab; raises ``Busy``.

        ``min_frame_seconds`` slows a stream that should be watched step by step (the
        perceptron rule): its frames come at most that often, and it waits outside any slot.
        """
        with self._cond:
            self._forget_abandoned()
            previous = self._jobs.pop((owner, tab), None)
            if previous is not None:
                previous.stop("replaced by a new run")
            others = list(self._jobs.values())
            if len(others) >= self.max_jobs:
                raise self._busy(len(others))
            own = sum(job.memory_mb for job in others if job.owner == owner)
            if own + memory_mb > self.visitor_memory_mb:
                raise Busy(
                    f"your other trainings already use {own:.0f} MB of your {self.visitor_memory_mb:.0f} MB; "
                    "stop one of them (in its tab) and press again"
                )
            reserved = sum(job.memory_mb for job in others)
            if reserved + memory_mb > self.memory_budget_mb or self.rss_mb() + memory_mb > self.rss_limit_mb:
                raise self._busy(len(others))
            now = self.clock()
            job = Job(self, owner, tab, heavy=heavy, memory_mb=memory_mb, started=now, last_read=now,
                      min_frame_seconds=min_frame_seconds)
            self._jobs[(owner, tab)] = job
            return job

    @staticmethod
    def _busy(count: int) -> Busy:
        people = "person is" if count == 1 else "people are"
        return Busy(f"the server is busy: {count} {people} training; try again in a minute")

    def _forget_abandoned(self) -> None:
        """Drop jobs whose stream nobody has read for a while (a closed tab): they do no work."""
        limit = self.clock() - self.pacing.abandoned_seconds
        for key, job in list(self._jobs.items()):
            if job.last_read < limit and job not in self._in_slot:
                job.stop("abandoned")
                del self._jobs[key]

    def _finish(self, job: Job) -> None:
        with self._cond:
            if self._jobs.get((job.owner, job.tab)) is job:
                del self._jobs[(job.owner, job.tab)]
            if job in self._line:
                self._line.remove(job)
            self._in_slot.discard(job)
            self._cond.notify_all()

    def running(self) -> int:
        """How many jobs are admitted now (running or waiting for their turn)."""
        with self._cond:
            return len(self._jobs)

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
        """The first job in line that the slot limits allow (heavy jobs skip ahead of nobody)."""
        if len(self._in_slot) >= self.slots:
            return False
        heavy_busy = sum(1 for other in self._in_slot if other.heavy) >= self.heavy_slots
        for waiting in self._line:
            if not waiting._waiting or waiting.stopping:
                continue  # away showing a notice, or leaving: it keeps its place but blocks nobody
            if waiting.heavy and heavy_busy:
                continue  # a heavy job must wait for a heavy slot; light jobs behind it go first
            return waiting is job
        return False

    def _take_turn(self, job: Job, timeout: float) -> bool:
        """Wait up to ``timeout`` s for a slot, keeping the place in line; True once in a slot."""
        deadline = self.clock() + timeout
        with self._cond:
            if job not in self._line:
                self._enter_line(job)
            job._waiting = True
            try:
                while not self._may_take_slot(job):
                    left = deadline - self.clock()
                    if job.stopping:
                        self._line.remove(job)
                        return False
                    if left <= 0:
                        return False
                    self._cond.wait(min(left, 0.25))
            finally:
                job._waiting = False
            self._line.remove(job)
            self._in_slot.add(job)
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
            self._chunk_estimate = 0.9 * self._chunk_estimate + 0.1 * seconds
            self._cond.notify_all()

    def place(self, job: Job) -> tuple[int, int, float]:
        """(place in line from 1, jobs in line, estimated seconds until its turn)."""
        with self._cond:
            line = list(self._line)
            place = line.index(job) + 1 if job in line else 0
            wait = math.ceil(place / self.slots) * self._chunk_estimate
            return place, len(line), wait

    def waiting_notice(self, job: Job) -> str:
        place, waiting, seconds = self.place(job)
        running = self.running()
        people = "person is" if running == 1 else "people are"
        return (f"Waiting for a turn on the CPU: place {place} of {waiting} in line, about {seconds:.1f} s "
                f"({running} {people} training; everyone gets a turn).")

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
        last_began = self.clock()
        try:
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
                if not self._take_turn(job, pacing.notice_seconds):
                    if not job.stopping:
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


# The most live jobs the app's runtime admits (PLAYGROUND_LIVE_JOBS); Gradio's own limit for
# live streams is the same number (playground.live_ui).
MAX_LIVE_JOBS = int(os.environ.get("PLAYGROUND_LIVE_JOBS", "64"))
_DEFAULT: Runtime | None = None
_DEFAULT_LOCK = threading.Lock()


def default_runtime() -> Runtime:
    """This process's runtime (the app's; made on first use). Tests make their own ``Runtime``."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Runtime(max_jobs=MAX_LIVE_JOBS)
        return _DEFAULT


def _ended(reason: str | None) -> str:
    return {
        "stopped": "**Stopped.**",
        "replaced by a new run": "**Stopped:** replaced by your new run.",
        None: "**Stopped.**",
    }.get(reason, f"**Stopped:** {reason}.")
