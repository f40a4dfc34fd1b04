"""Weight init & batch norm: watch distributions flow through depth, then race inits on MNIST.

Four parts, each a sub-tab: the init explorer (one weight matrix against its formula),
the depth view (a deep MLP layer by layer), the training race (several inits on real
MNIST, streamed) and batch norm's train/eval modes with their classic pitfalls. The
compute lives in ``playground.init_lab``; this module only wires it to Gradio.
"""

from __future__ import annotations

import time

import gradio as gr

from playground import data, live_ui
from playground.activations import DISPLAY_NAMES
from playground.bench_rows import BenchCase
from playground.init_schemes import SCHEMES
from playground.init_lab import batchnorm, depth, explorer, plots, race
from playground.ui import HEAVY, SafeNumber, explainer, friendly, show_on_first_visit

TITLE = "Weight init & batch norm"

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
    return plots.weight_histogram(sample), text


def show_depth(activation: str, key: str, layers, width, batch, input_kind: str, batch_norm: bool, seed):
    result = depth.run_depth(activation, key, layers, width, batch, input_kind, bool(batch_norm), seed)
    rows = [
        [i + 1, *(float(f"{v:.4g}") for v in (result.means[i], result.stds[i], result.pre_stds[i], result.saturated[i],
                                               result.zeros[i], result.unit_spread[i], result.grad_norms[i]))]
        for i in range(result.depth)
    ]
    return plots.depth_figure(result), depth.describe(result), rows


def show_classic_case(case: str, layers, width, batch, input_kind: str, batch_norm: bool, seed):
    if case not in CLASSIC_CASES:
        raise gr.Error(f"unknown case {case!r}")
    activation, key = CLASSIC_CASES[case]
    return activation, key, *show_depth(activation, key, layers, width, batch, input_kind, batch_norm, seed)


def _clear_case():
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
        yield plots.race_figure(frame), race.summary_rows(frame), status


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


def build() -> None:
    explainer(
        "**Why initial weights matter, and what batch norm fixes.** The seed notes' rule: start weights at "
        "random with standard deviation about 1/√n (n = a neuron's inputs). Here you see why, layer by layer. "
        "Try: the *Depth view* with **tanh + too small** (signals collapse to 0), **tanh + too large** "
        "(they saturate), **ReLU + Xavier** (shrinks) vs **ReLU + Kaiming** (stable), then tick *batch norm*. "
        "Then race inits on real MNIST digits, and see what a forgotten `model.eval()` does."
    )
    with gr.Tabs():
        with gr.Tab("1 · Init explorer"):
            _build_explorer()
        with gr.Tab("2 · Depth view"):
            _build_depth()
        with gr.Tab("3 · Training race"):
            _build_race()
        with gr.Tab("4 · Batch norm: train vs eval"):
            _build_batchnorm()


def _build_explorer() -> None:
    gr.Markdown("Sample one weight matrix (fan-out × fan-in) from a scheme. The red curve is the density the scheme "
                "promises; the text compares the sample's std with the formula.")
    with gr.Row():
        with gr.Column(scale=1):
            key = gr.Dropdown(SCHEME_CHOICES, value="seed_normal", label="Init scheme", elem_id="init-scheme")
            fan_in = gr.Slider(1, explorer.MAX_FAN, value=256, step=1, label="Fan-in n (inputs per neuron)",
                               elem_id="init-fan-in")
            fan_out = gr.Slider(1, explorer.MAX_FAN_OUT, value=256, step=1, label="Fan-out (neurons)")
            activation = gr.Dropdown(ACTIVATION_CHOICES, value="relu", label="Activation (sets the Kaiming gain)")
            seed = SafeNumber(0, precision=0, label="Seed", minimum=0)
        with gr.Column(scale=2):
            image = gr.Image(label="Sampled weights", show_label=False, format="png", interactive=False,
                             elem_id="init-histogram")
            stats = gr.Markdown(elem_id="init-std")
    inputs = [key, fan_in, fan_out, activation, seed]
    # The default view (~0.1 s, drawn once per process), so the tab never opens empty.
    show_on_first_visit([image, stats], show_weights, inputs)
    handler = friendly(show_weights)
    key.change(handler, inputs, [image, stats], api_name="sample_weights")
    for control in (activation, seed):
        control.change(handler, inputs, [image, stats], api_visibility="undocumented")
    for slider in (fan_in, fan_out):
        slider.release(handler, inputs, [image, stats], api_visibility="undocumented")


