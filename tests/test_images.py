"""Safe image input, Sketchpad ink, and MNIST-style digit preparation."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from playground.data import mnist_test
from playground.errors import UserInputError
from playground.images import image_to_ink, load_image, mnist_style, resize_and_center_crop, sketch_ink


def _layer(alpha: np.ndarray, colour=(0, 0, 0)) -> Image.Image:
    rgba = np.zeros((*alpha.shape, 4), dtype=np.uint8)
    rgba[..., :3] = colour
    rgba[..., 3] = (alpha * 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def test_sketch_ink_reads_the_layers_alpha_not_the_composite():
    alpha = np.zeros((64, 64))
    alpha[10:50, 30:34] = 1.0  # a vertical stroke
    # The composite's background is white here; a dark theme would make it black.
    composite = Image.new("RGB", (64, 64), (255, 255, 255))
    value = {"background": None, "layers": [_layer(alpha)], "composite": composite}
    ink = sketch_ink(value)
    assert ink.shape == (64, 64)
    assert np.allclose(ink, alpha, atol=1 / 255)


@pytest.mark.parametrize("value", [None, {"layers": []}, {"layers": [_layer(np.zeros((32, 32)))]}])
def test_empty_sketches_are_refused(value):
    with pytest.raises(UserInputError, match="empty"):
        sketch_ink(value)


def test_mnist_style_puts_the_centre_of_mass_in_the_middle_and_fits_20px():
    ink = np.zeros((300, 200), dtype=np.float32)
    ink[20:120, 150:170] = 1.0  # a tall bar far off-centre
    digit = mnist_style(ink)
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    ys, xs = np.indices(digit.shape)
    assert abs((ys * digit).sum() / digit.sum() - 14.0) <= 1.0
    assert abs((xs * digit).sum() / digit.sum() - 14.0) <= 1.0
    rows = np.flatnonzero(digit.max(axis=1) > 0.05)
    assert 19 <= rows[-1] - rows[0] + 1 <= 21


def test_mnist_style_keeps_real_digits_recognisably_the_same():
    digits = mnist_test()
    for image in digits.images[::100]:
        original = image.astype(np.float32) / 255
        prepared = mnist_style(np.pad(original, 30))  # the same digit, drawn on a big canvas
        correlation = np.corrcoef(prepared.ravel(), original.ravel())[0, 1]
        assert correlation > 0.95  # MNIST digits already fit 20 px: only the canvas moves


def test_uploaded_dark_on_light_digits_become_white_on_black_ink():
    paper = np.full((100, 100), 240, dtype=np.uint8)
    paper[20:80, 45:55] = 10
    ink = image_to_ink(Image.fromarray(paper))
    assert ink[50, 50] > 0.9 and ink[5, 5] < 0.05
    with pytest.raises(UserInputError, match="blank"):
        image_to_ink(Image.new("L", (50, 50), 255))


def test_load_image_modes_and_exif(tmp_path):
    rgba = Image.new("RGBA", (10, 10), (255, 0, 0, 0))  # fully transparent red
    assert load_image(rgba).getpixel((0, 0)) == (255, 255, 255)  # composited over white
    assert load_image(Image.new("L", (10, 10), 7)).mode == "RGB"
    with pytest.raises(UserInputError):
        load_image(np.zeros((0, 5, 3), dtype=np.uint8))
    with pytest.raises(UserInputError, match="Expected an image"):
        load_image(12345)


@pytest.mark.parametrize("size", [(600, 400), (400, 600), (256, 256), (300, 300), (257, 1000), (2048, 31),
                                  (384, 256), (224, 224), (1023, 767)])
@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_resize_and_center_crop_gives_torchvisions_pixels(size, mode):
    """The crop-only resample against the reference it replaces: torchvision's resize, then centre crop."""
    import torchvision.transforms.functional as TF

    rng = np.random.default_rng(size[0] * 7919 + size[1])
    shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
    noise = rng.integers(0, 256, size=shape, dtype=np.uint8)
    smooth = (np.linspace(0, 255, size[0])[None, :] * np.linspace(0.2, 1, size[1])[:, None]).astype(np.uint8)
    for pixels in (noise, np.broadcast_to(smooth[..., None], shape).copy() if mode == "RGB" else smooth):
        image = Image.fromarray(pixels, mode)
        for short_side, crop in ((256, 224), (256, 256), (64, 64)):
            expected = np.asarray(TF.center_crop(TF.resize(image, short_side, antialias=True), crop), dtype=int)
            got = resize_and_center_crop(image, short_side, crop).permute(1, 2, 0).numpy().astype(int)
            assert got.shape == expected.reshape(crop, crop, -1).shape
            got = got.reshape(expected.shape)
            assert np.abs(got - expected).max() <= 1  # float rounding of the box's corners, at most one level
            assert (got == expected).mean() > 0.98  # 0.991 at worst, on noise (measured 2026-12-04)


def test_resize_and_center_crop_gives_the_classifier_torchvisions_answers_on_the_bundled_photos():
    """Every bundled photo: the same pixels within one level, and Lite0's top-5 labels identical."""
    import torch
    import torchvision.transforms.functional as TF

    from playground import registry
    from playground.backbone_preprocessing import BACKBONE, backbone_input
    from playground.data import photo, photo_names

    model = registry.get(BACKBONE)
    meta = registry.meta(BACKBONE)
    for name in photo_names():
        image = photo(name)
        reference = TF.center_crop(TF.resize(image, meta["resize"], antialias=True), meta["input_size"])
        got = resize_and_center_crop(image, meta["resize"], meta["input_size"]).permute(1, 2, 0).numpy().astype(int)
        assert np.abs(got - np.asarray(reference, dtype=int)).max() <= 1, name
        with torch.inference_mode():
            expected_input = TF.normalize(TF.to_tensor(reference), meta["mean"], meta["std"]).unsqueeze(0)
            expected_top5 = model(expected_input).topk(5).indices
            got_top5 = model(backbone_input(image)).topk(5).indices
        assert torch.equal(got_top5, expected_top5), name


def test_a_crop_larger_than_the_short_side_is_a_programming_error():
    with pytest.raises(ValueError, match="does not fit"):
        resize_and_center_crop(Image.new("RGB", (300, 200)), 128, 224)


def test_normalised_pixels_are_torchvisions_to_tensor_and_normalize():
    import torch
    import torchvision.transforms.functional as TF

    from playground import registry
    from playground.backbone_preprocessing import BACKBONE, normalised
    from playground.data import photo

    meta = registry.meta(BACKBONE)
    image = photo("chelsea")  # 451 × 300
    pixels = torch.from_numpy(np.array(image)).permute(2, 0, 1)
    expected = TF.normalize(TF.to_tensor(image), meta["mean"], meta["std"]).unsqueeze(0)
    got = normalised(pixels)
    assert got.shape == (1, 3, 300, 451) and got.is_contiguous() and got.dtype == torch.float32
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-5)
