"""Neurons › Init race: init schemes race on real MNIST digits, trained live."""

from __future__ import annotations

import gradio as gr

from playground import live_ui
from playground.init_lab import race
from playground.tabs.init_lab import ACTIVATION_CHOICES, RACE_COLUMNS, SCHEME_CHOICES, run_race
from playground.ui import SafeNumber

TITLE = "Init race"


def build() -> None:
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
