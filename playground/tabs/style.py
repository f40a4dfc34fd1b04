"""Style transfer: Gatys (optimise the pixels) and AdaIN (one forward pass), side by side.

Compute lives in ``playground/style/``; this module is the UI.
"""

from __future__ import annotations

import dataclasses
import math

import gradio as gr
import pandas as pd
import torch

from playground import alt_text, checks, data, inference, live_ui, registry
from playground.bench_rows import BenchCase
from playground.errors import UserInputError
from playground.figures import curve_table
from playground.images import load_image, resize_longer
from playground.nets.adain_decoder import AdaINDecoderPair
from playground.style import adain, bundled, gatys, metrics
from playground.style import features as feats
from playground.style.gatys import GatysSettings
from playground.ui import HEAVY, SafeImage, SafeNumber, explainer, friendly, show_on_first_visit

TITLE = "Style transfer"
MAX_UPLOAD_SIDE = 2048  # bigger uploads are downscaled before anything else happens
LAYER_CHOICES = [(feats.layer_label(k), str(k)) for k in feats.ALL_LAYERS]
DEFAULTS = GatysSettings()
LIVE_REPORT_EVERY = 3  # Gatys iterations per streamed frame (~0.3 s at 256 px on one core)


# ---------------------------------------------------------------- compute (plain values in, plain values out)


def _image(value, what: str):
    if value is None:
        raise UserInputError(f"No {what} image: upload one, use the webcam, or click an example.")
    return load_image(value, max_side=MAX_UPLOAD_SIDE)


def gatys_settings(style_layers, content_layers, content_weight, style_weight, tv_weight, size, iterations,
                   optimizer, start, keep_colour, seed) -> GatysSettings:
    return GatysSettings(
        size=size,
        style_layers=tuple(style_layers or ()),
        content_layers=tuple(content_layers or ()),
        content_weight=content_weight,
        style_weight=style_weight,
        tv_weight=tv_weight,
        optimizer=optimizer,
        iterations=iterations,
        start=start,
        keep_colour=bool(keep_colour),
        seed=seed,
    ).validated()


def loss_table(progress: gatys.GatysProgress) -> pd.DataFrame:
    """Long table of log10(loss) per term for the line plot (a loss of 0 or less is left out)."""
    curves = {term: [(i, math.log10(v) if v > 0 else math.nan) for i, v in zip(progress.iterations, values)]
              for term, values in progress.history.items()}
    return curve_table(curves, x="iteration", y="log10 loss", color="term")


def style_ratio(output, content, style, size: int) -> float:
    """The shared yardstick, so the two methods can be compared on the same pair: the result's style
    distance to the style image, as a share of the content photo's."""
    return metrics.style_ratio(output, content, style, size=min(int(size), 256))


def style_note(ratio: float) -> str:
    return f" Style distance to the style image: **{100 * ratio:.0f} %** of the content photo's."


def style_fact(ratio: float | None) -> str | None:
    """The yardstick as a result picture's text alternative says it."""
    return None if ratio is None else f"style distance {100 * ratio:.0f} % of the content photo's"


def gatys_caption(progress: gatys.GatysProgress, settings: GatysSettings) -> str:
    history = progress.history["total"]
    reduction = history[-1] / history[0] if history and history[0] > 0 else float("nan")
    state = "done:" if progress.done else "running…"
    return (
        f"**Gatys ({settings.optimizer})** — {state} iteration {progress.iteration}/{settings.iterations}, "
        f"{progress.seconds:.1f} s, total loss at {100 * reduction:.1f} % of its start."
    )


# ---------------------------------------------------------------- UI handlers


def run_gatys(content, style, style_layers, content_layers, content_weight, style_weight, tv_weight, size, iterations,
              optimizer, start, keep_colour, seed, job=None):
    """Stream (image, loss curves, caption) as Gatys converges.

    Under the live runtime a frame comes every LIVE_REPORT_EVERY iterations (a chunk short enough
    for Stop to end the run within about a second); Stop ends it between two frames, the last
    image stays and the caption says "stopped".
    """
    settings = gatys_settings(style_layers, content_layers, content_weight, style_weight, tv_weight, size, iterations,
                              optimizer, start, keep_colour, seed)
    if job is not None:
        settings = dataclasses.replace(settings, report_every=LIVE_REPORT_EVERY)
    content_image, style_image = _image(content, "content"), _image(style, "style")
    for progress in gatys.transfer(content_image, style_image, settings):
        if job is not None:
            job.report_progress(progress.iteration, settings.iterations)  # for the waiting line's estimates
        caption = gatys_caption(progress, settings)
        ratio = style_ratio(progress.image, content_image, style_image, settings.size) if progress.done else None
        if ratio is not None:
            caption += style_note(ratio)
        history = progress.history["total"]
        reduction = history[-1] / history[0] if history and history[0] > 0 else None
        picture = alt_text.picture(
            progress.image, f"Gatys result ({settings.optimizer})", "done" if progress.done else "running",
            f"iteration {progress.iteration} of {settings.iterations}",
            None if reduction is None else f"total loss at {alt_text.percent(reduction, 1)} of its start",
            style_fact(ratio))
        yield picture, loss_table(progress), caption


