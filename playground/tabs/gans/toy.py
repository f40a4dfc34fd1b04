"""GANs › 2-D GAN: a generator and a discriminator learning 2-D points, one step or one frame at a time."""

from __future__ import annotations

import gradio as gr

from playground import live_ui
from playground.gans import toy2d
from playground.tabs.gans.handlers import (seed_number, toy_distribution_changed, toy_frame, toy_new, toy_play,
                                           toy_reset, toy_step_d, toy_step_g)
from playground.ui import HEAVY, SafeSketchpad, friendly, show_on_first_visit

TITLE = "2-D GAN"


def build() -> None:
    gr.Markdown(
        "Green points are real, purple points are the generator's. The background is the discriminator: "
        "green where it says *real*, purple where it says *fake*. The generator moves its points uphill "
        "towards green. Try **Step D** a few times, then **Step G**, then **Play**. Does it find all 8 modes?"
    )
    state = gr.State(None)
    with gr.Row():
        with gr.Column(scale=1):
            distribution = gr.Dropdown(list(toy2d.DISTRIBUTIONS), value=toy2d.DISTRIBUTIONS[0], label="Real data", elem_id="toy-distribution")
            lr_g = gr.Slider(1e-4, 1e-2, value=1e-3, step=1e-4, label="Generator learning rate")
            lr_d = gr.Slider(1e-4, 1e-2, value=1e-3, step=1e-4, label="Discriminator learning rate")
            d_steps = gr.Slider(1, 10, value=1, step=1, label="D steps per G step (Play)")
            per_frame = gr.Slider(1, 100, value=10, step=1, label="Rounds per frame (Play)")
            seed = seed_number("Seed", 0, "toy-seed")
            sketch = SafeSketchpad(
                label="Draw your own points (choose 'drawn points', then Reset)", canvas_size=(300, 300),
                brush=gr.Brush(default_size=8, colors=["#000000"], color_mode="fixed"), type="numpy",
                image_mode="RGBA", height=300, elem_id="toy-sketch",
            )
        with gr.Column(scale=2):
            with gr.Row():
                step_d = gr.Button("Step D", elem_id="toy-step-d")
                step_g = gr.Button("Step G", elem_id="toy-step-g")
                play = gr.Button("Play", variant="primary", elem_id="toy-play")
                stop = gr.Button("Stop", variant="stop", elem_id="toy-stop")
                reset = gr.Button("Reset", elem_id="toy-reset")
            status = gr.Textbox(label="Status", interactive=False, elem_id="toy-status")
            with gr.Row():
                plane = gr.Image(label="Discriminator and points", type="numpy", format="jpeg", height=380, elem_id="toy-plane")
                losses = gr.Image(label="Losses", type="numpy", format="png", height=160, elem_id="toy-losses")
    controls = [distribution, lr_g, lr_d, seed, sketch]
    outputs = [state, plane, losses, status]
    # The untrained GAN of the default settings; the first Step or Play builds the same one (state stays None).
    show_on_first_visit([plane, losses, status], lambda: toy_frame(toy_new(toy2d.DISTRIBUTIONS[0], 1e-3, 1e-3, 0)))
    reset.click(friendly(toy_reset), controls, outputs, api_name="toy_reset", concurrency_id=HEAVY)
    distribution.change(friendly(toy_distribution_changed), controls, outputs, api_visibility="undocumented", concurrency_id=HEAVY)
    step_d.click(friendly(toy_step_d), [state, *controls], outputs, api_name="toy_step_d", concurrency_id=HEAVY)
    step_g.click(friendly(toy_step_g), [state, *controls], outputs, api_name="toy_step_g", concurrency_id=HEAVY)
    live_ui.play(play, toy_play, [state, *controls, d_steps, per_frame], outputs, panel="toy_gan", status=status,
                 api_name="toy_play")
    live_ui.stop(stop, panel="toy_gan", api_name="toy_stop")
