"""CNN lab: the seed's network, its training loop, the shipped MNIST classifier."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw, ImageFont

from playground import data, registry, weights
from playground.cnnlab.digits import to_tensors
from playground.cnnlab.evaluation import evaluate_classifier
from playground.cnnlab.predict import digit_probabilities, sketch_to_digit
from playground.nets.seed_cnn import SeedCNN


def test_seed_cnn_shapes_follow_the_seed_comments():
    model = SeedCNN().eval()
    maps = model.features(torch.rand(2, 1, 28, 28))
    # the seed: 32×32 in → 16×16×16 → 8×8×32 → 4×4×64
    assert [tuple(m.shape) for m in maps] == [(2, 16, 16, 16), (2, 32, 8, 8), (2, 64, 4, 4)]
    assert model.linear1.in_features == 4 * 4 * 64
    out = model(torch.rand(2, 1, 28, 28))
    assert out.shape == (2, 10)
    assert torch.allclose(out.exp().sum(dim=1), torch.ones(2), atol=1e-5)  # log-softmax


def test_shipped_mnist_classifier_matches_its_card():
    card = weights.read_card("mnist_cnn")
    assert card["metrics"]["test_accuracy"] >= 0.97
    images, labels = to_tensors(data.mnist_test())
    measured = evaluate_classifier(registry.get("mnist_cnn"), images, labels).accuracy
    assert measured == pytest.approx(card["metrics"]["test_accuracy"], abs=0.002)
    assert measured >= 0.97


def _alpha_layer(ink: np.ndarray) -> np.ndarray:
    """Black ink whose opacity is ``ink``: what a Sketchpad layer holds."""
    rgba = np.zeros(ink.shape + (4,), dtype=np.uint8)
    rgba[..., 3] = (ink * 255).astype(np.uint8)
    return rgba


def test_held_out_digit_drawn_with_alpha_is_read_correctly():
    test = data.mnist_test()
    model = registry.get("mnist_cnn")
    for index in (0, 137, 512, 901):
        big = np.asarray(Image.fromarray(test.images[index]).resize((280, 280), Image.Resampling.BILINEAR)) / 255.0
        digit = sketch_to_digit({"background": None, "layers": [_alpha_layer(big)], "composite": None})
        assert digit_probabilities(model, digit).argmax() == test.labels[index]


@pytest.mark.parametrize("digit", [0, 2, 3, 4, 5, 7, 8, 9])
def test_font_digit_on_a_sketch_layer_is_read_correctly(digit):
    font = ImageFont.truetype(matplotlib.get_data_path() + "/fonts/ttf/DejaVuSans.ttf", 280)
    canvas = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(canvas).text((120, 40), str(digit), font=font, fill=(0, 0, 0, 255))
    sketch = {"background": None, "layers": [np.asarray(canvas)], "composite": None}
    probabilities = digit_probabilities(registry.get("mnist_cnn"), sketch_to_digit(sketch))
    assert probabilities.argmax() == digit
