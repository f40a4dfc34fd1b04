"""Weight init & batch norm, four tabs of the Neurons group: watch distributions flow through depth, then race
inits on MNIST.

One module per tab: the init explorer (``weight_init``: one weight matrix against its formula), the depth
view (``depth_view``: a deep MLP layer by layer), the training race (``init_race``: several inits on real MNIST,
streamed) and batch norm's train/eval modes with their classic pitfalls (``batch_norm``). This module holds their
handlers and benchmark rows; the compute lives in ``playground.init_lab``.
"""

from __future__ import annotations

import time

import gradio as gr

from playground import alt_text, data
from playground.activations import DISPLAY_NAMES
from playground.bench_rows import BenchCase
from playground.init_schemes import SCHEMES
from playground.init_lab import batchnorm, depth, explorer, plots, race


SCHEME_CHOICES = [(s.label, s.key) for s in SCHEMES.values()]
ACTIVATION_CHOICES = [(DISPLAY_NAMES[k], k) for k in ("tanh", "relu", "sigmoid", "leaky_relu", "gelu", "linear")]
# The classic outcomes of the issue: (label, activation, scheme)
CLASSIC_CASES = {
    "tanh + too small N(0, 0.01²): collapses to 0": ("tanh", "too_small"),
    "tanh + too large N(0, 1): saturates": ("tanh", "too_large"),
    "ReLU + Xavier: shrinks": ("relu", "xavier_normal"),
    "ReLU + Kaiming: stays stable": ("relu", "kaiming_normal"),
    "tanh + zeros: symmetry never broken": ("tanh", "zeros"),
    "tanh + the seed rule N(0, 1/√n)": ("tanh", "seed_normal"),
}
DEPTH_COLUMNS = ["layer", "mean", "std", "input std (after BN if on)", "share saturated", "share exactly 0",
                 "spread across units", "‖∂loss/∂W‖"]
RACE_COLUMNS = ["runner", "training loss (last 20 steps)", "held-out accuracy %", "status"]


# ---------------------------------------------------------------- handlers (plain values in and out)


def show_weights(key: str, fan_in, fan_out, activation: str, seed):
    """Histogram + the measured std against the formula, for one sampled weight matrix."""
    sample = explorer.sample_weights(key, fan_in, fan_out, activation, seed)
    chosen = SCHEMES[key]
    relative = abs(sample.measured_std - sample.expected_std) / sample.expected_std if sample.expected_std else 0.0
    text = (
        f"**Measured std {sample.measured_std:.5f}** · formula {sample.expected_std:.5f} "
        f"({100 * relative:.2f} % apart; sampling error ≈ {100 * sample.standard_error / max(sample.expected_std, 1e-30):.2f} %) "
        f"· mean {sample.measured_mean:+.5f} · {sample.values.size:,} weights, gain {sample.gain:.3g}"
    )
    if chosen.note:
        text += f"\n\n*{chosen.note}.*"
    histogram = alt_text.picture(plots.weight_histogram(sample), f"Histogram of {sample.values.size:,} weights "
                                 f"sampled by {key}", f"measured std {sample.measured_std:.5f}",
                                 f"formula {sample.expected_std:.5f}", f"mean {sample.measured_mean:+.5f}")
    return histogram, text


def show_depth(activation: str, key: str, layers, width, batch, input_kind: str, batch_norm: bool, seed):
    result = depth.run_depth(activation, key, layers, width, batch, input_kind, bool(batch_norm), seed)
    rows = [
        [i + 1, *(float(f"{v:.4g}") for v in (result.means[i], result.stds[i], result.pre_stds[i], result.saturated[i],
                                               result.zeros[i], result.unit_spread[i], result.grad_norms[i]))]
        for i in range(result.depth)
    ]
    finite = result.finite_layers
    figure = alt_text.picture(
        plots.depth_figure(result), f"Activations layer by layer: {result.depth} layers of {activation} with {key}",
        f"std {result.stds[0]:.4g} at layer 1", f"{result.stds[finite - 1]:.4g} at layer {finite}" if finite else None,
        f"overflowed at layer {finite + 1}" if finite < result.depth else None)
    return figure, depth.describe(result), rows


def show_classic_case(case: str, layers, width, batch, input_kind: str, batch_norm: bool, seed):
    if case not in CLASSIC_CASES:
        raise gr.Error(f"unknown case {case!r}")
    activation, key = CLASSIC_CASES[case]
    return activation, key, *show_depth(activation, key, layers, width, batch, input_kind, batch_norm, seed)


def clear_case():
    return gr.update(value=None)


