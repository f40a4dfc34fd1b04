"""Sequences › Time series: a recurrent network forecasts a series, trained live."""

from __future__ import annotations

import gradio as gr

from playground import live_ui
from playground.sequence.timeseries import SERIES
from playground.tabs.sequence import run_forecast
from playground.ui import SafeNumber

TITLE = "Time series"


def build() -> None:
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
