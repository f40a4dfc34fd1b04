"""Rooms through the real app's API: a host, a viewer who joined, and a visitor who did not."""

from __future__ import annotations

import re
import time

import pytest

from playground.perceptron.config import PlaygroundConfig, page_values

VIEWER_STATUS = 1  # a viewer gets (board, status, room info): no session, no address


def _wait(condition, what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def _epochs(job) -> list[int]:
    return [int(m.group(1)) for output in job.outputs()
            if isinstance(output[VIEWER_STATUS], str) and (m := re.match(r"\*\*Epoch (\d+)", output[VIEWER_STATUS]))]


def test_a_viewer_follows_the_host_takes_a_copy_and_the_room_ends_with_the_hosts_stop(app_url):
    from gradio_client import Client

    host, viewer, stranger = (Client(app_url, verbose=False, download_files=False) for _ in range(3))
    info, code = host.predict(api_name="/mlp_room_open")
    assert code in info
    with pytest.raises(Exception, match="is your own"):
        host.predict(code, api_name="/mlp_room_join")  # a host watching themselves would stop their own run
    watching = viewer.submit(code, api_name="/mlp_room_join")
    hosts_config = PlaygroundConfig(dataset="xor", hidden=(6,), seed=4, learning_rate=0.1)
    playing = host.submit(*page_values(hosts_config), api_name="/mlp_play")
    _wait(lambda: len(_epochs(watching)) >= 3, "three of the host's frames in the viewer's page")
    assert _epochs(watching) == sorted(_epochs(watching))  # the host's run, frame after frame

    # A copy: the host's settings and network, in the viewer's own session, at the host's epoch or later.
    copied = viewer.predict(code, api_name="/mlp_room_copy")
    copied_epoch = int(re.match(r"\*\*Epoch (\d+)", copied[VIEWER_STATUS]).group(1))
    assert copied_epoch >= _epochs(watching)[0]
    # It trains alone from there (the viewer's own Play, with the copied settings, which the copy put in the page).
    own = viewer.submit(*copied[-len(page_values(hosts_config)):], api_name="/mlp_play")
    _wait(lambda: any(isinstance(o[VIEWER_STATUS], str) and o[VIEWER_STATUS].startswith("**Epoch") for o in own.outputs()),
          "the viewer's own training")
    first_own = [int(re.match(r"\*\*Epoch (\d+)", o[VIEWER_STATUS]).group(1)) for o in own.outputs()
                 if isinstance(o[VIEWER_STATUS], str) and o[VIEWER_STATUS].startswith("**Epoch")][0]
    assert first_own >= copied_epoch  # it went on from the copy, not from a fresh network
    _wait(watching.done, "pressing Play to leave the room being watched")
    viewer.predict(api_name="/mlp_pause")

    # Someone who never joined gets nothing of the host's, and cannot join without the code.
    with pytest.raises(Exception, match="no open room has the code"):
        stranger.predict("NOPE9", api_name="/mlp_room_join")

    # A second viewer joins; the host's Stop ends the room for them with a frame that says so.
    second = stranger.submit(code, api_name="/mlp_room_join")
    _wait(lambda: len(_epochs(second)) >= 1, "the second viewer's first frame")
    host.predict(api_name="/mlp_pause")
    _wait(playing.done, "the host's run to end")
    _wait(second.done, "the room to end for its viewer")
    assert "has ended" in second.outputs()[-1][-1]
    with pytest.raises(Exception, match="no open room has the code"):
        stranger.predict(code, api_name="/mlp_room_join")  # an ended room cannot be joined
