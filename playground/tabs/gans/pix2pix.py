"""GANs › pix2pix: an outline drawn (or a picture uploaded and traced) coloured in by a U-Net trained on pairs,
with a before/after slider of the drawing against its emoji."""

from __future__ import annotations

import functools

import gradio as gr

from playground import alt_text, data
from playground.tabs.gans.handlers import (UPLOAD_KINDS, heldout_example_files, pix2pix_comparison, seed_number,
                                           translate_sketch, translate_upload)
from playground.tabs.gans.drawing_inputs import drawing_inputs
from playground.ui import HEAVY, SafeImage, friendly, input_sources, show_chosen, show_on_first_visit

TITLE = "pix2pix"
SOURCES = ["Draw", "Upload"]


def build() -> None:
    gr.Markdown(
        "Pick the pen (✎ at the left of the canvas), draw an emoji's outline (a face with eyes and a mouth, a "
        "heart, a house…) and pix2pix colours it in at 128×128. It learned from pairs: ~1,260 emoji, each with its "
        "own edge map, so for every line it has seen what colour belongs beside it (the Sketch ↔ emoji tab sets "
        "it beside a CycleGAN that learned from unpaired piles). Upload a picture and it traces the edges first. "
        "**Dropout at test time** gives a different picture per seed; switching **skip connections** off shows "
        "what the U-Net's shortcuts carry: without them every detail has to squeeze through a 4×4 bottleneck "
        "(the network was trained with them). Each picture is the average of two: the drawing coloured in, and "
        "its mirror image coloured in and flipped back (a test-time ensemble that evens out the network's "
        "left/right quirks)."
    )
    with gr.Row():
        dropout = gr.Checkbox(False, label="Dropout at test time (variety)", elem_id="p2p-dropout")
        skips = gr.Checkbox(True, label="U-Net skip connections", elem_id="p2p-skips")
        seed = seed_number("Dropout seed", 0, "p2p-seed")
    with gr.Row():
        with gr.Column():
            sources = input_sources(SOURCES, "Your drawing", "p2p-source")
            inputs = drawing_inputs(
                "p2p", "Translate sketch", "Translate upload",
                heldout_example_files() + [data.photo_file("coffee", 256)],
                "Held-out emoji (never trained on) and a photo", draw_first=True,
            )
        with gr.Column():
            # Also the slider's input, so a SafeImage (an API caller may send any picture there).
            output = SafeImage(label="Drawing | pix2pix", type="numpy", format="png", height=300, elem_id="p2p-output")
            compare = gr.ImageSlider(format="png", label="Drawing | pix2pix, full size", interactive=False,
                                     buttons=["download", "fullscreen"], max_height=640, elem_id="p2p-compare")
            gr.Markdown("Drag the handle across the picture to set the drawing against its colours; the download "
                        "button saves both at full resolution (each network pixel as 2 × 2).")
    show_chosen(sources, [inputs.draw_panel, inputs.upload_panel])
    # A held-out emoji, traced and coloured in, so the panel opens on a result.
    first = functools.cache(lambda: translate_upload(heldout_example_files()[0], UPLOAD_KINDS[0], False, True, 0))
    show_on_first_visit([output], first)
    show_on_first_visit([compare], lambda: (pix2pix_comparison(alt_text.plain(first())),))  # one output: a pair
    for event in (
        inputs.from_sketch.click(friendly(translate_sketch), [inputs.sketch, dropout, skips, seed], output,
                                 api_name="pix2pix_sketch", concurrency_id=HEAVY),
        inputs.from_upload.click(friendly(translate_upload), [inputs.upload, inputs.kind, dropout, skips, seed],
                                 output, api_name="pix2pix_upload", concurrency_id=HEAVY),
    ):
        event.success(friendly(pix2pix_comparison), [output], [compare], api_visibility="undocumented",
                      show_progress="hidden")