def run_adain(content, style, style_b, alpha, mix, keep_colour, size):
    alpha = checks.real("style strength α", alpha, 0, 1)
    mix = checks.real("the mix", mix, 0, 1)
    size = checks.integer("the AdaIN output size (pixels)", size, 64, 1024)
    second = _image(style_b, "second style") if style_b is not None and mix > 0 else None
    if second is None and mix > 0:
        raise UserInputError("The mix is above 0 but there is no second style image: add one or set the mix to 0.")
    content_image, style_image = _image(content, "content"), _image(style, "style")
    result = adain.stylise(
        content_image, style_image, alpha=alpha, size=size, style_b=second, mix=mix, keep_colour=bool(keep_colour),
    )
    caption = f"**AdaIN** — one forward pass at {size} px: {result.seconds * 1000:.0f} ms."
    ratio = None
    if second is None:  # against a mix of two styles the yardstick has no single target
        ratio = style_ratio(result.image, content_image, style_image, size)
        caption += style_note(ratio)
    picture = alt_text.picture(result.image, "AdaIN result", f"style strength α {alpha:g}",
                               f"mixed {mix:g} with a second style" if second is not None else None,
                               "content colours kept" if keep_colour else None, f"{size} px", style_fact(ratio))
    return picture, caption


def run_adain_and_keep(content, style, style_b, alpha, mix, keep_colour, size):
    """``run_adain``, and the (content, result) pair at the result's size for the before/after slider
    (a gr.State output: the `adain` API answers the picture and its caption, as before)."""
    picture, caption = run_adain(content, style, style_b, alpha, mix, keep_colour, size)
    image = picture["value"]
    content_image = _image(content, "content").convert("RGB").resize(image.size)
    return picture, caption, (content_image, image)


def gatys_pair(content, result, caption):
    """(content, Gatys result) at the result's size for the before/after slider, labelled with the
    run's figures; nothing changes while there is no result yet."""
    if result is None or content is None:
        return gr.update()
    content_image = _image(content, "content").convert("RGB").resize(result.size)
    figures = (caption or "").replace("**", "").strip()
    return gr.update(value=(content_image, result.convert("RGB")),
                     label=f"Content | Gatys result — {figures}" if figures else "Content | Gatys result")


def run_both(content, style, style_b, alpha, mix, adain_colour, adain_size, style_layers, content_layers,
             content_weight, style_weight, tv_weight, size, iterations, optimizer, start, keep_colour, seed, job=None):
    """The same pair through AdaIN (instant) and then Gatys (streamed)."""
    adain_image, adain_text = run_adain(content, style, style_b, alpha, mix, adain_colour, adain_size)
    for image, table, caption in run_gatys(content, style, style_layers, content_layers, content_weight, style_weight,
                                           tv_weight, size, iterations, optimizer, start, keep_colour, seed, job=job):
        yield adain_image, adain_text, image, table, caption


# ---------------------------------------------------------------- UI


