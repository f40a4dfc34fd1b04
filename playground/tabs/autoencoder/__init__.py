"""Autoencoders: denoise and compress pictures with strided convolutions and transpose convolutions.

Three tabs of the Images group, one module each: **Denoise** (``denoise``: noise of your choice on a photo
or a digit; the networks against Gaussian blur, the median filter and non-local means, scored with PSNR and
SSIM), **Compress** (``compress``: how much of a digit survives a bottleneck of 32, 8 or 2 numbers; the 2-D
latent plane, where a click decodes a point) and **Autoencoder live** (``training``: a small autoencoder learning
your chosen noise and bottleneck while you watch; it joins Compress's comparison). This module holds their
handlers and benchmark rows; compute lives in ``playground/autoencoder/``.
"""

from __future__ import annotations


import numpy as np
import gradio as gr

from playground import alt_text, checks, data, inference, registry
from playground.autoencoder import lab, latent, live, noise
from playground.autoencoder.denoise import MAX_TILE, PHOTO_DENOISER, denoise_photo
from playground.autoencoder.render import enlarge, to_uint8
from playground.autoencoder.tiles import run_tiled
from playground.bench_rows import BenchCase
from playground.figures import curve_table

DIGIT_ZOOM = 8  # a 28×28 digit is shown 224 px wide, pixels visible
COMPRESSORS = ("autoencoder_mnist_z32", "autoencoder_mnist_z8", "autoencoder_mnist_z2")
PHOTO_LEVEL = 0.1  # default Gaussian σ for photos (25/255 ≈ 0.098)
DIGIT_LEVEL = 0.5
LIVE_MODEL = "autoencoder-live-model"  # the shared_state key of a visitor's live-trained autoencoder


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
    return gr.update(value=_show(row.image, is_digit), label=caption,
                     alt_text=alt_text.describe(f"{row.name} picture", f"{_quality(row)} against the clean picture"))


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
        alt_text.picture(_show(result.clean, is_digit), "The clean picture, the reference every score compares against",
                         f"{kind} noise at level {level:g} is added to it"),
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
    described = alt_text.picture(picture, "Held-out digits, then each autoencoder's reconstruction, one row each",
                                 *(f"{fact['model']}: mean PSNR {fact['psnr']:.2f} dB" for fact in facts))
    return described, "\n".join(lines)


def plane_click(x: float, y: float) -> tuple[np.ndarray, np.ndarray, str]:
    """A click on the latent plane → (plane with a cross, decoded digit, its coordinates)."""
    code, digit, plane = latent.decode_click(x, y)
    point = f"z = ({code[0]:.2f}, {code[1]:.2f})"
    return (alt_text.picture(plane, "The latent plane of the test digits, one colour per digit", f"a cross at {point}"),
            alt_text.picture(to_uint8(enlarge(digit, DIGIT_ZOOM)), "The digit the decoder draws", f"at {point}"),
            f"Decoded the point **{point}**.")


def decode_latent_pixel(x: float, y: float) -> dict:
    """The API form of a click on the plane: {"z": [z1, z2], "digit": 28×28 values in [0, 1]}."""
    code, digit, _ = latent.decode_click(checks.number("x", x), checks.number("y", y))
    return {"z": [round(float(v), 4) for v in code], "digit": np.round(digit, 3).tolist()}


def plane_pictures() -> tuple[np.ndarray, np.ndarray]:
    """(the latent plane of the test digits, the grid of digits the decoder draws across it)."""
    plane = latent.latent_plane()
    return (alt_text.picture(latent.render_plane(plane), "The latent plane (z1 across, z2 up): each test digit "
                             "where the 2-number encoder puts it, one colour per digit", f"{len(plane.labels):,} digits"),
            alt_text.picture(latent.manifold(), "What the decoder draws at each point of the latent plane"))


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
        picture = alt_text.picture(frame.picture, "Validation digits, rows: clean, with noise, the autoencoder's "
                                   "reconstruction", f"epoch {frame.epoch} of {config.epochs}",
                                   f"step {frame.step} of {frame.steps_total}",
                                   f"validation loss {frame.valid_curve[-1][1]:.4f}")
        yield picture, curves, status, model


# ---------------------------------------------------------------- UI


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
