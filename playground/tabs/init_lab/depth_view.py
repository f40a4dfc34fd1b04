"""Neurons › Depth view: a signal through many layers, layer by layer: how each init scheme (and batch norm) keeps it alive or not."""

from __future__ import annotations

import gradio as gr

from playground.init_lab import depth
from playground.tabs.init_lab import (ACTIVATION_CHOICES, CLASSIC_CASES, DEPTH_COLUMNS, SCHEME_CHOICES, clear_case,
                                      show_classic_case, show_depth)
from playground.ui import HEAVY, SafeNumber, friendly, show_on_first_visit

TITLE = "Depth view"


def build() -> None:
    gr.Markdown(
        "A deep MLP (each layer Linear → [BatchNorm1d] → activation, biases 0) gets one batch. Left: every "
        "layer's activation histogram, layer 1 at the top. Right: mean and std per layer, and each layer's "
        "weight-gradient norm after one backward pass of a cross-entropy loss."
    )
    with gr.Row():
        with gr.Column(scale=1):
            case = gr.Dropdown(list(CLASSIC_CASES), value=None, label="Classic outcomes (sets activation + init)",
                               elem_id="depth-case")
            activation = gr.Dropdown(ACTIVATION_CHOICES, value="tanh", label="Activation", elem_id="depth-activation")
            key = gr.Dropdown(SCHEME_CHOICES, value="xavier_normal", label="Init scheme", elem_id="depth-scheme")
            layers = gr.Slider(1, depth.MAX_DEPTH, value=30, step=1, label="Depth (hidden layers)")
            width = gr.Slider(depth.MIN_WIDTH, depth.MAX_WIDTH, value=256, step=1, label="Width (units per layer)")
            batch = gr.Slider(depth.MIN_BATCH, depth.MAX_BATCH, value=512, step=1, label="Batch size")
            input_kind = gr.Radio([(v, k) for k, v in depth.INPUTS.items()], value="gaussian", label="Input batch")
            batch_norm = gr.Checkbox(False, label="Batch norm after every Linear (no bias; BN before the activation)")
            seed = SafeNumber(0, precision=0, label="Seed", minimum=0)
            run = gr.Button("Run the batch through", variant="primary", elem_id="depth-run")
        with gr.Column(scale=3):
            verdict = gr.Markdown("Pick a classic outcome, or set activation and init and press **Run**.",
                                  elem_id="depth-verdict")
            image = gr.Image(label="Layer by layer", show_label=False, format="png", interactive=False, elem_id="depth-figure")
    table = gr.Dataframe(headers=DEPTH_COLUMNS, label="Per-layer numbers", interactive=False, max_height=300)
    inputs = [activation, key, layers, width, batch, input_kind, batch_norm, seed]
    handler = friendly(show_depth)
    # The default settings already run through, computed once per process.
    show_on_first_visit([image, verdict, table], show_depth, inputs)
    run.click(handler, inputs, [image, verdict, table], api_name="depth_view", concurrency_id=HEAVY)
    for control in (activation, key, input_kind, batch_norm):
        control.input(handler, inputs, [image, verdict, table], api_visibility="undocumented", concurrency_id=HEAVY)
    for control in (activation, key):  # a hand-picked pair is no longer the classic case shown
        control.input(clear_case, None, [case], api_visibility="undocumented", queue=False)
    for slider in (layers, width, batch):
        slider.release(handler, inputs, [image, verdict, table], api_visibility="undocumented", concurrency_id=HEAVY)
    case.input(friendly(show_classic_case), [case, layers, width, batch, input_kind, batch_norm, seed],
               [activation, key, image, verdict, table], api_name="depth_classic_case", concurrency_id=HEAVY)
