"""What the load command's visitors do: one ``Task`` per live panel, through the named API.

A task names the Play and Stop endpoints of a live panel, the arguments Play gets, where the
status text is in each streamed output, and how to tell a training frame from a notice
(waiting, stopped). ``before`` and ``during`` are the one-shot calls a visitor makes before
pressing Play and half-way through watching (classify a photo, sample a GAN, denoise).
"""

from __future__ import annotations

import dataclasses
import functools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Task:
    panel: str  # a short name for the table
    play: str  # the Play endpoint, e.g. "/mlp_play"
    stop: str | None  # the Stop endpoint (None: the run ends by itself)
    play_args: Callable[[], list]
    status_index: int  # where the status text is in each streamed output
    training_mark: str  # text that only a training frame's status contains ("a|b": either)
    before: tuple = field(default=())  # (kind, call(client)) one-shots before Play
    during: tuple = field(default=())  # ... and half-way through watching
    after: tuple = field(default=())  # ... and after Stop
    warmup: tuple = field(default=())  # (kind, call) made once, by a separate client, before the visitors start
    room_status_index: int = 0  # where the status is in what a room's viewer gets (its shared outputs)
    states_of: Callable[[object], list] | None = None  # the training states a frame shows, oldest first; None: 1


def states_in(task: Task, output, last: list) -> int:
    """How many new training states a streamed frame shows (1 unless the task says): a state equal to the one
    shown just before it (a turn that found its group trained by another, a repeated picture) is not new.
    ``last`` holds the last state this visitor was shown (updated here)."""
    if task.states_of is None:
        return 1
    new = 0
    for state in task.states_of(output):
        if not last or state != last[0]:
            new += 1
            last[:] = [state]
    return new


def _mlp_states(output) -> list:
    """The MLP board: the film of earlier states it carries, then the scene's network (its numbers as text)."""
    board = output[0] if isinstance(output, (list, tuple)) and output else None
    if not isinstance(board, dict):
        return [output]
    return [*(board.get("film") or ()), board.get("network")]


# The runtime's waiting notices: they repeat the last frame's status (which has the training mark) and add
# where the visitor stands, so they must not count as training frames.
NOTICE_MARKS = ("Waiting for a turn on the CPU", "In line:")


def is_notice(task: Task, output) -> bool:
    """Whether an output is one of the runtime's notices (waiting for a turn, in line) rather than a frame of
    the stream itself."""
    status = output[task.status_index] if isinstance(output, (list, tuple)) else output
    return isinstance(status, str) and any(mark in status for mark in NOTICE_MARKS)


def is_training_frame(task: Task, output) -> bool:
    """Whether the status contains one of the task's marks (alternatives separated by "|") and is no notice."""
    status = output[task.status_index] if isinstance(output, (list, tuple)) else output
    return (isinstance(status, str) and any(mark in status for mark in task.training_mark.split("|"))
            and not any(mark in status for mark in NOTICE_MARKS))


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


def gan_sample(client) -> None:
    import playground.catalog  # noqa: F401  (every model registers itself)
    from playground import registry

    client.predict(registry.list_models(task="dcgan")[0], 0, 1.0, "all", api_name="/gan_sample")


def denoise(client) -> None:
    # A bundled photo with Gaussian noise, through the autoencoder (no classical baselines).
    client.predict("Bundled photo", "astronaut", 0, None, False, None, "Gaussian", 0.1, 0, False, api_name="/denoise")


def cnn_lab_run(client) -> None:
    """A short CNN-lab training (one epoch on 1,000 digits) watched to its end: a run, not a one-shot, but
    what each visitor of the class scenario does once after the MLP playground."""
    job = client.submit("Adam", 1e-3, 1, 64, True, True, 0, 10, 1000, api_name="/cnn_lab_train")
    job.result(timeout=600)  # raises what the stream raised


# ---------------------------------------------------------------- live panels


def _mlp_args() -> list:
    from playground.perceptron.config import PlaygroundConfig, page_values

    return page_values(PlaygroundConfig())


MLP = Task(panel="mlp", play="/mlp_play", stop="/mlp_pause", play_args=_mlp_args, status_index=1,
           training_mark="**Epoch", before=(("classify", classify),), during=(("classify", classify),),
           warmup=(("classify", classify),), room_status_index=1, states_of=_mlp_states)

def _photo_pair() -> list:
    from gradio_client import handle_file

    return [handle_file(_photo_file("chelsea")), handle_file(_photo_file("immunohistochemistry"))]


def _char_text() -> str:
    from playground.sequence.charlm import zen_of_python

    return zen_of_python()


ONE_SHOTS = (("gan sample", gan_sample), ("denoise", denoise), ("classify", classify))

