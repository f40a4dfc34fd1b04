"""Toy sequence tasks whose difficulty is one number: the delay k.

Every task draws a fresh batch on demand and returns a ``Batch``: inputs (B, T, D),
targets (B, T) (class indices, or real values for the adding problem) and a mask (B, T)
of the steps that are scored. Models output a vector per step; only masked steps count.

- remember-k: a symbol (one of ``n_symbols``) is shown at step 0, then k steps of noise
  symbols that must be ignored; at step k (the last) say which symbol came first.
  Chance is 1 / n_symbols. A TDNN with window w sees step 0 from step k only if k < w.
- adding: two channels, a random value in [0, 1] and a marker; the first marked value is
  at step 0, the second in the last few steps; output their sum at the last step. Scored
  "right" when within 0.1 (always guessing 1.0 scores about 19 %).
- delayed copy: ``copy_length`` symbols, then k blanks; from step k on, echo the symbols
  in order (the output at step t is the input at step t − k).
- reverse: ``length`` symbols, then ``length`` blanks during which the model writes them
  back in reverse order (the output at step L + i is the input at step L − 1 − i).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from playground import checks
from playground.errors import UserInputError

TASKS = ("remember-k", "adding", "delayed copy")
MAX_DELAY = 200
N_SYMBOLS = 4
COPY_LENGTH = 3
ADDING_TOLERANCE = 0.1


@dataclass
class Batch:
    inputs: torch.Tensor  # (B, T, D) float
    targets: torch.Tensor  # (B, T) long (classes) or float (adding)
    mask: torch.Tensor  # (B, T) bool: the steps that are scored


@dataclass(frozen=True)
class TaskSpec:
    name: str
    delay: int
    n_in: int  # input features per step
    n_out: int  # output units per step (classes, or 1 for regression)
    regression: bool
    chance: float  # accuracy of a model that knows nothing (or the best constant guess)


def check_delay(delay: int, low: int = 1, high: int = MAX_DELAY) -> int:
    return checks.integer("the delay k", delay, low, high)


def task_spec(name: str, delay: int, n_symbols: int = N_SYMBOLS) -> TaskSpec:
    delay = check_delay(delay)
    if name == "remember-k":
        # one-hot symbol channels + a "noise" channel that flags distractor steps
        return TaskSpec(name, delay, n_symbols + 1, n_symbols, False, 1 / n_symbols)
    if name == "adding":
        return TaskSpec(name, delay, 2, 1, True, 0.19)
    if name == "delayed copy":
        return TaskSpec(name, delay, n_symbols + 1, n_symbols, False, 1 / n_symbols)
    raise UserInputError(f"unknown task {name!r}; choose one of {list(TASKS)}")


def make_batch(spec: TaskSpec, batch_size: int, generator: torch.Generator) -> Batch:
    if spec.name == "remember-k":
        return _remember(spec, batch_size, generator)
    if spec.name == "adding":
        return _adding(spec, batch_size, generator)
    return _delayed_copy(spec, batch_size, generator)


def _remember(spec: TaskSpec, batch_size: int, generator: torch.Generator) -> Batch:
    n_symbols, steps = spec.n_out, spec.delay + 1
    symbols = torch.randint(n_symbols, (batch_size, steps), generator=generator)  # (B, T)
    inputs = F.one_hot(symbols, n_symbols + 1).float()  # (B, T, S+1)
    inputs[:, 1:, n_symbols] = 1.0  # steps 1..k are distractors: a random symbol, flagged as noise
    targets = torch.zeros(batch_size, steps, dtype=torch.long)
    targets[:, -1] = symbols[:, 0]
    mask = torch.zeros(batch_size, steps, dtype=torch.bool)
    mask[:, -1] = True
    return Batch(inputs, targets, mask)


def _adding(spec: TaskSpec, batch_size: int, generator: torch.Generator) -> Batch:
    steps = spec.delay + 1
    values = torch.rand(batch_size, steps, generator=generator)  # (B, T)
    markers = torch.zeros(batch_size, steps)
    markers[:, 0] = 1.0
    # the second marked value sits in the last quarter (or the last step), so the first is ~k back
    last_quarter = max(1, steps // 4)
    second = steps - 1 - torch.randint(last_quarter, (batch_size,), generator=generator)
    second = second.clamp(min=1) if steps > 1 else second
    markers[torch.arange(batch_size), second] = 1.0
    inputs = torch.stack([values, markers], dim=-1)  # (B, T, 2)
    targets = torch.zeros(batch_size, steps)
    targets[:, -1] = (values * markers).sum(dim=1)
    mask = torch.zeros(batch_size, steps, dtype=torch.bool)
    mask[:, -1] = True
    return Batch(inputs, targets, mask)


def _delayed_copy(spec: TaskSpec, batch_size: int, generator: torch.Generator) -> Batch:
    n_symbols, length = spec.n_out, COPY_LENGTH
    steps = spec.delay + length
    symbols = torch.randint(n_symbols, (batch_size, length), generator=generator)  # (B, L)
    inputs = torch.zeros(batch_size, steps, n_symbols + 1)
    inputs[:, :length, :n_symbols] = F.one_hot(symbols, n_symbols).float()
    inputs[:, length:, n_symbols] = 1.0  # blank flag
    targets = torch.zeros(batch_size, steps, dtype=torch.long)
    targets[:, spec.delay : spec.delay + length] = symbols  # output at t = input at t − k
    mask = torch.zeros(batch_size, steps, dtype=torch.bool)
    mask[:, spec.delay : spec.delay + length] = True
    return Batch(inputs, targets, mask)


def reverse_batch(length: int, batch_size: int, generator: torch.Generator, n_symbols: int = N_SYMBOLS) -> Batch:
    """Read ``length`` symbols, then write them back reversed during ``length`` blank steps."""
    symbols = torch.randint(n_symbols, (batch_size, length), generator=generator)  # (B, L)
    inputs = torch.zeros(batch_size, 2 * length, n_symbols + 1)
    inputs[:, :length, :n_symbols] = F.one_hot(symbols, n_symbols).float()
    inputs[:, length:, n_symbols] = 1.0  # blank flag: "now write"
    targets = torch.zeros(batch_size, 2 * length, dtype=torch.long)
    targets[:, length:] = symbols.flip(1)
    mask = torch.zeros(batch_size, 2 * length, dtype=torch.bool)
    mask[:, length:] = True
    return Batch(inputs, targets, mask)


def loss_and_accuracy(outputs: torch.Tensor, batch: Batch, regression: bool) -> tuple[torch.Tensor, float]:
    """Loss over the scored steps (cross-entropy or MSE) and the fraction of scored steps right."""
    if regression:
        predicted = outputs[..., 0][batch.mask]  # (N,)
        wanted = batch.targets[batch.mask]
        loss = F.mse_loss(predicted, wanted)
        accuracy = ((predicted - wanted).abs() < ADDING_TOLERANCE).float().mean().item()
        return loss, accuracy
    logits = outputs[batch.mask]  # (N, classes)
    wanted = batch.targets[batch.mask]
    loss = F.cross_entropy(logits, wanted)
    accuracy = (logits.argmax(dim=1) == wanted).float().mean().item()
    return loss, accuracy
