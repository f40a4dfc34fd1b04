"""Sequences & attention: memory in networks, from the TDNN to self-attention, trained live.

Five sub-tabs: a character-level LSTM/GRU (welcome), the vanishing gradient measured by
autograd, the memory race (TDNN, Elman, LSTM, GRU on delay-k tasks), time series
(one-step and free-running forecasts) and a tiny transformer reversing sequences with its
attention map. Compute lives in ``playground.sequence``; this module is only the UI.
"""

from __future__ import annotations

import math

import gradio as gr

from playground import checks, live_ui
from playground.bench_rows import BenchCase
from playground.errors import UserInputError
from playground.nets.sequence import MODEL_KINDS
from playground.sequence import plots
from playground.sequence.attention import MAX_LENGTH, AttentionSettings, ReversalLab, anti_diagonal_score
from playground.sequence.charlm import CharModel, CharSettings, zen_of_python
from playground.sequence.gradients import GRADIENT_CELLS, INITS, MAX_STEPS, decay_ratio, gradient_vs_distance
from playground.sequence.race import Race, RaceSettings, sweep_progress
from playground.sequence.tasks import TASKS, check_delay
from playground.sequence.timeseries import SERIES, Forecaster, ForecastSettings
from playground.ui import HEAVY, SafeNumber, explainer, friendly, show_on_first_visit

TITLE = "Sequences & attention"
RACE_GROUP = 10  # optimizer steps per model between two redraws of the race
MAX_TRAIN_STEPS = 5000


# ---------------------------------------------------------------- handlers (plain values in, figures out)


def plot_gradients(cells, steps, hidden, init, weight_scale, gate_bias, seed):
    if not cells:
        raise UserInputError(f"tick at least one cell among {list(GRADIENT_CELLS)}.")
    steps = checks.integer("sequence length", steps, 2, MAX_STEPS)
    curves, lines = {}, []
    for cell in cells:
        result = gradient_vs_distance(cell, steps, hidden, init, weight_scale, gate_bias, seed)
        curves[cell] = result
        norm = result["norm"]
        far = min(20, steps - 1)
        summary = f"**{cell}**: ‖∂h_T/∂x‖ at distance 1 = {norm[1]:.3g}, at distance {far} = {norm[far]:.3g}"
        if far == 20:
            ratio = decay_ratio(result)
            if norm[20] == 0:
                summary += " (underflowed to 0)"
            elif ratio >= 1:
                summary += f" ({ratio:.3g}× smaller)"
            else:
                summary += f" ({1 / ratio:.3g}× **larger**: exploding)"
        if not all(math.isfinite(v) for v in norm):
            summary += " — **exploded** past what float64 can hold"
        lines.append(summary)
    return plots.gradient_figure(curves), "\n\n".join(lines)


def _race_settings(task, delay, window, hidden, learning_rate, gate_bias, seed) -> RaceSettings:
    return RaceSettings(task=task, delay=delay, window=window, hidden=hidden, learning_rate=learning_rate,
                        gate_bias=gate_bias, seed=seed).validated()


def run_race(task, delay, window, hidden, learning_rate, gate_bias, seed, total_steps):
    """Train TDNN, Elman, LSTM and GRU side by side; yields (figure, status) every few steps."""
    settings = _race_settings(task, delay, window, hidden, learning_rate, gate_bias, seed)
    total_steps = checks.integer("training steps", total_steps, 10, MAX_TRAIN_STEPS)
    race = Race(settings)
    title = f"{task}, k = {settings.delay}; TDNN window w = {settings.window}"
    while race.step < total_steps:
        accuracy = race.advance(min(RACE_GROUP, total_steps - race.step))
        status = f"step {race.step} / {total_steps} — held-out accuracy: " + ", ".join(
            f"{kind} {value:.2f}" for kind, value in accuracy.items()
        )
        yield plots.race_figure(race.curves(), race.spec.chance, title), status


def parse_delays(text: str) -> list[int]:
    text = checks.text("the list of delays", text, 200)
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    if not parts:
        raise UserInputError("list some delays k, e.g. 2, 5, 10, 20.")
    if len(parts) > 12:
        raise UserInputError(f"at most 12 delays at once, got {len(parts)}.")
    delays = []
    for part in parts:
        try:
            value = float(part)
        except ValueError:
            raise UserInputError(f"{part!r} is not a number; list delays like 2, 5, 10, 20.") from None
        delays.append(check_delay(value))
    return sorted(set(delays))


