"""A class at once: drive the app with many real ``gradio_client`` visitors on loopback.

    python -m playground.load --visitors 30 --seconds 30 [--scenario mlp|class|mixed | --panel NAME] [--url URL]
    python -m playground.load --visitors 30 --seconds 20 --panel mlp --against-unbatched

Without ``--url`` it starts the app (as ``python app.py`` would, 127.0.0.1, a free port), measures,
and stops it. Every visitor is its own Gradio session. In the ``mlp`` scenario each one
classifies a photo, presses Play in the live MLP playground, watches the stream for
``--seconds``, classifies again meanwhile (each visitor at another moment), then presses Pause.
The first classify comes from every visitor in the same instant (the worst case); once all are
answered, every visitor presses Play in the same instant. The table reports the two kinds apart.
In ``mixed`` the visitors are spread over every live panel (see ``playground.load_tasks``) and also
sample a GAN and denoise. In ``class`` each visitor also denoises and samples a GAN while the MLP
trains, and trains the CNN lab once (one epoch) after it. With ``--panel NAME`` every visitor presses
Play on that one live panel at the same instant (``NAME`` as the runtime knows it: cnn_lab, gatys,
transfer, live_dcgan, gpt_live, …).

It prints one row per visitor (time to the first reply of any kind, time to the first training
frame, how long they waited in the runtime's line and what the line's first notice estimated,
frames per second, how long Stop took to end the run, errors) and a summary: one-shot latency p50/p95 per kind, errors,
and the server's peak RSS (when it started the server, or with ``--server-pid``).
``--against-unbatched`` runs the MLP class twice in one command, on an app that trains the class in one
batched step and on one that trains each visitor alone (``PLAYGROUND_BATCH_MLP=0``), and prints the ratio of
the class's epochs per second (summed over the visitors).
Everything is bounded: N visitors, S seconds each, a hard deadline; it never leaves loopback.

Through the balancer of ``python -m playground.deploy --state FILE``: ``--url`` its address and
``--deploy-state FILE``. Each row then says which replica the visitor's cookie ties them to, the errors
are counted by kind (lost session: "Session not found" / "Event not found"; connection: refused, reset,
closed mid-stream; refused; other) and per replica, and each replica's peak memory is printed.
``--kill-replica A --kill-at 10`` kills replica A with SIGKILL 10 s into the run and sends newcomers
(open the page, classify a photo) 0.2–5 s after the kill.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import math
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from playground.serving import free_port, start_app, stop, wait_for_http

ROOM_PANELS = ("mlp", "cnn_lab", "gpt_live")  # the live panels with rooms
# A browser waits for the server's answer; gradio_client's HTTP calls give up after httpx's default 5 s,
# which under a class's burst counted slow answers as errors. The visitors wait up to this long.
CLIENT_TIMEOUT_SECONDS = 60.0


def visitor_client(url: str):
    """One simulated visitor's connection (its own Gradio session).

    gradio_client opens a new ``httpx`` client for every call and every event stream, and with
    certificate checks on, each one loads the CA bundle first: ~29 ms of the load command's CPU per
    call on this machine, ~1.7 s for a class of 30 pressing Play, all before their requests leave.
    A browser builds its TLS state once per connection, and plain ``http://`` has no certificate
    to check, so there the checks are off."""
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=False, ssl_verify=not url.startswith("http://"),
                    httpx_kwargs={"timeout": CLIENT_TIMEOUT_SECONDS})
    open_page(client)
    return client


def open_page(client) -> None:
    """What a browser's page does as it opens, before its visitor can press anything: its load events
    run, and the first of them starts the visitor's Gradio session. Starting a session costs the
    server 50–140 ms (Gradio builds the session's copy of every component's config), which a page
    pays on opening; without this a visitor's first Play would pay it too, and 30 first Plays at
    once would queue behind each other's sessions."""
    client.predict(api_name=f"/{PAGE_LOAD_EVENT}")


PAGE_LOAD_EVENT = "from_link"  # the first of the page's load events (a room link's check: cheap)


