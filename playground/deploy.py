"""Several app processes behind Debian's HAProxy on one machine, with no Docker:

    python -m playground.deploy --replicas 2 --port 8080 [--cores 0,1 | --no-pin] [--state FILE]

It starts N replicas of the app (``playground.serving.start_app``: each on its own loopback port, named
A, B, … through ``PLAYGROUND_REPLICA``), pins each to its own core(s) when the machine has a core per
replica (``--cores`` pins to the cores given, even when they are fewer), writes ``deploy/haproxy.cfg``
with their servers in and runs ``haproxy`` in front on ``--host``:``--port``. HAProxy sends a replica
visitors once its ``/readyz`` answers (``playground.health``).

A replica that dies is started again (on the same port, under the same letter) and rejoins by itself
when its ``/readyz`` answers again. Ctrl-C or SIGTERM stops everything: each child runs in its own
process group, which is sent SIGTERM, then SIGKILL after a grace period; children also get SIGKILL if
the runner itself dies (Linux's parent-death signal), so no process is left behind.

``--state FILE`` writes what runs where as JSON (tests and the load command read it): the balancer's
URL and, per replica, its letter, port, process id, cores and how many times it was started.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playground.rooms import CODE_LETTERS
from playground.serving import free_port, start_app

CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "haproxy.cfg"
BEGIN, END = "    # BEGIN servers", "    # END servers"
GRACE_SECONDS = 15  # SIGTERM → SIGKILL
MAX_REPLICAS = 16


def servers_block(servers: list[tuple[str, str]], extra: str = "") -> str:
    """HAProxy lines for (letter, host:port) replicas: the server with its cookie, and the rule that sends
    a room's link (``?room=CODE``, the code starting with the replica's letter) to it."""
    lines = []
    for letter, address in servers:
        lines.append(f"    use-server replica-{letter} if {{ urlp(room) -m beg -i {letter} }}")
        lines.append(f"    server replica-{letter} {address} cookie {letter} check{extra}")
    return "\n".join(lines)


def render_config(servers: list[tuple[str, str]], template: str | None = None) -> str:
    """deploy/haproxy.cfg with its servers replaced by ``servers`` (everything else exactly as in the file)."""
    template = template if template is not None else CONFIG.read_text()
    head, rest = template.split(BEGIN, 1)
    comment, rest = rest.split("\n", 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}{comment}\n{servers_block(servers)}\n{END}{tail}"


def _die_with_parent() -> None:
    """In the child, before exec: its own process group, and SIGKILL when the runner dies (Linux)."""
    os.setpgid(0, 0)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass


@dataclass
class Replica:
    letter: str
    port: int
    cores: list[int] | None
    log: str
    pid: int = 0
    starts: int = 0
    process: subprocess.Popen | None = field(default=None, repr=False)
    died_at: float | None = field(default=None, repr=False)


class Deployment:
    """The replicas and the balancer (``run`` supervises them until ``stop``)."""

    def __init__(self, replicas: int, host: str, port: int, cores: list[int] | None, pin: bool,
                 workdir: Path, state_file: Path | None = None, env: dict[str, str] | None = None):
        if not 1 <= replicas <= MAX_REPLICAS:
            raise ValueError(f"--replicas must be 1–{MAX_REPLICAS}")
        self.host, self.port, self.workdir, self.state_file = host, port, workdir, state_file
        self.env = dict(env or {})
        plan = pinning(replicas, cores, pin)
        self.replicas = [Replica(CODE_LETTERS[i], free_port(), plan[i], str(workdir / f"replica-{CODE_LETTERS[i]}.log"))
                         for i in range(replicas)]
        self.haproxy: subprocess.Popen | None = None
        self.haproxy_started = 0.0
        self.stopping = False

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def replica_env(self, replica: Replica) -> dict[str, str]:
        count = len(self.replicas)
        env = {
            "PLAYGROUND_REPLICA": replica.letter,
            # Gradio's files (uploads, outputs) in a folder of this replica's own
            "GRADIO_TEMP_DIR": str(self.workdir / f"gradio-{replica.letter}"),
            **self.env,
        }
        # The replicas share the machine's memory: each counts on its share (live runs' budget, RSS limit).
        env.setdefault("PLAYGROUND_MEMORY_SHARE", f"{1 / count:.4f}")
        return env

    def start_replica(self, replica: Replica) -> None:
        cores = replica.cores

        def before_exec():  # in the child: its own group, gone with the runner, on its cores
            _die_with_parent()
            if cores is not None:
                os.sched_setaffinity(0, cores)

        log = open(replica.log, "a")
        process = start_app(replica.port, log=log, preexec_fn=before_exec, **self.replica_env(replica))
        log.close()
        replica.process, replica.pid, replica.died_at = process, process.pid, None
        replica.starts += 1

    def start_haproxy(self) -> None:
        config = self.workdir / "haproxy.cfg"
        config.write_text(render_config([(r.letter, f"127.0.0.1:{r.port}") for r in self.replicas]))
        # default-path config: errorfile paths are relative to the config; give it the error pages
        errors = self.workdir / "errors"
        errors.mkdir(exist_ok=True)
        for page in (CONFIG.parent / "errors").iterdir():
            (errors / page.name).write_bytes(page.read_bytes())
        env = {**os.environ, "PLAYGROUND_BIND": f"{self.host}:{self.port}"}
        log = open(self.workdir / "haproxy.log", "a")
        self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(config)], env=env, stdout=log,
                                        stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        log.close()
        self.haproxy_started = time.monotonic()

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.start_haproxy()
        time.sleep(0.5)
        if self.haproxy.poll() is not None:  # a config or port problem: say it, do not loop on it
            log = (self.workdir / "haproxy.log").read_text()
            raise RuntimeError(f"haproxy could not start (exit {self.haproxy.returncode}):\n{log[-2000:]}")
        for replica in self.replicas:
            self.start_replica(replica)
        self.write_state()

    def write_state(self) -> None:
        if self.state_file is None:
            return
        state = {"url": self.url, "haproxy_pid": self.haproxy.pid if self.haproxy else None,
                 "replicas": [{"letter": r.letter, "port": r.port, "pid": r.pid, "cores": r.cores, "starts": r.starts,
                               "log": r.log} for r in self.replicas]}
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=1))
        os.replace(temporary, self.state_file)

    def supervise_once(self) -> None:
        """Restart what died: a replica after a second (longer if it keeps dying), the balancer at once."""
        changed = False
        for replica in self.replicas:
            if replica.process is None or replica.process.poll() is None:
                continue
            now = time.monotonic()
            if replica.died_at is None:
                replica.died_at = now
                print(f"replica {replica.letter} (pid {replica.pid}) exited with {replica.process.returncode}; "
                      "restarting it", flush=True)
            if now - replica.died_at >= min(30.0, float(replica.starts)):
                self.start_replica(replica)
                print(f"replica {replica.letter} started again (pid {replica.pid})", flush=True)
                changed = True
        if self.haproxy is not None and self.haproxy.poll() is not None and time.monotonic() - self.haproxy_started > 2:
            print(f"haproxy exited with {self.haproxy.returncode}; starting it again", flush=True)
            self.start_haproxy()
            changed = True
        if changed:
            self.write_state()

    def run(self) -> None:
        ready: set[str] = set()
        while not self.stopping:
            self.supervise_once()
            for replica in self.replicas:
                now_ready = replica_ready(replica.port)
                if now_ready and replica.letter not in ready:
                    print(f"replica {replica.letter} ready (port {replica.port}, pid {replica.pid}, "
                          f"cores {replica.cores if replica.cores is not None else 'any'})", flush=True)
                    ready.add(replica.letter)
                elif not now_ready and replica.letter in ready:
                    print(f"replica {replica.letter} not ready", flush=True)
                    ready.discard(replica.letter)
            time.sleep(0.5)

    def stop(self) -> None:
        """SIGTERM to every child's process group, SIGKILL to those still there after the grace period."""
        self.stopping = True
        children = [r.process for r in self.replicas if r.process is not None]
        if self.haproxy is not None:
            children.append(self.haproxy)
        for child in children:
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for child in children:
            _signal_group(child, signal.SIGKILL)  # what is left of the group (a child's own children too)
            child.wait()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def replica_ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def pinning(replicas: int, cores: list[int] | None, pin: bool) -> list[list[int] | None]:
    """The cores of each replica: ``cores`` shared out in turn when given; else, with ``pin`` and at least
    one usable core per replica, each its own equal share; else None (no pinning)."""
    if cores:
        return [[cores[i % len(cores)]] if len(cores) < replicas else cores[i::replicas] for i in range(replicas)]
    usable = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if not pin or len(usable) < replicas:
        return [None] * replicas
    share = len(usable) // replicas
    return [usable[i * share:(i + 1) * share] for i in range(replicas)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help=f"app processes (1–{MAX_REPLICAS})")
    parser.add_argument("--port", type=int, default=8080, help="the balancer's port")
    parser.add_argument("--host", default="127.0.0.1", help="the balancer's address (0.0.0.0: every interface)")
    parser.add_argument("--cores", help="pin replicas to these cores, e.g. 0,1 (shared out in turn)")
    parser.add_argument("--no-pin", action="store_true", help="never pin (default: pin when there is a core each)")
    parser.add_argument("--workdir", help="logs, the rendered haproxy.cfg, Gradio's files (default: a temp folder)")
    parser.add_argument("--state", help="write what runs where to this JSON file")
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= MAX_REPLICAS:
        parser.error(f"--replicas must be 1–{MAX_REPLICAS}")
    cores = [int(c) for c in args.cores.split(",")] if args.cores else None
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="playground-deploy-"))
    deployment = Deployment(args.replicas, args.host, args.port, cores, not args.no_pin, workdir,
                            Path(args.state) if args.state else None)

    def stop_on(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on)
    try:
        deployment.start()
        print(f"balancer: {deployment.url} → " + ", ".join(
            f"{r.letter} on :{r.port}" + (f" (cores {r.cores})" if r.cores is not None else "")
            for r in deployment.replicas) + f"; logs in {workdir}", flush=True)
        deployment.run()
    except KeyboardInterrupt:
        pass
    except RuntimeError as error:
        print(error, file=sys.stderr, flush=True)
        sys.exit(1)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("stopping every replica and the balancer", flush=True)
        deployment.stop()


if __name__ == "__main__":
    main()
