"""Ready-made class sets cut from data that ships in pip packages (no network).

- "Digits 0 / 1 / 7": real MNIST digits (training split only), enlarged to 256 px.
- "Photo patches": random crops of three scikit-image photos; the class is the photo.
- "Textures": patches of scikit-image's brick, grass and gravel textures.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from playground import data

EXAMPLE_SETS = ("Digits 0 / 1 / 7 (MNIST)", "Photo patches: cat / coffee / rocket", "Textures: brick / grass / gravel")


def mnist_digit_images(digits: tuple[int, ...], per_class: int, seed: int = 0) -> dict[str, list[Image.Image]]:
    """{"0": [PIL, …], …}: training-split MNIST digits, white on black, as 256 px RGB images."""
    train = data.mnist_train()
    rng = np.random.default_rng(seed)
    sets = {}
    for digit in digits:
        chosen = rng.choice(np.flatnonzero(train.labels == digit), per_class, replace=False)
        sets[str(digit)] = [
            Image.fromarray(train.images[i]).resize((256, 256), Image.Resampling.BILINEAR).convert("RGB")
            for i in chosen
        ]
    return sets


def photo_patches(photo_names: tuple[str, ...], per_class: int, seed: int = 0, min_fraction: float = 0.35) -> dict:
    """{photo name: [PIL, …]}: square crops covering 35–70 % of each photo's short side."""
    rng = np.random.default_rng(seed)
    sets = {}
    for name in photo_names:
        picture = data.photo(name)
        short = min(picture.size)
        patches = []
        for _ in range(per_class):
            side = int(short * rng.uniform(min_fraction, 2 * min_fraction))
            left = int(rng.integers(0, picture.width - side + 1))
            top = int(rng.integers(0, picture.height - side + 1))
            patches.append(picture.crop((left, top, left + side, top + side)).resize((256, 256)))
        sets[name] = patches
    return sets


def example_set(name: str, per_class: int = 12, seed: int = 0) -> dict[str, list[Image.Image]]:
    """One of ``EXAMPLE_SETS`` as {class name: images}."""
    if name == EXAMPLE_SETS[0]:
        return mnist_digit_images((0, 1, 7), per_class, seed)
    if name == EXAMPLE_SETS[1]:
        patches = photo_patches(("chelsea", "coffee", "rocket"), per_class, seed)
        return {"cat": patches["chelsea"], "coffee": patches["coffee"], "rocket": patches["rocket"]}
    if name == EXAMPLE_SETS[2]:
        return photo_patches(("brick", "grass", "gravel"), per_class, seed, min_fraction=0.2)
    raise KeyError(f"unknown example set {name!r}; known: {list(EXAMPLE_SETS)}")
