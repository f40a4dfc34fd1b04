"""The memory race: TDNN, Elman RNN, LSTM and GRU trained side by side on one task.

``Race`` holds the four models, their optimizers and their curves; ``advance(steps)``
trains each model for ``steps`` Adam steps on fresh batches (the same batches for all
four, so the race is fair) and measures accuracy on a fixed held-out batch. The tab
calls it in a loop and redraws after every call; a test calls it to a fixed budget.
``accuracy_vs_delay`` trains fresh models for each k: the picture that explains the notes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from playground import checks
from playground.errors import TrainingDiverged, UserInputError
from playground.nets.sequence import MODEL_KINDS, build_model
from playground.sequence.tasks import (
    N_SYMBOLS,
    TaskSpec,
    check_delay,
    loss_and_accuracy,
    make_batch,
    task_spec,
)

HELD_OUT = 512  # sequences in the fixed evaluation batch


@dataclass
class RaceSettings:
    task: str = "remember-k"
    delay: int = 20  # k
    window: int = 10  # the TDNN's window w
    hidden: int = 32  # hidden units of every model
    learning_rate: float = 0.003  # Adam
    batch_size: int = 64
    gate_bias: float = 3.0  # LSTM forget / GRU update gate bias at init: "remember by default"
    symbols: int = N_SYMBOLS  # alphabet size of the symbol tasks
    seed: int = 0
    kinds: tuple[str, ...] = MODEL_KINDS

    def validated(self) -> "RaceSettings":
        """The checked settings (whole numbers as ints), or UserInputError for the first bad one."""
        if not self.kinds:
            raise UserInputError(f"choose models among {list(MODEL_KINDS)}, got none.")
        return replace(
            self,
            delay=check_delay(self.delay),
            window=checks.integer("TDNN window", self.window, 1, 200),
            hidden=checks.integer("hidden size", self.hidden, 1, 256),
            learning_rate=checks.learning_rate(self.learning_rate, maximum=1.0),
            batch_size=checks.integer("batch size", self.batch_size, 1, 1024),
            gate_bias=checks.number("gate bias", self.gate_bias),
            seed=checks.seed(self.seed),
            kinds=tuple(checks.choice("model", kind, MODEL_KINDS) for kind in self.kinds),
        )


@dataclass
class Racer:
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    steps: list[int] = field(default_factory=list)  # x of the curves
    loss: list[float] = field(default_factory=list)  # training loss (mean over the group of steps)
    accuracy: list[float] = field(default_factory=list)  # held-out accuracy


class Race:
    def __init__(self, settings: RaceSettings):
        settings = self.settings = settings.validated()
        self.spec: TaskSpec = task_spec(settings.task, settings.delay, int(settings.symbols))
        torch.manual_seed(settings.seed)
        self.racers: dict[str, Racer] = {}
        for kind in settings.kinds:
            model = build_model(
                kind, self.spec.n_in, self.spec.n_out, hidden=int(settings.hidden),
                window=int(settings.window), gate_bias=float(settings.gate_bias),
            )
            optimizer = torch.optim.Adam(model.parameters(), lr=settings.learning_rate)
            self.racers[kind] = Racer(model, optimizer)
        self.batches = torch.Generator().manual_seed(settings.seed + 1)
        self.held_out = make_batch(self.spec, HELD_OUT, torch.Generator().manual_seed(settings.seed + 2))
        self.step = 0

    def advance(self, steps: int) -> dict[str, float]:
        """Train every model for ``steps`` steps; returns {kind: held-out accuracy}."""
        batches = [make_batch(self.spec, self.settings.batch_size, self.batches) for _ in range(steps)]
        for kind, racer in self.racers.items():
            racer.model.train()
            losses = []
            for batch in batches:
                loss, _ = loss_and_accuracy(racer.model(batch.inputs), batch, self.spec.regression)
                if not math.isfinite(loss.item()):
                    raise TrainingDiverged(
                        f"the {kind}'s loss became {loss.item()} at step {self.step + len(losses) + 1}: "
                        "try a smaller learning rate"
                    )
                racer.optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(racer.model.parameters(), 5.0)  # exploding gradients stay bounded
                racer.optimizer.step()
                losses.append(loss.item())
            racer.steps.append(self.step + steps)
            racer.loss.append(float(np.mean(losses)))
            racer.accuracy.append(self.evaluate(kind))
        self.step += steps
        return {kind: racer.accuracy[-1] for kind, racer in self.racers.items()}

    def curves(self) -> dict[str, dict[str, list[float]]]:
        return {
            kind: {"steps": list(r.steps), "loss": list(r.loss), "accuracy": list(r.accuracy)}
            for kind, r in self.racers.items()
        }

    def evaluate(self, kind: str) -> float:
        model = self.racers[kind].model
        model.eval()
        with torch.no_grad():
            _, accuracy = loss_and_accuracy(model(self.held_out.inputs), self.held_out, self.spec.regression)
        return accuracy


def accuracy_vs_delay(settings: RaceSettings, delays: list[int], steps: int, group: int = 50):
    """For each k, a fresh race trained for ``steps``; yields (k, {kind: best held-out accuracy})."""
    for delay, _, best in sweep_progress(settings, delays, steps, group):
        if best is not None:
            yield delay, best


def sweep_progress(settings: RaceSettings, delays: list[int], steps: int, group: int = 50):
    """``accuracy_vs_delay`` one group of steps at a time (a live stream can stop between groups):
    yields (k, steps done for this k, None) after each group and (k, steps, {kind: best}) when k is done."""
    for delay in delays:
        race = Race(RaceSettings(**{**settings.__dict__, "delay": int(delay)}))
        while race.step < steps:
            race.advance(min(group, steps - race.step))
            if race.step < steps:
                yield int(delay), race.step, None
        yield int(delay), race.step, {kind: max(racer.accuracy) for kind, racer in race.racers.items()}


def train_to_budget(settings: RaceSettings, steps: int, group: int = 50) -> dict[str, float]:
    """Train a fresh race for ``steps`` steps; the best held-out accuracy each model reached."""
    race = Race(settings)
    while race.step < steps:
        race.advance(min(group, steps - race.step))
    return {kind: max(racer.accuracy) for kind, racer in race.racers.items()}
