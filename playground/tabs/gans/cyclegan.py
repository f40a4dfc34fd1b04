"""GANs › CycleGAN digits: handwritten ↔ typeset digits by two generators that never saw a matching pair."""

from __future__ import annotations

import gradio as gr

from playground import data
from playground.gans import typeset_digits
from playground.tabs.gans.handlers import CYCLE_KINDS, cycle_examples, cycle_sketch, cycle_upload
from playground.ui import HEAVY, SafeImage, SafeSketchpad, friendly, input_sources, show_chosen, show_on_first_visit

TITLE = "CycleGAN digits"
SOURCES = ["Examples", "Draw", "Upload"]  # the first shows the example the panel opens on

CYCLE_EXPLAINER = f"""
**Unpaired** means nobody told the networks which typeset digit goes with which handwritten one: they
saw a pile of 4,000 handwritten MNIST digits and, separately, a pile of digits printed in
{len(typeset_digits.TRAIN_FONTS)} fonts, and never a single matching pair. (pix2pix, next door, learned from
pairs: each drawing came with its emoji.)

Two generators learn at once: one turns handwriting into type, the other type into handwriting, and each
has a discriminator checking that its pictures pass for the real thing. That alone would allow a cheat:
turn every 3 into a perfectly typeset 8. **Cycle consistency** is there against it: a digit sent there
*and back* must come out as it went in, so whatever the first generator makes has to keep enough of the
digit for the second one to rebuild it. A third rule, the **identity** loss, says a picture already in
the target style (a typeset digit given to the handwriting-to-type generator) should come out unchanged.

It is not a guarantee. Generators that see the whole digit at once can hide the way back in faint marks:
a bigger version of these networks closed the open tops of handwritten 4s into 9s and still brought the
4s back at the end of the cycle.
These ones see 25×25 pixels around each point, so what they change is mostly the strokes: their width,
how even they are, how their ends look.

Draw a digit (pen ✎ at the left of the canvas; big, in the middle) or pick an example: each panel is
labelled with what the project's MNIST classifier reads in it. The fonts offered here were never
trained on; the handwritten examples are MNIST's held-out test digits.
"""


def build() -> None:
    gr.Markdown(CYCLE_EXPLAINER)
    with gr.Row():
        with gr.Column(scale=1):
            sources = input_sources(SOURCES, "Your digit", "cycle-source")
            with gr.Column() as examples_panel:
                digit = gr.Dropdown([str(d) for d in range(10)], value="3", label="Digit", elem_id="cycle-digit")
                font = gr.Dropdown(list(typeset_digits.HELDOUT_FONTS), value=typeset_digits.HELDOUT_FONTS[0],
                                   label="Typeset in (a font never trained on)", elem_id="cycle-font")
                example = gr.Slider(1, data.MNIST_TEST_PER_CLASS, value=1, step=1,
                                    label="Handwritten example (held-out MNIST digit)", elem_id="cycle-example")
                from_examples = gr.Button("Both directions", variant="primary", elem_id="cycle-examples")
            with gr.Column(visible=False) as draw_panel:
                sketch = SafeSketchpad(
                    label="Draw a digit", type="numpy", image_mode="RGBA", canvas_size=(280, 280),
                    brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"), elem_id="cycle-sketch",
                )
                from_sketch = gr.Button("Handwritten → typeset → back", variant="primary", elem_id="cycle-translate")
            with gr.Column(visible=False) as upload_panel:
                upload = SafeImage(label="A picture of one digit", type="filepath", sources=["upload", "clipboard"],
                                   height=240, elem_id="cycle-upload")
                kind = gr.Radio(list(CYCLE_KINDS), value=CYCLE_KINDS[0], label="What is it?")
                from_upload = gr.Button("There and back", variant="primary", elem_id="cycle-translate-upload")
        with gr.Column(scale=2):
            output = gr.Image(label="Input → translation → back", type="numpy", format="png", height=420,
                              elem_id="cycle-output")
            readings = gr.Markdown(elem_id="cycle-readings")
    show_chosen(sources, [examples_panel, draw_panel, upload_panel])
    # Both directions for the default example, so the panel opens on a result.
    show_on_first_visit([output, readings], cycle_examples, [digit, font, example])
    from_sketch.click(friendly(cycle_sketch), [sketch], [output, readings], api_name="cyclegan_sketch",
                      concurrency_id=HEAVY)
    from_examples.click(friendly(cycle_examples), [digit, font, example], [output, readings],
                        api_name="cyclegan_examples", concurrency_id=HEAVY)
    from_upload.click(friendly(cycle_upload), [upload, kind], [output, readings], api_name="cyclegan_upload",
                      concurrency_id=HEAVY)
