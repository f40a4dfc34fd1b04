"""One visitor's MLP playground session (kept in a ``gr.State``), and the frame it shows.

The session owns the Trainer and the points the visitor clicked. A lock makes each group
of epochs and each settings change atomic, so changing the learning rate or adding a point
while "play" streams is safe: the change lands between two groups of epochs.
"""

from __future__ import annotations

import copy

import threading
from dataclasses import dataclass, replace

import numpy as np
import torch
from PIL import Image

from playground.errors import UserInputError
from playground.perceptron import datasets, render, scene
from playground.perceptron.config import MAX_OWN_POINTS, PlaygroundConfig
from playground.perceptron.trainer import Trainer, grid_features

GRID = 50  # the network is evaluated on a GRID × GRID grid over the plane ...
PLANE_SIZE = 300  # ... drawn PLANE_SIZE pixels wide (smoothly upscaled)
NEURON_CELL = 50  # neuron maps: one pixel per grid cell


@dataclass
class Frame:
    plane: np.ndarray  # (PLANE_SIZE, PLANE_SIZE, 3) decision regions + train/test points
    curves: np.ndarray  # (H, W, 3) loss per epoch
    neurons: np.ndarray  # (H, W, 3) one map per hidden neuron
    status: str  # Markdown: epoch, losses, accuracies
    alt_texts: tuple[str, str, str] = ("Decision regions", "Loss per epoch", "Hidden neurons")  # what each shows


