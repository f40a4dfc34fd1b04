"""A visitor's training session: data, network, optimizer, curves; trained in groups of epochs.

``Trainer(config)`` builds everything from a ``PlaygroundConfig``. ``train_epochs(n)``
and ``train_for(seconds)`` advance it (play streams ``train_for`` calls, step calls
``train_epochs(1)``); ``snapshot(grid)`` gives what the page draws. A non-finite loss
restores the weights from before the group and raises ``TrainingDiverged``.

Each epoch is: a new shuffle (seeded), one optimizer step per mini-batch (through a
closure, so L-BFGS works the same way as SGD and Adam), then the loss on the whole
training and test sets for the curves.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from playground.errors import TrainingDiverged, UserInputError
from playground.mlp import datasets
from playground.mlp.config import PlaygroundConfig
from playground.mlp.model import MLP, build_mlp
from playground.training import make_optimizer

MIN_OWN_POINTS = 4


@dataclass
class Data:
    train_points: np.ndarray  # (n_train, 2) on the plane
    train_labels: np.ndarray  # (n_train,)
    test_points: np.ndarray  # (n_test, 2)
    test_labels: np.ndarray  # (n_test,)


def make_data(config: PlaygroundConfig) -> Data:
    """The generated points plus the visitor's own, split into train and test."""
    parts_points, parts_labels = [], []
    if config.dataset != datasets.OWN_POINTS:
        points, labels = datasets.make_points(config.dataset, config.points, config.classes, config.noise / 100,
                                              config.seed)
        parts_points.append(points)
        parts_labels.append(labels)
    if config.own_points:
        own = np.asarray(config.own_points, dtype=np.float64)  # (m, 3)
        parts_points.append(own[:, :2].astype(np.float32))
        parts_labels.append(own[:, 2].astype(np.int64))
    count = sum(len(part) for part in parts_points)
    if count < MIN_OWN_POINTS:
        raise UserInputError(
            f"your data set has {count} point(s): click on the plane to add at least {MIN_OWN_POINTS} "
            "(pick the class first), or choose a built-in data set"
        )
    points, labels = np.concatenate(parts_points), np.concatenate(parts_labels)
    return Data(*datasets.split(points, labels, config.train_percent / 100, config.seed))


