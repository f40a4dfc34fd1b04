"""GANs › Live DCGAN: an untrained DCGAN learning MNIST digits in front of the visitor."""

from __future__ import annotations

import gradio as gr

from playground import live_ui
from playground.tabs.gans.handlers import live_dcgan_reset, live_dcgan_train, seed_number
from playground.ui import HEAVY, friendly, show_on_first_visit

TITLE = "Live DCGAN"


def build() -> None:
    gr.Markdown(
        "Your own DCGAN, untrained, learning the 4,000 MNIST training digits right here. The grid always "
        "shows the same 40 noise vectors (one column per digit): watch fog become strokes, then digits."
    )
    state = gr.State(None)
    with gr.Row():
        seed = seed_number("Seed", 0, "live-seed")
        lr = gr.Slider(5e-5, 2e-3, value=2e-4, step=5e-5, label="Learning rate (Adam, β₁ = 0.5)")
        per_frame = gr.Slider(1, 50, value=10, step=1, label="Steps per frame")
    with gr.Row():
        train = gr.Button("Train", variant="primary", elem_id="live-train")
        stop = gr.Button("Stop", variant="stop", elem_id="live-stop")
        reset = gr.Button("Reset", elem_id="live-reset")
    summary = gr.Textbox(label="Progress", interactive=False, elem_id="live-summary")
    with gr.Row():
        grid = gr.Image(label="Fixed-noise grid", type="numpy", format="png", height=300, elem_id="live-grid")
        chart = gr.Image(label="Losses", type="numpy", format="png", height=160)
    outputs = [state, grid, chart, summary]
    # The untrained generator's fixed-noise grid (fog); Train starts from the same seed.
    show_on_first_visit([grid, chart, summary], lambda: live_dcgan_reset(0, 2e-4)[1:])
    reset.click(friendly(live_dcgan_reset), [seed, lr], outputs, api_name="live_dcgan_reset", concurrency_id=HEAVY)
    live_ui.play(train, live_dcgan_train, [state, seed, lr, per_frame], outputs, panel="live_dcgan", status=summary,
                 heavy=True, api_name="live_dcgan_train")
    live_ui.stop(stop, panel="live_dcgan", api_name="live_dcgan_stop")
