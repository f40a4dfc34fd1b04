"""GANs › Sketch ↔ emoji: pix2pix (trained on pairs) beside a CycleGAN that learned the same job without pairs,
with a before/after slider of the drawing or the real emoji against either translator's emoji."""

from __future__ import annotations

import functools

import gradio as gr

from playground import alt_text
from playground.gans.heldout import heldout_pairs
from playground.tabs.gans.handlers import (PAIRS_COMPARED, heldout_example_files, pairs_comparison, pairs_heldout,
                                           pairs_sketch, pairs_upload)
from playground.tabs.gans.drawing_inputs import drawing_inputs
from playground.ui import HEAVY, SafeImage, friendly, input_sources, show_chosen, show_on_first_visit

TITLE = "Sketch ↔ emoji"
SOURCES = ["Held-out drawings", "Draw", "Upload"]  # the first shows the example the panel opens on

PAIRS_EXPLAINER = """
**What do the pairs buy?** pix2pix learned from ~1,260 emoji *each with its own drawing*. This CycleGAN
learned the same job from two piles that share nothing: the drawings of half the training emoji, and the
pictures of the *other* half, so it never once saw a drawing together with its emoji. A discriminator
tells it when its colouring does not look like an emoji, and the cycle (drawing → emoji → drawing) keeps
the lines where they were; nothing tells it which colours belong to which shapes.

Draw an outline, pick a held-out drawing (neither network trained on these emoji), or upload a picture
(traced first) or a line drawing. The last panel of a drawing's row is the CycleGAN's emoji drawn back by
its second generator: the way back is what holds its lines in place.
"""


def build() -> None:
    gr.Markdown(PAIRS_EXPLAINER)
    with gr.Row():
        with gr.Column(scale=1):
            sources = input_sources(SOURCES, "Your drawing", "pairs-source")
            with gr.Column() as heldout_panel:
                index = gr.Slider(1, len(heldout_pairs()[0]), value=1, step=1, label="Held-out emoji",
                                  elem_id="pairs-index")
                from_heldout = gr.Button("Compare", variant="primary", elem_id="pairs-heldout")
            inputs = drawing_inputs("pairs", "Both translators", "Both translators", heldout_example_files(),
                                    "Held-out emoji (never trained on)", draw_first=False)
        with gr.Column(scale=2):
            # Also the slider's input, so a SafeImage (an API caller may send any picture there).
            output = SafeImage(label="pix2pix (paired) beside CycleGAN (unpaired)", type="numpy", format="png",
                              height=300, elem_id="pairs-output")
            words = gr.Markdown(elem_id="pairs-words")
            answer = gr.Radio(list(PAIRS_COMPARED), value=PAIRS_COMPARED[0], label="Set against it, full size",
                              elem_id="pairs-compare-choice")
            compare = gr.ImageSlider(format="png", label="Reference | translation", interactive=False,
                                     buttons=["download", "fullscreen"], max_height=640, elem_id="pairs-compare")
            caption = gr.Markdown(elem_id="pairs-compare-caption")
    show_chosen(sources, [heldout_panel, inputs.draw_panel, inputs.upload_panel])
    against_real = gr.State(True)  # whether the row shown has the real emoji (a held-out drawing's row)
    first = functools.cache(lambda: pairs_heldout(index.value))
    show_on_first_visit([output, words], first)
    show_on_first_visit([compare, caption],
                        lambda: pairs_comparison(alt_text.plain(first()[0]), PAIRS_COMPARED[0], True))
    compared = friendly(pairs_comparison)
    for event, real in (
        (inputs.from_sketch.click(friendly(pairs_sketch), [inputs.sketch], [output, words],
                                  api_name="pairs_sketch", concurrency_id=HEAVY), False),
        (from_heldout.click(friendly(pairs_heldout), [index], [output, words], api_name="pairs_heldout",
                            concurrency_id=HEAVY), True),
        (inputs.from_upload.click(friendly(pairs_upload), [inputs.upload, inputs.kind], [output, words],
                                  api_name="pairs_upload", concurrency_id=HEAVY), False),
    ):
        event.success(_constant(real), None, [against_real], queue=False, api_visibility="private").then(
            compared, [output, answer, against_real], [compare, caption], api_visibility="undocumented",
            show_progress="hidden")
    answer.input(compared, [output, answer, against_real], [compare, caption], api_visibility="undocumented",
                 show_progress="hidden")


def _constant(value):
    return lambda: value
