"""Images › Denoise: a photo or a digit, noised, then cleaned by the autoencoder beside classical filters, with
a before/after slider against the clean picture and the PSNR of each."""

from __future__ import annotations

import functools

import gradio as gr

from playground import data
from playground.autoencoder import lab, noise
from playground.autoencoder.denoise import HELD_OUT_PHOTOS
from playground.tabs.autoencoder import (BASELINE_PANELS, COMPARED, compare_with_clean, level_settings,
                                         run_denoise)
from playground.ui import HEAVY, SafeImage, SafeNumber, SafeSketchpad, explainer, friendly, show_on_first_visit

TITLE = "Denoise"


def build() -> None:
    explainer(
        "**An autoencoder squeezes a picture through a narrow middle and rebuilds it.** Strided convolutions "
        "shrink it, *transpose* convolutions grow it back. Trained to rebuild *clean* pictures from *noisy* ones, "
        "it becomes a denoiser; with a tiny middle it becomes a compressor. **Denoise**: pick a photo or digit, "
        "a noise and its level, and compare the network with classical filters (PSNR: higher is closer to the "
        "clean picture). **Compress**: see what survives 32, 8 or 2 numbers, and click the 2-D latent plane to "
        "decode any point. **Autoencoder live**: watch one learn."
    )
    photo_choices = [(f"{name} (held out from training)" if name in HELD_OUT_PHOTOS else name, name)
                     for name in sorted(data.photo_names(), key=lambda n: (n not in HELD_OUT_PHOTOS, n))]
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            source = gr.Radio(list(lab.SOURCES), value="Bundled photo", label="Picture", elem_id="ae-source")
            photo_name = gr.Dropdown(photo_choices, value="astronaut", label="Bundled photo", elem_id="ae-photo")
            digit_index = gr.Slider(0, 999, value=0, step=1, label="Held-out test digit #", visible=False,
                                    elem_id="ae-digit-index")
            upload = SafeImage(type="filepath", sources=["upload", "clipboard"], label="Your picture",
                              visible=False, height=240)
            upload_is_digit = gr.Checkbox(False, label="It is a handwritten digit (use the digit denoiser)",
                                          visible=False)
            sketch = SafeSketchpad(label="Draw a digit (white ink)", visible=False, height=280,
                                  canvas_size=(280, 280), elem_id="ae-sketch")
            kind = gr.Radio(list(noise.NOISE_TYPES), value="Gaussian", label="Noise", elem_id="ae-noise-kind")
            level = gr.Slider(**level_settings("Gaussian", False), step=0.01, elem_id="ae-level")
            seed = SafeNumber(0, precision=0, label="Noise seed")
            with_baselines = gr.Checkbox(True, label="Compare with Gaussian blur, median filter, non-local means")
            run = gr.Button("Add noise and denoise", variant="primary", elem_id="ae-denoise-button")
        with gr.Column(scale=3):
            with gr.Row():
                clean_out = gr.Image(format="png", label="Clean (the reference)", interactive=False, height=240)
                noisy_out = gr.Image(format="png", label="Noisy", interactive=False, height=240)
                net_out = gr.Image(format="png", label="Autoencoder", interactive=False, height=240)
            with gr.Row():
                blur_out, median_out, nlm_out = (
                    gr.Image(format="png", label=name, interactive=False, height=240) for name in BASELINE_PANELS
                )
            compare_choice = gr.Radio(list(COMPARED), value="Autoencoder", elem_id="ae-compare-choice",
                                      label="Set against the clean picture, full size")
            compare = gr.ImageSlider(format="png", label="Clean | compared picture", interactive=False,
                                     buttons=["download", "fullscreen"], max_height=640,
                                     elem_id="ae-compare")
            compare_caption = gr.Markdown(elem_id="ae-compare-caption")
            with gr.Row():
                psnr_noisy = SafeNumber(label="PSNR of the noisy input (dB)", interactive=False, elem_id="ae-psnr-noisy")
                psnr_net = SafeNumber(label="PSNR after the autoencoder (dB)", interactive=False, elem_id="ae-psnr-net")
            table = gr.Markdown(elem_id="ae-denoise-table")

    # ---- events
    inputs = [source, photo_name, digit_index, upload, upload_is_digit, sketch, kind, level, seed, with_baselines]
    compared = gr.State(None)  # this visitor's Denoise pictures and their scores, for the comparison slider
    outputs = [clean_out, noisy_out, net_out, blur_out, median_out, nlm_out, table, psnr_noisy, psnr_net, compared]
    denoise = friendly(run_denoise)
    # The default photo and noise, already denoised beside the baselines (computed once per process).
    first_photo = ("Bundled photo", "astronaut", 0, None, False, None, "Gaussian",
                   level_settings("Gaussian", False)["value"], 0, True)

    first_result = functools.cache(lambda: run_denoise(*first_photo))  # shared by the panels and the comparison
    show_on_first_visit(outputs, first_result)
    compared_inputs = [compare_choice, compared]
    compare_outputs = [compare, compare_caption]
    show_on_first_visit(compare_outputs, lambda: compare_with_clean("Autoencoder", first_result()[-1]))
    compare_friendly = friendly(compare_with_clean)
    run.click(denoise, inputs, outputs, api_name="denoise", concurrency_id=HEAVY).then(
        compare_friendly, compared_inputs, compare_outputs, api_visibility="undocumented")
    compare_choice.input(compare_friendly, compared_inputs, compare_outputs, api_visibility="undocumented")

    def denoise_if_ready(source_choice, photo, index, picture, as_digit, drawing, *rest):
        """Re-run on a setting change, but only when there is a picture (no toast for a blank sketch)."""
        if (source_choice == "Upload" and picture is None) or (
            source_choice == "Draw a digit" and not (drawing or {}).get("layers")
        ):
            return [gr.skip()] * len(outputs)
        return denoise(source_choice, photo, index, picture, as_digit, drawing, *rest)

    for event in (level.release, photo_name.change, digit_index.release):
        event(denoise_if_ready, inputs, outputs, api_visibility="undocumented", concurrency_id=HEAVY).then(
            compare_friendly, compared_inputs, compare_outputs, api_visibility="undocumented")

    def show_source(choice: str):
        """Show the chosen source's input; start again from Gaussian noise at a level that suits it."""
        digit_source = choice in ("Test digit", "Draw a digit")
        return (gr.update(visible=choice == "Bundled photo"), gr.update(visible=choice == "Test digit"),
                gr.update(visible=choice == "Upload"), gr.update(visible=choice == "Upload"),
                gr.update(visible=choice == "Draw a digit"), gr.update(value="Gaussian"),
                gr.update(**level_settings("Gaussian", digit_source)))

    source.change(friendly(show_source), [source], [photo_name, digit_index, upload, upload_is_digit, sketch, kind, level],
                  api_visibility="undocumented", queue=False)

    def on_kind(choice: str, source_choice: str):
        return gr.update(**level_settings(choice, source_choice in ("Test digit", "Draw a digit")))

    kind.input(friendly(on_kind), [kind, source], [level], api_visibility="undocumented", queue=False).then(
        denoise_if_ready, inputs, outputs, api_visibility="undocumented", concurrency_id=HEAVY).then(
        compare_friendly, compared_inputs, compare_outputs, api_visibility="undocumented")
