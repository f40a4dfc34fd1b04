"""The digit flow model's card figures, measured beside the shipped DCGAN's in the same run.

All on the 1,000 held-out MNIST digits (100 per class) that no recipe trains on:

- **Readable, and the digit asked for:** 1,000 samples (100 per asked digit) read by the
  project's ``mnist_cnn`` (``gans.quality.read_digits``, the DCGAN card's measure).
- **Fréchet distance** (FID's formula) between 1,000 samples and the held-out digits, in two
  feature spaces, each cut to its top 64 principal directions of the training digits (1,000
  pictures cannot pin down a larger covariance): the Lite0 backbone's pooled features of the
  digit (grey → RGB, 224 px), and the pixels themselves ([0, 1], 784 values). Beside it: 1,000
  real training digits (the floor: real against real) and 1,000 noise pictures (the ceiling).
- **Copying:** each sample's pixel distance to its nearest training digit, against the same for
  the held-out digits. A model that copied would sit far closer than real unseen digits do.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from playground import data, registry
from playground.diffusion import flow_digits
from playground.gans import quality
from playground.gans.sampling import NO_TRUNCATION, latent_vectors

SAMPLE_SEED = 12345  # the DCGAN card's seed: the same asked digits, 100 of each
COUNT = 1000
DIMENSIONS = 64
GRID_SEED = 7


def asked_digits(count: int = COUNT) -> torch.Tensor:
    return torch.arange(count) % 10  # (N,) 0, 1, …, 9, 0, …


def flow_samples(model, steps: int, guidance: float, count: int = COUNT, guidance_from: float = 0.0) -> torch.Tensor:
    """(N, 1, 28, 28) in [-1, 1]: the flow model's digits for ``asked_digits``, in batches of 100."""
    asked = asked_digits(count)
    parts = []
    for start in range(0, count, 100):
        digits, _ = flow_digits.sample(model, asked[start : start + 100], steps, guidance,
                                       seed=SAMPLE_SEED + start, guidance_from=guidance_from)
        parts.append(digits)
    return torch.cat(parts)


@torch.inference_mode()
def dcgan_samples(count: int = COUNT) -> torch.Tensor:
    """(N, 1, 28, 28) in [-1, 1]: the shipped DCGAN's digits as its card measured them (seed 12345, no truncation)."""
    generator = registry.get("dcgan_mnist").generator
    z = latent_vectors(SAMPLE_SEED, count, generator.config.nz, NO_TRUNCATION)
    return generator(z, asked_digits(count)).clamp(-1, 1).cpu()


def unit_pixels(images: torch.Tensor) -> torch.Tensor:
    """(N, 1, 28, 28) in [-1, 1] → (N, 784) in [0, 1]."""
    return ((images.clamp(-1, 1) + 1) / 2).flatten(1).float()


def lite0_features(images: torch.Tensor) -> torch.Tensor:
    """(N, 1, 28, 28) in [-1, 1] → (N, 1280) Lite0 pooled features of the digits as grey RGB pictures."""
    grey = flow_digits.to_uint8(images).numpy()  # (N, 28, 28)
    return quality.backbone_features(np.repeat(grey[..., None], 3, axis=-1))


class Reference:
    """The real digits every set of samples is compared with, in both feature spaces (made once)."""

    def __init__(self, seed: int = 0, count: int = COUNT, train_count: int | None = None) -> None:
        train_images, _ = data.mnist_tensors("train", "tanh")  # (4000, 1, 28, 28)
        held_images, _ = data.mnist_tensors("test", "tanh")  # (1000, 1, 28, 28)
        train_images = train_images[:train_count]  # a smoke run's shortcut; None: all 4,000
        self.train_pixels = unit_pixels(train_images)
        self.held_pixels = unit_pixels(held_images)
        train_lite0 = lite0_features(train_images)
        self.held_lite0 = lite0_features(held_images)
        self.basis = {"lite0": quality.principal_directions(train_lite0, DIMENSIONS),
                      "pixels": quality.principal_directions(self.train_pixels, DIMENSIONS)}
        rng = np.random.default_rng(seed)
        real = torch.from_numpy(rng.choice(len(train_images), size=count, replace=False))
        noise = torch.from_numpy(rng.uniform(-1, 1, size=(count, 1, 28, 28)).astype(np.float32))
        self.floor = self.frechet(train_images[real], lite0=train_lite0[real])
        self.ceiling = self.frechet(noise)
        held_nn = torch.cdist(self.held_pixels, self.train_pixels).min(dim=1).values  # (1000,)
        self.held_nn = held_nn

    def frechet(self, images: torch.Tensor, lite0: torch.Tensor | None = None) -> dict[str, float]:
        """{"lite0": …, "pixels": …}: Fréchet distances of (N, 1, 28, 28) pictures to the held-out digits."""
        lite0 = lite0_features(images) if lite0 is None else lite0
        pixels = unit_pixels(images)
        return {
            "lite0": round(quality.frechet_distance(lite0 @ self.basis["lite0"], self.held_lite0 @ self.basis["lite0"]), 3),
            "pixels": round(quality.frechet_distance(pixels @ self.basis["pixels"],
                                                     self.held_pixels @ self.basis["pixels"]), 3),
        }

    def copying(self, images: torch.Tensor) -> dict[str, float]:
        """Pixel (L2, [0, 1] scale) distances to the nearest training digit: samples against held-out digits."""
        sample_nn = torch.cdist(unit_pixels(images), self.train_pixels).min(dim=1).values
        return {
            "nn_pixels_samples_median": round(float(sample_nn.median()), 3),
            "nn_pixels_heldout_median": round(float(self.held_nn.median()), 3),
            "copy_ratio": round(float(sample_nn.median() / self.held_nn.median()), 3),
            "nn_pixels_samples_min": round(float(sample_nn.min()), 3),
            "nn_pixels_heldout_min": round(float(self.held_nn.min()), 3),
            # a sample nearer a training digit than 99 % of unseen digits are: a copy, or nearly
            "near_copy_share": round(float((sample_nn < self.held_nn.quantile(0.01)).float().mean()), 4),
        }


