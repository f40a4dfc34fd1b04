"""Live training of the seed CNN with the seed's loop, for one visitor's session.

``train_live`` is a generator: it yields a ``LiveUpdate`` every few optimizer steps and at
the end of every epoch (per-epoch training and validation loss, the seed's "Validation loss
decreased (a → b). Saving model …" lines). The session's best checkpoint lives in a
``LabSession`` (kept in ``gr.State``) and in a safetensors file the visitor can download;
it is updated in place the moment the validation loss decreases, so a Stop or a diverging
run never loses it.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn

from playground import checks, data
from playground.cnn_lab.digits import digit_batches, split_indices
from playground.cnn_lab.evaluation import Evaluation, evaluate_classifier
from playground.errors import TrainingDiverged, UserInputError
from playground.nets.seed_cnn import SeedCNN
from playground.training_loop import BestCheckpoint, fit, make_optimizer, seed_everything

SEED_LBFGS = "L-BFGS (as in the seed: no line search)"
WOLFE_LBFGS = "L-BFGS + strong Wolfe line search"
OPTIMIZERS = ("SGD", "Momentum", "Adam", SEED_LBFGS, WOLFE_LBFGS)
MAX_EPOCHS = 50


@dataclass
class LiveSettings:
    optimizer: str = "Adam"
    learning_rate: float = 1e-3
    epochs: int = 5
    batch_size: int = 64
    dropout: bool = True  # the seed's p = 0.25 after the flatten and after linear1
    seed: int = 0
    valid_percent: float = 10.0  # share of the training digits held out for validation
    digits: int = 4000  # how many of the 4,000 training digits to use (fewer = faster epochs)
    augment: bool = True  # small random rotations, scalings and shifts each epoch
    resume: bool = False  # start from the lab's saved checkpoint (its own, or a room's copy) instead of afresh

    def validated(self) -> "LiveSettings":
        """The checked settings (whole numbers as ints), or UserInputError for the first bad one."""
        digits = checks.integer("training digits", self.digits, 200, 4000)
        valid_percent = checks.real("the validation share (%)", self.valid_percent, 5, 50)
        train_count = digits - round(digits * valid_percent / 100)
        return replace(
            self,
            optimizer=checks.choice("optimizer", self.optimizer, OPTIMIZERS),
            learning_rate=checks.learning_rate(self.learning_rate, maximum=10),
            epochs=checks.integer("epochs", self.epochs, 1, MAX_EPOCHS),
            batch_size=checks.integer("batch size", self.batch_size, 1, train_count),  # at most the training digits
            dropout=bool(self.dropout),
            seed=checks.seed(self.seed),
            valid_percent=valid_percent,
            digits=digits,
            augment=bool(self.augment),
            resume=bool(self.resume),
        )


@dataclass
class LabSession:
    """One visitor's lab: the best checkpoint of their latest run that saved one, and its file."""

    best_state: dict[str, torch.Tensor] | None = None
    best_loss: float = math.inf
    best_epoch: int | None = None
    dropout: bool = True
    checkpoint_path: str | None = None
    folder: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="cnn_lab-"))
    evaluation: Evaluation | None = None

    def discard(self) -> None:
        """Delete the session's checkpoint folder (called when the visitor's session ends)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def has_model(self) -> bool:
        return self.best_state is not None

    def model(self) -> SeedCNN:
        """A fresh SeedCNN holding the best checkpoint (eval mode, CPU)."""
        if self.best_state is None:
            raise UserInputError("This session has no trained model yet: train one first (or pick the shipped one).")
        model = SeedCNN(dropout=0.25 if self.dropout else 0.0)
        model.load_state_dict(self.best_state)
        return model.eval()

    def copy(self) -> "LabSession":
        """A lab of one's own holding this lab's best checkpoint (a room's "take a copy")."""
        if self.best_state is None:
            raise UserInputError("the host has no saved checkpoint yet: wait for the end of their first epoch")
        checkpoint = BestCheckpoint()
        checkpoint.state_dict = {key: value.clone() for key, value in self.best_state.items()}
        checkpoint.best_loss, checkpoint.epoch = self.best_loss, self.best_epoch
        mine = LabSession()
        mine.save(checkpoint, self.dropout)
        return mine

    def save(self, checkpoint: BestCheckpoint, dropout: bool) -> None:
        self.best_state, self.best_loss, self.best_epoch = checkpoint.state_dict, checkpoint.best_loss, checkpoint.epoch
        self.dropout = dropout
        self.evaluation = None  # belongs to the previous checkpoint
        path = Path(self.folder) / "seed_cnn_best.safetensors"
        Path(self.folder).mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in checkpoint.state_dict.items()}, str(path),
                  metadata={"epoch": str(checkpoint.epoch), "valid_loss": f"{checkpoint.best_loss:.6f}",
                            "architecture": "playground.nets.seed_cnn.SeedCNN"})
        self.checkpoint_path = str(path)


