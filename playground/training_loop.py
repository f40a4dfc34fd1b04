"""The one training loop: the seed notes' loop, as a generator.

Per epoch: train (every optimizer step goes through a closure, so L-BFGS works exactly
as in the seed notes, and SGD/Adam accept the same call), then validate, then keep the
best checkpoint whenever the validation loss decreased. It yields a ``Progress`` every
``report_every`` steps and at the end of every epoch, so a tab can stream curves and a
recipe can print them; stopping early is simply not asking for the next item.

A non-finite loss raises ``TrainingDiverged``; the best checkpoint so far stays in
``BestCheckpoint``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

import numpy as np
import torch
from torch import nn

from playground import checks
from playground.device import device_of
from playground.errors import TrainingDiverged, UserInputError

Batches = Callable[[], Iterable[tuple[torch.Tensor, torch.Tensor]]]


def seed_everything(seed: int) -> torch.Generator:
    """Seed torch and numpy; returns a torch Generator for explicit use."""
    seed = int(seed)
    torch.manual_seed(seed)
    np.random.seed(seed % (2**32))
    return torch.Generator().manual_seed(seed)


def make_optimizer(name: str, parameters, lr: float, momentum: float = 0.9, weight_decay: float = 0.0):
    """SGD, momentum, Adam or L-BFGS by name; L-BFGS needs the closure the loop passes."""
    checks.learning_rate(lr, maximum=100.0)
    checks.finite(weight_decay=weight_decay)
    parameters = list(parameters)
    key = name.lower().replace("-", "").replace(" ", "")
    if key == "sgd":
        return torch.optim.SGD(parameters, lr=lr, weight_decay=weight_decay)
    if key in ("momentum", "sgdmomentum"):
        return torch.optim.SGD(parameters, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if key == "adam":
        return torch.optim.Adam(parameters, lr=lr, weight_decay=weight_decay)
    if key == "lbfgs":
        return torch.optim.LBFGS(parameters, lr=lr, max_iter=20, history_size=10, line_search_fn="strong_wolfe")
    raise UserInputError(f"unknown optimizer {name!r}; choose SGD, Momentum, Adam or L-BFGS")


class BestCheckpoint:
    """Keeps a copy of the weights whenever the validation loss decreases (the seed's rule)."""

    def __init__(self) -> None:
        self.best_loss = math.inf
        self.state_dict: dict[str, torch.Tensor] | None = None
        self.epoch: int | None = None

    def update(self, valid_loss: float, model: nn.Module, epoch: int | None = None) -> bool:
        """Save if ``valid_loss`` is strictly below the best so far; True when it saved."""
        if not math.isfinite(valid_loss) or valid_loss >= self.best_loss:
            return False
        self.best_loss = valid_loss
        self.state_dict = {key: value.detach().cpu().clone() for key, value in model.state_dict().items()}
        self.epoch = epoch
        return True


@dataclass
class Progress:
    epoch: int  # 1-based
    step: int  # optimizer steps so far
    train_loss: float  # mean over the epoch so far
    valid_loss: float | None = None  # set at the end of an epoch
    epoch_end: bool = False
    improved: bool = False  # validation loss decreased and the checkpoint was saved
    message: str = ""  # e.g. "Validation loss decreased (0.41 → 0.33). Saving model …"
    history: dict[str, list[float]] = field(default_factory=dict)  # per-epoch curves


def evaluate(model: nn.Module, loss_fn, batches: Batches, device: torch.device) -> float:
    """Mean loss over all samples of ``batches`` in eval mode."""
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for inputs, targets in batches():
            inputs, targets = inputs.to(device), targets.to(device)
            total += loss_fn(model(inputs), targets).item() * len(inputs)
            count += len(inputs)
    return total / max(count, 1)


def fit(
    model: nn.Module,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    train_batches: Batches,
    valid_batches: Batches | None,
    epochs: int,
    device: torch.device | None = None,
    checkpoint: BestCheckpoint | None = None,
    report_every: int = 0,
) -> Iterator[Progress]:
    """Train ``model`` for ``epochs``, yielding Progress (see the module docstring)."""
    device = device or device_of(model)
    checkpoint = checkpoint if checkpoint is not None else BestCheckpoint()
    history: dict[str, list[float]] = {"train_loss": [], "valid_loss": []}
    step = 0
    for epoch in range(1, epochs + 1):
        model.train()
        total, count = 0.0, 0
        for inputs, targets in train_batches():
            inputs, targets = inputs.to(device), targets.to(device)
            first_loss: list[float] = []

            def closure():
                optimizer.zero_grad()
                loss = loss_fn(model(inputs), targets)
                loss.backward()
                if not first_loss:  # L-BFGS calls the closure many times; keep the first
                    first_loss.append(loss.item())
                return loss

            optimizer.step(closure)
            loss_value = first_loss[0]
            if not math.isfinite(loss_value):
                raise TrainingDiverged(
                    f"the loss became {loss_value} at epoch {epoch}, step {step + 1}: "
                    "try a smaller learning rate (the best checkpoint so far is kept)"
                )
            step += 1
            total += loss_value * len(inputs)
            count += len(inputs)
            if report_every and step % report_every == 0:
                yield Progress(epoch=epoch, step=step, train_loss=total / count, history=history)
        train_loss = total / max(count, 1)
        history["train_loss"].append(train_loss)
        valid_loss = None
        improved, message = False, ""
        if valid_batches is not None:
            valid_loss = evaluate(model, loss_fn, valid_batches, device)
            history["valid_loss"].append(valid_loss)
            previous = checkpoint.best_loss
            improved = checkpoint.update(valid_loss, model, epoch)
            if improved:
                message = f"Validation loss decreased ({previous:.6f} → {valid_loss:.6f}). Saving model …"
        yield Progress(
            epoch=epoch,
            step=step,
            train_loss=train_loss,
            valid_loss=valid_loss,
            epoch_end=True,
            improved=improved,
            message=message,
            history={key: list(values) for key, values in history.items()},
        )


def tensor_batches(
    inputs: torch.Tensor, targets: torch.Tensor, batch_size: int, shuffle: bool, seed: int = 0
) -> Batches:
    """A re-iterable batch source over in-memory tensors (a new shuffle every epoch)."""
    if batch_size < 1:
        raise UserInputError(f"batch size must be at least 1, got {batch_size}")
    generator = torch.Generator().manual_seed(seed)

    def batches():
        order = torch.randperm(len(inputs), generator=generator) if shuffle else torch.arange(len(inputs))
        for start in range(0, len(inputs), batch_size):
            index = order[start : start + batch_size]
            yield inputs[index], targets[index]

    return batches


def clone_module(model: nn.Module) -> nn.Module:
    """A deep copy (for a session's own model made from a shared one)."""
    return copy.deepcopy(model)
