"""Sequences › Attention: a small transformer learns to reverse a sequence, and its attention map shows how."""

from __future__ import annotations

import gradio as gr

from playground import live_ui
from playground.sequence.attention import MAX_LENGTH
from playground.tabs.sequence import run_attention
from playground.ui import SafeNumber

TITLE = "Attention"


def build() -> None:
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
