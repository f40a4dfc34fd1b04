"""The two ways the sketch-to-emoji tabs take a drawing: a sketch pad, or an uploaded picture (traced first
unless it is already a line drawing). One builder, so pix2pix and Sketch ↔ emoji offer the same inputs."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from playground.tabs.gans.handlers import UPLOAD_KINDS
from playground.ui import SafeImage, SafeSketchpad


@dataclass
class DrawingInputs:
    draw_panel: gr.Column
    sketch: SafeSketchpad
    from_sketch: gr.Button
    upload_panel: gr.Column
    upload: SafeImage
    kind: gr.Radio  # what the upload is: a picture to trace, or a line drawing
    from_upload: gr.Button


def drawing_inputs(prefix: str, draw_label: str, upload_label: str, examples: list[str], examples_label: str,
                   draw_first: bool) -> DrawingInputs:
    """The sketch panel and the upload panel (with ``examples`` to upload), their elements named ``prefix-…``;
    ``draw_first``: the sketch panel is the one shown when the tab opens."""
    with gr.Column(visible=draw_first) as draw_panel:
        sketch = SafeSketchpad(
            label="Sketch", canvas_size=(400, 400), type="numpy", image_mode="RGBA", height=420,
            brush=gr.Brush(default_size=4, colors=["#000000"], color_mode="fixed"), elem_id=f"{prefix}-sketch",
        )
        from_sketch = gr.Button(draw_label, variant="primary", elem_id=f"{prefix}-translate")
    with gr.Column(visible=False) as upload_panel:
        upload = SafeImage(label="Picture", type="filepath", sources=["upload", "clipboard"], height=300,
                           elem_id=f"{prefix}-upload")
        kind = gr.Radio(list(UPLOAD_KINDS), value=UPLOAD_KINDS[0], label="What is it?")
        from_upload = gr.Button(upload_label, variant="primary", elem_id=f"{prefix}-translate-upload")
        gr.Examples([[path] for path in examples], inputs=[upload], label=examples_label)
    return DrawingInputs(draw_panel, sketch, from_sketch, upload_panel, upload, kind, from_upload)