class Session:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.config: PlaygroundConfig | None = None
        self.trainer: Trainer | None = None
        self.problem = ""  # why there is no trainer (e.g. too few points of your own)
        self._grid: tuple[tuple, torch.Tensor] | None = None
        self._points: tuple[object, object] | None = None  # (data, its drawn points layer)

    def __deepcopy__(self, memo):  # gr.State copies its initial value; a lock cannot be copied
        return Session()

    # ---------------------------------------------------------- settings

    def apply(self, config: PlaygroundConfig, reset: bool = False) -> None:
        """Take new settings: a fresh network when the data or architecture changed (or on reset),
        else the optimizer settings apply to the network being trained."""
        config = config.validated()
        with self.lock:
            same_model = self.config is not None and self.config.model_key() == config.model_key()
            if self.trainer is not None and same_model and not reset:
                if config != self.trainer.config:
                    self.trainer.set_optimizer(config)
            else:
                self.trainer, self.problem = None, ""
                try:
                    self.trainer = Trainer(config)
                except UserInputError as error:
                    if config.dataset != datasets.OWN_POINTS:
                        raise
                    self.problem = str(error)  # an empty plane to click on, and a hint
            self.config = config

    def copy(self) -> "Session":
        """A session of one's own with this one's settings, network, optimizer state, data order and curves
        (a room's "take a copy": it goes on training alone from here)."""
        with self.lock:
            mine = Session()
            mine.config, mine.problem = self.config, self.problem
            mine.trainer = copy.deepcopy(self.trainer)
        return mine

    def add_point(self, column: float, row: float, label: int) -> PlaygroundConfig:
        """A click at pixel (column, row) of the plane: the config with that point added."""
        if self.config is None:
            raise UserInputError("the playground is still loading; try again")
        if not 0 <= label < self.config.classes:
            raise UserInputError(f"class {label} does not exist with {self.config.classes} classes")
        if len(self.config.own_points) >= MAX_OWN_POINTS:
            raise UserInputError(f"at most {MAX_OWN_POINTS} points of your own; clear them to start again")
        x1, x2 = render.to_plane(column, row, PLANE_SIZE)
        point = (round(float(np.clip(x1, -6, 6)), 2), round(float(np.clip(x2, -6, 6)), 2), int(label))
        return replace(self.config, own_points=(*self.config.own_points, point))

    def require_trainer(self) -> Trainer:
        if self.trainer is None:
            raise UserInputError(self.problem or "the playground is still loading; try again")
        return self.trainer

    # ---------------------------------------------------------- training

    def train_for(self, seconds: float) -> int:
        with self.lock:
            trainer = self.require_trainer()
            return trainer.train_for(seconds)

    def train_epochs(self, epochs: int) -> int:
        with self.lock:
            return self.require_trainer().train_epochs(epochs)

    def finish_epoch(self) -> Trainer:
        """The trainer, with any epoch in progress ended (for exports: whole epochs only)."""
        with self.lock:
            trainer = self.require_trainer()
            trainer.finish_epoch()
            return trainer

    # ---------------------------------------------------------- drawing

    def _grid_features(self, config: PlaygroundConfig) -> torch.Tensor:
        if self._grid is None or self._grid[0] != config.features:
            self._grid = (config.features, grid_features(config, GRID))
        return self._grid[1]

    def network_text(self) -> str:
        """The network's numbers now (``scene.network_text``), e.g. for a stream's film."""
        with self.lock:
            return scene.network_text(self.require_trainer())

    def scene(self, film: tuple[str, ...] = ()) -> tuple[dict, str]:
        """What the page draws now (``scene.mlp_scene``: the network's numbers, not pictures; ``film``: the
        states it passed through since the last frame) and the status line (Markdown)."""
        with self.lock:
            trainer, config = self.trainer, self.config
            if trainer is None:
                message = self.problem or "the playground is still loading"
                return scene.empty_mlp_scene(config.own_points if config else (), message), f"**No network yet.** {message}"
            accuracies = trainer.accuracies()
            return scene.mlp_scene(trainer, accuracies[1], film), self._status(trainer, accuracies)

    def frame(self) -> Frame:
        """The server's pictures of what the page draws (for API clients that ask for pictures, and tests)."""
        with self.lock:
            trainer, config = self.trainer, self.config
            if trainer is None:
                return self._empty_frame(config)
            probabilities, hidden = trainer.snapshot(self._grid_features(config))
            plane = render.decision_image(probabilities, GRID, PLANE_SIZE, self._points_layer(trainer))
            names = list(config.hidden_activations())
            neurons = render.neuron_maps(hidden, GRID, names, cell=NEURON_CELL)
            curves = render.loss_curves(trainer.history["train_loss"], trainer.history["test_loss"])
            accuracies = trainer.accuracies()
            return Frame(plane, curves, neurons, self._status(trainer, accuracies),
                         scene.mlp_alt_texts(trainer, accuracies[1]))

    def _points_layer(self, trainer: Trainer):
        if self._points is None or self._points[0] is not trainer.data:
            data = trainer.data
            self._points = (data, render.points_layer(PLANE_SIZE, data.train_points, data.train_labels,
                                                      data.test_points, data.test_labels))
        return self._points[1]

    def _status(self, trainer: Trainer, accuracies: tuple[float, float] | None = None) -> str:
        train_accuracy, test_accuracy = accuracies or trainer.accuracies()
        history = trainer.history
        if not history["train_loss"]:
            train_loss, test_loss = trainer.losses()  # before any training
        else:
            train_loss, test_loss = history["train_loss"][-1], history["test_loss"][-1]
        return (
            f"**Epoch {trainer.epoch}** · train loss {train_loss:.4f} · test loss {test_loss:.4f} · "
            f"train accuracy {trainer.accuracy('train'):.1%} · test accuracy {trainer.accuracy('test'):.1%}"
            f" · {len(trainer.data.train_labels)} train / {len(trainer.data.test_labels)} test points"
        )

    def _empty_frame(self, config: PlaygroundConfig | None) -> Frame:
        plane = np.full((PLANE_SIZE, PLANE_SIZE, 3), 250, np.uint8)
        if config is not None and config.own_points:
            own = np.asarray(config.own_points, dtype=np.float64)
            layer = render.points_layer(PLANE_SIZE, own[:, :2], own[:, 2].astype(np.int64))
            plane = np.asarray(Image.alpha_composite(Image.fromarray(plane).convert("RGBA"), layer).convert("RGB"))
        return Frame(plane, render.loss_curves([], []), render.neuron_maps([], GRID, []),
                     f"**No network yet.** {self.problem}")