def build() -> None:
    explainer(
        "**Style transfer: content from one picture, style from another.** A network trained to recognise "
        "ImageNet objects (EfficientNet-Lite0, frozen) sees *what is where* in its deep layers and *textures and "
        "colours* in its early layers. **Gatys** starts from the content photo and changes its pixels until the "
        "early-layer Gram matrices (which channels fire together) match the style image — it streams as it converges. "
        "**AdaIN** does it in one forward pass: it gives the content's features the style's per-channel mean "
        "and spread, and small decoders trained by this project paint them back: one gives the photo back at α = 0, "
        "one learned to paint styles hard at α = 1, and α blends the two. Try: tick only *stem* as a style "
        "layer (fine texture) and then only *block 8* (bigger shapes); slide α to 0; mix two styles."
    )
    with gr.Row():
        content = SafeImage(label="Content", type="filepath", sources=["upload", "webcam", "clipboard"],
                           value=data.photo_file("chelsea"), height=260, elem_id="style-content")
        style = SafeImage(label="Style", type="filepath", sources=["upload", "webcam", "clipboard"],
                         value=bundled.style_file("immunohistochemistry"), height=260, elem_id="style-style")
        style_b = SafeImage(label="Second style (AdaIN mix)", type="filepath",
                           sources=["upload", "webcam", "clipboard"], value=bundled.style_file("mosaic (procedural)"),
                           height=260, elem_id="style-style-b")
    with gr.Row():
        gr.Examples([[data.photo_file(n)] for n in bundled.CONTENT_PHOTOS], inputs=[content], label="Content photos")
        gr.Examples([[bundled.style_file(n)] for n in bundled.STYLES], inputs=[style],
                    label="Styles: textures, photos and procedural art", examples_per_page=12)
        gr.Examples([[bundled.style_file(n)] for n in bundled.STYLES], inputs=[style_b], label="Second style",
                    examples_per_page=12)
    both = gr.Button("Run both on this pair", variant="primary", elem_id="style-run-both")
    with gr.Row(equal_height=False):
        with gr.Column():
            gr.Markdown("### Gatys — optimise the image")
            with gr.Row():
                run_g = gr.Button("Run Gatys", variant="primary", elem_id="style-run-gatys")
                stop_g = gr.Button("Stop", variant="stop", elem_id="style-stop-gatys")
            # SafeImage: it is also read back (into the slider), and every picture input checks itself
            gatys_out = SafeImage(label="Gatys result", type="pil", format="png", interactive=False,
                                 elem_id="style-gatys-out", height=340)
            gatys_text = gr.Markdown(elem_id="style-gatys-info")
            with gr.Accordion("Compare the Gatys result with the content, full size", open=False):
                gatys_compare = gr.ImageSlider(format="png", label="Content | Gatys result", interactive=False,
                                               buttons=["download", "fullscreen"], max_height=640,
                                               elem_id="style-gatys-compare")
            curves = gr.LinePlot(x="iteration", y="log10 loss", color="term", height=220,
                                 color_map={"total": "#d62728", "content": "#1f77b4", "style": "#ff7f0e",
                                            "tv": "#2ca02c"},
                                 label="Loss curves, log10 — red: total (weighted, rescaled), orange: style, blue: content, green: TV",
                                 elem_id="style-gatys-curves")
            with gr.Accordion("Gatys knobs", open=True):
                style_layers = gr.CheckboxGroup(LAYER_CHOICES, value=[str(k) for k in DEFAULTS.style_layers],
                                                label="Style layers (Gram matrices): early = fine texture, later = bigger motifs",
                                                elem_id="style-style-layers")
                content_layers = gr.CheckboxGroup(LAYER_CHOICES, value=[str(k) for k in DEFAULTS.content_layers],
                                                  label="Content layers: late = keeps objects, early = keeps pixels",
                                                  elem_id="style-content-layers")
                with gr.Row():
                    content_weight = SafeNumber(DEFAULTS.content_weight, label="Content weight", minimum=0)
                    style_weight = SafeNumber(DEFAULTS.style_weight, label="Style weight", minimum=0)
                    tv_weight = SafeNumber(DEFAULTS.tv_weight, label="Total-variation weight", minimum=0)
                with gr.Row():
                    size = gr.Slider(gatys.MIN_SIZE, gatys.MAX_SIZE, value=DEFAULTS.size, step=32, label="Output size (longer side, px)",
                                     elem_id="style-gatys-size")
                    iterations = gr.Slider(10, 1000, value=DEFAULTS.iterations, step=10, label="Iterations",
                                           elem_id="style-gatys-iterations")
                with gr.Row():
                    optimizer = gr.Radio(list(gatys.OPTIMIZERS), value=DEFAULTS.optimizer, label="Optimizer")
                    start = gr.Radio(list(gatys.STARTS), value=DEFAULTS.start, label="Start from")
                with gr.Row():
                    gatys_colour = gr.Checkbox(False, label="Preserve the content's colours")
                    seed = SafeNumber(0, label="Seed (noise start)", precision=0)
        with gr.Column():
            gr.Markdown("### AdaIN — one forward pass")
            run_a = gr.Button("Run AdaIN", variant="primary", elem_id="style-run-adain")
            adain_out = gr.Image(label="AdaIN result", type="pil", format="png", interactive=False,
                                 elem_id="style-adain-out", height=340)
            adain_text = gr.Markdown(elem_id="style-adain-info")
            with gr.Accordion("Compare with the content, full size", open=False):
                adain_compare = gr.ImageSlider(format="png", label="Content | AdaIN result", interactive=False,
                                               buttons=["download", "fullscreen"], max_height=640,
                                               elem_id="style-adain-compare")
            alpha = gr.Slider(0, 1, value=1, step=0.05, label="Style strength α (0 = the content, decoded)",
                              elem_id="style-alpha")
            mix = gr.Slider(0, 1, value=0, step=0.05, label="Mix: share of the second style",
                            elem_id="style-mix")
            adain_colour = gr.Checkbox(False, label="Preserve the content's colours")
            adain_size = gr.Slider(128, 1024, value=512, step=32, label="Output size (longer side, px)")

    gatys_knobs = [style_layers, content_layers, content_weight, style_weight, tv_weight, size, iterations,
                   optimizer, start, gatys_colour, seed]
    gatys_outputs = [gatys_out, curves, gatys_text]
    # Both buttons are one panel: one Gatys run per visitor; Stop ends it, the latest image stays.
    gatys_run = live_ui.play(run_g, run_gatys, [content, style, *gatys_knobs], gatys_outputs, panel="gatys",
                             status=gatys_text, heavy=True, api_name="gatys", show_progress="minimal")
    both_run = live_ui.play(both, run_both, [content, style, style_b, alpha, mix, adain_colour, adain_size, *gatys_knobs],
                            [adain_out, adain_text, *gatys_outputs], panel="gatys", status=gatys_text, heavy=True,
                            api_name="style_both", show_progress="minimal")
    # When a run ends (done or stopped), its last picture goes into the before/after slider.
    for run in (gatys_run, both_run):
        run.then(friendly(gatys_pair), [content, gatys_out, gatys_text], [gatys_compare],
                 api_visibility="undocumented", show_progress="hidden")
    live_ui.stop(stop_g, panel="gatys", api_name="stop_gatys")
    # The default pair, already stylised by AdaIN (one forward pass, computed once per process).
    adain_pair = gr.State(None)  # (content, AdaIN result) at one size, for the slider
    show_on_first_visit([adain_out, adain_text, adain_compare], lambda: run_adain_and_keep(
        data.photo_file("chelsea"), bundled.style_file("immunohistochemistry"),
        bundled.style_file("mosaic (procedural)"), 1.0, 0.0, False, 512))
    run_a.click(friendly(run_adain_and_keep), inputs=[content, style, style_b, alpha, mix, adain_colour, adain_size],
                outputs=[adain_out, adain_text, adain_pair], api_name="adain", concurrency_id=HEAVY).then(
        lambda pair: pair, [adain_pair], [adain_compare], api_visibility="undocumented", queue=False)


