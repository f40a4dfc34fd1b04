"""What the load command's visitors do: one ``Task`` per live panel, through the named API.

A task names the Play and Stop endpoints of a live panel, the arguments Play gets, where the
status text is in each streamed output, and how to tell a training frame from a notice
(waiting, stopped). ``before`` and ``during`` are the one-shot calls a visitor makes before
pressing Play and half-way through watching (classify a photo, sample a GAN, denoise).
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Task:
    panel: str  # a short name for the table
    play: str  # the Play endpoint, e.g. "/mlp_play"
    stop: str  # the Stop endpoint
    play_args: Callable[[], list]
    status_index: int  # where the status text is in each streamed output
    training_mark: str  # text that only a training frame's status contains
    before: tuple = field(default=())  # (kind, call(client)) one-shots before Play
    during: tuple = field(default=())  # ... and half-way through watching
    warmup: tuple = field(default=())  # calls made once, by a separate client, before the visitors start


def is_training_frame(task: Task, output) -> bool:
    status = output[task.status_index] if isinstance(output, (list, tuple)) else output
    return isinstance(status, str) and task.training_mark in status


# ---------------------------------------------------------------- one-shot calls


@functools.lru_cache(maxsize=None)
def _photo_file(name: str) -> str:
    from playground import data

    path = Path(tempfile.gettempdir()) / f"playground-load-{name}.jpg"
    if not path.exists():
        data.photo(name).save(path)
    return str(path)


def classify(client) -> None:
    from gradio_client import handle_file

    client.predict(handle_file(_photo_file("coffee")), api_name="/classify")


ONE_SHOTS = {"classify": classify}


# ---------------------------------------------------------------- live panels


def _mlp_args() -> list:
    from playground.mlp.config import PlaygroundConfig
    from playground.tabs.perceptron import page_values

    return page_values(PlaygroundConfig())


MLP = Task(panel="mlp", play="/mlp_play", stop="/mlp_pause", play_args=_mlp_args, status_index=3,
           training_mark="**Epoch", before=(("classify", classify),), during=(("classify", classify),),
           warmup=(("classify", classify),))

MIXED: list[Task] = [MLP]


def tasks_for(scenario: str, visitors: int) -> list[Task]:
    """The task of each visitor: all MLP, or the live panels in turn (mixed)."""
    if scenario == "mlp":
        return [MLP] * visitors
    return [MIXED[index % len(MIXED)] for index in range(visitors)]
