"""Neurons › Batch norm: what batch norm does in training and at test time, and what a forgotten ``model.eval()`` costs."""

from __future__ import annotations

import gradio as gr

from playground import live_ui
from playground.init_lab import race
from playground.tabs.init_lab import show_pitfalls
from playground.ui import SafeNumber

TITLE = "Batch norm"


def build() -> None:
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
