"""Neurons › Weight init: sample one weight matrix from an init scheme and see its spread against the density the scheme promises."""

from __future__ import annotations

import gradio as gr

from playground.init_lab import explorer
from playground.tabs.init_lab import ACTIVATION_CHOICES, SCHEME_CHOICES, show_weights
from playground.ui import SafeNumber, explainer, friendly, show_on_first_visit

TITLE = "Weight init"


def build() -> None:
    explainer(
        "**Why initial weights matter, and what batch norm fixes.** The seed notes' rule: start weights at "
        "random with standard deviation about 1/√n (n = a neuron's inputs). Here you see why, layer by layer. "
        "Try: the *Depth view* with **tanh + too small** (signals collapse to 0), **tanh + too large** "
        "(they saturate), **ReLU + Xavier** (shrinks) vs **ReLU + Kaiming** (stable), then tick *batch norm*. "
        "Then race inits on real MNIST digits, and see what a forgotten `model.eval()` does."
    )
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
