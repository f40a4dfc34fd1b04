"""The denoise view as one plain function: picture in, every result and score out.

``prepare_clean`` turns the chosen source (bundled photo, held-out test digit, upload,
drawing) into a clean float picture and says whether it is a digit (28×28, the digit
denoiser) or a photo (any size, the photo denoiser in tiles). ``denoise_view`` adds the
chosen noise, runs the network and the classical baselines, and scores each one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from playground import checks, data
from playground.autoencoder import baselines, noise
from playground.autoencoder.denoise import denoise_digits, denoise_photo
from playground.autoencoder.metrics import psnr, ssim
from playground.errors import UserInputError
from playground.images import image_to_ink, load_image, mnist_style, sketch_ink

TRAINED_SIGMA_MAX = 75 / 255  # the photo denoiser trained on σ ∈ [0, 75/255]
SOURCES = ("Bundled photo", "Test digit", "Upload", "Draw a digit")
MIN_SIDE = 16  # px: smaller pictures have too little context for a 3×3-conv network or for SSIM
MAX_SIDE = 1024  # px: bigger uploads are scaled down first (said in the result)


@dataclass
class Scored:
    name: str
    image: np.ndarray  # same shape as the clean picture, [0, 1]
    psnr: float
    ssim: float
    ms: float | None = None  # how long the method took
    setting: str = ""


@dataclass
class DenoiseResult:
    clean: np.ndarray
    is_digit: bool
    noisy: Scored
    network: Scored
    baselines: list[Scored] = field(default_factory=list)
    sigma_used: float = 0.0  # the noise level the photo network was told
    notes: list[str] = field(default_factory=list)


def prepare_clean(source: str, photo_name=None, digit_index=0, upload=None, upload_is_digit=False, sketch=None):
    """→ (clean picture in [0, 1], is_digit, notes). Digits are (28, 28); photos (H, W, 3)."""
    notes: list[str] = []
    if source == "Bundled photo":
        checks.choice("photo", photo_name, data.photo_names())
        picture = load_image(data.photo(photo_name), max_side=MAX_SIDE)
        return np.asarray(picture, dtype=np.float32) / 255.0, False, notes
    if source == "Test digit":
        test = data.mnist_test()
        index = checks.integer("test digit number", digit_index or 0, 0, len(test.labels) - 1)
        return test.images[index].astype(np.float32) / 255.0, True, notes
    if source == "Draw a digit":
        return mnist_style(sketch_ink(sketch)), True, notes
    if source == "Upload":
        picture = load_image(upload, max_side=4096)
        if min(picture.size) < MIN_SIDE:
            raise UserInputError(
                f"The picture is {picture.width}×{picture.height} px; the denoisers need at least "
                f"{MIN_SIDE} px on each side."
            )
        if upload_is_digit:
            return mnist_style(image_to_ink(picture)), True, ["The upload was read as a digit: centred and scaled to 28×28 like MNIST."]
        if max(picture.size) > MAX_SIDE:
            notes.append(f"The upload ({picture.width}×{picture.height}) was scaled down to fit {MAX_SIDE} px.")
            picture = picture.copy()
            picture.thumbnail((MAX_SIDE, MAX_SIDE))
        return np.asarray(picture, dtype=np.float32) / 255.0, False, notes
    raise UserInputError(f"unknown source {source!r}; choose one of {list(SOURCES)}")


def _score(name: str, clean: np.ndarray, image: np.ndarray, ms: float | None = None, setting: str = "") -> Scored:
    return Scored(name, image, psnr(clean, image), ssim(clean, image), ms, setting)


def _timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, (time.perf_counter() - start) * 1000


def denoise_view(clean: np.ndarray, is_digit: bool, kind: str, level: float, seed: int = 0, with_baselines: bool = True) -> DenoiseResult:
    """Corrupt ``clean`` with noise ``kind`` at ``level``, denoise it every way, score everything."""
    noisy = noise.corrupt(clean, kind, level, checks.seed(seed))
    result = DenoiseResult(clean=clean, is_digit=is_digit, noisy=_score("Noisy input", clean, noisy), network=None)  # type: ignore[arg-type]
    # The photo network is told σ: the true one for Gaussian noise, an estimate otherwise
    # (it was trained on Gaussian noise only, so other noises are a test of how far it generalises).
    sigma = float(level) if kind == "Gaussian" else baselines.noise_sigma(noisy)
    result.sigma_used = sigma
    if is_digit:
        out, ms = _timed(denoise_digits, noisy)
        result.network = _score("Autoencoder (digits)", clean, out, ms)
    else:
        out, ms = _timed(denoise_photo, noisy, sigma)
        setting = f"told σ = {sigma:.3f}" + ("" if kind == "Gaussian" else " (estimated)")
        result.network = _score("Autoencoder (photos)", clean, out, ms, setting)
        if kind != "Gaussian":
            result.notes.append("The photo network learned Gaussian noise only; here it gets an estimated σ.")
        if sigma > TRAINED_SIGMA_MAX:
            result.notes.append(f"σ = {sigma:.2f} is beyond the strongest noise the photo network trained on "
                                f"(σ = {TRAINED_SIGMA_MAX:.2f}, i.e. 75/255): expect it to fall behind the classical filters.")
    if with_baselines:
        start = time.perf_counter()
        blur = max(((baselines.gaussian_blur(noisy, s), s) for s in baselines.BLUR_SIGMAS), key=lambda item: psnr(clean, item[0]))
        result.baselines.append(_score("Gaussian blur", clean, blur[0], (time.perf_counter() - start) * 1000 / len(baselines.BLUR_SIGMAS), f"σ = {blur[1]} px (best of {len(baselines.BLUR_SIGMAS)})"))
        start = time.perf_counter()
        med = max(((baselines.median(noisy, k), k) for k in baselines.MEDIAN_SIZES), key=lambda item: psnr(clean, item[0]))
        result.baselines.append(_score("Median filter", clean, med[0], (time.perf_counter() - start) * 1000 / len(baselines.MEDIAN_SIZES), f"{med[1]}×{med[1]} (best of {len(baselines.MEDIAN_SIZES)})"))
        out, ms = _timed(baselines.non_local_means, noisy, sigma)
        result.baselines.append(_score("Non-local means", clean, out, ms, f"h = 0.8 σ, σ = {sigma:.3f}"))
    return result


def results_table(result: DenoiseResult) -> str:
    """Markdown: one row per method with PSNR, SSIM, time and setting; the best PSNR in bold."""
    rows = [result.noisy, result.network, *result.baselines]
    best = max(row.psnr for row in rows[1:])
    lines = ["| method | PSNR (dB) | SSIM | time | setting |", "|---|---:|---:|---:|---|"]
    for row in rows:
        value = "∞" if np.isinf(row.psnr) else f"{row.psnr:.2f}"
        if row is not result.noisy and row.psnr == best:
            value = f"**{value}**"
        ms = "" if row.ms is None else f"{row.ms:.0f} ms"
        lines.append(f"| {row.name} | {value} | {row.ssim:.3f} | {ms} | {row.setting} |")
    gain = result.network.psnr - result.noisy.psnr
    lines.append("")
    lines.append(f"The autoencoder changed PSNR by **{gain:+.2f} dB** over the noisy input.")
    lines.extend(result.notes)
    return "\n".join(lines)