def _build_depth() -> None:
    gr.Markdown(
        "A deep MLP (each layer Linear → [BatchNorm1d] → activation, biases 0) gets one batch. Left: every "
        "layer's activation histogram, layer 1 at the top. Right: mean and std per layer, and each layer's "
        "weight-gradient norm after one backward pass of a cross-entropy loss."
    )
    with gr.Row():
        with gr.Column(scale=1):
            case = gr.Dropdown(list(CLASSIC_CASES), value=None, label="Classic outcomes (sets activation + init)",
                               elem_id="depth-case")
            activation = gr.Dropdown(ACTIVATION_CHOICES, value="tanh", label="Activation", elem_id="depth-activation")
            key = gr.Dropdown(SCHEME_CHOICES, value="xavier_normal", label="Init scheme", elem_id="depth-scheme")
            layers = gr.Slider(1, depth.MAX_DEPTH, value=30, step=1, label="Depth (hidden layers)")
            width = gr.Slider(depth.MIN_WIDTH, depth.MAX_WIDTH, value=256, step=1, label="Width (units per layer)")
            batch = gr.Slider(depth.MIN_BATCH, depth.MAX_BATCH, value=512, step=1, label="Batch size")
            input_kind = gr.Radio([(v, k) for k, v in depth.INPUTS.items()], value="gaussian", label="Input batch")
            batch_norm = gr.Checkbox(False, label="Batch norm after every Linear (no bias; BN before the activation)")
            seed = SafeNumber(0, precision=0, label="Seed", minimum=0)
            run = gr.Button("Run the batch through", variant="primary", elem_id="depth-run")
        with gr.Column(scale=3):
            verdict = gr.Markdown("Pick a classic outcome, or set activation and init and press **Run**.",
                                  elem_id="depth-verdict")
            image = gr.Image(label="Layer by layer", show_label=False, format="png", interactive=False, elem_id="depth-figure")
    table = gr.Dataframe(headers=DEPTH_COLUMNS, label="Per-layer numbers", interactive=False, max_height=300)
    inputs = [activation, key, layers, width, batch, input_kind, batch_norm, seed]
    handler = friendly(show_depth)
    # The default settings already run through, computed once per process.
    show_on_first_visit([image, verdict, table], show_depth, inputs)
    run.click(handler, inputs, [image, verdict, table], api_name="depth_view", concurrency_id=HEAVY)
    for control in (activation, key, input_kind, batch_norm):
        control.input(handler, inputs, [image, verdict, table], api_visibility="undocumented", concurrency_id=HEAVY)
    for control in (activation, key):  # a hand-picked pair is no longer the classic case shown
        control.input(_clear_case, None, [case], api_visibility="undocumented", queue=False)
    for slider in (layers, width, batch):
        slider.release(handler, inputs, [image, verdict, table], api_visibility="undocumented", concurrency_id=HEAVY)
    case.input(friendly(show_classic_case), [case, layers, width, batch, input_kind, batch_norm, seed],
               [activation, key, image, verdict, table], api_name="depth_classic_case", concurrency_id=HEAVY)


