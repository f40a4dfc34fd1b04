"""Sequences › Vanishing gradient: how much of a loss's gradient reaches steps far in the past, cell by cell."""

from __future__ import annotations

import gradio as gr

from playground.sequence.gradients import GRADIENT_CELLS, INITS, MAX_STEPS
from playground.tabs.sequence import plot_gradients
from playground.ui import HEAVY, SafeNumber, friendly, show_on_first_visit

TITLE = "Vanishing gradient"


def build() -> None:
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
            seed = SafeNumber(0, label="Seed", precision=0, elem_id="seq-grad-seed")
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
