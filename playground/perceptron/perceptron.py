"""One perceptron: ŷ = σ(w1·x1 + w2·x2 + b), its picture over the plane, and how it learns.

It says "class 1" where z = w1·x1 + w2·x2 + b > 0, whatever σ is (for sigmoid that is
ŷ > 0.5, for tanh ŷ > 0): the decision boundary is always the straight line z = 0, which
is why one perceptron can separate two blobs and never XOR or a ring.

Learning uses Rosenblatt's perceptron rule (1958): for every misclassified point, move the
line towards it (w ← w + lr·y·x, b ← b + lr·y with y = ±1). On linearly separable data it
provably stops with every point right; on XOR it wanders for ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch

from playground import checks
from playground.activations import DISPLAY_NAMES, activation
from playground.perceptron import datasets, render

PERCEPTRON_DATASETS = {
    "gauss": "Two blobs (linearly separable)",
    "xor": "XOR",
    "circle": "Circle",
    "moons": "Moons",
    "spiral": "Spiral",
}
POINTS = 100
WEIGHT_LIMIT, BIAS_LIMIT = 5.0, 10.0  # the sliders' ranges
BOUNDED = {"step": (0.0, 1.0), "sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}  # fixed colour range


def perceptron_data(dataset: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    checks.choice("data set", dataset, sorted(PERCEPTRON_DATASETS))
    return datasets.make_points(dataset, POINTS, 2, 0.0, seed)


def check_weights(w1: float, w2: float, b: float, leaky_slope: float = 0.01) -> None:
    for name, value in (("w1", w1), ("w2", w2), ("b", b), ("LeakyReLU slope", leaky_slope)):
        checks.number(name, value)


def outputs(w1: float, w2: float, b: float, activation_name: str, leaky_slope: float, points: np.ndarray) -> np.ndarray:
    """ŷ for each (n, 2) point."""
    z = torch.from_numpy(points.astype(np.float32)) @ torch.tensor([w1, w2], dtype=torch.float32) + b  # (n,)
    return activation(activation_name, leaky_slope)(z).numpy()


def accuracy(w1: float, w2: float, b: float, points: np.ndarray, labels: np.ndarray) -> float:
    predicted = (points @ np.array([w1, w2]) + b > 0).astype(np.int64)
    return float((predicted == labels).mean())


def surface(w1: float, w2: float, b: float, activation_name: str, leaky_slope: float, points: np.ndarray,
            labels: np.ndarray, resolution: int = 100, size: int = 300) -> np.ndarray:
    """The output over a resolution × resolution grid as a size × size image, with the line and points."""
    check_weights(w1, w2, b, leaky_slope)
    values = outputs(w1, w2, b, activation_name, leaky_slope, datasets.grid_points(resolution))  # (G²,)
    low, high = BOUNDED.get(activation_name, (float(values.min()), float(values.max())))
    return render.perceptron_image(values, resolution, size, low, high, (w1, w2, b), points, labels)


def formula(w1: float, w2: float, b: float, activation_name: str, leaky_slope: float, points: np.ndarray,
            labels: np.ndarray) -> str:
    """The formula with the current numbers, one worked point and the accuracy (Markdown)."""
    name = DISPLAY_NAMES[activation_name] + (f" (slope {leaky_slope:g})" if activation_name == "leaky_relu" else "")
    x1, x2 = (float(v) for v in points[0])
    z = w1 * x1 + w2 * x2 + b
    y = float(outputs(w1, w2, b, activation_name, leaky_slope, points[:1])[0])
    return (
        f"**ŷ = σ({w1:.2f}·x₁ {_signed(w2)}·x₂ {_signed(b)})**, σ = {name}\n\n"
        f"First point ({x1:.2f}, {x2:.2f}), class {labels[0]}: z = {z:.3f}, ŷ = σ(z) = {y:.3f} → "
        f"predicted class {int(z > 0)}.\n\n"
        f"Decision line z = 0 (black). Accuracy on these {len(labels)} points: "
        f"**{accuracy(w1, w2, b, points, labels):.0%}**"
    )


def _signed(value: float) -> str:
    return f"+ {value:.2f}" if value >= 0 else f"− {abs(value):.2f}"


@dataclass
class LearnStep:
    epoch: int
    w1: float
    w2: float
    b: float
    accuracy: float
    mistakes: int  # points the rule corrected during this epoch


def learn(points: np.ndarray, labels: np.ndarray, w1: float = 0.0, w2: float = 0.0, b: float = 0.0,
          learning_rate: float = 0.1, epochs: int = 40, seed: int = 0) -> Iterator[LearnStep]:
    """Rosenblatt's rule from (w1, w2, b); one LearnStep per epoch, stopping early at zero mistakes."""
    check_weights(w1, w2, b)
    learning_rate = checks.learning_rate(learning_rate, maximum=10)
    rng = np.random.default_rng(seed)
    w, bias = np.array([w1, w2], dtype=np.float64), float(b)
    signs = np.where(labels == 1, 1.0, -1.0)  # class 1 → +1, class 0 → -1
    for epoch in range(1, epochs + 1):
        mistakes = 0
        for i in rng.permutation(len(points)):
            if signs[i] * (points[i] @ w + bias) <= 0:  # wrong side (or on the line)
                w += learning_rate * signs[i] * points[i]
                bias += learning_rate * signs[i]
                mistakes += 1
        shown = fit_sliders(float(w[0]), float(w[1]), bias)
        yield LearnStep(epoch, *shown, accuracy(*shown, points, labels), mistakes)
        if mistakes == 0:
            return


def fit_sliders(w1: float, w2: float, b: float) -> tuple[float, float, float]:
    """Scale (w1, w2, b) down to the sliders' ranges; the line z = 0 stays exactly where it is."""
    scale = max(abs(w1) / WEIGHT_LIMIT, abs(w2) / WEIGHT_LIMIT, abs(b) / BIAS_LIMIT, 1.0)
    return w1 / scale, w2 / scale, b / scale