def _build_race() -> None:
    gr.Markdown(
        "The same network trains on the 4,000 MNIST training digits from each chosen init, on exactly the same "
        "mini-batches. Solid lines: without batch norm; dashed: with it. Accuracy is measured on the 1,000 "
        "held-out digits in eval mode, four times per epoch."
    )
    with gr.Row():
        with gr.Column(scale=1):
            schemes = gr.CheckboxGroup(SCHEME_CHOICES, value=["seed_normal", "too_small", "kaiming_normal"],
                                       label="Inits to race (1–4)", elem_id="race-schemes")
            architecture = gr.Radio([(v, k) for k, v in race.ARCHITECTURES.items()], value="mlp", label="Network")
            bn_mode = gr.Radio([(v, k) for k, v in race.BN_MODES.items()], value="off", label="Batch norm",
                               elem_id="race-bn")
            activation = gr.Dropdown(ACTIVATION_CHOICES, value="relu", label="Activation")
            with gr.Row():
                hidden_layers = gr.Slider(1, 10, value=5, step=1, label="MLP hidden layers")
                width = gr.Slider(8, 512, value=128, step=8, label="MLP width")
            with gr.Row():
                optimizer = gr.Dropdown(list(race.OPTIMIZERS), value="Momentum", label="Optimizer")
                learning_rate = SafeNumber(0.02, label="Learning rate", minimum=0)
            with gr.Row():
                batch_size = gr.Slider(2, 512, value=64, step=1, label="Batch size")
                epochs = gr.Slider(1, 20, value=3, step=1, label="Epochs")
            with gr.Row():
                steps_per_frame = gr.Slider(1, 100, value=10, step=1, label="Steps per frame")
                seed = SafeNumber(0, precision=0, label="Seed", minimum=0)
            with gr.Row():
                start = gr.Button("Start the race", variant="primary", elem_id="race-start")
                stop = gr.Button("Stop", variant="stop", elem_id="race-stop")
        with gr.Column(scale=3):
            status = gr.Markdown(elem_id="race-status")
            image = gr.Image(label="Race", show_label=False, format="png", interactive=False, elem_id="race-figure")
            table = gr.Dataframe(headers=RACE_COLUMNS, label="Runners", interactive=False, elem_id="race-table")
    inputs = [schemes, architecture, bn_mode, activation, hidden_layers, width, optimizer, learning_rate, batch_size,
              epochs, steps_per_frame, seed]
    live_ui.play(start, run_race, inputs, [image, table, status], panel="init_race", status=status, heavy=True,
                 api_name="init_race", show_progress="minimal")
    live_ui.stop(stop, panel="init_race", api_name="init_race_stop")


def _build_batchnorm() -> None:
    gr.Markdown(
        "In **train mode** batch norm normalises with the current batch's mean and std (and updates running "
        "averages of them); in **eval mode** it uses those running averages. Train a small BN net here, then "
        "see what the right habit (`model.eval()`) and the two classic mistakes do on held-out digits. "
        "Tick *batch norm* in the depth view to see it tame every random init (constant inits stay symmetric)."
    )
    with gr.Row():
        architecture = gr.Radio([(v, k) for k, v in race.ARCHITECTURES.items()], value="mlp", label="Network",
                                elem_id="bn-architecture")
        epochs = gr.Slider(1, 5, value=2, step=1, label="Training epochs")
        seed = SafeNumber(0, precision=0, label="Seed", minimum=0)
        run = gr.Button("Train a BN net and measure", variant="primary", elem_id="bn-run")
    report = gr.Markdown(elem_id="bn-report")
    layers = gr.Dataframe(
        headers=["net", "BN layer", "train mode |mean|", "train mode std", "eval mode |mean|", "eval mode std"],
        label="Normalised values x̂ = (y − β)/γ per channel, averaged over channels, on 256 held-out digits",
        interactive=False,
    )
    # One training run, done in turn with everyone training (the live runtime), as one chunk.
    live_ui.play(run, show_pitfalls, [architecture, epochs, seed], [report, layers], panel="batchnorm", status=report,
                 heavy=True, once=True, api_name="bn_pitfalls", show_progress="full")


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
