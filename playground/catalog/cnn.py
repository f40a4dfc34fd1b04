"""The CNN lab's digit classifiers."""

from __future__ import annotations

from playground import registry
from playground.nets.seed_cnn import SeedCNN

DIGIT_LABELS = [str(digit) for digit in range(10)]

registry.register(
    "mnist_cnn",
    builder=SeedCNN,
    weights="mnist_cnn",
    meta={
        "task": "mnist-classifier",
        "input": "(B, 1, 28, 28) float in [0, 1], white digit on black, like playground.data MNIST",
        "output": "log-probabilities (B, 10)",
        "labels": DIGIT_LABELS,
        "provenance": "python -m playground.train mnist_cnn (the seed notes' CNN, padded to 32×32 inside)",
    },
)
