"""MNIST as tensors: the one helper (data.mnist_tensors / data.digit_pixels) every tab and recipe uses."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch

from playground import data

PACKAGE = Path(__file__).resolve().parent.parent / "playground"


def test_each_scale_maps_black_and_white_where_it_says():
    ink = np.array([[[0, 255]]], dtype=np.uint8).repeat(28, axis=1).repeat(14, axis=2)  # (1, 28, 28): 0 and 255
    for scale, (black, white) in {"unit": (0.0, 1.0), "tanh": (-1.0, 1.0),
                                  "standard": (-data.MNIST_MEAN / data.MNIST_STD,
                                               (1 - data.MNIST_MEAN) / data.MNIST_STD)}.items():
        pixels = data.digit_pixels(ink, scale)
        assert pixels.shape == (1, 1, 28, 28) and pixels.dtype == torch.float32
        assert float(pixels.min()) == pytest.approx(black) and float(pixels.max()) == pytest.approx(white)
    with pytest.raises(ValueError, match="unknown pixel scale"):
        data.digit_pixels(ink, "percent")


def test_mnist_tensors_are_the_split_made_once_and_shared():
    images, labels = data.mnist_tensors("test")
    assert images.shape == (1000, 1, 28, 28) and labels.dtype == torch.int64
    assert torch.equal(labels, torch.from_numpy(data.mnist_test().labels))
    assert torch.equal(images[:, 0] * 255, torch.from_numpy(data.mnist_test().images).float())
    assert data.mnist_tensors("test")[0] is images  # one copy per process
    assert len(data.mnist_tensors("train", "standard")[0]) == 4000
    with pytest.raises(ValueError, match="split"):
        data.mnist_tensors("validation")


def mnist_by_hand(package: Path) -> list[str]:
    by_hand = re.compile(
        r"from_numpy\([^)\n]*\.images"  # torch.from_numpy(digits.images…)
        r"|(div\(255\)|/ ?255(\.0)?\)?)\.unsqueeze\(1\)"  # uint8 (N, 28, 28) → (N, 1, 28, 28) floats
        r"|to_tanh_range\([^)\n]*(digits|mnist)"  # MNIST into a GAN's [-1, 1]
    )
    offenders = [
        f"{path.relative_to(package)}:{text[:m.start()].count(chr(10)) + 1}"
        for path in sorted(package.rglob("*.py")) if path != package / "data.py"
        for text in [path.read_text()]
        for m in by_hand.finditer(text)
    ]
    return offenders


def test_no_module_turns_mnist_into_tensors_by_hand():
    assert mnist_by_hand(PACKAGE) == []
