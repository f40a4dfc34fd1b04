"""Figures for the tab: curves as tidy tables, the confusion matrix and the experiment plot.

Matplotlib through ``playground.figures.new_figure``, never pyplot: handlers run in several threads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from playground import alt_text
from playground.figures import history_table, new_figure


def curve_tables(history: dict[str, list[float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(loss table, accuracy table) with columns epoch, value, curve — for gr.LinePlot."""
    return (
        history_table(history, {"train_loss": "train", "heldout_loss": "held-out"}, y="value"),
        history_table(history, {"train_accuracy": "train", "heldout_accuracy": "held-out"}, y="value"),
    )


def confusion_figure(confusion: np.ndarray, class_names: list[str]) -> Figure:
    """Rows: the true class; columns: what the classifier said. The diagonal is right."""
    size = 1.2 + 0.55 * len(class_names)
    figure = new_figure(size + 1.2, size)
    axes = figure.add_subplot()
    axes.imshow(confusion, cmap="Blues", vmin=0, vmax=max(1, confusion.max()))
    ticks = range(len(class_names))
    axes.set_xticks(ticks, class_names, rotation=45, ha="right")
    axes.set_yticks(ticks, class_names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true (held-out images)")
    for (row, col), count in np.ndenumerate(confusion):
        colour = "white" if count > confusion.max() / 2 else "black"
        axes.text(col, row, str(count), ha="center", va="center", color=colour)
    figure.tight_layout()
    return figure


def experiment_figure(points, num_classes: int) -> Figure:
    """Held-out accuracy versus labelled examples per class, pretrained-frozen vs from scratch."""
    figure = new_figure(6.4, 4)
    axes = figure.add_subplot()
    sizes = [p.per_class for p in points]
    axes.plot(sizes, [p.pretrained_accuracy for p in points], "o-", label="ImageNet-pretrained, frozen + linear head")
    axes.plot(sizes, [p.scratch_accuracy for p in points], "s--", label="same network from scratch")
    axes.axhline(1 / num_classes, color="grey", linewidth=1, linestyle=":", label="chance")
    axes.set_xscale("log")
    axes.set_xticks(sizes, [str(n) for n in sizes])
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("labelled examples per class")
    axes.set_ylabel("accuracy on held-out digits")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return figure


def confusion_plot(evaluation, class_names: list[str]):
    """The confusion matrix for the page, with a caption of its figures for screen readers (``alt_text.plot``)."""
    return alt_text.plot(confusion_figure(evaluation.confusion, class_names), "Confusion matrix of the held-out images",
                         f"{alt_text.percent(evaluation.accuracy)} of {evaluation.count} right",
                         *(f"{name} {alt_text.percent(acc)}" for name, acc in evaluation.per_class.items()))


def experiment_plot(points, num_classes: int):
    """The pretrained-vs-scratch experiment's plot for the page, with a caption of every point's accuracies."""
    said = [f"n = {p.per_class}: pretrained {alt_text.percent(p.pretrained_accuracy)}, "
            f"from scratch {alt_text.percent(p.scratch_accuracy)}" for p in points]
    return alt_text.plot(experiment_figure(points, num_classes),
                         f"Held-out accuracy on {num_classes} digit classes against labelled examples per class", *said)