def sweep_delays(task, delays_text, window, hidden, learning_rate, gate_bias, seed, steps_per_delay):
    """Fresh models for every k, each trained for the same budget; yields the accuracy-vs-k plot as it grows."""
    delays = parse_delays(delays_text)
    settings = _race_settings(task, delays[0], window, hidden, learning_rate, gate_bias, seed)
    budget = checks.integer("steps per delay", steps_per_delay, 10, MAX_TRAIN_STEPS)
    done: list[int] = []
    accuracy: dict[str, list[float]] = {kind: [] for kind in MODEL_KINDS}
    chance = Race(RaceSettings(**{**settings.__dict__, "kinds": ("TDNN",)})).spec.chance
    for delay, step, best in sweep_progress(settings, delays, budget):
        if best is None:  # between groups: the figure stays, the status says how far this k is
            yield gr.update(), f"k = {delay}: step {step} / {budget} ({len(done)} / {len(delays)} delays done)"
            continue
        done.append(delay)
        for kind, value in best.items():
            accuracy[kind].append(value)
        status = f"k = {delay} done ({len(done)} / {len(delays)}): " + ", ".join(f"{k} {v:.2f}" for k, v in best.items())
        yield plots.delay_figure(done, accuracy, chance, settings.window), status


def run_forecast(series, cell, hidden, learning_rate, noise, seed, total_steps):
    cells = {"GRU": "gru", "LSTM": "lstm", "Elman RNN": "elman"}
    settings = ForecastSettings(series, cells[checks.choice("cell", cell, cells)], hidden, learning_rate, noise, seed)
    total_steps = checks.integer("training steps", total_steps, 10, MAX_TRAIN_STEPS)
    forecaster = Forecaster(settings)
    group = 25
    while forecaster.losses.__len__() * group < total_steps:
        loss = forecaster.train(group)
        forecast = forecaster.forecast()
        status = (
            f"step {len(forecaster.losses) * group} / {total_steps} — training loss {loss:.4f} (normalised); "
            f"held-out RMSE: one step {forecast.rmse_one_step:.3g}, free-running {forecast.rmse_free_running:.3g}, "
            f"persistence baseline {forecast.rmse_persistence:.3g} {forecaster.series.unit}"
        )
        yield plots.forecast_figure(forecast, series, forecaster.series.unit), status


def run_attention(length, heads, layers, learning_rate, seed, total_steps):
    settings = AttentionSettings(length=length, heads=heads, layers=layers, learning_rate=learning_rate, seed=seed)
    total_steps = checks.integer("training steps", total_steps, 10, MAX_TRAIN_STEPS)
    lab = ReversalLab(settings)
    while lab.step < total_steps:
        accuracy = lab.advance(min(20, total_steps - lab.step))
        hits, mass = anti_diagonal_score(lab.output_attention())
        attention, rows, columns = lab.example_attention()
        status = (
            f"step {lab.step} / {total_steps} — held-out accuracy: transformer {accuracy['transformer']:.2f}, "
            f"LSTM {accuracy['lstm']:.2f}; outputs whose strongest attention is the mirrored input: {hits:.0%} "
            f"(mean weight there {mass:.2f})"
        )
        yield plots.attention_figure(attention, rows, columns, lab.curves), status


def train_char_model(text, cell, hidden, learning_rate, seed, total_steps, temperature):
    settings = CharSettings({"LSTM": "lstm", "GRU": "gru"}.get(cell, cell), hidden, learning_rate, seed=seed).validated()
    total_steps = checks.integer("training steps", total_steps, 10, MAX_TRAIN_STEPS)
    temperature = checks.real("temperature", temperature, 0.05, 5)
    model = CharModel(text, settings)
    group = 25
    while model.steps < total_steps:
        bits = model.train(min(group, total_steps - model.steps))
        sample = model.sample("", 160, temperature, seed=settings.seed)
        status = f"step {model.steps} / {total_steps} — {bits:.2f} bits per character (vocabulary of {len(model.vocabulary)})"
        yield model, plots.loss_figure(model.losses, group, "bits per character"), status, sample


def sample_text(model, prompt, length, temperature, seed):
    if model is None:
        raise UserInputError("train the model first (press Train), then sample from it.")
    return model.sample(prompt or "", length, temperature, seed)