# ---------------------------------------------------------------- benchmarks

BENCH_LOSS_FRACTION = 0.05  # "to a fixed loss reduction": total loss at 5 % of its starting value


def bench_cases() -> list[BenchCase]:
    content, style = data.photo("chelsea"), data.photo("immunohistochemistry")

    def gatys_to_reduction():
        result = gatys.run_until(content, style, GatysSettings(iterations=400), BENCH_LOSS_FRACTION)
        total = result.history["total"]
        if total[-1] > BENCH_LOSS_FRACTION * total[0]:
            raise RuntimeError(f"Gatys did not reach {BENCH_LOSS_FRACTION:.0%} of its starting loss")
        return result

    return [
        BenchCase(
            name=f"Style transfer: Gatys {DEFAULTS.size} px (the default), L-BFGS to {BENCH_LOSS_FRACTION:.0%} of the starting loss",
            run=gatys_to_reduction,
            setup=feats.backbone,
            target_ms=20_000,
            repeats=3,
            warmup=1,
        ),
        BenchCase(
            name="Style transfer: AdaIN 512 px (encode content + style, decode)",
            run=lambda: adain.stylise(content, style, alpha=1.0, size=512),
            setup=lambda: adain.stylise(content, style, size=64),
            target_ms=1000,
            reference=_adain_networks_in_onnxruntime(content, style, 512),
        ),
    ]


def _adain_networks_in_onnxruntime(content, style, size: int):
    """The reference for the AdaIN row: its three network runs (encode content, encode style,
    decode) in onnxruntime, on inputs of the same shapes."""
    def shape(image):
        width, height = resize_longer(image, size).size
        return (1, 3, height, width)

    content_shape, style_shape = shape(content), shape(style)
    padded = adain.pad_for_encoder(torch.zeros(content_shape))[0].shape  # what the encoder really sees
    decoder = registry.get(adain.DECODER)
    layers = decoder.encoder_layers  # the maps the shipped decoder reads, in its argument order
    # α = 1 runs one decoder: a pair's painting one, or the only one
    decode = "paint.forward" if isinstance(decoder, AdaINDecoderPair) else "forward"
    options = {"upto": max(layers), "keep": True}
    maps = [(1, channels, -(-padded[2] // stride), -(-padded[3] // stride))
            for channels, stride in (feats.LAYER_SHAPES[layer] for layer in layers)]
    runs = [
        inference.onnxruntime_reference(feats.BACKBONE, "forward_features", inference.seeded(tuple(padded))(), options),
        inference.onnxruntime_reference(feats.BACKBONE, "forward_features", inference.seeded(style_shape)(), options),
        inference.onnxruntime_reference(adain.DECODER, decode, inference.seeded(*maps, high=4.0)()),
    ]

    def run():
        for one in runs:
            one()

    return run
