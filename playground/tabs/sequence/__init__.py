"""Sequences & attention: memory in networks, from the TDNN to self-attention, trained live.

Five tabs of the Sequences group, one module each: a character-level LSTM/GRU (``welcome``), the vanishing
gradient measured by autograd (``gradient``), the memory race (``race``: TDNN, Elman, LSTM, GRU on delay-k
tasks), time series (``timeseries``: one-step and free-running forecasts) and a tiny transformer reversing
sequences with its attention map (``attention``). This module holds their handlers and benchmark rows;
compute lives in ``playground.sequence``.
"""

from __future__ import annotations

import math

import gradio as gr

from playground import alt_text, checks
from playground.bench_rows import BenchCase
from playground.errors import UserInputError
from playground.nets.sequence import MODEL_KINDS
from playground.sequence import plots
from playground.sequence.attention import AttentionSettings, ReversalLab, anti_diagonal_score
from playground.sequence.charlm import CharModel, CharSettings
from playground.sequence.gradients import GRADIENT_CELLS, INITS, MAX_STEPS, decay_ratio, gradient_vs_distance
from playground.sequence.race import Race, RaceSettings, sweep_progress
from playground.sequence.tasks import check_delay
from playground.sequence.timeseries import Forecaster, ForecastSettings

RACE_GROUP = 10  # optimizer steps per model between two redraws of the race
MAX_TRAIN_STEPS = 5000


# ---------------------------------------------------------------- handlers (plain values in, figures out)


def plot_gradients(cells, steps, hidden, init, weight_scale, gate_bias, seed):
    if not cells:
        raise UserInputError(f"tick at least one cell among {list(GRADIENT_CELLS)}.")
    steps = checks.integer("sequence length", steps, 2, MAX_STEPS)
    curves, lines, said = {}, [], []
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
        said.append(f"{cell} {norm[1]:.3g} at distance 1, {norm[far]:.3g} at distance {far}")  # as the summary says
    return alt_text.plot(plots.gradient_figure(curves), "Gradient norm against distance", *said), "\n\n".join(lines)


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
        said = [f"{kind} {alt_text.percent(value)}" for kind, value in accuracy.items()]
        yield alt_text.plot(plots.race_figure(race.curves(), race.spec.chance, title), "Race: held-out accuracy",
                            f"{title}, step {race.step} of {total_steps}", *said), status


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
        said = [f"{kind} " + ", ".join(f"{alt_text.percent(v)} at k = {k}" for k, v in zip(done, values))
                for kind, values in accuracy.items() if values]
        yield alt_text.plot(plots.delay_figure(done, accuracy, chance, settings.window),
                            "Held-out accuracy against the delay k", *said), status


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
        unit = forecaster.series.unit
        rmse = {"one step": forecast.rmse_one_step, "free-running": forecast.rmse_free_running,
                "persistence baseline": forecast.rmse_persistence}  # the held-out figures the status reports
        yield alt_text.plot(plots.forecast_figure(forecast, series, unit), f"{cell} forecast of {series} over the truth",
                            f"step {len(forecaster.losses) * group} of {total_steps}",
                            *(f"held-out RMSE {name} {value:.3g} {unit}".strip() for name, value in rmse.items())), status


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
        yield alt_text.plot(plots.attention_figure(attention, rows, columns, lab.curves),
                            "Attention map of one reversed sequence and held-out accuracy", f"step {lab.step} of {total_steps}",
                            f"transformer {alt_text.percent(accuracy['transformer'])}",
                            f"LSTM {alt_text.percent(accuracy['lstm'])}",
                            f"{alt_text.percent(hits)} of outputs attend most to the mirrored input"), status


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
        curve = alt_text.plot(plots.loss_figure(model.losses, group, "bits per character"), "Training loss",
                              f"step {model.steps} of {total_steps}", f"{alt_text.number(bits, 2)} bits per character")
        yield model, curve, status, sample


def sample_text(model, prompt, length, temperature, seed):
    if model is None:
        raise UserInputError("train the model first (press Train), then sample from it.")
    return model.sample(prompt or "", length, temperature, seed)


# ---------------------------------------------------------------- UI


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
            run=lambda: alt_text.plain(plot_gradients(list(GRADIENT_CELLS), 100, 32, INITS[0], 1.0, 2.0, 0))[0].canvas.draw(),
            target_ms=200,
        ),
        BenchCase(
            name=f"Sequences: one frame of the 4-model race ({RACE_GROUP} steps each, k = 20, + figure)",
            run=race_frame,
            setup=start_race,
            target_ms=None,
        ),
    ]
