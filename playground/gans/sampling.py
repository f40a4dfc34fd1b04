"""Sampling pretrained DCGAN generators: latent vectors from a seed, images, grids.

A sample is fully determined by (model, seed, truncation[, class]). A class-conditional
generator names its classes in its registry entry (``meta["classes"]``: the digits "0"…"9",
or emoji groups such as "faces"); "all" asks for every class in turn. The truncation trick
draws z from a normal distribution cut at ±truncation (values beyond are redrawn): lower
truncation gives more typical, less varied samples.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from playground import checks, registry
from playground.device import to_model
from playground.errors import UserInputError

NO_TRUNCATION = 3.0  # at ±3 σ the cut removes 0.3 % of values: treated as "off"
MIN_TRUNCATION = 0.1


def latent_vectors(seed: int, count: int, nz: int, truncation: float = NO_TRUNCATION) -> torch.Tensor:
    """(count, nz) standard-normal vectors from ``seed``, cut at ±truncation (resampled beyond)."""
    seed = checks.seed(seed)
    truncation = checks.real("truncation", truncation, MIN_TRUNCATION, NO_TRUNCATION)
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(count, nz, generator=generator)
    if truncation < NO_TRUNCATION:
        for _ in range(100):  # each round keeps ≥ 8 % of what is left even at 0.1: converges fast
            outside = z.abs() > truncation
            if not outside.any():
                break
            z[outside] = torch.randn(int(outside.sum()), generator=generator)
        z = z.clamp(-truncation, truncation)  # any value still outside after 100 rounds
    return z


def generator_of(model_name: str):
    """The shared (read-only) generator network of a registered DCGAN."""
    return registry.get(model_name).generator


def is_conditional(model_name: str) -> bool:
    return bool(registry.meta(model_name).get("num_classes"))


def class_names(model_name: str) -> tuple[str, ...]:
    """The classes a conditional generator draws, in label order; () for an unconditional one."""
    return tuple(registry.meta(model_name).get("classes", ()))


ALL_CLASSES = "all"


def asks_every_class(chosen) -> bool:
    """Whether a class choice means every class in turn ("all", or none given)."""
    return chosen in (None, ALL_CLASSES, "all digits")


def class_labels(model_name: str, count: int, chosen=ALL_CLASSES) -> torch.Tensor:
    """(count,) labels for a conditional generator: 0, 1, …, K−1, 0, … for "all", else the chosen class."""
    names = class_names(model_name)
    if asks_every_class(chosen):
        return torch.arange(count) % len(names)
    if str(chosen) not in names:
        raise UserInputError(f"this generator draws {', '.join(names)} or 'all'; got {chosen!r}.")
    return torch.full((count,), names.index(str(chosen)))


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(N, C, H, W) in [-1, 1] → (N, H, W, 3) uint8 (grey images get three equal channels)."""
    array = ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
    if array.shape[3] == 1:
        array = np.repeat(array, 3, axis=3)
    return array


@torch.inference_mode()
def generate(model_name: str, z: torch.Tensor, labels: torch.Tensor | None = None) -> np.ndarray:
    """(N, nz) latents [+ (N,) digits or (N, K) soft labels] → (N, H, W, 3) uint8 images."""
    generator = generator_of(model_name)
    if is_conditional(model_name) and labels is None:
        raise UserInputError(f"this generator draws a chosen class ({', '.join(class_names(model_name))}): pick one")
    labels = labels if is_conditional(model_name) else None
    return to_uint8(generator(*to_model(generator, z, labels)))


def image_grid(images: np.ndarray, columns: int, scale: int = 1, pad: int = 2, fill: int = 255) -> np.ndarray:
    """(N, H, W, 3) uint8 → one (rows·(H·s+pad)+pad, …, 3) picture, nearest-neighbour upscaled by ``scale``."""
    if scale > 1:
        images = images.repeat(scale, axis=1).repeat(scale, axis=2)
    count, height, width, _ = images.shape
    rows = math.ceil(count / columns)
    grid = np.full((rows * (height + pad) + pad, columns * (width + pad) + pad, 3), fill, dtype=np.uint8)
    for index, image in enumerate(images):
        r, c = divmod(index, columns)
        top, left = pad + r * (height + pad), pad + c * (width + pad)
        grid[top : top + height, left : left + width] = image
    return grid


def sample_grid(
    model_name: str, seed: int, count: int = 64, truncation: float = NO_TRUNCATION, digit="all"
) -> np.ndarray:
    """A grid picture of ``count`` samples. Classes drawn for "all" fill one column per class."""
    count = checks.integer("number of samples", count, 1, 256)
    nz = registry.meta(model_name)["nz"]
    z = latent_vectors(seed, count, nz, truncation)
    labels = class_labels(model_name, count, digit) if is_conditional(model_name) else None
    images = generate(model_name, z, labels)
    columns = len(class_names(model_name)) if labels is not None and asks_every_class(digit) else 8
    return image_grid(images, columns, scale=max(1, 96 // images.shape[1]))
