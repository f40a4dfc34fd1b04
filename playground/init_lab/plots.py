"""Figures for the lab, drawn with matplotlib's Agg canvas and returned as (H, W, 3) uint8 arrays.

No pyplot: each call builds its own ``Figure``, so handlers running in parallel threads
never share plotting state. Many shapes go through one collection (not one artist each):
a 50-row ridge plot costs one PolyCollection, not fifty fill_between calls.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, ScalarFormatter

from playground.figures import figure_to_array, new_figure
from playground.init_schemes import density, scheme
from playground.init_lab.depth import BOUNDED, ZERO_FLOOR, DepthResult
from playground.init_lab.explorer import WeightSample

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")
DPI = 100
TITLE_Y = 1.01  # an explicit title height: automatic placement measures every tick label (slow)


def _decade_log_axis(ax, values: np.ndarray) -> None:
    """A log y-axis from the decade below the positive finite ``values`` to the decade above,
    so even a narrow band shows its order of magnitude (a vanishing 1e-25 must read as such).
    Tick labels are plain text ("1e-05"): mathtext labels cost ~20 ms a figure."""
    ax.set_yscale("log")
    finite = values[np.isfinite(values) & (values > 0)]
    if finite.size:
        low, high = math.floor(math.log10(finite.min())), math.ceil(math.log10(finite.max()))
        high = max(high, low + 1)
        ax.set_ylim(10.0**low, 10.0**high)
        subs = (1.0, 2.0, 5.0) if high - low <= 2 else (1.0,)
        ax.yaxis.set_major_locator(LogLocator(subs=subs, numticks=8))
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda value, _: f"{value:g}" if 0.01 <= value < 1000 else f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-")
    ))
    ax.yaxis.set_minor_formatter(NullFormatter())


def weight_histogram(sample: WeightSample) -> np.ndarray:
    """Histogram of the sampled weights with the scheme's theoretical density on top."""
    chosen = scheme(sample.key)
    figure = new_figure(7.5, 3.6, DPI)
    ax = figure.add_axes((0.09, 0.14, 0.88, 0.76))
    values = sample.values
    spread = max(sample.expected_std, sample.measured_std, 1e-3)
    if chosen.family == "constant":
        low, high = chosen.constant - 1.0, chosen.constant + 1.0
    else:
        low, high = -4.5 * spread, 4.5 * spread
    ax.hist(values, bins=80, range=(low, high), density=chosen.family != "constant", color=COLOURS[0], alpha=0.55,
            label=f"{values.size:,} sampled weights")
    grid = np.linspace(low, high, 400)
    theory = density(sample.key, sample.fan_in, sample.fan_out, sample.gain, grid)
    if theory is not None:
        ax.plot(grid, theory, color=COLOURS[1], lw=2, label="theoretical density")
    elif chosen.family == "orthogonal" and sample.expected_std > 0:
        std = sample.expected_std
        normal = np.exp(-0.5 * (grid / std) ** 2) / (std * math.sqrt(2 * math.pi))
        ax.plot(grid, normal, color=COLOURS[1], lw=2, ls="--", label="normal with the same std (approached for large n)")
    ax.set_xlim(low, high)
    ax.set_xlabel("weight value")
    ax.set_ylabel("count" if chosen.family == "constant" else "density")
    ax.set_title(y=TITLE_Y, label=f"{chosen.label}: fan-in {sample.fan_in}, fan-out {sample.fan_out}, gain {sample.gain:.3g}", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    return figure_to_array(figure)


def depth_figure(result: DepthResult) -> np.ndarray:
    """Ridge plot of every layer's activations (left); per-layer magnitudes on one log axis (right):
    activation std and |mean|, saturated / zero shares, and the weight-gradient norm.

    Two axes, not four: each matplotlib axes costs ~25 ms of ticks and labels here, and the
    depth view has a 300 ms budget."""
    figure = new_figure(11, 6.2, DPI)  # fixed margins: constrained layout costs ~100 ms here
    ridge = figure.add_axes((0.055, 0.09, 0.43, 0.85))
    magnitudes = figure.add_axes((0.565, 0.25, 0.42, 0.69))  # the legend goes below it, off the data

    # Ridge: layer 1 at the top, each histogram scaled to its own peak, 1.6 rows high.
    edges = result.bin_edges
    centres = 0.5 * (edges[:-1] + edges[1:])
    polygons, colours = [], []
    for index in range(result.depth):
        baseline = result.depth - index  # layer 1 highest
        peak = max(float(result.histograms[index].max()), 1e-12)
        heights = baseline + 1.6 * result.histograms[index] / peak
        xs = np.concatenate([[centres[0]], centres, [centres[-1]]])
        ys = np.concatenate([[baseline], heights, [baseline]])
        polygons.append(np.column_stack([xs, ys]))
        colours.append(COLOURS[0] if index < result.finite_layers else "#cccccc")
    ridge.add_collection(PolyCollection(polygons, facecolors=colours, edgecolors="white", linewidths=0.6, alpha=0.9))
    ridge.set_xlim(edges[0], edges[-1])
    ridge.set_ylim(0.5, result.depth + 2.8)
    step = max(1, result.depth // 5)
    ticks = list(range(1, result.depth + 1, step))
    ridge.set_yticks([result.depth - (t - 1) for t in ticks], [str(t) for t in ticks])
    ridge.set_ylabel("layer")
    ridge.set_xlabel(f"{result.activation} output" + (" (exact zeros left out)" if result.zeros_left_out else ""))
    bn = " + batch norm" if result.batch_norm else ""
    ridge.set_title(y=TITLE_Y, label=f"Activations per layer: {scheme(result.scheme).label}, {result.activation}{bn}",
                    fontsize=10)

    # Everything per layer on one log axis; the signed means are in the per-layer table.
    layers = np.arange(1, result.depth + 1)
    measured = layers <= result.finite_layers  # past a float32 overflow the numbers mean nothing

    def positive(values: np.ndarray) -> np.ndarray:  # log axes skip 0 and NaN
        return np.where(measured & (values > 0), values, np.nan)

    norms = positive(result.grad_norms)
    stds, means, saturated, zeros = (positive(v) for v in (result.stds, np.abs(result.means), result.saturated,
                                                          result.zeros))
    magnitudes.plot(layers, stds, "o-", ms=3, color=COLOURS[0], label="activation std")
    magnitudes.plot(layers, means, "s-", ms=2.5, color=COLOURS[4], alpha=0.8, label="|activation mean|")
    magnitudes.plot(layers, norms, "D-", ms=3, color=COLOURS[2], label="‖∂loss/∂W‖ after one backward pass")
    shown = [stds, means, norms]
    if result.activation in BOUNDED:
        magnitudes.plot(layers, saturated, "^:", ms=3, color=COLOURS[1], label="share saturated")
        shown.append(saturated)
    if result.activation in ZERO_FLOOR or float(result.zeros.max()) > 0.01:
        magnitudes.plot(layers, zeros, "v:", ms=3, color=COLOURS[3], label="share exactly 0")
        shown.append(zeros)
    _decade_log_axis(magnitudes, np.concatenate(shown))
    magnitudes.set_xlim(0.5, result.depth + 0.5)
    notes = []
    exact_zero = np.flatnonzero(result.stds[: result.finite_layers] == 0)
    if result.finite_layers and np.all(result.stds[: result.finite_layers] == 0):
        notes.append("every layer's std is exactly 0: all neurons output the same value")
    elif exact_zero.size and exact_zero[0] > 0:
        notes.append(f"std exactly 0 (float32 underflow) from layer {exact_zero[0] + 1}")
    if not np.isfinite(norms).any():
        notes.append("every gradient is 0 (or not finite)")
    if result.finite_layers < result.depth:
        notes.append(f"values overflow float32 from layer {result.finite_layers + 1}")
    if notes:
        magnitudes.text(0.98, 0.97, "\n".join(notes), transform=magnitudes.transAxes, ha="right", va="top", fontsize=8,
                        bbox=dict(facecolor="white", alpha=0.85, edgecolor="#999999"))
    magnitudes.set_xlabel("layer")
    magnitudes.set_title(y=TITLE_Y, label=f"Per layer, log scale (loss {result.loss:.3g})", fontsize=10)
    # below the axes: never over the data, and no "best" placement search (slow)
    magnitudes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    return figure_to_array(figure)


def _smooth(values: list[float], weight: float = 0.9) -> np.ndarray:
    """Exponential moving average (bias-corrected), so noisy mini-batch losses read as a curve."""
    smoothed, running = np.empty(len(values)), 0.0
    for index, value in enumerate(values):
        running = weight * running + (1 - weight) * value
        smoothed[index] = running / (1 - weight ** (index + 1))
    return smoothed


def race_figure(frame) -> np.ndarray:
    """Training loss per step (left, smoothed over the faint raw curve) and held-out accuracy (right)."""
    figure = new_figure(11, 4.2, DPI)
    losses = figure.add_axes((0.07, 0.13, 0.41, 0.77))
    scheme_order: list[str] = []  # one colour per scheme; with/without BN share it (BN dashed)
    accuracy = figure.add_axes((0.56, 0.13, 0.42, 0.77))
    for runner in frame.runners:
        if runner.scheme not in scheme_order:
            scheme_order.append(runner.scheme)
        colour = COLOURS[scheme_order.index(runner.scheme) % len(COLOURS)]
        style = "--" if runner.batch_norm else "-"
        if runner.losses:
            losses.plot(runner.steps, runner.losses, color=colour, alpha=0.15, lw=0.8)
            losses.plot(runner.steps, _smooth(runner.losses), color=colour, ls=style, lw=1.8, label=runner.label)
        if runner.diverged_at:
            losses.axvline(runner.diverged_at, color=colour, ls=":", lw=1)
        accuracy.plot(runner.eval_steps, [100 * a for a in runner.test_accuracy], "o" + style, color=colour, ms=3,
                      lw=1.6, label=runner.label)
    losses.set_yscale("log")
    losses.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    losses.yaxis.set_major_formatter(ScalarFormatter())
    losses.yaxis.set_minor_formatter(NullFormatter())
    losses.set_xlim(0, max(frame.total_steps, 1))
    losses.set_xlabel("step")
    losses.set_ylabel("training loss (cross-entropy, log)")
    losses.set_title(y=TITLE_Y, label=f"Training loss — step {frame.step}/{frame.total_steps} (epoch {frame.epoch:.2f})", fontsize=10)
    losses.legend(fontsize=8, loc="lower left")
    accuracy.set_xlim(0, max(frame.total_steps, 1))
    accuracy.set_ylim(0, 100)
    accuracy.set_xlabel("step")
    accuracy.set_ylabel("held-out accuracy (%)")
    accuracy.set_title(y=TITLE_Y, label="Accuracy on the 1,000 test digits (eval mode)", fontsize=10)
    accuracy.grid(alpha=0.3)
    return figure_to_array(figure)