# ---------------------------------------------------------------- UI


def _build_welcome() -> None:
    gr.Markdown(
        "An LSTM (or GRU) reads the text one character at a time and learns to guess the next one. "
        "Press **Train** and watch the samples go from noise to words to the Zen of Python. Then move "
        "**temperature**: low = safe and repetitive, high = inventive, then gibberish. Paste your own text too."
    )
    model = gr.State(None)
    with gr.Row():
        with gr.Column(scale=2):
            text = gr.Textbox(zen_of_python(), label="Training text (the Zen of Python, from `import this`)", lines=8, max_lines=12, elem_id="seq-char-text")
            with gr.Row():
                cell = gr.Radio(["LSTM", "GRU"], value="LSTM", label="Cell")
                hidden = gr.Slider(16, 256, value=128, step=16, label="Hidden units")
                learning_rate = SafeNumber(0.005, label="Learning rate (Adam)")
            with gr.Row():
                steps = gr.Slider(50, 2000, value=400, step=50, label="Training steps")
                seed = SafeNumber(0, label="Seed", precision=0)
            with gr.Row():
                train = gr.Button("Train", variant="primary", elem_id="seq-char-train")
                stop = gr.Button("Stop", elem_id="seq-char-stop")
        with gr.Column(scale=2):
            status = gr.Markdown("Not trained yet.", elem_id="seq-char-status")
            curve = gr.Plot(label="Loss", elem_id="seq-char-curve")
    gr.Markdown("#### Sample")
    with gr.Row():
        prompt = gr.Textbox("Beautiful", label="Start with")
        length = gr.Slider(20, 1000, value=300, step=10, label="Characters")
        temperature = gr.Slider(0.1, 2.0, value=0.8, step=0.05, label="Temperature", elem_id="seq-char-temperature")
        sample_button = gr.Button("Sample")
    sample = gr.Textbox(label="The model writes", lines=8, elem_id="seq-char-sample")
    live_ui.play(train, train_char_model, [text, cell, hidden, learning_rate, seed, steps, temperature],
                 [model, curve, status, sample], panel="char_lm", status=status,
                 api_name="train_char_model", show_progress="minimal")
    live_ui.stop(stop, panel="char_lm", api_name="char_lm_stop")
    sampler = friendly(sample_text)
    sample_inputs = [model, prompt, length, temperature, seed]
    sample_button.click(sampler, sample_inputs, sample, api_name="sample_text", concurrency_id=HEAVY)
    temperature.release(sampler, sample_inputs, sample, api_visibility="undocumented", concurrency_id=HEAVY)


def _build_gradient() -> None:
    gr.Markdown(
        "Autograd on a random input sequence measures **‖∂h_T/∂x_t‖**: how much the input *t* steps back still "
        "moves the last hidden state (log scale). The Elman network's line falls like a straight ramp — geometric "
        "decay, the seed notes' *8 to 10 steps*. The LSTM's and GRU's gates keep a path open, as long as their "
        "gate bias says *remember by default*: set it to 0 and they decay too. Push the recurrent weight scale "
        "above ~1.5 with orthogonal init and the Elman gradient **explodes** instead."
    )
    with gr.Row():
        with gr.Column(scale=1):
            cells = gr.CheckboxGroup(list(GRADIENT_CELLS), value=list(GRADIENT_CELLS), label="Cells")
            steps = gr.Slider(10, MAX_STEPS, value=100, step=10, label="Sequence length T")
            hidden = gr.Slider(4, 128, value=32, step=4, label="Hidden units")
            init = gr.Dropdown(list(INITS), value=INITS[0], label="Initialisation")
            weight_scale = gr.Slider(0.1, 4.0, value=1.0, step=0.05, label="Recurrent weight scale (× the init)")
            gate_bias = gr.Slider(-2.0, 6.0, value=2.0, step=0.5, label="LSTM forget / GRU update gate bias")
            seed = SafeNumber(0, label="Seed", precision=0)
            button = gr.Button("Measure", variant="primary", elem_id="seq-grad-run")
        with gr.Column(scale=2):
            figure = gr.Plot(label="Gradient against distance", elem_id="seq-grad-plot")
            summary = gr.Markdown(elem_id="seq-grad-summary")
    inputs = [cells, steps, hidden, init, weight_scale, gate_bias, seed]
    handler = friendly(plot_gradients)
    # The default measurement, already plotted (computed once per process).
    show_on_first_visit([figure, summary], plot_gradients, inputs)
    button.click(handler, inputs, [figure, summary], api_name="gradient_vs_distance", concurrency_id=HEAVY)
    for control in (steps, hidden, weight_scale, gate_bias):
        control.release(handler, inputs, [figure, summary], api_visibility="undocumented", concurrency_id=HEAVY)
    for control in (cells, init):
        control.change(handler, inputs, [figure, summary], api_visibility="undocumented", concurrency_id=HEAVY)


