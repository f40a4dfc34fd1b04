"""Autoencoders: denoise and compress pictures with strided convolutions and transpose convolutions.

Three views: **Denoise** (noise of your choice on a photo or a digit; the networks against
Gaussian blur, the median filter and non-local means, scored with PSNR and SSIM),
**Compress** (how much of a digit survives a bottleneck of 32, 8 or 2 numbers; the 2-D
latent plane, where a click decodes a point) and **Train live** (a small autoencoder
learning your chosen noise and bottleneck while you watch). Compute lives in
``playground/autoencoder/``; this module is the UI.
"""

from __future__ import annotations

import functools

import numpy as np
import gradio as gr

from playground import checks, data, inference, live_ui, registry
from playground.autoencoder import lab, latent, live, noise
from playground.autoencoder.denoise import HELD_OUT_PHOTOS, MAX_TILE, PHOTO_DENOISER, denoise_photo
from playground.autoencoder.render import enlarge, to_uint8
from playground.autoencoder.tiles import run_tiled
from playground.bench_rows import BenchCase
from playground.figures import curve_table
from playground.ui import (FIRST_VISIT, HEAVY, SafeImage, SafeNumber, SafeSketchpad, current_app, explainer, friendly,
                           show_on_first_visit)

TITLE = "Autoencoders"
DIGIT_ZOOM = 8  # a 28×28 digit is shown 224 px wide, pixels visible
COMPRESSORS = ("autoencoder_mnist_z32", "autoencoder_mnist_z8", "autoencoder_mnist_z2")
PHOTO_LEVEL = 0.1  # default Gaussian σ for photos (25/255 ≈ 0.098)
DIGIT_LEVEL = 0.5


# ---------------------------------------------------------------- compute (plain values)


def _show(picture: np.ndarray, is_digit: bool) -> np.ndarray:
    """A result picture as uint8 for display; digits enlarged so their pixels are visible."""
    return to_uint8(enlarge(picture, DIGIT_ZOOM) if is_digit else picture)


def _quality(row) -> str:
    psnr = "PSNR ∞ (no noise)" if np.isinf(row.psnr) else f"PSNR {row.psnr:.2f} dB"
    return f"{psnr} · SSIM {row.ssim:.3f}"


def _scored_panel(row, is_digit: bool):
    """A result picture with its scores in the panel's caption (and its text alternative), so each one
    reads on its own."""
    caption = f"{row.name} · {_quality(row)}"
    return gr.update(value=_show(row.image, is_digit), label=caption, alt_text=f"{caption} against the clean picture")


def run_denoise(source, photo_name, digit_index, upload, upload_is_digit, sketch, kind, level, seed, with_baselines):
    """Every picture and score of the Denoise view (the `denoise` API). Each picture's panel
    caption carries its PSNR and SSIM against the clean picture; the table repeats them."""
    clean, is_digit, notes = lab.prepare_clean(source, photo_name, digit_index, upload, upload_is_digit, sketch)
    result = lab.denoise_view(clean, is_digit, kind, level, seed, with_baselines)
    result.notes[:0] = notes
    baseline_pictures = [_scored_panel(row, is_digit) for row in result.baselines]
    baseline_pictures += [gr.update(value=None, label=name) for name in BASELINE_PANELS[len(result.baselines):]]
    # The pictures the comparison slider can show, each with its scores (a gr.State: not in the API's answer).
    compared = {"Clean": (_show(result.clean, is_digit), "")}
    compared.update({name: (_show(row.image, is_digit), f"{row.name} · {_quality(row)}")
                     for name, row in zip(COMPARED, (result.noisy, result.network, *result.baselines))})
    return (
        _show(result.clean, is_digit),
        _scored_panel(result.noisy, is_digit),
        _scored_panel(result.network, is_digit),
        *baseline_pictures,
        lab.results_table(result),
        round(result.noisy.psnr, 2) if np.isfinite(result.noisy.psnr) else None,
        round(result.network.psnr, 2),
        compared,
    )


BASELINE_PANELS = ("Gaussian blur", "Median filter", "Non-local means")
# The pictures a visitor can set against the clean one in the comparison slider (run_denoise's panels, in order).
COMPARED = ("Noisy", "Autoencoder", *BASELINE_PANELS)


def compare_with_clean(choice: str, compared: dict | None):
    """The comparison slider (clean | the chosen picture) and its caption with that picture's scores.
    ``compared`` is run_denoise's last value: {name: (picture, its scores)}, "Clean" among them."""
    compared = compared or {}
    if "Clean" not in compared or checks.choice("picture", choice, COMPARED) not in compared:
        return None, f"No {choice.lower()} picture yet: press **Add noise and denoise**."
    (clean, _), (picture, described) = compared["Clean"], compared[choice]
    caption = (f"**Clean** (left) against **{described}** (right), full size: drag the handle across the picture, "
               f"or open it full screen; the download button saves it at full resolution.")
    return (clean, picture), caption


