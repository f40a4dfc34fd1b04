"""The one recipe every digit classifier in the lab is trained with (the seed's loop).

4,000 MNIST training digits, a seeded 90/10 train/validation split, augmentation of the
training part, NLLLoss, the shared ``playground.training_loop.fit`` loop (closure-driven step,
per-epoch validation, save-best), and the best checkpoint measured on the 1,000 held-out
test digits.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Callable

import torch
from torch import nn

from playground import data
from playground.cnn_lab.digits import digit_batches, split_indices
from playground.cnn_lab.evaluation import evaluate_classifier
from playground.training_loop import BestCheckpoint, fit, make_optimizer, seed_everything


@dataclass
class DigitRecipe:
    optimizer: str = "Adam"  # Adam converges fastest on this small set; L-BFGS is in the live tab
    learning_rate: float = 1e-3
    epochs: int = 30
    batch_size: int = 64
    valid_fraction: float = 0.1  # share of the 4,000 training digits kept for validation
    augment: bool = True  # random ±12° rotation, ±10 % scale, ±2.5 px shift each epoch
    weight_decay: float = 0.0
    lr_decay: float = 0.93  # multiply the learning rate by this after every epoch


@dataclass
class DigitResult:
    state_dict: dict[str, torch.Tensor]  # the best checkpoint (lowest validation loss)
    best_epoch: int
    best_valid_loss: float
    test_accuracy: float
    test_loss: float
    train_seconds: float
    log: list[str]


def train_digit_classifier(model: nn.Module, recipe: DigitRecipe, seed: int,
                           print_fn: Callable[[str], None] | None = print) -> DigitResult:
    seed_everything(seed)
    images, labels = data.mnist_tensors("train")  # (4000, 1, 28, 28), (4000,)
    train_idx, valid_idx = split_indices(len(images), recipe.valid_fraction, seed)
    train_batches = digit_batches(images[train_idx], labels[train_idx], recipe.batch_size, seed,
                                  augmented=recipe.augment)
    valid_batches = digit_batches(images[valid_idx], labels[valid_idx], 500, seed, shuffle=False)
    optimizer = make_optimizer(recipe.optimizer, model.parameters(), recipe.learning_rate,
                               weight_decay=recipe.weight_decay)
    schedule = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=recipe.lr_decay)
    checkpoint = BestCheckpoint()
    log: list[str] = []
    started = time.perf_counter()
    for progress in fit(model, nn.NLLLoss(), optimizer, train_batches, valid_batches, recipe.epochs,
                        checkpoint=checkpoint):
        line = (f"Epoch: {progress.epoch} \tTraining Loss: {progress.train_loss:.6f} "
                f"\tValidation Loss: {progress.valid_loss:.6f}")
        for text in (line, progress.message):
            if text:
                log.append(text)
                if print_fn:
                    print_fn(text)
        schedule.step()
    seconds = time.perf_counter() - started
    model.load_state_dict(checkpoint.state_dict)
    test_images, test_labels = data.mnist_tensors("test")
    result = evaluate_classifier(model, test_images, test_labels)
    return DigitResult(
        state_dict=checkpoint.state_dict,
        best_epoch=checkpoint.epoch,
        best_valid_loss=checkpoint.best_loss,
        test_accuracy=result.accuracy,
        test_loss=result.loss,
        train_seconds=seconds,
        log=log,
    )


def recipe_arguments(recipe: DigitRecipe) -> dict:
    return asdict(recipe)
