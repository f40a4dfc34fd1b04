"""Toy 2-D classification data on the plane [-6, 6]², and the input features a net sees.

Every generator takes (n points, k classes, noise in [0, 0.5], a numpy Generator) and
returns points (n, 2) float32 and labels (n,) int64 in 0..k-1. Noise scales the spread
of the points (it is a fraction, as on TensorFlow Playground's slider).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from playground import checks
from playground.errors import UserInputError

EXTENT = 6.0  # the plane shown is [-EXTENT, EXTENT]²
MIN_CLASSES, MAX_CLASSES = 2, 5

Points = tuple[np.ndarray, np.ndarray]  # (n, 2) float32, (n,) int64


def _circle(n: int, k: int, noise: float, rng: np.random.Generator) -> Points:
    # Class c lives in ring c: a disc in the middle, then rings around it.
    width = 5.0 / k
    labels = rng.integers(0, k, n)
    radius = (labels + rng.uniform(0.05, 0.75, n)) * width
    angle = rng.uniform(0, 2 * np.pi, n)
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)
    points += rng.normal(0, noise * 2.0, (n, 2))
    return points, labels


def _xor(n: int, k: int, noise: float, rng: np.random.Generator) -> Points:
    # A k × k checkerboard over [-5, 5]², cell (i, j) of class (i + j) mod k. For k = 2 it is
    # the classic XOR: the class is whether x1 and x2 have the same sign.
    points = rng.uniform(-5, 5, (n, 2))
    cells = np.minimum((points + 5) / 10 * k, k - 1).astype(np.int64)  # (n, 2) cell indices
    labels = cells.sum(1) % k
    if k == 2:
        points += np.sign(points) * 0.3  # a small gap along the axes, as on TF Playground
    points += rng.normal(0, noise * 3.0, (n, 2))
    return points, labels


def _gauss(n: int, k: int, noise: float, rng: np.random.Generator) -> Points:
    # k round clusters: for two, at (2, 2) and (-2, -2) (linearly separable when noise is low);
    # for more, evenly spaced on a circle of radius 3.
    labels = rng.integers(0, k, n)
    if k == 2:
        centres = np.array([[2.0, 2.0], [-2.0, -2.0]])
    else:
        angles = 2 * np.pi * np.arange(k) / k + np.pi / 4
        centres = 3.0 * np.stack([np.cos(angles), np.sin(angles)], 1)
    spread = 0.5 + noise * 4.0
    return centres[labels] + rng.normal(0, spread, (n, 2)), labels


def _spiral(n: int, k: int, noise: float, rng: np.random.Generator) -> Points:
    # k interleaved arms; arm c is turned by 2π c / k.
    labels = rng.integers(0, k, n)
    t = rng.uniform(0, 1, n)
    radius = 5.0 * t
    angle = 1.75 * 2 * np.pi * t + 2 * np.pi * labels / k
    points = np.stack([radius * np.sin(angle), radius * np.cos(angle)], 1)
    points += rng.normal(0, noise * 1.5, (n, 2))
    return points, labels


def _moons(n: int, k: int, noise: float, rng: np.random.Generator) -> Points:
    # k interlocking half circles of radius 2: even classes open downwards, odd ones upwards,
    # each shifted right by 2 from the previous one (k = 2 is scikit-learn's two moons).
    labels = rng.integers(0, k, n)
    angle = rng.uniform(0, np.pi, n)
    flip = np.where(labels % 2 == 0, 1.0, -1.0)
    x = 2.0 * np.cos(angle) + 2.0 * labels - (k - 1)
    y = flip * 2.0 * np.sin(angle) - flip * 0.5
    points = np.stack([x, y], 1) + rng.normal(0, noise * 1.5, (n, 2))
    return points, labels


GENERATORS: dict[str, Callable[[int, int, float, np.random.Generator], Points]] = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "moons": _moons,
}
OWN_POINTS = "own"  # only the points the visitor clicked on the plane
TABLE = "table"  # the visitor's own CSV file (perceptron.table), plus any clicked points
DATASET_LABELS = {
    "circle": "Circle (rings)",
    "xor": "XOR (checkerboard)",
    "gauss": "Gaussian clusters",
    "spiral": "Spiral",
    "moons": "Moons",
    OWN_POINTS: "Only my points (click the plane)",
    TABLE: "My data (CSV file or pasted rows)",
}


def make_points(name: str, n: int, classes: int, noise: float, seed: int) -> Points:
    """``n`` points of the data set ``name`` (see the module docstring)."""
    checks.choice("data set", name, sorted(GENERATORS))
    classes = checks.integer("classes", classes, MIN_CLASSES, MAX_CLASSES)
    noise = checks.real("noise (share of the spread)", noise, 0.0, 0.5)
    rng = np.random.default_rng(seed)
    points, labels = GENERATORS[name](n, classes, noise, rng)
    points = np.clip(points, -EXTENT, EXTENT).astype(np.float32)
    return points, labels.astype(np.int64)


def split(points: np.ndarray, labels: np.ndarray, train_fraction: float, seed: int):
    """Shuffle once with ``seed`` and cut: (train points, train labels, test points, test labels)."""
    checks.real("the training share", train_fraction, 0.1, 0.9)
    order = np.random.default_rng(seed + 1).permutation(len(points))
    cut = max(1, int(round(train_fraction * len(points))))
    train, test = order[:cut], order[cut:]
    return points[train], labels[train], points[test], labels[test]


# ------------------------------------------------------------------ input features

FEATURES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}
FEATURE_LABELS = {"x1": "x₁", "x2": "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁·x₂",
                  "sin(x1)": "sin x₁", "sin(x2)": "sin x₂"}


def features(points: np.ndarray, names: list[str] | tuple[str, ...]) -> np.ndarray:
    """(n, 2) points → (n, len(names)) float32 feature columns, in the order given."""
    if not names:
        raise UserInputError("choose at least one input feature")
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise UserInputError(f"unknown feature(s) {unknown}; choose from {list(FEATURES)}")
    x1, x2 = points[:, 0], points[:, 1]
    return np.stack([FEATURES[name](x1, x2) for name in names], 1).astype(np.float32)


def grid_points(resolution: int) -> np.ndarray:
    """(resolution², 2) centres of a resolution × resolution grid over the plane, row by row
    from the top (x2 = +EXTENT) so that row 0 is the top row of an image."""
    axis = (np.arange(resolution) + 0.5) / resolution * 2 * EXTENT - EXTENT
    x1, x2 = np.meshgrid(axis, axis[::-1])
    return np.stack([x1.ravel(), x2.ravel()], 1).astype(np.float32)