def measure(model, steps: int = 20, guidance: float = 2.0, guidance_from: float = 0.0,
            sweep=((20, 1.0, 0.0), (20, 2.0, 0.0), (20, 3.0, 0.35), (10, 2.0, 0.35), (50, 2.0, 0.35)),
            count: int = COUNT, train_count: int | None = None) -> dict:
    """The card's metrics: the flow model at (steps, guidance from guidance_from), the DCGAN, the floor and the
    ceiling; then the flow model at the other (steps, guidance, guidance_from) of ``sweep``."""
    reference = Reference(count=count, train_count=train_count)
    flow = flow_samples(model, steps, guidance, count, guidance_from)
    dcgan = dcgan_samples(count)
    read_flow = quality.read_digits(flow, asked_digits(count))
    read_dcgan = quality.read_digits(dcgan, asked_digits(count))
    fid_flow, fid_dcgan = reference.frechet(flow), reference.frechet(dcgan)
    metrics = {
        "steps": steps,
        "guidance": guidance,
        "guidance_from": guidance_from,
        "samples": count,
        "asked_digit_agreement": read_flow["asked_digit_agreement"],
        "confident_share": read_flow["confident_share"],
        "digit_shares": read_flow["digit_shares"],
        "dcgan_asked_digit_agreement": read_dcgan["asked_digit_agreement"],
        "dcgan_confident_share": read_dcgan["confident_share"],
    }
    for space in ("lite0", "pixels"):
        metrics[f"fid_{space}_samples_vs_heldout"] = fid_flow[space]
        metrics[f"fid_{space}_dcgan_vs_heldout"] = fid_dcgan[space]
        metrics[f"fid_{space}_train_vs_heldout"] = reference.floor[space]
        metrics[f"fid_{space}_noise_vs_heldout"] = reference.ceiling[space]
    metrics["fid_dimensions"] = DIMENSIONS
    metrics.update(reference.copying(flow))
    metrics["dcgan_copy_ratio"] = reference.copying(dcgan)["copy_ratio"]
    metrics["sweep"] = {
        f"steps_{n}_guidance_{w:g}_from_{start:g}": _summary(flow_samples(model, n, w, count, start), reference)
        for n, w, start in sweep
    }
    return metrics


def _summary(samples: torch.Tensor, reference: Reference) -> dict:
    read = quality.read_digits(samples, asked_digits(len(samples)))
    return {"asked_digit_agreement": read["asked_digit_agreement"], "confident_share": read["confident_share"],
            **{f"fid_{space}": value for space, value in reference.frechet(samples).items()}}


def sample_grid(model, steps: int = 20, guidance: float = 2.0, rows: int = 6, scale: int = 2,
                guidance_from: float = 0.0) -> Image.Image:
    """``rows`` rows of samples, one column per digit 0–9 (seed GRID_SEED), then, apart, each first-row
    sample's nearest training digit (pixel distance), so a reader can see nothing was copied."""
    digits, _ = flow_digits.sample(model, torch.arange(10 * rows) % 10, steps, guidance, seed=GRID_SEED,
                                   guidance_from=guidance_from)
    train_images, _ = data.mnist_tensors("train", "tanh")
    nearest = torch.cdist(unit_pixels(digits[:10]), unit_pixels(train_images)).argmin(dim=1)
    pictures = flow_digits.to_uint8(torch.cat([digits, train_images[nearest]])).numpy()  # (10·rows + 10, 28, 28)
    gap, side = 2, 28
    height = (rows + 1) * (side + gap) + 3 * gap
    canvas = np.full((height + gap, 10 * (side + gap) + gap), 255, dtype=np.uint8)
    for index, picture in enumerate(pictures):
        row, column = divmod(index, 10)
        top = gap + row * (side + gap) + (3 * gap if row == rows else 0)
        left = gap + column * (side + gap)
        canvas[top : top + side, left : left + side] = picture
    image = Image.fromarray(canvas)
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
