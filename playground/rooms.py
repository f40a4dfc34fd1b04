"""Rooms: a class follows the teacher's live run at the cost of one training.

A host opens a room in a live panel and gets a short code. Their runs in that panel publish every
frame to the room (``publish``), and everyone who joined with the code watches them
(``watch``): the same pictures, curves, samples and status, as they change, without training
anything. A viewer only ever sees a room whose code they typed, and only reads it: nothing a viewer
does reaches the host's run. The host's Stop, a run that ends, or the host leaving the page ends the
room, and every viewer's stream ends with a frame that says so.

A room keeps the latest value of each output (a frame that leaves an output as it is does not erase
it), so a viewer who joins mid-run starts from a whole picture. Viewers that read slower than the
host draws skip to the latest frame: a room never builds a backlog. No Gradio here: frames are
tuples of whatever the panel's outputs take (``playground.live_ui`` is the glue).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

from playground.errors import UserInputError

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud to a class
CODE_LENGTH = 5
LEAVE = object()  # an output value meaning "leave this output as it is"


@dataclass(eq=False)
class Room:
    code: str
    host: str  # the host's Gradio session
    panel: str
    latest: list = field(default_factory=list)  # per output: the latest value published (LEAVE until one is)
    version: int = 0  # frames published so far
    ended: str | None = None  # why the room ended, once it has
    state: object = None  # the host's own state output (e.g. its MLP session), for "take a copy"
    opened: float = field(default_factory=time.monotonic)


class Rooms:
    """Every open room of this process, by code (``default_rooms()``; tests make their own).

    Behind a load balancer with several replicas, ``replica`` (this process's letter, see
    ``playground.health``) is the first letter of every code, so the balancer can send a room's link
    (``?room=CODE``) to the replica that holds the room."""

    def __init__(self, replica: str = "") -> None:
        self.replica = replica
        self._cond = threading.Condition()
        self._by_code: dict[str, Room] = {}
        self._by_host: dict[tuple[str, str], Room] = {}

    def open(self, host: str, panel: str, outputs: int) -> Room:
        """A new room for ``host`` in ``panel`` (their previous room there ends)."""
        with self._cond:
            self._end(self._by_host.get((host, panel)), "the host opened a new room")
            code = self._new_code()
            room = Room(code, host, panel, latest=[LEAVE] * outputs)
            self._by_code[code] = room
            self._by_host[(host, panel)] = room
            return room

    def hosted(self, host: str, panel: str) -> Room | None:
        with self._cond:
            return self._by_host.get((host, panel))

    def find(self, code: str, panel: str) -> Room:
        """The open room with ``code`` in ``panel``, or a clear message."""
        code = (code or "").strip().upper()
        with self._cond:
            room = self._by_code.get(code)
        if (room is None or room.ended) and self.replica and code[:1] != self.replica:
            raise UserInputError(f"room {code} is on another server of this site: open its link "
                                 f"({link(code)} after the site's address) to join it")
        if room is None or room.ended:
            raise UserInputError(f"no open room has the code {code!r}: check it with your teacher")
        if room.panel != panel:
            raise UserInputError(f"room {code} follows another panel; join it there")
        return room

    def publish(self, room: Room, frame: tuple, state: object = None) -> None:
        """The host's latest frame (one value per output, ``LEAVE`` where it did not change)."""
        with self._cond:
            if room.ended:
                return
            room.latest = [old if new is LEAVE else new for old, new in zip(room.latest, frame)]
            if state is not None:
                room.state = state
            room.version += 1
            self._cond.notify_all()

    def close(self, host: str, panel: str, reason: str) -> None:
        with self._cond:
            self._end(self._by_host.get((host, panel)), reason)

    def close_all(self, host: str, reason: str) -> int:
        """End every room ``host`` has open (e.g. they left the page before pressing Play); how many ended."""
        with self._cond:
            theirs = [room for (owner, _panel), room in self._by_host.items() if owner == host]
            for room in theirs:
                self._end(room, reason)
            return len(theirs)

    def watch(self, room: Room, poll_seconds: float = 1.0) -> Iterator[tuple[list, str | None]]:
        """(latest values, None) whenever the host publishes, skipping frames a slow reader missed; then
        (latest values, why it ended) once. While nothing new comes it yields every ``poll_seconds`` the
        same values again (the page's stream stays alive; an equal frame costs nothing to send)."""
        seen = -1
        while True:
            with self._cond:
                self._cond.wait_for(lambda: room.version != seen or room.ended is not None, poll_seconds)
                seen, values, ended = room.version, list(room.latest), room.ended
            if ended is not None:
                yield values, ended
                return
            yield values, None

    def _end(self, room: Room | None, reason: str) -> None:
        if room is None or room.ended:
            return
        room.ended = reason
        self._by_code.pop(room.code, None)
        if self._by_host.get((room.host, room.panel)) is room:
            del self._by_host[(room.host, room.panel)]
        self._cond.notify_all()

    def _new_code(self) -> str:
        while True:
            code = self.replica + "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH - len(self.replica)))
            if code not in self._by_code:
                return code


def link(code: str) -> str:
    """The part of the page's address that opens room ``code`` (the balancer routes it to the room's replica)."""
    return f"?room={code}"


def replica() -> str:
    """This process's replica letter, from ``PLAYGROUND_REPLICA`` ("" when it runs alone): the first letter of
    its room codes, so a balancer can send a room's link to the replica that hosts it."""
    name = os.environ.get("PLAYGROUND_REPLICA", "").strip().upper()
    if name and (len(name) != 1 or name not in CODE_LETTERS):
        raise ValueError(f"PLAYGROUND_REPLICA must be one letter of {CODE_LETTERS}, not {name!r}")
    return name


_DEFAULT: Rooms | None = None
_DEFAULT_LOCK = threading.Lock()


def default_rooms() -> Rooms:
    """This process's rooms (the app's), named after its replica."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Rooms(replica())
        return _DEFAULT