def loss_function(name: str, classes: int):
    """Cross-entropy on the logits, or MSE between softmax probabilities and one-hot targets."""
    if name == "cross_entropy":
        return F.cross_entropy

    def mse(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return F.mse_loss(logits.softmax(dim=1), F.one_hot(targets, classes).to(logits.dtype))

    return mse


class Trainer:
    def __init__(self, config: PlaygroundConfig):
        self.config = config.validate()
        self.data = make_data(config)
        self.train_x = torch.from_numpy(datasets.features(self.data.train_points, config.features))  # (n, F)
        self.train_y = torch.from_numpy(self.data.train_labels)  # (n,)
        self.test_x = torch.from_numpy(datasets.features(self.data.test_points, config.features))
        self.test_y = torch.from_numpy(self.data.test_labels)
        self.model: MLP = build_mlp(len(config.features), config.hidden, config.hidden_activations(),
                                    config.classes, config.init, config.seed, config.leaky_slope)
        self.shuffle = torch.Generator().manual_seed(config.seed)
        self.epoch = 0
        self.history: dict[str, list[float]] = {"train_loss": [], "test_loss": []}
        self.set_optimizer(config)

    # ---------------------------------------------------------- settings that apply live

    def set_optimizer(self, config: PlaygroundConfig) -> None:
        """Optimizer, learning rate, batch size, regularisation and loss: changeable mid-run."""
        config.validate()
        self.config = config
        self.optimizer = make_optimizer(config.optimizer, self.model.parameters(), config.learning_rate)
        self.loss_fn = loss_function(config.loss, config.classes)

    def penalty(self) -> torch.Tensor | float:
        rate = self.config.regularisation_rate
        if self.config.regularisation == "none" or rate == 0:
            return 0.0
        if self.config.regularisation == "l1":
            return rate * sum(weight.abs().sum() for weight in self.model.weights())
        return rate * sum((weight * weight).sum() for weight in self.model.weights())

    # ---------------------------------------------------------- training

    def _one_epoch(self) -> None:
        model, optimizer, x, y = self.model, self.optimizer, self.train_x, self.train_y
        batch_size = min(self.config.batch_size, len(x))
        order = torch.randperm(len(x), generator=self.shuffle)
        uses_closure = isinstance(optimizer, torch.optim.LBFGS)
        regularised = self.config.regularisation != "none" and self.config.regularisation_rate > 0
        model.train()
        batch_losses = []  # detached, read once at the end of the epoch (no sync per step)
        for start in range(0, len(x), batch_size):
            index = order[start:start + batch_size]
            inputs, targets = x[index], y[index]  # (B, F), (B,)
            if uses_closure:
                # L-BFGS re-evaluates the loss several times per step, through a closure.
                first: list[torch.Tensor] = []

                def closure():
                    optimizer.zero_grad()
                    loss = self.loss_fn(model(inputs), targets)
                    if not first:
                        first.append(loss.detach())
                    total_loss = loss + self.penalty()  # what the optimizer minimises
                    total_loss.backward()
                    return total_loss

                optimizer.step(closure)
                batch_losses.append(first[0])
            else:
                optimizer.zero_grad()
                loss = self.loss_fn(model(inputs), targets)
                (loss + self.penalty() if regularised else loss).backward()
                optimizer.step()
                batch_losses.append(loss.detach())
        # The train curve is the mean mini-batch loss over the epoch (as most PyTorch loops
        # report it: no extra pass); the test curve is measured on the whole test set.
        sizes = torch.full((len(batch_losses),), float(batch_size))
        sizes[-1] = len(x) - batch_size * (len(batch_losses) - 1)  # the last batch may be smaller
        train_loss = float(torch.stack(batch_losses) @ sizes) / len(x)
        test_loss = self.test_loss()
        if not math.isfinite(train_loss) or not (math.isfinite(test_loss) or not len(self.test_y)):
            raise FloatingPointError(train_loss if not math.isfinite(train_loss) else test_loss)
        self.epoch += 1
        self.history["train_loss"].append(train_loss)
        self.history["test_loss"].append(test_loss)

    def train_epochs(self, epochs: int) -> int:
        """Train ``epochs`` epochs; returns how many ran."""
        return self._run(lambda done: done < epochs)

    def train_for(self, seconds: float, max_epochs: int = 10_000) -> int:
        """Train whole epochs for about ``seconds`` (at least one epoch); returns how many ran."""
        deadline = time.perf_counter() + seconds
        clock = {"last": time.perf_counter(), "epoch": 0.0}  # running estimate of one epoch's duration

        def keep_going(done: int) -> bool:
            now = time.perf_counter()
            if done:
                took = now - clock["last"]
                clock["epoch"] = took if done == 1 else 0.7 * clock["epoch"] + 0.3 * took
            clock["last"] = now
            # Stop before an epoch that would end past the deadline (frames stay on time).
            return done == 0 or (done < max_epochs and now + clock["epoch"] <= deadline)

        return self._run(keep_going)

    def _run(self, keep_going) -> int:
        saved = {key: value.clone() for key, value in self.model.state_dict().items()}
        saved_epoch, saved_lengths = self.epoch, {key: len(v) for key, v in self.history.items()}
        done = 0
        try:
            while keep_going(done):
                self._one_epoch()
                done += 1
        except FloatingPointError as error:
            # Back to the weights before this group, so the page keeps a usable network.
            self.model.load_state_dict(saved)
            self.set_optimizer(self.config)
            self.epoch = saved_epoch
            for key, length in saved_lengths.items():
                del self.history[key][length:]
            raise TrainingDiverged(
                f"the loss became {error.args[0]} after epoch {saved_epoch}: the learning rate "
                f"({self.config.learning_rate:g}) is too large for this network. The weights from epoch "
                f"{saved_epoch} are kept; lower the learning rate, then press play again."
            ) from None
        return done

    # ---------------------------------------------------------- measuring

    @torch.no_grad()
    def test_loss(self) -> float:
        if not len(self.test_y):
            return float("nan")
        self.model.eval()
        return float(self.loss_fn(self.model(self.test_x), self.test_y))

    @torch.no_grad()
    def losses(self) -> tuple[float, float]:
        """(train loss, test loss) on the whole sets, without the regularisation term."""
        self.model.eval()
        train = float(self.loss_fn(self.model(self.train_x), self.train_y))
        test = float(self.loss_fn(self.model(self.test_x), self.test_y)) if len(self.test_y) else float("nan")
        return train, test

    @torch.no_grad()
    def accuracy(self, split: str = "test") -> float:
        x, y = (self.train_x, self.train_y) if split == "train" else (self.test_x, self.test_y)
        if not len(y):
            return float("nan")
        self.model.eval()
        return float((self.model(x).argmax(1) == y).float().mean())

    @torch.no_grad()
    def snapshot(self, grid_features: torch.Tensor) -> tuple[np.ndarray, list[np.ndarray]]:
        """Class probabilities (G², classes) and hidden outputs [(G², width), ...] over a grid."""
        self.model.eval()
        logits, hidden = self.model.forward_with_hidden(grid_features)
        return logits.softmax(1).numpy(), [h.numpy() for h in hidden]


def grid_features(config: PlaygroundConfig, resolution: int) -> torch.Tensor:
    """The features of every grid cell, (resolution², F), for ``Trainer.snapshot``."""
    return torch.from_numpy(datasets.features(datasets.grid_points(resolution), config.features))
