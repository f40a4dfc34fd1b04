"""Sequences › Char LSTM: a character-level LSTM learns a text live and writes in its style."""

from __future__ import annotations

import gradio as gr

from playground import live_ui
from playground.sequence.charlm import zen_of_python
from playground.tabs.sequence import sample_text, train_char_model
from playground.ui import HEAVY, SafeNumber, explainer, friendly

TITLE = "Char LSTM"


def build() -> None:
    explainer(
        "**Memory in networks, trained live.** The TDNN (1989) sees a fixed window of the past; the Elman "
        "network (1990) feeds its state back, but the past's influence fades geometrically — the *vanishing "
        "gradient*; the LSTM (1997) and GRU keep state behind gates; attention simply looks back. Start with "
        "the character model, measure the gradient, then race the four memories and watch attention reverse "
        "a sequence."
    )
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
