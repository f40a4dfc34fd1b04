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

import json
import math

import numpy as np

from playground import alt_text
from playground.activations import DISPLAY_NAMES
from playground.perceptron import datasets, render
from playground.perceptron.perceptron import BOUNDED, perceptron_data

GRID = 50  # the MLP's plane is evaluated on GRID × GRID cells (as the server's pictures are) ...
PLANE_SIZE = 300  # ... and drawn PLANE_SIZE pixels wide
PERCEPTRON_GRID = 100  # the single neuron: 100 × 100 cells, each 3 × 3 pixels
MAX_CURVE_POINTS = 512  # loss curves: at most this many points per curve (every 2ᵏ-th epoch)


def _numbers(values, digits: int = 5) -> str:
    """Floats → "0.5 -1.25 …" at ``digits`` significant digits ("nan" where not finite). A scene keeps its
    long lists as such strings: the page copies a string for almost nothing, where a nested list of numbers
    costs the browser a deep copy and a proxy per list on every frame."""
    return " ".join(f"{value:.{digits}g}" if math.isfinite(value) else "nan"
                    for value in np.asarray(values, dtype=np.float64).ravel().tolist())


def _points(points: np.ndarray, labels: np.ndarray) -> str:
    """(n, 2) points and (n,) labels → "x1 x2 class x1 x2 class …" (3 decimals)."""
    flat = np.concatenate([np.round(np.asarray(points, dtype=np.float64).reshape(-1, 2), 3),
                           np.asarray(labels, dtype=np.float64).reshape(-1, 1)], axis=1)
    return " ".join(f"{value:g}" for value in flat.ravel().tolist())


def curve(values: list[float]) -> tuple[int, str]:
    """A loss history for the page: (stride, every ``stride``-th epoch's value as text). The stride is a power
    of two, so between the rare times it doubles the text only grows, and Gradio sends only its new end."""
    stride = 1
    while len(values) > stride * MAX_CURVE_POINTS:
        stride *= 2
    return stride, _numbers(values[::stride], 4)


def page_constants() -> dict:
    """What every board draws with and never changes (written into board.js once, never sent per frame):
    the palette, render.DIVERGING, the plane's extent and the activations' names."""
    return {"palette": render.PALETTE.astype(int).tolist(), "diverging": render.DIVERGING.tolist(),
            "extent": datasets.EXTENT, "activation_names": DISPLAY_NAMES}


def network_text(trainer, weights: list | None = None) -> str:
    """The network's numbers as the page reads them (JSON: features, classes, each layer's weights as text).
    ``weights``: other values for the model's parameters, in ``model.parameters()`` order (e.g. a state the
    class's batched step passed through); by default the model's own."""
    config, model = trainer.config, trainer.model
    weights = [p.detach() for p in model.parameters()] if weights is None else weights
    layers = [(weights[2 * i], weights[2 * i + 1]) for i in range(len(weights) // 2)]  # (out, in), (out,)
    *hidden, (out_w, out_b) = layers
    network = {
        "features": list(config.features), "classes": config.classes, "leaky": config.leaky_slope,
        "layers": [{"w": _numbers(w.numpy()), "b": _numbers(b.numpy()), "act": act}
                   for (w, b), act in zip(hidden, config.hidden_activations())],
        "output": {"w": _numbers(out_w.numpy()), "b": _numbers(out_b.numpy())},
    }
    return json.dumps(network, separators=(",", ":"))


def mlp_scene(trainer, test_accuracy: float, film: tuple[str, ...] = ()) -> dict:
    """The live MLP playground's scene for ``trainer`` (a perceptron.trainer.Trainer). ``film``: earlier
    states of the network since the previous frame (``network_text``, oldest first), which the page plays
    before this one: a stream shows more of the training than it sends messages."""
    data = trainer.data
    history = trainer.history
    train_stride, train_loss = curve(history["train_loss"])
    _, test_loss = curve(history["test_loss"])
    return {
        "kind": "mlp", "grid": GRID, "size": PLANE_SIZE,
        "network": network_text(trainer), "film": list(film),
        "train": _points(data.train_points, data.train_labels),
        "test": _points(data.test_points, data.test_labels),
        "loss_stride": train_stride, "loss_count": len(history["train_loss"]),
        "train_loss": train_loss, "test_loss": test_loss,
        "epoch": trainer.epoch,
        # What each canvas shows, for screen readers (its aria-label): changed per message, not per drawn state.
        **dict(zip(("summary", "curves_summary", "neurons_summary"), mlp_alt_texts(trainer, test_accuracy))),
    }


def mlp_alt_texts(trainer, test_accuracy: float) -> tuple[str, str, str]:
    """The text alternatives of the MLP's three pictures (decision regions, loss per epoch, hidden neurons),
    with the numbers they show: the board's canvases and the server's pictures say the same."""
    history = trainer.history
    epoch = f"epoch {trainer.epoch}"
    accuracy = "no test points" if math.isnan(test_accuracy) else f"test accuracy {alt_text.percent(test_accuracy)}"
    losses = ()
    if history["train_loss"]:
        losses = (f"train loss {alt_text.number(history['train_loss'][-1])}",
                  f"test loss {alt_text.number(history['test_loss'][-1])}" if history["test_loss"] else None)
    widths = [layer.out_features for layer in trainer.model.hidden_layers]
    layers = ", ".join(str(width) for width in widths) if widths else "none"
    return (alt_text.describe("Decision regions", epoch, accuracy, *losses),
            alt_text.describe("Train and test loss per epoch", epoch, *losses) if losses
            else "Train and test loss per epoch: not trained yet",
            alt_text.describe("What each hidden neuron computes over the plane", f"hidden layers of {layers} neurons", epoch))


def empty_mlp_scene(own_points: tuple, message: str) -> dict:
    """No network yet (e.g. too few points of one's own): the plane with the clicked points and why."""
    own = np.asarray(own_points, dtype=np.float64).reshape(-1, 3)
    return {"kind": "mlp", "grid": GRID, "size": PLANE_SIZE, "network": "", "film": [],
            "train": _points(own[:, :2], own[:, 2]),
            "test": "", "loss_stride": 1, "loss_count": 0, "train_loss": "", "test_loss": "", "epoch": 0,
            "summary": "No network yet: " + message, "curves_summary": "Loss per epoch: no network yet",
            "neurons_summary": "Hidden neurons: no network yet"}


def perceptron_scene(w1: float, w2: float, b: float, activation_name: str, leaky_slope: float,
                     dataset: str) -> dict:
    """The single neuron's scene: its settled weights and its data. The page reads the sliders
    itself while they move, so a drag redraws at display rate without asking the server."""
    points, labels = perceptron_data(dataset)
    return {
        "kind": "perceptron", "grid": PERCEPTRON_GRID, "size": PLANE_SIZE,
        "w1": w1, "w2": w2, "b": b, "act": activation_name, "leaky": leaky_slope,
        "bounded": json.dumps(BOUNDED), "train": _points(points, labels), "test": "",
    }