def _build_race() -> None:
    gr.Markdown(
        "Four memories race on the same batches. **remember-k**: a symbol, then k noise symbols, then *which "
        "symbol came first?* **adding**: add the two marked numbers, k steps apart (right = within 0.1). **delayed copy**: echo three "
        "symbols after k blanks (choosing *adding* sets a larger learning rate and budget: it learns slower). The TDNN only sees its window: it wins when k < w and cannot when k ≥ w. "
        "The Elman RNN sees everything but its gradient fades; the LSTM and GRU carry it. "
        "Then sweep k for the picture that explains the notes."
    )
    with gr.Row():
        task = gr.Dropdown(list(TASKS), value="remember-k", label="Task")
        delay = gr.Slider(1, 60, value=20, step=1, label="Delay k", elem_id="seq-race-delay")
        window = gr.Slider(1, 40, value=10, step=1, label="TDNN window w")
        hidden = gr.Slider(4, 128, value=32, step=4, label="Hidden units (every model)")
    with gr.Row():
        learning_rate = SafeNumber(0.003, label="Learning rate (Adam)")
        gate_bias = gr.Slider(-2.0, 6.0, value=3.0, step=0.5, label="LSTM/GRU gate bias")
        seed = SafeNumber(0, label="Seed", precision=0)
        steps = gr.Slider(50, 3000, value=400, step=50, label="Training steps")
    with gr.Row():
        start = gr.Button("Start race", variant="primary", elem_id="seq-race-start")
        stop = gr.Button("Stop", elem_id="seq-race-stop")
    status = gr.Markdown("Press **Start race**.", elem_id="seq-race-status")
    figure = gr.Plot(label="Race", elem_id="seq-race-plot")
    with gr.Row():
        delays = gr.Textbox("2, 5, 10, 15, 20, 30", label="Delays k to sweep", scale=2)
        steps_per_delay = gr.Slider(50, 2000, value=300, step=50, label="Training steps per k")
        sweep = gr.Button("Sweep accuracy vs k", elem_id="seq-race-sweep")
    sweep_status = gr.Markdown(elem_id="seq-sweep-status")
    sweep_figure = gr.Plot(label="Accuracy against the delay", elem_id="seq-sweep-plot")
    common = [task, delay, window, hidden, learning_rate, gate_bias, seed]
    # The race and the sweep share one panel (and its Stop): starting one replaces the other.
    live_ui.play(start, run_race, common + [steps], [figure, status], panel="memory_race", status=status,
                 heavy=True, api_name="memory_race", show_progress="minimal")
    live_ui.play(sweep, sweep_delays, [task, delays, window, hidden, learning_rate, gate_bias, seed, steps_per_delay],
                 [sweep_figure, sweep_status], panel="memory_race", status=sweep_status, heavy=True,
                 api_name="accuracy_vs_delay", show_progress="minimal")
    live_ui.stop(stop, panel="memory_race", api_name="memory_race_stop")
    # the adding problem (a regression) learns slower: it gets a larger step and budget by default
    task.change(
        lambda name: (0.01, 1000) if name == "adding" else (0.003, 400),
        [task], [learning_rate, steps], api_visibility="private", queue=False,
    )


