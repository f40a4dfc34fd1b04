"""Sequences › GPT vs LSTM: a small GPT and an LSTM with the same number of weights learn the same text, live."""

from __future__ import annotations

import gradio as gr

from playground import live_ui
from playground.gpt import live
from playground.tabs.gpt import SOURCES, train_live
from playground.ui import SafeNumber

TITLE = "GPT vs LSTM"


def build() -> None:
    gr.Markdown(
        "A small GPT and a one-layer LSTM **with the same number of weights** learn the same text, on the same "
        "random windows, with the same optimizer. The curves are measured on the last 10 % of the text, which "
        "neither model trains on; the samples show what each has learned so far. Which learns faster per step? "
        "Try your own text, a wider GPT, or a shorter context."
    )
    with gr.Row():
        with gr.Column(scale=2):
            source = gr.Radio(list(SOURCES), value=SOURCES[0], label="Training text", elem_id="gpt-live-source")
            text = gr.Textbox("", label=f"Your text ({live.MIN_TEXT:,}–{live.MAX_TEXT:,} characters)", lines=6, max_lines=10, elem_id="gpt-live-text")
        with gr.Column(scale=2):
            with gr.Row():
                layers = gr.Slider(1, 4, value=2, step=1, label="GPT layers")
                width = gr.Slider(16, 128, value=64, step=16, label="GPT width (4 heads)")
                context = gr.Slider(16, 128, value=64, step=16, label="Context (characters)")
            with gr.Row():
                learning_rate = SafeNumber(3e-3, label="Learning rate (Adam, both)")
                steps = gr.Slider(50, live.MAX_STEPS, value=1500, step=50, label="Training steps")
                seed = SafeNumber(0, label="Seed", precision=0)
            with gr.Row():
                start = gr.Button("Train both", variant="primary", elem_id="gpt-live-train")
                stop = gr.Button("Stop", elem_id="gpt-live-stop")
            room = live_ui.room_panel("gpt_live")
    status = gr.Markdown("Press **Train both**.", elem_id="gpt-live-status")
    curves = gr.Plot(label="Held-out loss", elem_id="gpt-live-curves")
    with gr.Row():
        gpt_sample = gr.Textbox(label="GPT writes", lines=6, elem_id="gpt-live-gpt-sample")
        lstm_sample = gr.Textbox(label="LSTM writes", lines=6, elem_id="gpt-live-lstm-sample")
    live_ui.play(start, train_live, [source, text, layers, width, context, learning_rate, steps, seed],
                 [status, curves, gpt_sample, lstm_sample], panel="gpt_live", status=status,
                 api_name="gpt_train_live")
    live_ui.stop(stop, panel="gpt_live", api_name="gpt_stop_training")
    live_ui.wire_room(room, [status, curves, gpt_sample, lstm_sample])