@dataclass
class Visitor:
    """What one simulated visitor saw."""

    index: int
    panel: str = ""
    replica: str = ""  # behind the balancer (playground.deploy): the replica its cookie names
    first_reply: float | None = None  # seconds from pressing Play to the first output of any kind (frame or notice)
    first_output: float | None = None  # seconds from pressing Play to the stream's first frame of any kind (no notice)
    first_frame: float | None = None  # seconds from pressing Play to the first training frame
    line_notices: int = 0  # "In line" notices (the runtime's waiting line)
    line_wait: float | None = None  # seconds from pressing Play until it left the line (its run started)
    estimate: float | None = None  # the first wait a notice estimated before the first frame (line's or CPU turn's), s
    estimate_at: float | None = None  # when that notice came, s after pressing Play
    epochs: list[tuple[float, int]] = field(default_factory=list)  # (s after pressing Play, epoch) the frames said
    refused: bool = False  # the runtime said no (line full, memory limit)
    last_state: list = field(default_factory=list)  # the last training state shown (states_in: only new ones count)
    frames: int = 0  # training frames (not notices)
    states: int = 0  # training states those frames carry, after the first frame (the MLP sends several a frame)
    notices: int = 0  # waiting / stopped notices
    watched: float = 0.0  # seconds from the first training frame to pressing Stop
    stop_seconds: float | None = None  # from pressing Stop until the stream ended
    stopped_frame: bool = False  # its last frame said it stopped
    errors: list[str] = field(default_factory=list)
    one_shots: list[tuple[str, float]] = field(default_factory=list)  # (kind, seconds)

    @property
    def waited(self) -> float | None:
        """Seconds from the first estimate shown to the stream's first frame: what the estimate foretells
        ("your first frame"), which on some panels is progress before training (transfer: its features)."""
        if self.estimate is None or self.first_output is None:
            return None
        return self.first_output - self.estimate_at

    @property
    def epochs_per_second(self) -> float | None:
        """Epochs trained per second between the first and the last frame that said its epoch."""
        if len(self.epochs) < 2 or self.epochs[-1][0] <= self.epochs[0][0]:
            return None
        return (self.epochs[-1][1] - self.epochs[0][1]) / (self.epochs[-1][0] - self.epochs[0][0])

    @property
    def fps(self) -> float:
        return self.frames / self.watched if self.watched > 0 else 0.0

    @property
    def states_per_second(self) -> float:
        """Training states the page draws per second (a frame may carry several: the MLP's film)."""
        return self.states / self.watched if self.watched > 0 else 0.0


# What an error says, by kind. Behind a balancer that lost stickiness, Gradio answers "Session not found" or
# "Event not found in queue"; a replica that died breaks the connection (refused, reset, closed mid-stream).
# gradio_client ends a job whose stream was cut with CancelledError (the visitors here never cancel one).
ERROR_KINDS = (
    ("lost session", ("session not found", "event not found", "session_not_found")),
    ("connection", ("cancellederror", "connection refused", "connecterror", "connection reset", "reset by peer",
                    "remoteprotocolerror",
                    "peer closed", "server disconnected", "readerror", "connection errored out", "broken",
                    "could not connect", "503", "502")),
    ("refused", ("line for live training is full", "memory limit", "busy", "queue is full")),
    ("no frame", ("no training frame",)),
    ("timeout", ("readtimeout", "timed out", "timeouterror")),  # the client gave up waiting (an overloaded host)
)


def error_kind(message: str) -> str:
    """"lost session", "connection", "refused", "no frame", "timeout" or "other" for one error's text."""
    text = message.lower()
    for kind, marks in ERROR_KINDS:
        if any(mark in text for mark in marks):
            return kind
    return "other"


def described(error: BaseException) -> str:
    """An error's kind and its first words (some connection errors have no message of their own)."""
    return f"{type(error).__name__}: {' '.join(str(error).split())[:160]}"  # one line: it goes in a table row


def replica_of(client) -> str:
    """The replica the balancer's cookie ties ``client`` to ("" without a balancer)."""
    return (getattr(client, "cookies", None) or {}).get("PLAYGROUND_REPLICA", "")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


@contextlib.contextmanager
def served(url: str | None, server_pid: int | None):
    """(url, server pid) of the app to drive: ``url`` as given, else one started here and stopped after."""
    process = None
    if url is None:
        process, url = start_server()
        server_pid = process.pid
    else:
        wait_until_served(url)
    print(f"app: {url} (server pid {server_pid})", flush=True)
    try:
        yield url, server_pid
    finally:
        if process is not None:
            stop(process)