def _build_timeseries() -> None:
    gr.Markdown(
        "A recurrent net learns *next value from the past* on the first 80 % of a series; the shaded part is "
        "never trained on. **Blue**: one step ahead, reading the true history. **Red dashed**: free-running, "
        "fed its own predictions — errors compound. Compare with the persistence baseline (*tomorrow = today*). "
        "Sunspots and CO₂ ship with statsmodels (CO₂ is modelled as month-to-month change: its level leaves the "
        "training range)."
    )
    with gr.Row():
        series = gr.Dropdown(list(SERIES), value=SERIES[0], label="Series")
        cell = gr.Radio(["GRU", "LSTM", "Elman RNN"], value="GRU", label="Cell")
        noise = gr.Slider(0.0, 1.0, value=0.1, step=0.05, label="Sine noise (std)")
        hidden = gr.Slider(4, 128, value=32, step=4, label="Hidden units")
    with gr.Row():
        learning_rate = SafeNumber(0.01, label="Learning rate (Adam)")
        seed = SafeNumber(0, label="Seed", precision=0)
        steps = gr.Slider(50, 2000, value=300, step=25, label="Training steps")
        start = gr.Button("Train", variant="primary", elem_id="seq-ts-train")
        stop = gr.Button("Stop", elem_id="seq-ts-stop")
    status = gr.Markdown(elem_id="seq-ts-status")
    figure = gr.Plot(label="Prediction over the truth", elem_id="seq-ts-plot")
    live_ui.play(start, run_forecast, [series, cell, hidden, learning_rate, noise, seed, steps], [figure, status],
                 panel="forecast", status=status, api_name="forecast", show_progress="minimal")
    live_ui.stop(stop, panel="forecast", api_name="forecast_stop")


def _build_attention() -> None:
    gr.Markdown(
        "Reverse a sequence: read L symbols, then write them back last-first during L blank steps. "
        "The LSTM must cram the whole sequence into its state. One self-attention layer just *looks*: every "
        "output step learns to attend to its mirror input, and the map turns into an **anti-diagonal** "
        "(lower-left block: rows are the writing steps, → shows what each wrote)."
    )
    with gr.Row():
        length = gr.Slider(2, MAX_LENGTH, value=6, step=1, label="Symbols to reverse L")
        heads = gr.Radio([1, 2, 4], value=1, label="Attention heads")
        layers = gr.Radio([1, 2], value=1, label="Layers")
        learning_rate = SafeNumber(0.005, label="Learning rate (Adam)")
        seed = SafeNumber(0, label="Seed", precision=0)
        steps = gr.Slider(20, 2000, value=400, step=20, label="Training steps")
    with gr.Row():
        start = gr.Button("Train both", variant="primary", elem_id="seq-att-train")
        stop = gr.Button("Stop", elem_id="seq-att-stop")
    status = gr.Markdown(elem_id="seq-att-status")
    figure = gr.Plot(label="Attention map and accuracy", elem_id="seq-att-plot")
    live_ui.play(start, run_attention, [length, heads, layers, learning_rate, seed, steps], [figure, status],
                 panel="attention", status=status, api_name="attention", show_progress="minimal")
    live_ui.stop(stop, panel="attention", api_name="attention_stop")


def build() -> None:
    explainer(
        "**Memory in networks, trained live.** The TDNN (1989) sees a fixed window of the past; the Elman "
        "network (1990) feeds its state back, but the past's influence fades geometrically — the *vanishing "
        "gradient*; the LSTM (1997) and GRU keep state behind gates; attention simply looks back. Start with "
        "the character model, measure the gradient, then race the four memories and watch attention reverse "
        "a sequence."
    )
    with gr.Tabs():
        with gr.Tab("Welcome: a char-level LSTM"):
            _build_welcome()
        with gr.Tab("Vanishing gradient"):
            _build_gradient()
        with gr.Tab("Memory race"):
            _build_race()
        with gr.Tab("Time series"):
            _build_timeseries()
        with gr.Tab("Attention: reversing a sequence"):
            _build_attention()


def bench_cases() -> list[BenchCase]:
    race: dict[str, Race] = {}

    def start_race():
        race["race"] = Race(RaceSettings())  # remember-k, k = 20, all four models, hidden 32
        race["race"].advance(RACE_GROUP)  # the frame then draws real curves

    def race_frame():
        current = race["race"]
        accuracy = current.advance(RACE_GROUP)
        plots.race_figure(current.curves(), current.spec.chance, "bench").canvas.draw()
        return accuracy

    return [
        BenchCase(
            name="Sequences: gradient vs distance plot, T = 100 (3 cells + figure)",
            run=lambda: plot_gradients(list(GRADIENT_CELLS), 100, 32, INITS[0], 1.0, 2.0, 0)[0].canvas.draw(),
            target_ms=200,
        ),
        BenchCase(
            name=f"Sequences: one frame of the 4-model race ({RACE_GROUP} steps each, k = 20, + figure)",
            run=race_frame,
            setup=start_race,
            target_ms=None,
        ),
    ]