def level_settings(kind: str, is_digit_source: bool) -> dict:
    """Slider range, label and a sensible starting level for a noise kind."""
    label, default, top = noise.NOISE_TYPES[checks.choice("noise", kind, noise.NOISE_TYPES)]
    if kind == "Gaussian":
        default = DIGIT_LEVEL if is_digit_source else PHOTO_LEVEL
    return {"minimum": 0.0, "maximum": top, "label": f"Noise level: {label}", "value": default}


def compression_view(seed: int, live_model=None):
    """Originals and their reconstructions through each bottleneck, with the numbers kept and PSNR."""
    digits = latent.sample_test_digits(checks.seed(seed or 0))
    models = {name: registry.get(name) for name in COMPRESSORS}
    if live_model is not None:
        models["trained live (yours)"] = live_model
    picture, facts = latent.compression_figure(models, digits)
    lines = ["Rows: the original held-out digits, then each autoencoder's reconstruction.", "",
             "| row | model | numbers kept | fewer numbers than 784 pixels | mean PSNR (dB) |", "|---|---|---:|---:|---:|",
             "| 1 | original | 784 | ×1 | — |"]
    for row, fact in enumerate(facts, start=2):
        kept = fact["latent_dim"] or (2 * live_model.width * 49 if live_model is not None else 0)
        lines.append(f"| {row} | {fact['model']} | {kept} | ×{784 / kept:.3g} | {fact['psnr']:.2f} |")
    return picture, "\n".join(lines)


def plane_click(x: float, y: float) -> tuple[np.ndarray, np.ndarray, str]:
    """A click on the latent plane → (plane with a cross, decoded digit, its coordinates)."""
    code, digit, plane = latent.decode_click(x, y)
    return plane, to_uint8(enlarge(digit, DIGIT_ZOOM)), f"Decoded the point **z = ({code[0]:.2f}, {code[1]:.2f})**."


def decode_latent_pixel(x: float, y: float) -> dict:
    """The API form of a click on the plane: {"z": [z1, z2], "digit": 28×28 values in [0, 1]}."""
    code, digit, _ = latent.decode_click(checks.number("x", x), checks.number("y", y))
    return {"z": [round(float(v), 4) for v in code], "digit": np.round(digit, 3).tolist()}


def plane_pictures() -> tuple[np.ndarray, np.ndarray]:
    """(the latent plane of the test digits, the grid of digits the decoder draws across it)."""
    return latent.render_plane(latent.latent_plane()), latent.manifold()


def live_frames(kind, level, bottleneck, learning_rate, epochs, seed, job=None):
    """Stream (reconstructions, loss curves, status, model) while a small autoencoder trains
    (a frame after fewer steps when the server is crowded: ``job.scaled``)."""
    per_frame = live.LiveConfig.steps_per_frame
    config = live.LiveConfig(noise_kind=kind, noise_level=level,
                             latent_dim=live.BOTTLENECKS[checks.choice("bottleneck", bottleneck, live.BOTTLENECKS)],
                             learning_rate=learning_rate, epochs=epochs, seed=seed or 0,
                             steps_per_frame=job.scaled(per_frame) if job is not None else per_frame).validated()
    model = live.new_model(config)
    for frame in live.train_live(config, model):
        if job is not None:
            job.report_progress(frame.step, frame.steps_total)  # for the waiting line's estimates
        curves = curve_table({"training (recent steps)": frame.train_curve, "validation batch": frame.valid_curve},
                             x="step", y="loss")
        status = (f"Epoch {frame.epoch}/{config.epochs}, step {frame.step}/{frame.steps_total}: "
                  f"validation loss (BCE) **{frame.valid_curve[-1][1]:.4f}**" + (" — done." if frame.done else ""))
        yield frame.picture, curves, status, model


# ---------------------------------------------------------------- UI


