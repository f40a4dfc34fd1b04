"""Rooms (playground.rooms): a class watches the host's live run; nobody else sees or changes it."""

from __future__ import annotations

import threading

import pytest

from playground.errors import UserInputError
from playground.rooms import LEAVE, Rooms


def test_a_viewer_with_the_code_sees_the_hosts_frames_and_the_end():
    rooms = Rooms()
    room = rooms.open("teacher", "mlp", outputs=2)
    assert len(room.code) == 5 and room.code.isupper()
    found = rooms.find(room.code.lower() + " ", "mlp")  # typed in lower case, with a space: still found
    assert found is room
    watching = rooms.watch(room, poll_seconds=0.01)
    assert next(watching) == ([LEAVE, LEAVE], None)  # nothing yet: the page keeps what it shows
    rooms.publish(room, ("plane 1", "Epoch 1"))
    assert next(watching) == (["plane 1", "Epoch 1"], None)
    rooms.publish(room, (LEAVE, "Epoch 2"))  # a frame that left the plane as it was keeps the plane
    assert next(watching) == (["plane 1", "Epoch 2"], None)
    rooms.close("teacher", "mlp", "the host's run ended")
    assert next(watching) == (["plane 1", "Epoch 2"], "the host's run ended")
    with pytest.raises(StopIteration):
        next(watching)
    with pytest.raises(UserInputError, match="no open room has the code"):
        rooms.find(room.code, "mlp")  # an ended room cannot be joined


def test_a_slow_viewer_skips_to_the_latest_frame():
    rooms = Rooms()
    room = rooms.open("teacher", "cnn_lab", outputs=1)
    watching = rooms.watch(room, poll_seconds=0.01)
    for epoch in range(1, 6):
        rooms.publish(room, (f"Epoch {epoch}",))
    assert next(watching) == (["Epoch 5"], None)


def test_wrong_codes_and_other_panels_get_a_clear_message():
    rooms = Rooms()
    room = rooms.open("teacher", "mlp", outputs=1)
    with pytest.raises(UserInputError, match=r"no open room has the code 'ZZZZZ'"):
        rooms.find("ZZZZZ", "mlp")
    with pytest.raises(UserInputError, match=f"room {room.code} follows another panel"):
        rooms.find(room.code, "cnn_lab")


def test_opening_again_ends_the_hosts_previous_room_and_hosts_do_not_mix():
    rooms = Rooms()
    first = rooms.open("teacher", "mlp", outputs=1)
    other = rooms.open("another teacher", "mlp", outputs=1)
    second = rooms.open("teacher", "mlp", outputs=1)
    assert first.ended == "the host opened a new room" and second.code != first.code
    assert rooms.hosted("teacher", "mlp") is second and rooms.hosted("another teacher", "mlp") is other
    rooms.publish(second, ("teacher's frame",))
    assert other.latest == [LEAVE]  # one host's frames never reach another's room
    rooms.close("teacher", "mlp", "stopped")
    assert other.ended is None


def test_many_viewers_each_get_the_frame_once_published():
    rooms = Rooms()
    room = rooms.open("teacher", "gpt_live", outputs=1)
    seen: list[list] = [[] for _ in range(20)]
    started = threading.Barrier(21)

    def viewer(index):
        watching = rooms.watch(room, poll_seconds=0.01)
        next(watching)
        started.wait()
        for values, ended in watching:
            seen[index].append(values[0])
            if ended:
                return

    threads = [threading.Thread(target=viewer, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    started.wait()
    rooms.publish(room, ("step 100",))
    rooms.close("teacher", "gpt_live", "the host's run ended")
    for thread in threads:
        thread.join(timeout=10)
    assert all(values and values[-1] == "step 100" for values in seen)


def test_a_host_who_leaves_the_page_ends_every_room_they_host_and_no_one_elses():
    rooms = Rooms()
    mlp, cnn = rooms.open("teacher", "mlp", outputs=1), rooms.open("teacher", "cnn_lab", outputs=1)
    other = rooms.open("another teacher", "mlp", outputs=1)
    watching = rooms.watch(mlp, poll_seconds=0.01)
    next(watching)
    assert rooms.close_all("teacher", "the host left the page") == 2
    assert next(watching) == ([LEAVE], "the host left the page")
    for room in (mlp, cnn):
        with pytest.raises(UserInputError, match="no open room has the code"):
            rooms.find(room.code, room.panel)
    assert rooms.find(other.code, "mlp") is other  # another host's room goes on
    assert rooms.close_all("teacher", "again") == 0