def run_race(schemes, architecture, bn_mode, activation, hidden_layers, width, optimizer, learning_rate, batch_size,
             epochs, steps_per_frame, seed, job=None):
    """Stream (figure, summary rows, status) frames while the runners train side by side
    (a frame after fewer steps when the server is crowded: ``job.scaled``)."""
    settings = race.RaceSettings(
        schemes=list(schemes or []), architecture=architecture, bn_mode=bn_mode, activation=activation,
        hidden_layers=hidden_layers, width=width, optimizer=optimizer,
        learning_rate=learning_rate, batch_size=batch_size, epochs=epochs,
        steps_per_frame=steps_per_frame, seed=seed,
    )
    if job is not None:
        settings = settings.validated()
        settings.steps_per_frame = job.scaled(settings.steps_per_frame)
    for frame in race.race(settings):
        status = (f"{'Finished' if frame.finished else 'Training'}: step {frame.step}/{frame.total_steps}, "
                  f"epoch {frame.epoch:.2f}, {len(frame.runners)} runners on the same mini-batches.")
        rows = race.summary_rows(frame)
        figure = alt_text.picture(
            plots.race_figure(frame), "Training loss and held-out accuracy of each initialisation",
            f"step {frame.step} of {frame.total_steps}",
            *(f"{label}: loss {loss:g}, accuracy {accuracy:g} %, {state}" for label, loss, accuracy, state in rows))
        yield figure, rows, status


def show_pitfalls(architecture: str, epochs, seed):
    report = batchnorm.pitfalls(architecture, epochs, seed)
    lines = [
        f"Network: {race.ARCHITECTURES[report.architecture]}, trained {report.epochs} epoch(s) on the 4,000 "
        "training digits, then measured on the **1,000 held-out digits**:\n",
        "| situation | held-out accuracy | what happened |",
        "|---|---|---|",
    ]
    for row in report.rows:
        shown = "— (error)" if row.accuracy is None else f"{100 * row.accuracy:.1f} %"
        lines.append(f"| {row.situation} | **{shown}** | {row.note} |")
    layer_rows = []
    for stage, layers in (("fresh (before training)", report.fresh_layers), ("trained", report.trained_layers)):
        for layer in layers:
            layer_rows.append([stage, layer.name, round(layer.train_mean, 4), round(layer.train_std, 4),
                               round(layer.eval_mean, 4), round(layer.eval_std, 4)])
    return "\n".join(lines), layer_rows


# ---------------------------------------------------------------- UI


# ---------------------------------------------------------------- benchmarks


class _RaceFrames:
    """Endless race frames for the benchmark: a new race starts when one finishes."""

    def __init__(self) -> None:
        self.frames = None

    def next_frame(self):
        settings = race.RaceSettings(["seed_normal", "too_small", "kaiming_normal"], epochs=1)
        if self.frames is None:
            self.frames = run_race(settings.schemes, "mlp", "off", "relu", 5, 128, "Momentum", 0.02, 64, 1, 10, 0)
        try:
            return next(self.frames)
        except StopIteration:
            self.frames = None
            return self.next_frame()


def _load_mnist_tensors() -> None:
    data.mnist_tensors("train", "standard")
    data.mnist_tensors("test", "standard")


def _depth_view_at_target_size():
    return show_depth("relu", "kaiming_normal", 50, 256, 512, "gaussian", False, 0)


def _explorer_default():
    return show_weights("kaiming_normal", 256, 256, "relu", 0)


def _cpu_ms(run, target_ms: float):
    """Process CPU time of one call, in ms: on a host shared with other busy processes, wall time
    mostly measures the waiting; CPU time measures this code (one torch thread)."""

    def measure():
        start = time.process_time()
        run()
        return (time.process_time() - start) * 1000, target_ms, "ms", False

    return measure


def bench_cases() -> list[BenchCase]:
    frames = _RaceFrames()
    cpu_frames = _RaceFrames()
    return [
        BenchCase(
            name="Init lab: depth view, depth 50 × width 256, batch 512 (fwd + bwd + figure)",
            run=_depth_view_at_target_size,
            target_ms=300,
        ),
        BenchCase(
            name="Init lab: depth view 50 × 256 × 512, CPU time (busy-host check)",
            run=_depth_view_at_target_size,
            setup=_depth_view_at_target_size,
            measure=_cpu_ms(_depth_view_at_target_size, 300),
        ),
        BenchCase(
            name="Init lab: one race frame (3 inits, MLP 5×128, 10 steps of 64 + figure)",
            run=frames.next_frame,
            setup=_load_mnist_tensors,
            target_ms=500,
        ),
        BenchCase(
            name="Init lab: one race frame, CPU time (busy-host check)",
            run=cpu_frames.next_frame,
            setup=_load_mnist_tensors,
            measure=_cpu_ms(cpu_frames.next_frame, 500),
            repeats=9,
        ),
        BenchCase(
            name="Init lab: init explorer, 256 × 256 weights + histogram",
            run=_explorer_default,
            target_ms=150,
        ),
        BenchCase(
            name="Init lab: init explorer, CPU time (busy-host check)",
            run=_explorer_default,
            setup=_explorer_default,
            measure=_cpu_ms(_explorer_default, 150),
        ),
    ]
