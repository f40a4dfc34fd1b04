"""The ImageNet classifier on real photos, and its bad-input handling."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from playground import data
from playground.errors import UserInputError
from playground.images import load_image
from playground.classifier.predict import classify

# ImageNet's domestic-cat classes (indices 281-285).
CAT_CLASSES = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}


def test_coffee_is_espresso():
    top5 = classify(data.photo("coffee"))
    label, probability = next(iter(top5.items()))
    assert label == "espresso"
    assert probability > 0.8


def test_chelsea_is_a_cat():
    top5 = classify(data.photo("chelsea"))
    assert next(iter(top5)) in CAT_CLASSES
    assert sum(p for label, p in top5.items() if label in CAT_CLASSES) > 0.8


def test_top5_is_sorted_probabilities():
    top5 = classify(data.photo("astronaut"))
    values = list(top5.values())
    assert len(values) == 5
    assert values == sorted(values, reverse=True)
    assert all(0 <= v <= 1 for v in values) and sum(values) <= 1.0 + 1e-6


def test_modes_and_file_paths_give_the_same_answer(tmp_path):
    coffee = data.photo("coffee")
    path = tmp_path / "coffee.png"
    coffee.save(path)
    rgba = coffee.convert("RGBA")
    gray = coffee.convert("L")
    assert next(iter(classify(str(path)))) == "espresso"
    assert next(iter(classify(rgba))) == "espresso"
    assert next(iter(classify(np.asarray(coffee)))) == "espresso"
    assert len(classify(gray)) == 5  # grayscale works (3 channels made from 1)


def test_bad_inputs_raise_clear_messages(tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("this is a text file, not a picture")
    with pytest.raises(UserInputError, match="not an image"):
        classify(str(fake))
    with pytest.raises(UserInputError, match="No image"):
        classify(None)
    with pytest.raises(UserInputError, match="NaN"):
        classify(np.full((8, 8, 3), np.nan, dtype=np.float32))


def test_huge_images_are_refused_and_large_ones_downscaled(tmp_path):
    big = tmp_path / "big.png"
    Image.new("L", (20_000, 20_000), 128).save(big)
    with pytest.raises(UserInputError, match="too large"):
        load_image(str(big))
    wide = tmp_path / "wide.jpg"
    Image.new("RGB", (5000, 1000), (200, 30, 30)).save(wide)
    picture = load_image(str(wide))
    assert max(picture.size) <= 2048 and picture.mode == "RGB"


def test_the_photo_is_described_by_what_the_network_read_in_it():
    """After a classification the photo's text alternative says the top guesses with the confidences shown."""
    from playground.tabs.classifier import photo_described

    top5 = classify(data.photo("coffee"))
    best, confidence = max(top5.items(), key=lambda item: item[1])
    described = photo_described(top5)["alt_text"]
    assert described.startswith(f"Photo: classified as {best} ({100 * confidence:.1f} %)"), described
    assert photo_described(None)["alt_text"] == "Photo"
