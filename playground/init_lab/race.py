"""The training race: one net, several inits (with and/or without batch norm), same data.

Every runner sees exactly the same mini-batches in the same order, so the only
difference between the curves is the init (and BN). ``race()`` is a generator: after
every ``steps_per_frame`` steps of every runner it yields a ``RaceFrame`` (the curves so
far); a Stop button simply stops asking for frames. Held-out accuracy on the 1,000 MNIST
test digits is measured four times per epoch, in eval mode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from playground import checks, data
from playground.errors import UserInputError
from playground.init_schemes import initialise_model_, scheme
from playground.init_lab.settings import known_activation, known_scheme, scheme_gain
from playground.nets.mnist_bn import MnistCNN, MnistMLP
from playground.training_loop import make_optimizer

ARCHITECTURES = {"mlp": "MLP (BatchNorm1d)", "cnn": "Small CNN (BatchNorm2d)"}
BN_MODES = {"off": "without batch norm", "on": "with batch norm", "both": "both, side by side"}
OPTIMIZERS = ("SGD", "Momentum", "Adam")
MAX_SCHEMES = 4
EVALS_PER_EPOCH = 4


@dataclass
class RaceSettings:
    schemes: list[str]  # 1-4 init scheme keys
    architecture: str = "mlp"
    bn_mode: str = "off"  # "off" | "on" | "both"
    activation: str = "relu"
    hidden_layers: int = 5  # MLP only
    width: int = 128  # MLP only
    optimizer: str = "Momentum"
    learning_rate: float = 0.02
    batch_size: int = 64
    epochs: int = 2
    steps_per_frame: int = 10
    seed: int = 0

    def validated(self) -> "RaceSettings":
        if not self.schemes:
            raise UserInputError("choose at least one init scheme to race (up to four)")
        if len(self.schemes) > MAX_SCHEMES:
            raise UserInputError(f"choose at most {MAX_SCHEMES} init schemes, got {len(self.schemes)}")
        for key in self.schemes:
            known_scheme(key)
        if len(set(self.schemes)) != len(self.schemes):
            raise UserInputError("each init scheme can run only once per race")
        return RaceSettings(
            schemes=list(self.schemes),
            architecture=checks.choice("architecture", self.architecture, sorted(ARCHITECTURES)),
            bn_mode=checks.choice("batch-norm mode", self.bn_mode, sorted(BN_MODES)),
            activation=known_activation(self.activation),
            hidden_layers=checks.integer("hidden layers", self.hidden_layers, 1, 10),
            width=checks.integer("width", self.width, 8, 512),
            optimizer=checks.choice("optimizer", self.optimizer, OPTIMIZERS),
            learning_rate=checks.learning_rate(self.learning_rate, minimum=1e-5, maximum=1.0),
            # batch norm needs ≥ 2 samples per batch in train mode (see the batch-norm section)
            batch_size=checks.integer("batch size", self.batch_size, 2, 512),
            epochs=checks.integer("epochs", self.epochs, 1, 20),
            steps_per_frame=checks.integer("steps per frame", self.steps_per_frame, 1, 100),
            seed=checks.seed(self.seed),
        )


@dataclass
class Runner:
    label: str  # e.g. "Kaiming/He normal + BN"
    scheme: str
    batch_norm: bool
    model: nn.Module
    optimizer: torch.optim.Optimizer
    steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)  # training loss of every step
    eval_steps: list[int] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)  # on the 1,000 held-out digits
    test_loss: list[float] = field(default_factory=list)
    diverged_at: int | None = None  # the step whose loss was NaN/inf; the runner stops there


@dataclass
class RaceFrame:
    step: int  # steps taken by each runner so far
    total_steps: int
    epoch: float  # fractional epochs done
    runners: list[Runner]
    finished: bool = False


def build_model(settings: RaceSettings, batch_norm: bool) -> nn.Module:
    if settings.architecture == "mlp":
        return MnistMLP(settings.hidden_layers, settings.width, settings.activation, batch_norm)
    return MnistCNN(settings.activation, batch_norm)


def make_runners(settings: RaceSettings) -> list[Runner]:
    """One freshly initialised model per (scheme, BN on/off); the same seed for each init draw."""
    bn_choices = {"off": (False,), "on": (True,), "both": (False, True)}[settings.bn_mode]
    gain_for_scheme = lambda key: scheme_gain(key, settings.activation)  # noqa: E731
    runners = []
    for key in settings.schemes:
        for batch_norm in bn_choices:
            model = build_model(settings, batch_norm)
            generator = torch.Generator().manual_seed(settings.seed)
            initialise_model_(model, key, gain_for_scheme(key), generator)
            label = scheme(key).label + (" + BN" if batch_norm else "")
            optimizer = make_optimizer(settings.optimizer, model.parameters(), settings.learning_rate)
            runners.append(Runner(label, key, batch_norm, model, optimizer))
    return runners


def _evaluate(runner: Runner, step: int) -> None:
    images, labels = data.mnist_tensors("test", "standard")
    runner.model.eval()  # running statistics for BN: the way a trained net is used
    with torch.no_grad():
        logits = torch.cat([runner.model(chunk) for chunk in images.split(500)])  # (1000, 10)
    runner.model.train()
    runner.eval_steps.append(step)
    runner.test_loss.append(float(F.cross_entropy(logits, labels)))
    runner.test_accuracy.append(float((logits.argmax(1) == labels).float().mean()))


def race(settings: RaceSettings) -> Iterator[RaceFrame]:
    settings = settings.validated()
    images, labels = data.mnist_tensors("train", "standard")
    runners = make_runners(settings)
    full_batches, remainder = divmod(len(images), settings.batch_size)
    steps_per_epoch = full_batches + (1 if remainder >= 2 else 0)  # a last batch of 1 is skipped (see below)
    total_steps = steps_per_epoch * settings.epochs
    eval_interval = max(1, steps_per_epoch // EVALS_PER_EPOCH)
    order_generator = torch.Generator().manual_seed(settings.seed + 1)
    for runner in runners:
        _evaluate(runner, 0)
        runner.model.train()

    step = 0
    next_eval = eval_interval
    for _ in range(settings.epochs):
        order = torch.randperm(len(images), generator=order_generator)
        for start in range(0, len(images), settings.batch_size):
            index = order[start : start + settings.batch_size]
            if len(index) < 2:  # a last batch of 1 would break batch norm in train mode
                continue
            batch, targets = images[index], labels[index]  # (B, 1, 28, 28), (B,)
            step += 1
            for runner in runners:
                if runner.diverged_at is None:
                    _train_step(runner, batch, targets, step)
            if step >= next_eval or step == total_steps:
                for runner in runners:
                    if runner.diverged_at is None:
                        _evaluate(runner, step)
                next_eval = step + eval_interval
            if step % settings.steps_per_frame == 0 and step < total_steps:
                yield RaceFrame(step, total_steps, step / steps_per_epoch, runners)
    yield RaceFrame(step, total_steps, step / steps_per_epoch, runners, finished=True)


def _train_step(runner: Runner, batch: torch.Tensor, targets: torch.Tensor, step: int) -> None:
    runner.optimizer.zero_grad()
    loss = F.cross_entropy(runner.model(batch), targets)
    value = float(loss.detach())
    if not math.isfinite(value):
        runner.diverged_at = step
        return
    loss.backward()
    runner.optimizer.step()
    runner.steps.append(step)
    runner.losses.append(value)


def summary_rows(frame: RaceFrame) -> list[list]:
    """One row per runner: label, last training loss (mean of its last 20 steps), held-out accuracy."""
    rows = []
    for runner in frame.runners:
        recent = runner.losses[-20:]
        train_loss = sum(recent) / len(recent) if recent else float("nan")
        accuracy = runner.test_accuracy[-1] if runner.test_accuracy else float("nan")
        status = f"diverged at step {runner.diverged_at}" if runner.diverged_at else "running"
        if frame.finished and runner.diverged_at is None:
            status = "finished"
        rows.append([runner.label, round(train_loss, 4), round(100 * accuracy, 1), status])
    return rows
