"""Backbone features of stored images, computed once per (image, cut, view) and cached.

The frozen part of the network never changes, so what it computes for an image never
changes either: extracting it once and training only on the cached result is what makes
live training fast. Where the frozen part ends (the "cut") depends on how many blocks
are unfrozen:

- 0 unfrozen blocks: the cut is the pooled 1280-d embedding, (1280,) per image;
- k unfrozen blocks: the cut is the output of block ``16 - 1 - k``, e.g. (192, 7, 7).

View 0 is the clean centre crop (exactly the backbone's own preprocessing); views 1, 2, …
are augmented copies (flip, crop, colour jitter) seeded by the image and the view, so
they are the same every time and can be cached too.
"""

from __future__ import annotations

import hashlib
from typing import Iterator, Sequence

import numpy as np
import torch
from PIL import Image

from playground import registry
from playground.device import to_model
from playground.lazy import lazy_module
from playground.transfer.workspace import StoredImage
from playground.backbone_preprocessing import BACKBONE, normalised
from playground.images import channels_first

TF = lazy_module("torchvision.transforms.functional")

CROP = 224
NUM_BLOCKS = 16  # EfficientNet-Lite0's MBConv blocks
MAX_UNFROZEN_BLOCKS = 4  # blocks 12..15 all work at 7 × 7: cheap to fine-tune on a CPU
POOLED = "pooled"


def cut_for(unfrozen_blocks: int) -> str:
    """The cache key of the frozen part's output: "pooled" or "block11" … "block14"."""
    if not 0 <= unfrozen_blocks <= MAX_UNFROZEN_BLOCKS:
        raise ValueError(f"unfrozen blocks must be in 0..{MAX_UNFROZEN_BLOCKS}, got {unfrozen_blocks}")
    return POOLED if unfrozen_blocks == 0 else f"block{NUM_BLOCKS - 1 - unfrozen_blocks}"


def _normalise(crop: Image.Image) -> torch.Tensor:
    return normalised(channels_first(crop))[0]  # (3, 224, 224)


def clean_view(pixels: np.ndarray) -> torch.Tensor:
    """The centre 224 crop of a stored 256 square, normalised: (3, 224, 224)."""
    return _normalise(TF.center_crop(Image.fromarray(pixels), CROP))


def augmented_view(pixels: np.ndarray, seed: int) -> torch.Tensor:
    """A random flip, crop (60–100 % of the area, resized to 224) and colour jitter: (3, 224, 224)."""
    rng = np.random.default_rng(seed)
    picture = Image.fromarray(pixels)
    if rng.random() < 0.5:
        picture = TF.hflip(picture)
    side = picture.width
    crop_side = int(side * np.sqrt(rng.uniform(0.6, 1.0)))
    top, left = rng.integers(0, side - crop_side + 1, size=2)
    picture = TF.resized_crop(picture, int(top), int(left), crop_side, crop_side, [CROP, CROP], antialias=True)
    picture = TF.adjust_brightness(picture, rng.uniform(0.7, 1.3))
    picture = TF.adjust_contrast(picture, rng.uniform(0.7, 1.3))
    picture = TF.adjust_saturation(picture, rng.uniform(0.7, 1.3))
    return _normalise(picture)


def view_seed(digest: str, view: int) -> int:
    return int.from_bytes(hashlib.sha1(f"{digest}:{view}".encode()).digest()[:4], "little")


def view_tensor(item: StoredImage, view: int) -> torch.Tensor:
    return clean_view(item.pixels) if view == 0 else augmented_view(item.pixels, view_seed(item.digest, view))


def frozen_output(inputs: torch.Tensor, cut: str) -> torch.Tensor:
    """Run the shared, frozen backbone up to ``cut`` on normalised (B, 3, H, W) inputs (on its device)."""
    model = registry.get(BACKBONE)
    with torch.no_grad():
        inputs = to_model(model, inputs)
        if cut == POOLED:
            return model.pooled_features(inputs)  # (B, 1280)
        return model.forward_features(inputs, upto=int(cut.removeprefix("block")))  # e.g. (B, 192, 7, 7)


def fill_cache(items: Sequence[StoredImage], cut: str, views: Sequence[int], cache: dict) -> Iterator[tuple[int, int]]:
    """Compute the (item, view) features missing from ``cache`` (the session's own dict).

    Yields (done, total) after each image so the UI can show progress. One image at a
    time: on a small CPU, batch 1 is as fast per image as bigger batches.
    """
    missing = [(item, view) for item in items for view in views if (item.digest, cut, view) not in cache]
    for done, (item, view) in enumerate(missing, start=1):
        output = frozen_output(view_tensor(item, view).unsqueeze(0), cut)[0]
        cache[(item.digest, cut, view)] = output.cpu()
        yield done, len(missing)


def gather(items: Sequence[StoredImage], cut: str, views: Sequence[int], cache: dict) -> torch.Tensor:
    """Cached features of every (item, view) pair, item-major: (len(items) * len(views), …)."""
    for _ in fill_cache(items, cut, views, cache):
        pass
    return torch.stack([cache[(item.digest, cut, view)] for item in items for view in views])


def missing_count(items: Sequence[StoredImage], cut: str, views: Sequence[int], cache: dict) -> int:
    return sum((item.digest, cut, view) not in cache for item in items for view in views)
