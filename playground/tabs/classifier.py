"""ImageNet classifier: the pretrained EfficientNet-Lite0 from the registry, top-5 with confidences.

Compute lives in ``playground.classifier``; this module only wires it to Gradio.
"""

from __future__ import annotations

import gradio as gr
import torch

from playground import alt_text, data, inference, registry
from playground.device import to_model
from playground.bench_rows import BenchCase
from playground.ui import HEAVY, SafeImage, explainer, friendly, show_on_first_visit
from playground.backbone_preprocessing import BACKBONE, backbone_input
from playground.classifier.predict import classify

TITLE = "ImageNet classifier"
EXAMPLE_PHOTOS = ("coffee", "chelsea", "astronaut", "rocket", "horse", "grace_hopper")


# ---------------------------------------------------------------- UI


def build() -> None:
    explainer(
        "**A real ImageNet network, running here.** EfficientNet-Lite0 (4.7 M parameters) was trained on "
        "1.28 million photos of 1,000 everyday classes. Give it a photo — upload, webcam, paste, or click an "
        "example — and read its five best guesses. Try something that is *not* one of the 1,000 classes "
        "(a person, a drawing) and watch it pick the nearest thing it knows."
    )
    with gr.Row():
        with gr.Column():
            image = SafeImage(
                data.photo_file(EXAMPLE_PHOTOS[0]), label="Photo", type="filepath", sources=["upload", "webcam", "clipboard"], height=320,
                elem_id="imagenet-photo",
            )
            button = gr.Button("Classify", variant="primary")
        with gr.Column():
            top5 = gr.Label(label="Top-5 ImageNet classes", num_top_classes=5, elem_id="imagenet-top5")
    gr.Examples(
        examples=[[data.photo_file(name)] for name in EXAMPLE_PHOTOS],
        inputs=[image],
        label="Bundled photos (scikit-image, matplotlib)",
    )
    handler = friendly(classify)
    # The first example, already classified, so the tab opens on a result.
    show_on_first_visit([top5], lambda: classify(data.photo_file(EXAMPLE_PHOTOS[0])))
    button.click(handler, inputs=[image], outputs=[top5], api_name="classify", concurrency_id=HEAVY)
    # The photo's text alternative follows its top-5 (a screen reader hears what the network read in it);
    # a page-only event, so the `classify` API answers the top-5 alone, as before.
    top5.change(photo_described, inputs=[top5], outputs=[image], api_visibility="private", queue=False,
                show_progress="hidden")
    # Classify as soon as a photo arrives, too (same handler, kept out of the API docs).
    image.upload(handler, inputs=[image], outputs=[top5], api_visibility="undocumented", concurrency_id=HEAVY)


def photo_described(top5: dict[str, float] | None):
    """The photo's text alternative once it is classified: the network's best guesses and how sure it is."""
    if not top5:
        return gr.update(alt_text="Photo")
    ranked = sorted(top5.items(), key=lambda item: -item[1])
    guesses = [f"{label} ({alt_text.percent(p, 1)})" for label, p in ranked]
    return gr.update(alt_text=alt_text.describe("Photo", f"classified as {guesses[0]}", "then " + ", ".join(guesses[1:3])
                                                if len(guesses) > 1 else None))


def bench_cases() -> list[BenchCase]:
    coffee = data.photo("coffee")
    return [
        BenchCase(
            name="ImageNet top-5, one photo (preprocess + Lite0 + softmax)",
            run=lambda: classify(coffee),
            setup=lambda: registry.get(BACKBONE),
            target_ms=60,
            # the network alone in onnxruntime, on this photo's preprocessed tensor
            reference=_network_reference(coffee),
            ratio_target=1.3,
        ),
        BenchCase(
            name="ImageNet network alone: registry.get(Lite0)(x), one 224 px image",
            run=_logits_of(coffee),
            setup=lambda: registry.get(BACKBONE),
            reference=_network_reference(coffee),
            ratio_target=1.2,
            repeats=15,
        ),
    ]


def _logits_of(photo):
    state = {}

    def run() -> torch.Tensor:
        model = registry.get(BACKBONE)
        if "x" not in state:
            state["x"] = to_model(model, backbone_input(photo))  # preprocessed once: this row times the network
        with torch.inference_mode():
            return model(state["x"])

    return run


def _network_reference(photo):
    state = {}

    def run():
        if "run" not in state:
            state["run"] = inference.onnxruntime_reference(BACKBONE, "forward", (backbone_input(photo),))
        return state["run"]()

    return run