# Every live panel with the page's default settings (long runs: the visitor stops them). The
# first eight cover the eight tabs that train live.
MIXED: list[Task] = [
    MLP,
    Task("toy_gan", "/toy_play", "/toy_stop", lambda: ["ring of 8 Gaussians", 1e-3, 1e-3, 0, None, 1, 10], 2,
         "D steps"),
    Task("gatys", "/gatys", "/stop_gatys",
         lambda: [*_photo_pair(), ["stem", "1", "3", "5", "8"], ["8"], 1.0, 10.0, 10.0, 256, 1000, "L-BFGS", "content",
                  False, 0], 2, "running"),
    Task("char_lm", "/train_char_model", "/char_lm_stop", lambda: [_char_text(), "LSTM", 128, 0.005, 0, 2000, 0.8], 1,
         "bits per character"),
    Task("cnn_lab", "/cnn_lab_train", "/cnn_lab_stop", lambda: ["Adam", 1e-3, 5, 64, True, True, 0, 10, 4000], 0,
         "Epoch "),
    Task("autoencoder", "/train_live", "/train_live_stop", lambda: ["Gaussian", 0.3, "8 numbers", 2e-3, 5, 0], 2,
         "validation loss"),
    Task("init_race", "/init_race", "/init_race_stop",
         lambda: [["seed_normal", "too_small", "kaiming_normal"], "mlp", "off", "relu", 5, 128, "Momentum", 0.02, 64, 3,
                  10, 0], 2, "Training:"),
    Task("transfer_experiment", "/transfer_run_experiment", "/transfer_experiment_stop", lambda: [3, 0], 2, "step |done"),
    Task("live_dcgan", "/live_dcgan_train", "/live_dcgan_stop", lambda: [0, 2e-4, 10], 2, "D loss"),
    Task("memory_race", "/memory_race", "/memory_race_stop",
         lambda: ["remember-k", 20, 10, 32, 0.003, 3.0, 0, 3000], 1, "held-out accuracy"),
    Task("forecast", "/forecast", "/forecast_stop", lambda: ["noisy sine", "GRU", 32, 0.01, 0.1, 0, 2000], 1,
         "training loss"),
    Task("attention", "/attention", "/attention_stop", lambda: [6, 1, 1, 0.005, 0, 2000], 1, "held-out accuracy"),
]


def _example_set(client) -> None:
    client.predict("Photo patches: cat / coffee / rocket", api_name="/transfer_load_example_set")


# The live panels the mixed scenario leaves out (a one-shot, a stream that ends by itself, or one
# that needs pictures first): every live panel of the app has a task, by the runtime's panel name.
OTHERS: list[Task] = [
    Task("gpt_live", "/gpt_train_live", "/gpt_stop_training",
         lambda: ["Shakespeare excerpt (ships with the app)", "", 2, 64, 64, 3e-3, 1500, 0], 0, "step "),
    Task("gpt_generate", "/gpt_generate", "/gpt_stop_generating", lambda: ["ROMEO:", 300, 1.0, 0, 1.0, 0], 0, ":"),
    Task("batchnorm", "/bn_pitfalls", None, lambda: ["mlp", 2, 0], 0, "held-out accuracy"),
    Task("perceptron", "/perceptron_learn", "/perceptron_stop", lambda: [1.0, -1.0, 0.5, "sigmoid", 0.1, "gauss"], 4,
         "Epoch "),
    Task("transfer", "/transfer_train", "/transfer_stop", lambda: [0, False, "linear", 30, 3e-3, 0, 0.25], 0,
         "Epoch |Done in",
         before=(("example set", _example_set),)),
    Task("diffusion2d", "/diffusion_play", "/diffusion_stop",
         lambda: ["flow matching", "linear", "ring of 8 Gaussians", 3e-3, 0, None, True, 0.5, "Euler", 50, 25], 7,
         "training steps"),
]
PANELS: dict[str, Task] = {task.panel: task for task in [*MIXED, *OTHERS]}  # the runtime's panel name → task


# The class through a balancer (issue 35): each visitor classifies, plays the MLP playground, denoises and
# samples a GAN while it trains, and then trains the CNN lab once.
CLASS = dataclasses.replace(MLP, before=(("classify", classify),),
                            during=(("denoise", denoise), ("gan sample", gan_sample)),
                            after=(("cnn lab run", cnn_lab_run),),
                            warmup=(("classify", classify), ("denoise", denoise), ("gan sample", gan_sample)))


def tasks_for(scenario: str, visitors: int) -> list[Task]:
    """The task of each visitor: all MLP, the class (MLP and every one-shot, then a CNN-lab run), the live
    panels in turn (mixed), or all on one panel (its name)."""
    if scenario == "mlp":
        return [MLP] * visitors
    if scenario == "class":
        return [CLASS] * visitors
    if scenario in PANELS:
        return [PANELS[scenario]] * visitors
    # Mixed: the panels in turn; each visitor makes one of the one-shot calls before and during.
    tasks = []
    for index in range(visitors):
        task = MIXED[index % len(MIXED)]
        kind, call = ONE_SHOTS[index % len(ONE_SHOTS)]
        tasks.append(dataclasses.replace(task, before=((kind, call),), during=((kind, call),)))
    return tasks