def wait_until_served(url: str, timeout: float = 240) -> None:
    """Wait for a running app (or a balancer whose replicas are still starting: 503) to serve its page."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def start_server() -> tuple[subprocess.Popen, str]:
    """The app as ``python app.py`` runs it (``serving.start_app``), on loopback and a free port."""
    port = free_port()
    log = open(os.environ.get("PLAYGROUND_LOAD_SERVER_LOG", os.devnull), "w")
    process = start_app(port, log=log)
    url = f"http://127.0.0.1:{port}/"
    wait_for_http(url, process, timeout=180)
    return process, url


def status_mb(pid: int, key: str = "VmRSS") -> float:
    """A memory figure of process ``pid`` from /proc/PID/status (VmRSS, VmHWM, …), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class MemoryWatch:
    """Polls a process's resident memory (VmRSS, and the kernel's high-water mark VmHWM) and
    reads its CPU time at the start and the end."""

    def __init__(self, pid: int | None):
        self.pid, self.peak_mb, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self.cpu_seconds = 0.0  # the process's user + system CPU time while watched

    def _cpu(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _poll(self):
        while not self._stop.wait(0.2):
            try:
                self.peak_mb = max(self.peak_mb, status_mb(self.pid, "VmRSS"), status_mb(self.pid, "VmHWM"))
            except OSError:
                return

    def __enter__(self):
        if self.pid:
            self._cpu_start = self._cpu()
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self.pid:
            try:
                self.cpu_seconds = self._cpu() - self._cpu_start
            except OSError:
                pass


LINE_MARK = "In line:"


def estimated_seconds(text: str) -> float | None:
    """The wait a notice estimates ("about 40 s", "about 3 min"); None when it gives none."""
    match = re.search(r"about (\d+(?:\.\d+)?) (s|min)\b", text)
    if match is None:
        return None
    return float(match.group(1)) * (60 if match.group(2) == "min" else 1)


def timed(visitor: Visitor, kind: str, call) -> None:
    began = time.perf_counter()
    try:
        call()
        visitor.one_shots.append((kind, time.perf_counter() - began))
    except Exception as error:  # noqa: BLE001 - every failure is counted and shown
        visitor.errors.append(f"{kind}: {described(error)}")


def run_visitor(visitor: Visitor, client, task, args: list, seconds: float, start: threading.Barrier,
                deadline: float, play: threading.Barrier) -> None:
    """Press Play with ``args``, watch the stream for ``seconds`` (doing the task's one-shot calls), press Stop.
    ``start``: every visitor begins together (the one-shots "all at once"); ``play``: then every visitor
    presses Play together, once all of those one-shots have been answered."""
    from playground.load_tasks import is_notice, is_training_frame, states_in

    try:
        start.wait(timeout=max(1.0, deadline - time.monotonic()))
    except threading.BrokenBarrierError:
        visitor.errors.append("setup: not every visitor connected in time")
        return
    if client is None:
        play.abort()  # nobody waits for a visitor who will never press Play
        visitor.errors.append("setup: could not connect")
        return
    for kind, call in task.before:
        timed(visitor, f"{kind} (all at once)", lambda: call(client))
    try:
        play.wait(timeout=max(1.0, deadline - time.monotonic()))
    except threading.BrokenBarrierError:
        pass  # a visitor could not connect, or the one-shots ran past the deadline: press Play now
    # The one-shot while training comes at a different moment for each visitor (spread over the
    # middle of the watching time), as clicks in a class would.
    during_at = 0.2 + 0.6 * (visitor.index * 0.618034 % 1.0)
    pressed = time.perf_counter()
    job = client.submit(*args, api_name=task.play)
    seen, first_at, middle_done = 0, None, False
    while time.monotonic() < deadline:
        outputs = job.outputs()
        now = time.perf_counter()
        for output in outputs[seen:]:
            if visitor.first_reply is None:
                visitor.first_reply = now - pressed
            status = output[task.status_index] if isinstance(output, (list, tuple)) else output
            in_line = isinstance(status, str) and LINE_MARK in status
            notice = is_notice(task, output)
            if notice and visitor.estimate is None and visitor.first_output is None:
                visitor.estimate = estimated_seconds(status)
                visitor.estimate_at = now - pressed if visitor.estimate is not None else None
            if not notice and visitor.first_output is None and "Stopped" not in str(status):
                visitor.first_output = now - pressed
            if in_line:
                visitor.line_notices += 1
            elif visitor.line_notices and visitor.line_wait is None:
                visitor.line_wait = now - pressed
            if is_training_frame(task, output):
                epoch = re.search(r"Epoch (\d+)", status) if isinstance(status, str) else None
                if epoch:
                    visitor.epochs.append((now - pressed, int(epoch.group(1))))
                visitor.frames += 1
                new_states = states_in(task, output, visitor.last_state)
                if first_at is None:
                    first_at = now
                    visitor.first_frame = now - pressed
                else:  # like frames/s, states/s counts what came after the first frame
                    visitor.states += new_states
            else:
                visitor.notices += 1
        seen = len(outputs)
        if job.done():
            break
        if first_at is not None and not middle_done and now - first_at >= during_at * seconds:
            middle_done = True
            for kind, call in task.during:
                timed(visitor, f"{kind} (while training)", lambda: call(client))
        if first_at is not None and now - first_at >= seconds:
            break
        if first_at is None and now - pressed >= seconds:
            break  # never got a frame: stop anyway (counted as an error below)
        time.sleep(0.01)
    visitor.watched = (time.perf_counter() - first_at) if first_at is not None else 0.0
    if first_at is not None:
        visitor.frames -= 1  # frames per second counts the frames after the first one
    if job.done() and job.exception() is not None:
        message = str(job.exception())
        visitor.refused = any(word in message for word in ("line for live training is full", "memory limit", "busy"))
        visitor.errors.append(f"stream: {described(job.exception())}")
        return
    if first_at is None:
        visitor.errors.append(f"no training frame within {seconds:.0f} s")
    stop_pressed = time.perf_counter()
    try:
        if task.stop:
            client.predict(api_name=task.stop)
    except Exception as error:  # noqa: BLE001
        visitor.errors.append(f"stop: {error}")
    while not job.done() and time.monotonic() < deadline + 30:
        time.sleep(0.01)
    visitor.stop_seconds = time.perf_counter() - stop_pressed if job.done() else None
    outputs = job.outputs()
    visitor.stopped_frame = bool(outputs) and "Stopped" in str(outputs[-1][task.status_index])
    if job.exception() is not None:
        visitor.errors.append(f"stream: {described(job.exception())}")
    for kind, call in task.after:
        timed(visitor, kind, lambda: call(client))


def run(visitors: int, seconds: float, scenario: str, url: str | None, server_pid: int | None,
        kill: "ReplicaKill | None" = None) -> list[Visitor]:
    from playground.load_tasks import tasks_for

    with served(url, server_pid) as (url, server_pid):
        tasks = tasks_for(scenario, visitors)
        clients: list = [None] * visitors

        # Opening the page (the app's config and API description) is not what is measured: a few
        # at a time, with retries, as a class opening the page over a minute would.
        gate = threading.Semaphore(4)

        def connect(index: int):
            for attempt in range(3):
                try:
                    with gate:
                        clients[index] = visitor_client(url)
                    return
                except Exception as error:  # noqa: BLE001 - reported as that visitor's error
                    print(f"visitor {index} could not connect (try {attempt + 1}): {error}", flush=True)

        threads = [threading.Thread(target=connect, args=(i,)) for i in range(visitors)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        warmups = {kind: call for task in tasks for kind, call in (*task.warmup, *task.before, *task.during)}
        for warm in warm_clients(url, {replica_of(client) for client in clients if client is not None}):
            for call in warmups.values():
                call(warm)  # load each one-shot model once, so latencies measure the crowd, not disk reads
        # Everything the visitors send is ready before the clock starts (building it imports modules
        # in this process, which must not count as the server's time to a first frame).
        play_args = [task.play_args() for task in tasks]
        people = [Visitor(index, panel=task.panel, replica=replica_of(clients[index])) for index, task in enumerate(tasks)]
        start = threading.Barrier(visitors + (kill is not None))
        play = threading.Barrier(visitors)
        deadline = time.monotonic() + seconds + 120
        with MemoryWatch(server_pid) as memory:
            threads = [threading.Thread(target=run_visitor,
                                        args=(person, clients[i], tasks[i], play_args[i], seconds, start, deadline, play))
                       for i, person in enumerate(people)]
            if kill is not None:
                threads.append(threading.Thread(target=kill.run, args=(url, start)))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=seconds + 200)
        stuck = sum(thread.is_alive() for thread in threads)
        report(people, memory, scenario, seconds)
        if stuck:
            print(f"  still waiting    {stuck} visitors' calls had no answer 200 s after their time was up")
        if kill is not None:
            kill.report(people)
        return people


def warm_clients(url: str, replicas: set[str]):
    """One client per replica the visitors are on (one client without a balancer), to warm each one up."""
    seen: set[str] = set()
    for _ in range(4 * max(1, len(replicas))):
        client = visitor_client(url)
        if replica_of(client) not in seen:
            seen.add(replica_of(client))
            yield client
        if seen >= replicas:
            return


@dataclass
class Newcomer:
    """A visitor who opens the page after a replica was killed."""

    after_kill: float  # when they arrived, s after the kill
    replica: str = ""
    served: float | None = None  # seconds from arriving to their classify's answer
    error: str = ""


class ReplicaKill:
    """Kills one replica of a ``playground.deploy`` run (SIGKILL) ``at`` seconds after the visitors start,
    then sends newcomers (a page opened and a photo classified) at fixed moments after the kill."""

    ARRIVALS = (0.2, 1.0, 2.0, 3.0, 4.0, 5.0)  # s after the kill

    def __init__(self, state_file: Path, letter: str, at: float):
        import json

        self.state = json.loads(Path(state_file).read_text())
        by_letter = {replica["letter"]: replica for replica in self.state["replicas"]}
        if letter not in by_letter:
            raise ValueError(f"no replica {letter!r} in {state_file} (it has {', '.join(by_letter)})")
        self.letter, self.at, self.pid = letter, at, by_letter[letter]["pid"]
        self.newcomers = [Newcomer(after) for after in self.ARRIVALS]

    def run(self, url: str, start: threading.Barrier) -> None:
        import signal

        start.wait()
        time.sleep(self.at)
        os.kill(self.pid, signal.SIGKILL)
        killed = time.monotonic()
        print(f"killed replica {self.letter} (pid {self.pid}) with SIGKILL", flush=True)
        threads = [threading.Thread(target=self._arrive, args=(url, newcomer, killed)) for newcomer in self.newcomers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    @staticmethod
    def _arrive(url: str, newcomer: Newcomer, killed: float) -> None:
        from playground.load_tasks import classify

        time.sleep(max(0.0, killed + newcomer.after_kill - time.monotonic()))
        began = time.perf_counter()
        try:
            client = visitor_client(url)
            newcomer.replica = replica_of(client)
            classify(client)
            newcomer.served = time.perf_counter() - began
        except Exception as error:  # noqa: BLE001 - reported in the table
            newcomer.error = f"{type(error).__name__}: {str(error)[:120]}"

    def report(self, people: list[Visitor]) -> None:
        print(f"\nreplica {self.letter} killed (SIGKILL) {self.at:.0f} s after the visitors started")
        for on_dead in (False, True):
            group = [p for p in people if (p.replica == self.letter) == on_dead]
            kinds = collections.Counter(error_kind(e) for p in group for e in p.errors)
            print(f"  visitors on {'the killed replica' if on_dead else 'the other replicas'}: {len(group)}, "
                  f"with errors {sum(bool(p.errors) for p in group)}; errors by kind: "
                  + (", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())) or "none"))
        print(f"  {'arrived s after kill':>20} {'replica':>7} {'served in s':>11}  error")
        for newcomer in self.newcomers:
            served = f"{newcomer.served:.2f}" if newcomer.served is not None else "—"
            print(f"  {newcomer.after_kill:>20.1f} {newcomer.replica or '—':>7} {served:>11}  {newcomer.error}")


def run_room(viewers: int, seconds: float, panel: str, url: str | None, server_pid: int | None) -> list[Visitor]:
    """One host opens a room in ``panel`` and presses Play; ``viewers`` join it with the code and watch for
    ``seconds``; then the host stops. Each viewer's row: first frame, frames per second, states drawn, epochs seen."""
    from playground.load_tasks import PANELS, states_in

    task = PANELS[panel]
    with served(url, server_pid) as (url, server_pid):
        host = visitor_client(url)
        for _kind, call in task.before:
            call(host)
        code = host.predict(api_name=f"/{panel}_room_open")[1]
        clients: list = [None] * viewers
        gate = threading.Semaphore(4)

        def connect(index: int):
            with gate:
                clients[index] = visitor_client(url)

        threads = [threading.Thread(target=connect, args=(i,)) for i in range(viewers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        people = [Visitor(index, panel=f"{panel} viewer") for index in range(viewers)]
        play_args = task.play_args()
        with MemoryWatch(server_pid) as memory:
            jobs = [client.submit(code, api_name=f"/{panel}_room_join") for client in clients]
            time.sleep(1.0)  # everyone is in the room before the host starts
            hosting = host.submit(*play_args, api_name=task.play)
            began = time.perf_counter()
            seen = [0] * viewers
            while time.perf_counter() - began < seconds:
                now = time.perf_counter()
                for person, job, index in zip(people, jobs, range(viewers)):
                    outputs = job.outputs()
                    for output in outputs[seen[index]:]:
                        status = output[task.room_status_index]
                        if isinstance(status, str) and any(m in status for m in task.training_mark.split("|")):
                            person.frames += 1
                            new_states = states_in(task, output, person.last_state)
                            if person.first_frame is None:
                                person.first_frame = now - began
                            else:  # as for a visitor's own run: the states drawn after the first frame
                                person.states += new_states
                            epoch = re.search(r"Epoch:? (\d+)", status)
                            if epoch:
                                person.epochs.append((now - began, int(epoch.group(1))))
                    seen[index] = len(outputs)
                time.sleep(0.02)
            for person in people:
                person.watched = seconds - (person.first_frame or seconds)
                person.frames = max(0, person.frames - 1)
            host.predict(api_name=task.stop)
            deadline = time.monotonic() + 30
            while not all(job.done() for job in jobs) and time.monotonic() < deadline:
                time.sleep(0.05)
            for person, job in zip(people, jobs):
                outputs = job.outputs()
                person.stopped_frame = bool(outputs) and "has ended" in str(outputs[-1][-1])
                if job.done() and job.exception() is not None:
                    person.errors.append(f"stream: {described(job.exception())}")
                elif not job.done():
                    person.errors.append("the room did not end within 30 s of the host's Stop")
        report(people, memory, f"{panel} room: 1 host + {viewers} viewers", seconds)
        if not hosting.done():
            print("  host             its run was still streaming after its Stop")
        elif hosting.exception() is not None:
            print(f"  host             its run failed: {str(hosting.exception())[:160]}")
        else:
            print("  host             its run ended cleanly")
        if panel == "cnn_lab":  # a frame per epoch's end at least: every viewer should see every epoch
            seen_epochs = [{epoch for _, epoch in person.epochs} for person in people]
            every = set().union(*seen_epochs)
            missed = [person.index for person, mine in zip(people, seen_epochs) if mine != every]
            print(f"  epochs           {len(people) - len(missed)}/{len(people)} viewers saw every epoch the host "
                  f"reached ({sorted(every)})" + (f"; missed some: viewers {missed}" if missed else ""))
        return people


def report(people: list[Visitor], memory: MemoryWatch, scenario: str, seconds: float) -> None:
    peak_mb = memory.peak_mb
    def shown(value: float | None) -> str:
        return f"{value:.2f}" if value is not None else "—"

    print(f"\nscenario {scenario}: {len(people)} visitors, {seconds:.0f} s each")
    print(f"{'visitor':>7} {'panel':<19} {'rep':>3} {'reply s':>7} {'first frame s':>13} {'training s':>10} "
          f"{'in line':>7} {'line s':>6} "
          f"{'est. s':>6} {'waited s':>8} {'frames/s':>8} {'frames':>6} {'notices':>7} {'stop s':>6} {'stopped':>7}  "
          "errors")
    for person in people:
        print(f"{person.index:>7} {person.panel:<19} {person.replica or '—':>3} {shown(person.first_reply):>7} {shown(person.first_output):>13} "
              f"{shown(person.first_frame):>10} {person.line_notices:>7} {shown(person.line_wait):>6} {shown(person.estimate):>6} "
              f"{shown(person.waited):>8} "
              f"{person.fps:>8.1f} {person.frames:>6} {person.notices:>7} {shown(person.stop_seconds):>6} "
              f"{'yes' if person.stopped_frame else 'no':>7}  {'; '.join(person.errors)}")
    firsts = [p.first_frame for p in people if p.first_frame is not None]
    rates = [p.fps for p in people]
    stops = [p.stop_seconds for p in people if p.stop_seconds is not None]
    print("\nsummary")
    replies = [p.first_reply for p in people if p.first_reply is not None]
    print(f"  first reply      max {max(replies, default=float('nan')):.2f} s · {sum(r <= 1.0 for r in replies)}/"
          f"{len(people)} within 1 s (a frame, or a notice with their place)")
    queued = [p for p in people if p.line_notices]
    print(f"  waiting line     {len(queued)}/{len(people)} waited in it · {sum(p.refused for p in people)} refused")
    shown = [p for p in people if p.waited is not None]
    judged = [p for p in shown if p.waited >= 2.0]
    unserved = [p for p in people if p.estimate is not None and p.first_output is None]  # their wait is unknown
    if judged or unserved:
        errors = [abs(p.estimate - p.waited) / p.waited for p in judged]
        print(f"  estimates        the first estimate shown vs the wait that followed until the first frame it "
              f"promises (any frame of the run, not a notice): median "
              f"error {100 * statistics.median(errors or [math.nan]):.0f} %, max {100 * max(errors or [math.nan]):.0f} %, "
              f"{sum(e <= 0.3 for e in errors)}/{len(judged)} within 30 % (visitors who then waited ≥ 2 s)"
              + (f"; {len(unserved)} shown an estimate never got a frame" if unserved else ""))
    elif shown:  # short waits: a relative error of a fraction of a second says little
        print(f"  estimates        no visitor waited ≥ 2 s after their first estimate: {len(shown)} estimates "
              f"{min(p.estimate for p in shown):.1f}–{max(p.estimate for p in shown):.1f} s, the waits that followed "
              f"until the first frame {min(p.waited for p in shown):.2f}–{max(p.waited for p in shown):.2f} s, median "
              f"difference {statistics.median(abs(p.estimate - p.waited) for p in shown):.2f} s")
    outputs = [p.first_output for p in people if p.first_output is not None]
    if outputs != firsts:  # a panel whose first frames are progress (transfer: its features) before training
        print(f"  first frame      max {max(outputs, default=float('nan')):.2f} s · median "
              f"{statistics.median(outputs) if outputs else float('nan'):.2f} s · {len(outputs)}/{len(people)} got one "
              "(any frame of the run)")
    print(f"  first training   max {max(firsts, default=float('nan')):.2f} s · median "
          f"{statistics.median(firsts) if firsts else float('nan'):.2f} s · {len(firsts)}/{len(people)} got one "
          "(a frame that shows training)")
    print(f"  frames/s         min {min(rates):.1f} · median {statistics.median(rates):.1f}")
    if any(p.states != p.frames for p in people):
        drawn = [p.states_per_second for p in people]
        print(f"  states/s         min {min(drawn):.1f} · median {statistics.median(drawn):.1f} (training states the "
              "page draws: a frame may carry several)")
    paces = [p.epochs_per_second for p in people if p.epochs_per_second is not None]
    if paces:
        print(f"  epochs/s         {sum(paces):.1f} summed over the {len(paces)} whose frames say their epoch "
              f"(each: min {min(paces):.2f} · median {statistics.median(paces):.2f})")
    print(f"  stop → ended     max {max(stops, default=float('nan')):.2f} s · "
          f"{sum(p.stopped_frame for p in people)}/{len(people)} ended with a 'Stopped' frame")
    kinds = sorted({kind for p in people for kind, _ in p.one_shots})
    for kind in kinds:
        times = [t for p in people for k, t in p.one_shots if k == kind]
        print(f"  {kind:<30} p50 {percentile(times, 50):.2f} s · p95 {percentile(times, 95):.2f} s · n={len(times)}")
    errors = sum(len(p.errors) for p in people)
    kinds = collections.Counter(error_kind(e) for p in people for e in p.errors)
    print(f"  errors           {errors}" + (" (" + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())) + ")"
                                            if errors else " (lost session 0, connection 0, other 0)"))
    replicas = collections.Counter(p.replica for p in people if p.replica)
    if replicas:
        print("  replicas         " + " · ".join(f"{letter}: {n} visitors, {sum(len(p.errors) for p in people if p.replica == letter)}"
                                              f" errors" for letter, n in sorted(replicas.items())))
    from playground import live

    limits = (f"(its limit {live.default_rss_limit_mb():.0f} MB; live reservations may total "
              f"{live.default_memory_budget_mb():.0f} MB on this machine)")
    print(f"  server peak RSS  {peak_mb:.0f} MB {limits}" if peak_mb else "  server peak RSS  (unknown: pass --server-pid)")
    frames = sum(p.frames + (p.first_frame is not None) for p in people)
    if memory.cpu_seconds and frames:
        print(f"  server CPU       {memory.cpu_seconds:.1f} s for {frames} frames "
              f"({1000 * memory.cpu_seconds / frames:.1f} ms per frame, one-shots included)")
    print(f"  machine load     {' / '.join(f'{v:.1f}' for v in os.getloadavg())} (1 / 5 / 15 min, all processes)")
    times = os.times()
    print(f"  load command CPU {times.user + times.system:.1f} s since it started (the visitors' clients share the "
          "machine with the server)")


def main(argv: list[str] | None = None) -> None:
    from playground.load_tasks import PANELS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=8, help="simulated visitors (1–150)")
    parser.add_argument("--seconds", type=float, default=20, help="how long each visitor watches (1–300)")
    parser.add_argument("--scenario", choices=["mlp", "class", "mixed"], default="mlp")
    parser.add_argument("--panel", choices=sorted(PANELS), help="every visitor on this one live panel")
    parser.add_argument("--room", action="store_true",
                        help="with --panel (mlp, cnn_lab, gpt_live): one host opens a room, the visitors watch it")
    parser.add_argument("--url", help="a running app on loopback (default: start one)")
    parser.add_argument("--server-pid", type=int, help="the running app's pid, to read its memory")
    parser.add_argument("--deploy-state", help="the --state file of python -m playground.deploy (with --url "
                        "its balancer): each replica's peak memory, and what --kill-replica kills")
    parser.add_argument("--kill-replica", metavar="LETTER",
                        help="with --deploy-state: SIGKILL this replica mid-run, then send newcomers")
    parser.add_argument("--kill-at", type=float, default=10.0, help="seconds after the visitors start (default 10)")
    parser.add_argument("--against-unbatched", action="store_true",
                        help="with the mlp scenario or panel: the same class twice in this run, on an app that batches "
                             "the class's steps and on one that trains each visitor alone (PLAYGROUND_BATCH_MLP=0); "
                             "prints both tables and the ratio of the class's epochs/s")
    args = parser.parse_args(argv)
    if not 1 <= args.visitors <= 150 or not 1 <= args.seconds <= 300:
        parser.error("--visitors must be 1–150 and --seconds 1–300")
    if args.url and not args.url.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("--url must be on loopback (http://127.0.0.1:PORT/)")
    if args.room:
        if args.panel not in ROOM_PANELS:
            parser.error(f"--room needs --panel {' | '.join(ROOM_PANELS)}")
        run_room(args.visitors, args.seconds, args.panel, args.url, args.server_pid)
        return
    if args.against_unbatched:
        if (args.panel or args.scenario) != "mlp" or args.url:
            parser.error("--against-unbatched needs the mlp scenario (or --panel mlp) and no --url (it starts both apps)")
        against_unbatched(args.visitors, args.seconds)
        sys.stdout.flush()
        os._exit(0)
    if args.kill_replica and not (args.deploy_state and args.url):
        parser.error("--kill-replica needs --deploy-state and --url (the balancer)")
    if args.deploy_state and args.url:
        wait_for_replicas(args.url, Path(args.deploy_state))
    kill = ReplicaKill(Path(args.deploy_state), args.kill_replica.upper(), args.kill_at) if args.kill_replica else None
    run(args.visitors, args.seconds, args.panel or args.scenario, args.url, args.server_pid, kill)
    if args.deploy_state:
        replicas_memory(Path(args.deploy_state))
    # Done: a call that never answered (reported above) must not keep the command alive in gradio_client's
    # worker threads, which Python would otherwise wait for at exit.
    sys.stdout.flush()
    os._exit(0)


def class_epochs_per_second(people: list[Visitor]) -> float:
    """The class's training throughput: epochs per second summed over the visitors whose frames say their epoch."""
    return sum(pace for pace in (person.epochs_per_second for person in people) if pace is not None)


def against_unbatched(visitors: int, seconds: float) -> tuple[float, float]:
    """The MLP class twice in one run, first batched (``playground.perceptron.cohort``), then each visitor alone,
    each on a freshly started app; prints both tables and the ratio of the class's epochs/s (batched, unbatched)."""
    summed = {}
    for batched in ("1", "0"):
        os.environ["PLAYGROUND_BATCH_MLP"] = batched  # the app started by run() inherits it
        try:
            people = run(visitors, seconds, "mlp", url=None, server_pid=None)
        finally:
            del os.environ["PLAYGROUND_BATCH_MLP"]
        summed[batched] = class_epochs_per_second(people)
    ratio = summed["1"] / summed["0"] if summed["0"] else float("nan")
    print(f"\nclass throughput (same run): batched {summed['1']:.1f} epochs/s summed over the {visitors} · each alone "
          f"{summed['0']:.1f} epochs/s · batched / alone {ratio:.2f}×")
    return summed["1"], summed["0"]


def wait_for_replicas(url: str, state_file: Path, timeout: float = 300) -> None:
    """Wait until the balancer sends newcomers to every replica of the runner's state (each is ready and in
    rotation), so the visitors spread over all of them."""
    import json
    import urllib.request

    letters = {replica["letter"] for replica in json.loads(state_file.read_text())["replicas"]}
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while seen != letters:
        if time.monotonic() > deadline:
            raise TimeoutError(f"replicas {sorted(letters - seen)} not in rotation within {timeout:.0f} s")
        try:
            with urllib.request.urlopen(url + "healthz", timeout=5) as response:
                seen.add(json.loads(response.read())["replica"])
        except OSError:
            time.sleep(0.5)
    print(f"balancer: every replica in rotation ({', '.join(sorted(letters))})", flush=True)


def replicas_memory(state_file: Path) -> None:
    """Each replica's peak resident memory since it started (the kernel's VmHWM), as the runner's state says."""
    import json

    for replica in json.loads(state_file.read_text())["replicas"]:
        try:
            peak = f"{status_mb(replica['pid'], 'VmHWM'):.0f} MB"
        except OSError:
            peak = "(gone)"
        print(f"  replica {replica['letter']} peak RSS {peak} (pid {replica['pid']}, cores {replica['cores']})")


if __name__ == "__main__":
    main()
