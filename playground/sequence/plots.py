"""Matplotlib figures for the tab (object API only: no pyplot state shared between threads)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from playground.figures import new_figure

COLOURS = {"TDNN": "#8c6d31", "Elman RNN": "#d62728", "LSTM": "#1f77b4", "GRU": "#2ca02c"}


def _figure(width: float = 7.0, height: float = 3.6, columns: int = 1) -> tuple[Figure, list]:
    figure = new_figure(width, height, dpi=90, layout="constrained")
    axes = figure.subplots(1, columns)
    return figure, list(np.atleast_1d(axes))


def gradient_figure(curves: dict[str, dict[str, np.ndarray]]) -> Figure:
    """‖∂h_T/∂x_t‖ against T − t on a log axis, one line per cell."""
    figure, (axis,) = _figure()
    for label, result in curves.items():
        norm = np.asarray(result["norm"], dtype=float)
        finite = np.isfinite(norm) & (norm > 0)  # log axis: zeros (underflow) and inf (overflow) cannot be drawn
        axis.semilogy(result["distance"][finite], norm[finite], label=label, lw=1.8)
    axis.set_xlabel("distance T − t (steps back from the last state)")
    axis.set_ylabel("‖∂h_T / ∂x_t‖")
    axis.set_title("How much does an input t steps back still move the last hidden state?")
    axis.grid(True, which="major", alpha=0.3)
    axis.legend(loc="lower left", fontsize=8)  # a fixed corner: loc="best" costs ~20 ms of overlap tests
    return figure


def race_figure(curves: dict[str, dict[str, list[float]]], chance: float, title: str) -> Figure:
    """Loss (left) and held-out accuracy (right) against training steps, one line per model."""
    figure, (loss_axis, accuracy_axis) = _figure(9.0, 3.4, columns=2)
    for kind, curve in curves.items():
        colour = COLOURS.get(kind)
        loss_axis.plot(curve["steps"], curve["loss"], color=colour, label=kind)
        accuracy_axis.plot(curve["steps"], curve["accuracy"], color=colour, label=kind)
    loss_axis.set_xlabel("training step")
    loss_axis.set_ylabel("training loss")
    loss_axis.set_yscale("log")
    accuracy_axis.axhline(chance, color="grey", ls="--", lw=1, label="chance")
    accuracy_axis.set_ylim(0, 1.02)
    accuracy_axis.set_xlabel("training step")
    accuracy_axis.set_ylabel("held-out accuracy")
    accuracy_axis.legend(loc="lower right", fontsize=8)
    for axis in (loss_axis, accuracy_axis):
        axis.grid(True, alpha=0.3)
    figure.suptitle(title, fontsize=10)
    return figure


def delay_figure(delays: list[int], accuracy: dict[str, list[float]], chance: float, window: int) -> Figure:
    """Best accuracy reached against the delay k: the picture that explains the notes."""
    figure, (axis,) = _figure(7.0, 3.4)
    for kind, values in accuracy.items():
        axis.plot(delays[: len(values)], values, "o-", color=COLOURS.get(kind), label=kind)
    axis.axhline(chance, color="grey", ls="--", lw=1, label="chance")
    axis.axvline(window - 0.5, color=COLOURS["TDNN"], ls=":", lw=1, label=f"TDNN window w = {window}")
    axis.set_ylim(0, 1.02)
    axis.set_xlabel("delay k (steps to remember)")
    axis.set_ylabel("best held-out accuracy")
    axis.set_title("Accuracy within the same step budget, against the delay")
    axis.grid(True, alpha=0.3)
    axis.legend(loc="upper right", fontsize=8)
    return figure


def forecast_figure(forecast, title: str, unit: str) -> Figure:
    """The whole series, the train/test split, and both kinds of prediction over the test part."""
    figure, (axis,) = _figure(9.0, 3.6)
    time, split = forecast.time, forecast.split
    axis.plot(time, forecast.truth, color="black", lw=1, label="truth")
    axis.plot(time[split:], forecast.one_step, color="#1f77b4", lw=1.5, label=f"one step ahead (RMSE {forecast.rmse_one_step:.3g})")
    axis.plot(
        time[split:], forecast.free_running, color="#d62728", lw=1.5, ls="--",
        label=f"free-running (RMSE {forecast.rmse_free_running:.3g})",
    )
    axis.axvspan(time[split], time[-1], color="#ffd54f", alpha=0.15, label="held out (never trained on)")
    axis.set_xlabel("time")
    axis.set_ylabel(unit or "value")
    axis.set_title(f"{title} — persistence baseline RMSE {forecast.rmse_persistence:.3g}", fontsize=10)
    axis.grid(True, alpha=0.3)
    axis.legend(loc="upper left", fontsize=8)
    return figure


def attention_figure(attention: np.ndarray, rows: list[str], columns: list[str], curves) -> Figure:
    """The transformer's attention map for one sequence (left) and both models' accuracy (right)."""
    figure, (map_axis, curve_axis) = _figure(10.0, 4.2, columns=2)
    image = map_axis.imshow(attention, cmap="viridis", vmin=0, vmax=1)
    map_axis.set_xticks(range(len(columns)), columns, fontsize=8)
    map_axis.set_yticks(range(len(rows)), rows, fontsize=8)
    map_axis.set_xlabel("attends to input step (key)")
    map_axis.set_ylabel("step (query); → what it writes")
    map_axis.set_title("Self-attention map (heads averaged)", fontsize=10)
    figure.colorbar(image, ax=map_axis, shrink=0.8)
    curve_axis.plot(curves.steps, curves.transformer, color="#9467bd", label="tiny transformer")
    curve_axis.plot(curves.steps, curves.lstm, color=COLOURS["LSTM"], label="LSTM")
    curve_axis.set_ylim(0, 1.02)
    curve_axis.set_xlabel("training step")
    curve_axis.set_ylabel("held-out accuracy (per symbol)")
    curve_axis.set_title("Reversing a sequence", fontsize=10)
    curve_axis.grid(True, alpha=0.3)
    curve_axis.legend(loc="lower right", fontsize=8)
    return figure


def loss_figure(losses: list[float], steps_per_point: int, ylabel: str) -> Figure:
    figure, (axis,) = _figure(6.0, 2.6)
    axis.plot(np.arange(1, len(losses) + 1) * steps_per_point, losses, color="#1f77b4")
    axis.set_xlabel("training step")
    axis.set_ylabel(ylabel)
    axis.grid(True, alpha=0.3)
    return figure
