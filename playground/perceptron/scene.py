"""What the page needs to draw a network itself: its numbers, not its pictures.

The Perceptron and the live MLP playground are drawn in the visitor's browser (``board.js``):
the server sends a *scene*, a small JSON-able dict with the weights, biases, activations,
data points and losses (tens to hundreds of numbers), and the page evaluates the little
network over the plane and paints it. Gradio sends each streamed frame as a diff against the
previous one, so what does not change between frames (the points, the older losses) costs
nothing on the wire.

The scene's drawing rules are those of ``render`` (same colours, points, outlines, grid), so
the page's plane matches the server's picture of the same weights (a browser test compares them).
"""

from __future__ import annotations

import math

import numpy as np

from playground.activations import DISPLAY_NAMES
from playground.perceptron import datasets, render
from playground.perceptron.perceptron import BOUNDED, perceptron_data

GRID = 50  # the MLP's plane is evaluated on GRID × GRID cells (as the server's pictures are) ...
PLANE_SIZE = 300  # ... and drawn PLANE_SIZE pixels wide
PERCEPTRON_GRID = 100  # the single neuron: 100 × 100 cells, each 3 × 3 pixels
MAX_CURVE_POINTS = 512  # loss curves: at most this many points per curve (every 2ᵏ-th epoch)


def _round(values, digits: int = 5) -> list:
    """A vector or matrix of floats → nested lists at ``digits`` significant digits (fewer bytes,
    the same picture); non-finite values become None (JSON has no NaN)."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim > 1:
        return [_round(row, digits) for row in array]
    return [float(f"{value:.{digits}g}") if math.isfinite(value) else None for value in array.tolist()]


def _points(points: np.ndarray, labels: np.ndarray) -> list:
    """(n, 2) points and (n,) labels → a flat [x1, x2, class, x1, x2, class, …] list (2 decimals)."""
    flat = []
    for (x1, x2), label in zip(np.asarray(points, dtype=np.float64).tolist(), np.asarray(labels).tolist()):
        flat += [round(x1, 3), round(x2, 3), int(label)]
    return flat


def curve(values: list[float]) -> dict:
    """A loss history for the page: every ``stride``-th epoch (stride a power of two, so the list
    only grows between the rare times it halves: streamed diffs stay small) and the latest value."""
    stride = 1
    while len(values) > stride * MAX_CURVE_POINTS:
        stride *= 2
    return {"stride": stride, "values": _round(values[::stride], 4), "count": len(values),
            "last": _round([values[-1]], 4)[0] if values else None}


def _common() -> dict:
    """What every scene carries: the palette and the plane's geometry (so board.js holds no copy)."""
    return {"palette": render.PALETTE.astype(int).tolist(), "diverging": render.DIVERGING.tolist(),
            "extent": datasets.EXTENT, "activation_names": DISPLAY_NAMES}


def mlp_scene(trainer, test_accuracy: float) -> dict:
    """The live MLP playground's scene for ``trainer`` (a perceptron.trainer.Trainer)."""
    config, model = trainer.config, trainer.model
    layers = [{"w": _round(layer.weight.detach().numpy()), "b": _round(layer.bias.detach().numpy()), "act": act}
              for layer, act in zip(model.hidden_layers, config.hidden_activations())]
    data = trainer.data
    history = trainer.history
    shown = "no test points" if math.isnan(test_accuracy) else f"test accuracy {test_accuracy:.0%}"
    return {
        "kind": "mlp", **_common(), "grid": GRID, "size": PLANE_SIZE,
        "features": list(config.features), "classes": config.classes, "leaky": config.leaky_slope,
        "layers": layers,
        "output": {"w": _round(model.output.weight.detach().numpy()), "b": _round(model.output.bias.detach().numpy())},
        "train": _points(data.train_points, data.train_labels),
        "test": _points(data.test_points, data.test_labels),
        "loss": {"train": curve(history["train_loss"]), "test": curve(history["test_loss"])},
        "epoch": trainer.epoch,
        "summary": f"Decision regions at epoch {trainer.epoch}, {shown}.",
    }


def empty_mlp_scene(own_points: tuple, message: str) -> dict:
    """No network yet (e.g. too few points of one's own): the plane with the clicked points and why."""
    own = np.asarray(own_points, dtype=np.float64).reshape(-1, 3)
    return {"kind": "mlp", **_common(), "grid": GRID, "size": PLANE_SIZE, "features": [], "classes": 2,
            "leaky": 0.01, "layers": [], "output": None, "train": _points(own[:, :2], own[:, 2].astype(int)),
            "test": [], "loss": {"train": curve([]), "test": curve([])}, "epoch": 0,
            "summary": "No network yet: " + message}


def perceptron_scene(w1: float, w2: float, b: float, activation_name: str, leaky_slope: float,
                     dataset: str) -> dict:
    """The single neuron's scene: its settled weights and its data. The page reads the sliders
    itself while they move, so a drag redraws at display rate without asking the server."""
    points, labels = perceptron_data(dataset)
    return {
        "kind": "perceptron", **_common(), "grid": PERCEPTRON_GRID, "size": PLANE_SIZE,
        "w1": w1, "w2": w2, "b": b, "act": activation_name, "leaky": leaky_slope,
        "bounded": {name: list(limits) for name, limits in BOUNDED.items()},
        "train": _points(points, labels), "test": [],
    }
