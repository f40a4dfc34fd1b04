"""A visitor's training session: data, network, optimizer, curves; trained in groups of epochs.

``Trainer(config)`` builds everything from a ``PlaygroundConfig``. ``train_epochs(n)``
and ``train_for(seconds)`` advance it (play streams ``train_for`` calls, step calls
``train_epochs(1)``); ``train_for`` may stop between two mini-batches of an epoch (a crowded
server gives short turns), and the next call carries on with the same shuffle, so the
training is the same mini-batch sequence however it was cut. ``snapshot(grid)`` gives what
the page draws. A non-finite loss
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
from playground.perceptron import datasets
from playground.perceptron.config import PlaygroundConfig
from playground.perceptron.model import MLP, build_mlp
from playground.training_loop import make_optimizer

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
    if config.dataset == datasets.TABLE:
        points, labels = config.table.arrays()
        parts_points.append(points)
        parts_labels.append(labels)
    elif config.dataset != datasets.OWN_POINTS:
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
        self.config = config = config.validated()
        self.data = make_data(config)
        self.train_x = torch.from_numpy(datasets.features(self.data.train_points, config.features))  # (n, F)
        self.train_y = torch.from_numpy(self.data.train_labels)  # (n,)
        self.train_size = len(self.train_y)  # n, as an int (Tensor.__len__ costs ~1 µs, asked every mini-batch)
        self.test_x = torch.from_numpy(datasets.features(self.data.test_points, config.features))
        self.test_y = torch.from_numpy(self.data.test_labels)
        self.model: MLP = build_mlp(len(config.features), config.hidden, config.hidden_activations(),
                                    config.classes, config.init, config.seed, config.leaky_slope)
        self.parameters = list(self.model.parameters())  # in order; kept (the class's batched step asks often)
        self.shuffle = torch.Generator().manual_seed(config.seed)
        self.epoch = 0
        self._order: torch.Tensor | None = None  # the shuffle of the epoch in progress (None between epochs)
        self.history: dict[str, list[float]] = {"train_loss": [], "test_loss": []}
        self.set_optimizer(config)

    # ---------------------------------------------------------- settings that apply live

    def set_optimizer(self, config: PlaygroundConfig) -> None:
        """Optimizer, learning rate, batch size, regularisation and loss: changeable mid-run."""
        self.config = config = config.validated()
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

    def _start_epoch(self) -> None:
        """A new shuffle (seeded): the mini-batches of the next epoch, run by ``_next_batch``."""
        self._order = torch.randperm(self.train_size, generator=self.shuffle)
        self._cursor = 0  # index into _order of the next mini-batch
        self._batch_losses: list[torch.Tensor] = []  # detached, read once at the end of the epoch (no sync per step)
        self._batch_sizes: list[int] = []

    def next_batch(self) -> torch.Tensor:
        """The indices of the next mini-batch of this trainer's data order, (B,) (an epoch starts when
        none is in progress); ``batch_done`` records its step. The class's batched step uses both."""
        if self._order is None:
            self._start_epoch()
        batch_size = min(self.config.batch_size, self.train_size)
        return self._order[self._cursor:self._cursor + batch_size]

    def ends_epoch(self, size: int) -> bool:
        """Whether a mini-batch of ``size`` points from here ends the epoch in progress."""
        return self._order is not None and self._cursor + size >= self.train_size

    def batch_done(self, size: int, loss: torch.Tensor) -> bool:
        """Book a mini-batch of ``size`` points trained with ``loss`` (detached); True when it ended the epoch."""
        self._cursor += size
        self._batch_losses.append(loss)
        self._batch_sizes.append(size)
        if self._cursor >= self.train_size:
            self._finish_epoch()
            return True
        return False

    def _next_batch(self) -> bool:
        """One optimizer step on the next mini-batch; True when it ended the epoch."""
        model, optimizer, x, y = self.model, self.optimizer, self.train_x, self.train_y
        index = self.next_batch()
        inputs, targets = x[index], y[index]  # (B, F), (B,)
        if not model.training:  # only after a snapshot or a test loss (eval() sets every module): train() walks
            model.train()  # all modules, a sixth of a 2-8-8-2 step's time if done on every mini-batch
        if isinstance(optimizer, torch.optim.LBFGS):
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
            return self.batch_done(len(index), first[0])
        optimizer.zero_grad()
        loss = self.loss_fn(model(inputs), targets)
        regularised = self.config.regularisation != "none" and self.config.regularisation_rate > 0
        (loss + self.penalty() if regularised else loss).backward()
        optimizer.step()
        return self.batch_done(len(index), loss.detach())

    def _finish_epoch(self) -> None:
        # The train curve is the mean mini-batch loss over the epoch (as most PyTorch loops
        # report it: no extra pass); the test curve is measured on the whole test set.
        sizes = torch.tensor(self._batch_sizes, dtype=torch.float32)
        train_loss = float(torch.stack(self._batch_losses) @ sizes) / float(sizes.sum())
        test_loss = self.test_loss()
        self._order = None
        if not math.isfinite(train_loss) or not (math.isfinite(test_loss) or not len(self.test_y)):
            raise FloatingPointError(train_loss if not math.isfinite(train_loss) else test_loss)
        self.epoch += 1
        self.history["train_loss"].append(train_loss)
        self.history["test_loss"].append(test_loss)


    @property
    def mid_epoch(self) -> bool:
        """Whether an epoch is in progress (play can stop between two mini-batches)."""
        return self._order is not None

    def train_epochs(self, epochs: int) -> int:
        """Train until ``epochs`` epochs have ended (the first may finish one in progress); returns how many."""
        return self._run(lambda steps, ended: ended < epochs)

    def train_steps(self, steps: int) -> int:
        """Train ``steps`` mini-batches; returns how many epochs ended."""
        return self._run(lambda done, ended: done < steps)

    def finish_epoch(self) -> int:
        """End the epoch in progress, if any (so the weights match a whole number of epochs)."""
        return self.train_epochs(1) if self.mid_epoch else 0

    def train_for(self, seconds: float) -> int:
        """Train mini-batches for about ``seconds`` (at least one); returns how many epochs ended.

        The deadline is checked between mini-batches, so a crowded server's short turns still
        move the network (an epoch may then take several frames)."""
        deadline = time.perf_counter() + seconds
        clock = {"last": time.perf_counter(), "step": 0.0}  # running estimate of one mini-batch's duration

        def keep_going(steps: int, ended: int) -> bool:
            now = time.perf_counter()
            if steps:
                took = now - clock["last"]
                clock["step"] = took if steps == 1 else 0.7 * clock["step"] + 0.3 * took
            clock["last"] = now
            # Stop before a mini-batch that would end past the deadline (frames stay on time).
            return steps == 0 or now + clock["step"] <= deadline

        return self._run(keep_going)

    def _run(self, keep_going) -> int:
        saved, saved_epoch, saved_lengths = self.keep_point()
        steps = ended = 0
        try:
            while keep_going(steps, ended):
                ended += self._next_batch()
                steps += 1
        except FloatingPointError as error:
            raise self.roll_back(saved, saved_epoch, saved_lengths, error.args[0]) from None
        return ended

    def keep_point(self) -> tuple[dict, int, dict]:
        """What ``roll_back`` returns to: (weights, epoch, curve lengths) now."""
        saved = {key: value.clone() for key, value in self.model.state_dict().items()}
        return saved, self.epoch, {key: len(v) for key, v in self.history.items()}

    def roll_back(self, saved: dict, saved_epoch: int, saved_lengths: dict, value) -> TrainingDiverged:
        """Back to a ``keep_point`` after the loss became ``value`` (so the page keeps a usable network);
        returns the error that says so."""
        self.model.load_state_dict(saved)
        self.set_optimizer(self.config)
        self.epoch, self._order = saved_epoch, None  # the interrupted epoch starts again
        for key, length in saved_lengths.items():
            del self.history[key][length:]
        return TrainingDiverged(
            f"the loss became {value} after epoch {saved_epoch}: the learning rate "
            f"({self.config.learning_rate:g}) is too large for this network. The weights from epoch "
            f"{saved_epoch} are kept; lower the learning rate, then press play again."
        )

    # ---------------------------------------------------------- measuring

    def _eval_mode(self) -> None:
        """The model in eval mode for measuring (eval() walks every module: only when it is not in it already;
        a class's batched step measures often)."""
        if self.model.training:
            self.model.eval()

    @torch.no_grad()
    def test_loss(self) -> float:
        if not len(self.test_y):
            return float("nan")
        self._eval_mode()
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
        self._eval_mode()
        return float((self.model(x).argmax(1) == y).float().mean())

    @torch.no_grad()
    def accuracies(self) -> tuple[float, float]:
        """(train accuracy, test accuracy) from one forward pass over both sets (NaN for an empty set):
        what every streamed frame reports, at half the cost of asking ``accuracy`` twice."""
        x = torch.cat([self.train_x, self.test_x])  # (n_train + n_test, F)
        self._eval_mode()
        right = (self.model(x).argmax(1) == torch.cat([self.train_y, self.test_y])).float()
        n = self.train_size
        train = float(right[:n].mean()) if n else float("nan")
        test = float(right[n:].mean()) if len(right) > n else float("nan")
        return train, test

    @torch.no_grad()
    def snapshot(self, grid_features: torch.Tensor) -> tuple[np.ndarray, list[np.ndarray]]:
        """Class probabilities (G², classes) and hidden outputs [(G², width), ...] over a grid."""
        self.model.eval()
        logits, hidden = self.model.forward_with_hidden(grid_features)
        return logits.softmax(1).numpy(), [h.numpy() for h in hidden]


def grid_features(config: PlaygroundConfig, resolution: int) -> torch.Tensor:
    """The features of every grid cell, (resolution², F), for ``Trainer.snapshot``."""
    return torch.from_numpy(datasets.features(datasets.grid_points(resolution), config.features))