@dataclass
class LiveUpdate:
    epoch: int
    epochs: int
    step: int
    steps_per_epoch: int
    train_loss: float
    history: dict[str, list[float]]  # per-epoch "train_loss" and "valid_loss"
    log: list[str]  # the seed's printed lines so far
    finished: bool = False
    diverged: str = ""  # the divergence message, when the run blew up
    seconds: float = 0.0


def build_optimizer(name: str, model: nn.Module, lr: float) -> torch.optim.Optimizer:
    if name == SEED_LBFGS:  # exactly the seed's line: optim.LBFGS(model.parameters(), lr=1)
        return torch.optim.LBFGS(model.parameters(), lr=lr)
    if name == WOLFE_LBFGS:
        return make_optimizer("L-BFGS", model.parameters(), lr)
    return make_optimizer(name, model.parameters(), lr)


def train_live(settings: LiveSettings, session: LabSession, report_every: int = 10) -> Iterator[LiveUpdate]:
    """Train a fresh seed CNN (or, with ``settings.resume``, the lab's saved checkpoint); yields LiveUpdates;
    keeps the best checkpoint in ``session``."""
    settings = settings.validated()
    seed_everything(settings.seed)
    model = SeedCNN(dropout=0.25 if settings.dropout else 0.0)
    checkpoint = BestCheckpoint()
    log: list[str] = []
    if settings.resume:
        if session.best_state is None:
            raise UserInputError("there is no saved checkpoint to continue from yet: train once without "
                                 "'continue', or take a copy of a room's model first")
        model.load_state_dict(session.best_state)
        # The next save must beat the checkpoint it started from, as if the run had never stopped.
        checkpoint.best_loss = session.best_loss
        log.append(f"Continuing from the saved checkpoint (epoch {session.best_epoch}, validation loss "
                   f"{session.best_loss:.6f}).")
    images, labels = data.mnist_tensors("train")  # (4000, 1, 28, 28)
    subset = torch.randperm(len(images), generator=torch.Generator().manual_seed(settings.seed))[: settings.digits]
    images, labels = images[subset], labels[subset]
    train_idx, valid_idx = split_indices(len(images), settings.valid_percent / 100, settings.seed)
    train_batches = digit_batches(images[train_idx], labels[train_idx], settings.batch_size, settings.seed,
                                  augmented=settings.augment)
    valid_batches = digit_batches(images[valid_idx], labels[valid_idx], 500, settings.seed, shuffle=False)
    steps_per_epoch = math.ceil(len(train_idx) / settings.batch_size)
    optimizer = build_optimizer(settings.optimizer, model, settings.learning_rate)
    history: dict[str, list[float]] = {"train_loss": [], "valid_loss": []}
    started = time.perf_counter()
    # L-BFGS evaluates up to 20 closures per step: report every step so the page stays alive.
    every = 1 if "L-BFGS" in settings.optimizer else report_every
    progress = None
    try:
        for progress in fit(model, nn.NLLLoss(), optimizer, train_batches, valid_batches, settings.epochs,
                            checkpoint=checkpoint, report_every=every):
            if progress.epoch_end:
                history = progress.history
                if not math.isfinite(progress.valid_loss):
                    raise TrainingDiverged(
                        f"the validation loss became {progress.valid_loss} at epoch {progress.epoch}: "
                        "try a smaller learning rate (the best checkpoint so far is kept)"
                    )
                log.append(f"Epoch: {progress.epoch} \tTraining Loss: {progress.train_loss:.6f} "
                           f"\tValidation Loss: {progress.valid_loss:.6f}")
                if progress.improved:
                    log.append(progress.message)
                    session.save(checkpoint, settings.dropout)
            yield LiveUpdate(progress.epoch, settings.epochs, progress.step, steps_per_epoch, progress.train_loss,
                             history, list(log), seconds=time.perf_counter() - started)
    except TrainingDiverged as error:
        message = str(error)
        log.append(f"Training diverged: {message}")
        epoch = progress.epoch if progress else 1
        step = progress.step if progress else 0
        yield LiveUpdate(epoch, settings.epochs, step, steps_per_epoch, math.nan, history, list(log),
                         finished=True, diverged=message, seconds=time.perf_counter() - started)
        return
    yield LiveUpdate(settings.epochs, settings.epochs, progress.step, steps_per_epoch, progress.train_loss,
                     history, list(log), finished=True, seconds=time.perf_counter() - started)


def evaluate_session(session: LabSession) -> Evaluation:
    """Test accuracy, confusion matrix and mistakes of the session's best checkpoint (1,000 held-out digits)."""
    images, labels = data.mnist_tensors("test")  # (1000, 1, 28, 28)
    session.evaluation = evaluate_classifier(session.model(), images, labels)
    return session.evaluation


def mistake_gallery(evaluation: Evaluation, top: int = 12) -> list[tuple[np.ndarray, str]]:
    """The test digits the model got wrong while most sure, with 'true → predicted (p)' captions."""
    test = data.mnist_test()
    return [
        (test.images[i], f"{test.labels[i]} read as {evaluation.predicted[i]} ({evaluation.confidence[i]:.0%})")
        for i in evaluation.worst_mistakes(test.labels, top)
    ]