def build() -> None:
    explainer(
        "**An autoencoder squeezes a picture through a narrow middle and rebuilds it.** Strided convolutions "
        "shrink it, *transpose* convolutions grow it back. Trained to rebuild *clean* pictures from *noisy* ones, "
        "it becomes a denoiser; with a tiny middle it becomes a compressor. **Denoise**: pick a photo or digit, "
        "a noise and its level, and compare the network with classical filters (PSNR: higher is closer to the "
        "clean picture). **Compress**: see what survives 32, 8 or 2 numbers, and click the 2-D latent plane to "
        "decode any point. **Train live**: watch one learn."
    )
    live_model = gr.State(None)  # this visitor's live-trained autoencoder
    photo_choices = [(f"{name} (held out from training)" if name in HELD_OUT_PHOTOS else name, name)
                     for name in sorted(data.photo_names(), key=lambda n: (n not in HELD_OUT_PHOTOS, n))]
    with gr.Tabs():
        with gr.Tab("Denoise"):
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

        with gr.Tab("Compress"):
            gr.Markdown(
                "A digit has 784 pixels. These autoencoders keep only 32, 8 or 2 numbers in their middle and rebuild "
                "the digit from them. With **2 numbers** every digit is a point in a plane: below, the 1,000 held-out "
                "test digits, coloured by class. **Click anywhere on the plane** to decode that point."
            )
            with gr.Row():
                with gr.Column():
                    plane = gr.Image(format="png", label="Latent plane (z1 → right, z2 → up): click a point",
                                     interactive=False, height=latent.PLANE_SIZE + 40, elem_id="ae-plane",
                                     elem_classes=[FIRST_VISIT])
                    gr.HTML(latent.legend_html())
                with gr.Column():
                    decoded = gr.Image(format="png", label="Decoded point", interactive=False, height=240, elem_id="ae-decoded")
                    decoded_text = gr.Markdown("Click the plane.", elem_id="ae-decoded-text")
                    manifold = gr.Image(format="png", label="What the decoder draws across the plane", interactive=False,
                                        height=340, elem_classes=[FIRST_VISIT])
            with gr.Row():
                compress_seed = SafeNumber(0, precision=0, label="Which test digits (seed)")
                compress_button = gr.Button("Compare bottlenecks", variant="primary", elem_id="ae-compress-button")
            compress_picture = gr.Image(format="png", label="Original, then 32, 8, 2 numbers (and your live model)", interactive=False)
            compress_table = gr.Markdown(elem_id="ae-compress-table")

        with gr.Tab("Train live"):
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

    # ---- events: Denoise
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

    # ---- events: Compress
    def on_plane_select(event: gr.SelectData):
        x, y = event.index
        return plane_click(x, y)

    plane.select(friendly(on_plane_select), None, [plane, decoded, decoded_text], api_visibility="undocumented",
                 concurrency_id=HEAVY)
    # The same action by pixel coordinates, for the API (a click has no API form).
    gr.api(friendly(decode_latent_pixel), api_name="decode_latent_pixel", concurrency_id=HEAVY)
    show_on_first_visit([compress_picture, compress_table], lambda: compression_view(0))
    compress_button.click(friendly(compression_view), [compress_seed, live_model], [compress_picture, compress_table],
                          api_name="compress", concurrency_id=HEAVY)
    # The plane and the decoder's map are drawn when the page opens (cached: the model is shared).
    current_app().load(friendly(plane_pictures), None, [plane, manifold], api_name="latent_plane", concurrency_id=HEAVY)

    # ---- events: Train live
    live_kind.input(friendly(lambda k: gr.update(**level_settings(k, True))), [live_kind], [live_level],
                    api_visibility="undocumented", queue=False)
    live_ui.play(start, live_frames, [live_kind, live_level, bottleneck, learning_rate, epochs, live_seed],
                 [live_picture, curves, live_status, live_model], panel="autoencoder", status=live_status, heavy=True,
                 api_name="train_live", show_progress="minimal")
    live_ui.stop(stop, panel="autoencoder", api_name="train_live_stop")


# ---------------------------------------------------------------- benchmarks


def bench_cases() -> list[BenchCase]:
    rng = np.random.default_rng(0)
    medium = np.asarray(data.photo("astronaut").resize((512, 512)), dtype=np.float32) / 255.0
    big = np.asarray(data.photo("retina").resize((1024, 1024)), dtype=np.float32) / 255.0
    medium_noisy = noise.gaussian(medium, 25 / 255, rng)
    big_noisy = noise.gaussian(big, 25 / 255, rng)
    frames = {}

    def live_frame():
        if "gen" not in frames:
            frames["gen"] = live.train_live(live.LiveConfig(epochs=200))
        next(frames["gen"])

    return [
        # references: the network alone in onnxruntime on the very tile batches denoise_photo makes
        BenchCase("Autoencoder: denoise a 512×512 photo", run=lambda: denoise_photo(medium_noisy, 25 / 255),
                  setup=lambda: registry.get(PHOTO_DENOISER), target_ms=None, repeats=5, warmup=1,
                  reference=_tiles_in_onnxruntime(medium_noisy), ratio_target=1.3),
        BenchCase("Autoencoder: denoise a 1024×1024 photo in tiles", run=lambda: denoise_photo(big_noisy, 25 / 255),
                  setup=lambda: registry.get(PHOTO_DENOISER), target_ms=None, repeats=3, warmup=1,
                  reference=_tiles_in_onnxruntime(big_noisy), ratio_target=1.3),
        BenchCase("Autoencoder: one live-training frame (15 steps + validation)", run=live_frame,
                  setup=data.mnist_train, target_ms=None),
    ]


def _tiles_in_onnxruntime(photo: np.ndarray):
    """The reference for a denoise row: one onnxruntime run per batch of tiles ``denoise_photo`` makes."""
    batches: list[tuple[int, ...]] = []

    def record(tiles_batch: np.ndarray) -> np.ndarray:  # (N, T, T, 3)
        batches.append(tiles_batch.shape)
        return tiles_batch

    run_tiled(record, photo, max_tile=MAX_TILE, multiple=registry.meta(PHOTO_DENOISER)["multiple"])
    runs = [inference.onnxruntime_reference(PHOTO_DENOISER, "forward", inference.seeded((n, 3, h, w), (n,))())
            for n, h, w, _ in batches]

    def run():
        for one in runs:
            one()

    return run


def _repeat(times: int, run):
    def repeated():
        for _ in range(times):
            run()

    return repeated
