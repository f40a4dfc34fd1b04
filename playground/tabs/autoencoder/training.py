"""Images › Autoencoder live: a small autoencoder trained on the visitor's noise and bottleneck, streamed; it
then joins the comparison in Compress."""

from __future__ import annotations

import gradio as gr

from playground import live_ui
from playground.autoencoder import live, noise
from playground.tabs.autoencoder import LIVE_MODEL, level_settings, live_frames
from playground.ui import SafeNumber, friendly, shared_state

TITLE = "Autoencoder live"


def build() -> None:
    live_model = shared_state(LIVE_MODEL)  # this visitor's live-trained autoencoder, compared in Compress
    gr.Markdown(
        "Train a small autoencoder (16 channels) on the 4,000 training digits with **your** noise and bottleneck. "
        "Every half second: the same ten held-out digits — clean, noisy, and what the network makes of them — "
        "and the loss curves. When you stop, your model appears in **Compress** beside the shipped ones."
    )
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            live_kind = gr.Radio(list(noise.NOISE_TYPES), value="Gaussian", label="Noise")
            live_level = gr.Slider(**level_settings("Gaussian", True), step=0.01, elem_id="ae-live-level")
            bottleneck = gr.Dropdown(list(live.BOTTLENECKS), value="8 numbers", label="Bottleneck")
            learning_rate = SafeNumber(2e-3, label="Learning rate (Adam)", minimum=1e-5, maximum=0.1)
            epochs = gr.Slider(1, 30, value=5, step=1, label="Epochs (63 steps each)")
            live_seed = SafeNumber(0, precision=0, label="Seed")
            with gr.Row():
                start = gr.Button("Start training", variant="primary", elem_id="ae-live-start")
                stop = gr.Button("Stop", variant="stop", elem_id="ae-live-stop")
        with gr.Column(scale=2):
            live_picture = gr.Image(format="png", label="Rows: clean, noisy, reconstruction", show_label=False,
                                    interactive=False, height=290, elem_id="ae-live-picture")
            gr.Markdown("Rows: the clean held-out digits · with your noise · what the network rebuilds.")
            curves = gr.LinePlot(x="step", y="loss", color="curve", title="Loss (binary cross-entropy)",
                                 height=260, elem_id="ae-live-curves")
            live_status = gr.Markdown("Not started.", elem_id="ae-live-status")

    # ---- events
    live_kind.input(friendly(lambda k: gr.update(**level_settings(k, True))), [live_kind], [live_level],
                    api_visibility="undocumented", queue=False)
    live_ui.play(start, live_frames, [live_kind, live_level, bottleneck, learning_rate, epochs, live_seed],
                 [live_picture, curves, live_status, live_model], panel="autoencoder", status=live_status, heavy=True,
                 api_name="train_live", show_progress="minimal")
    live_ui.stop(stop, panel="autoencoder", api_name="train_live_stop")
