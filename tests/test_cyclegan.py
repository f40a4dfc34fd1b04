"""The digit CycleGAN: the networks' shapes and gradients, the training loop, the typeset renderer,
the shipped weights against the issue's acceptance (class agreement ≥ 90 % both ways, cycle error
below its references, on held-out digits other than the card's), and clear messages for bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from playground import data, registry
from playground.errors import TrainingDiverged, UserInputError
from playground.gans import cyclegan, cyclegan_demo, cyclegan_quality, typeset_digits
from playground.gans.cyclegan import HANDWRITTEN_TO_TYPESET, TYPESET_TO_HANDWRITTEN, CycleSettings, ImagePool
from playground.nets.cyclegan import DIGITS_CONFIG, CycleGAN, CycleGANConfig
from playground.tabs.gans import handlers as tab
from playground.weights import PRETRAINED_DIR

torch.set_num_threads(1)
EMOJI_LIKE = CycleGANConfig(channels_a=1, channels_b=3, image_size=64, width=8, downsamples=2, blocks=2, disc_width=8,
                            disc_layers=3)  # the paper's layout, as the sketch ↔ emoji pair will use it
SAMPLE_SEED = 2024  # held-out typeset renders for the tests: not the card's seed (12345)


def _digits(images: np.ndarray) -> np.ndarray:
    return images.astype(np.float32) / 255.0


# ---------------------------------------------------------------- the networks


@pytest.mark.parametrize("config", [DIGITS_CONFIG, EMOJI_LIKE], ids=["digits", "sketch-emoji"])
def test_generators_and_discriminators_have_the_right_shapes(config):
    model = CycleGAN(config)
    size = config.image_size
    a = torch.rand(2, config.channels_a, size, size) * 2 - 1
    b = torch.rand(2, config.channels_b, size, size) * 2 - 1
    assert model.g_ab(a).shape == b.shape and model.g_ba(b).shape == a.shape
    assert model.g_ab(a).abs().max() <= 1  # Tanh
    fake_b, back = model(a)
    assert fake_b.shape == b.shape and back.shape == a.shape
    patches = size // 2**config.disc_layers - 2  # two stride-1 4×4 convolutions after the strided ones
    assert model.d_a(a).shape == (2, 1, patches, patches) and model.d_b(b).shape == (2, 1, patches, patches)


def test_the_networks_follow_the_paper():
    model = CycleGAN()
    everything = list(model.modules())
    assert not [m for m in everything if isinstance(m, nn.BatchNorm2d)]  # instance norm, not batch norm
    assert any(isinstance(m, nn.InstanceNorm2d) for m in model.g_ab.modules())
    assert isinstance(list(model.g_ab.net)[-1], nn.Tanh)
    assert {type(m) for m in model.d_a.modules() if isinstance(m, (nn.ReLU, nn.LeakyReLU))} == {nn.LeakyReLU}
    strided = [m for m in model.g_ab.modules() if isinstance(m, nn.Conv2d) and m.stride == (2, 2)]
    assert len(strided) == DIGITS_CONFIG.downsamples
    with pytest.raises(ValueError, match="divide"):
        CycleGANConfig(image_size=30, downsamples=2)


def test_gradients_reach_every_generator_weight_through_the_cycle():
    model = CycleGAN()
    a = torch.rand(3, 1, 28, 28) * 2 - 1
    fake_b, back = model(a)
    ((back - a).abs().mean() + model.d_b(fake_b).pow(2).mean()).backward()
    for name, parameter in [*model.g_ab.named_parameters(), *model.g_ba.named_parameters()]:
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0, name


def test_training_steps_change_all_four_networks_and_are_seeded():
    a = torch.rand(64, 1, 28, 28) * 2 - 1
    b = torch.rand(64, 1, 28, 28) * 2 - 1
    settings = CycleSettings(steps=3, batch_size=4, pool_size=2, seed=5)

    def trained():
        torch.manual_seed(0)
        model = CycleGAN()
        before = {k: v.clone() for k, v in model.state_dict().items()}
        history = cyclegan.train_cyclegan(model, a, b, settings, log=lambda _: None)
        return model, before, history

    model, before, history = trained()
    assert len(history) == 3 and all(np.isfinite([h.g_gan, h.cycle, h.identity, h.d]).all() for h in history)
    for part in ("g_ab", "g_ba", "d_a", "d_b"):
        changed = [k for k, v in model.state_dict().items() if k.startswith(part) and not torch.equal(v, before[k])]
        assert changed, part
    again, _, _ = trained()
    for key, value in model.state_dict().items():
        assert torch.equal(value, again.state_dict()[key]), key
    assert not model.training


def test_identity_loss_is_skipped_when_the_domains_have_different_channels():
    a, b = torch.rand(8, 1, 64, 64) * 2 - 1, torch.rand(8, 3, 64, 64) * 2 - 1
    history = cyclegan.train_cyclegan(CycleGAN(EMOJI_LIKE), a, b, CycleSettings(steps=1, batch_size=2), log=lambda _: None)
    assert history[0].identity == 0.0


def test_non_finite_losses_stop_training_with_a_message():
    a = torch.full((8, 1, 28, 28), float("nan"))
    with pytest.raises(TrainingDiverged, match="non-finite"):
        cyclegan.train_cyclegan(CycleGAN(), a, torch.zeros(8, 1, 28, 28), CycleSettings(steps=2, batch_size=2),
                                log=lambda _: None)


def test_image_pool_mixes_in_older_pictures_once_full():
    pool = ImagePool(4, torch.Generator().manual_seed(0))
    first = torch.arange(4.0).view(4, 1, 1, 1)
    assert torch.equal(pool.query(first), first)  # filling up: the pictures pass through
    later = pool.query(torch.full((64, 1, 1, 1), 10.0))
    assert later.shape == (64, 1, 1, 1) and (later < 10).any() and (later == 10).any()
    assert torch.equal(ImagePool(0, torch.Generator()).query(first), first)


# ---------------------------------------------------------------- typeset digits


def test_typeset_digits_are_deterministic_and_prepared_like_mnist():
    images, labels = typeset_digits.typeset_digits(60, "train", seed=3)
    again, _ = typeset_digits.typeset_digits(60, "train", seed=3)
    other, _ = typeset_digits.typeset_digits(60, "train", seed=4)
    assert images.shape == (60, 28, 28) and images.dtype == np.uint8 and np.array_equal(images, again)
    assert not np.array_equal(images, other)
    assert list(labels[:12]) == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    ys, xs = np.indices((28, 28))
    for image in _digits(images):
        rows, cols = np.flatnonzero(image.max(1) > 0.05), np.flatnonzero(image.max(0) > 0.05)
        assert 16 <= max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 22  # a ~20 px box, like MNIST
        centre = ((ys * image).sum() / image.sum(), (xs * image).sum() / image.sum())
        assert abs(centre[0] - 14) <= 2 and abs(centre[1] - 14) <= 2  # mass-centred (± the 1 px jitter)
    assert image[0].max() == 0 and image[:, 0].max() == 0  # black background, white ink


def test_every_font_carries_about_as_much_ink_as_mnist():
    """BASE_STROKE still holds: each font's stroke is the one (of its neighbours) whose ink is nearest
    MNIST's; sans faces land within ±0.02 of it, serif faces (never thinned) at or above it."""
    mnist_ink = float(data.mnist_train().images.mean() / 255)
    for font in typeset_digits.TRAIN_FONTS + typeset_digits.HELDOUT_FONTS:
        base = typeset_digits.BASE_STROKE[font]
        sans = font.startswith("DejaVuSans")
        gap = {s: abs(typeset_digits.plain_ink(font, s) - mnist_ink) for s in (base - 1, base, base + 1) if sans or s >= 0}
        assert min(gap, key=gap.get) == base, (font, gap)
        assert gap[base] < 0.02 or (not sans and base == 0 and typeset_digits.plain_ink(font, 0) > mnist_ink), (font, gap)
    assert not set(typeset_digits.TRAIN_FONTS) & set(typeset_digits.HELDOUT_FONTS)


def test_the_classifier_reads_typeset_digits():
    """The typeset → handwritten measure leans on mnist_cnn: it must read type well (the card: ~0.87–0.90)."""
    for fonts in ("train", "heldout"):
        images, labels = typeset_digits.typeset_digits(300, fonts, seed=SAMPLE_SEED)
        assert cyclegan_quality.accuracy(_digits(images), labels) >= 0.8, fonts


def test_unknown_fonts_are_refused():
    with pytest.raises(ValueError, match="unknown font"):
        typeset_digits.render_digit(3, "Comic Sans")
    with pytest.raises(ValueError, match="font set"):
        typeset_digits.typeset_digits(3, "everything")


# ---------------------------------------------------------------- the shipped weights


@pytest.fixture(scope="module")
def shipped():
    return registry.get("cyclegan_digits")


@pytest.fixture(scope="module")
def heldout():
    """300 MNIST test digits (30 per class) and 300 held-out-font renders (not the card's seed)."""
    test = data.mnist_test()
    picks = np.concatenate([np.flatnonzero(test.labels == d)[-30:] for d in range(10)])
    typeset, typeset_labels = typeset_digits.typeset_digits(300, "heldout", seed=SAMPLE_SEED)
    return _digits(test.images[picks]), test.labels[picks], _digits(typeset), typeset_labels


def test_shipped_weights_are_small_and_match_their_card(shipped):
    card = json.loads((PRETRAINED_DIR / "cyclegan_digits.json").read_text())
    assert (PRETRAINED_DIR / card["file"]).stat().st_size < 2_000_000
    assert card["arguments"]["config"] == DIGITS_CONFIG.__dict__
    assert sum(v.numel() for v in shipped.state_dict().values() if v.is_floating_point()) == card["parameters"]
    assert (PRETRAINED_DIR / card["heldout_grid"]).exists()


def test_translated_digits_keep_their_class_both_ways(shipped, heldout):
    """The issue's acceptance: ≥ 90 % on the card (1,000 each way); here 300 others each way, with a margin."""
    card = json.loads((PRETRAINED_DIR / "cyclegan_digits.json").read_text())["metrics"]
    assert card["agreement_a2b"] >= 0.90 and card["agreement_b2a"] >= 0.90, card
    mnist, mnist_labels, typeset, typeset_labels = heldout
    a2b = cyclegan_quality.class_agreement(shipped, mnist, mnist_labels, HANDWRITTEN_TO_TYPESET)
    b2a = cyclegan_quality.class_agreement(shipped, typeset, typeset_labels, TYPESET_TO_HANDWRITTEN)
    assert a2b >= 0.87 and b2a >= 0.87, (a2b, b2a)


def test_the_cycle_comes_back_closer_than_its_references(shipped, heldout):
    mnist, mnist_labels, typeset, typeset_labels = heldout
    train = data.mnist_train()
    pool, pool_labels = typeset_digits.typeset_digits(2000, "train", seed=SAMPLE_SEED)
    for digits, labels, direction, others, other_labels in (
        (mnist, mnist_labels, HANDWRITTEN_TO_TYPESET, _digits(train.images), train.labels),
        (typeset, typeset_labels, TYPESET_TO_HANDWRITTEN, _digits(pool), pool_labels),
    ):
        error = cyclegan_quality.cycle_error(shipped, digits, direction)
        assert error < cyclegan_quality.blur_error(digits), direction
        assert error < cyclegan_quality.neighbour_error(digits, labels, others, other_labels), direction


def test_translations_change_domain(shipped, heldout):
    """Not an identity: a judge trained to tell handwritten from typeset sees many translations switch
    sides (the card: 64 % of the typeset translations look typeset, 54 % of the handwritten ones
    handwritten; untranslated, 5 % and 3 %)."""
    mnist, _, typeset, _ = heldout
    train_typeset, _ = typeset_digits.typeset_digits(4000, "train", seed=SAMPLE_SEED + 1)
    judge = cyclegan_quality.train_domain_judge(_digits(data.mnist_train().images), _digits(train_typeset))
    assert judge.typeset_share(mnist) < 0.1 and judge.typeset_share(typeset) > 0.9  # the judge works
    assert judge.typeset_share(cyclegan.translate_batch(shipped, mnist, HANDWRITTEN_TO_TYPESET)) > 0.45
    assert judge.typeset_share(cyclegan.translate_batch(shipped, typeset, TYPESET_TO_HANDWRITTEN)) < 0.7


def test_round_trip_of_one_digit_matches_the_batch_path(shipped, heldout):
    digit = heldout[0][0]
    there, back = cyclegan.round_trip(digit, HANDWRITTEN_TO_TYPESET)
    assert there.shape == back.shape == (28, 28) and 0 <= there.min() and there.max() <= 1
    np.testing.assert_allclose(there, cyclegan.translate_batch(shipped, digit[None], HANDWRITTEN_TO_TYPESET)[0],
                               atol=1e-4)
    assert np.array_equal(there, cyclegan.translate(digit, HANDWRITTEN_TO_TYPESET))


# ---------------------------------------------------------------- the tab


def _stroke_sketch() -> dict:
    layer = np.zeros((280, 280, 4), dtype=np.uint8)
    layer[50:230, 130:150, 3] = 255  # a vertical bar: a 1
    return {"background": None, "layers": [layer], "composite": None}


def test_the_tab_shows_both_directions_with_readings():
    described, text = tab.cycle_examples("7", typeset_digits.HELDOUT_FONTS[1], 4)
    picture = described["value"]
    # The picture's alt text says the readings and cycle errors the text beside it reports.
    reading = text.split("the classifier reads ")[1].split(" (")[0]  # e.g. "7 → 7 → 7"
    assert reading in described["alt_text"] and text.split("cycle error |x − back| = ")[1][:5] in described["alt_text"]
    assert picture.dtype == np.uint8 and picture.ndim == 3 and picture.shape[0] > 2 * 28 * cyclegan_demo.SCALE
    assert text.count("the classifier reads") == 2 and "cycle error" in text
    again, _ = tab.cycle_examples("7", typeset_digits.HELDOUT_FONTS[1], 4)
    assert np.array_equal(picture, again["value"])
    drawn, text = tab.cycle_sketch(_stroke_sketch())
    assert drawn["value"].shape[0] < picture.shape[0] and "Handwritten → typeset → back" in text


def test_an_uploaded_digit_goes_the_way_its_kind_says(tmp_path):
    path = tmp_path / "seven.png"
    Image.fromarray(255 - typeset_digits.render_digit(7, "cmss10")).resize((112, 112)).save(path)  # dark on light
    _, text = tab.cycle_upload(str(path), tab.CYCLE_KINDS[1])
    assert text.startswith("**Typeset → handwritten")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: tab.cycle_sketch({"background": None, "layers": [np.zeros((280, 280, 4), np.uint8)], "composite": None}),
         "empty"),
        (lambda: tab.cycle_sketch(None), "empty"),
        (lambda: tab.cycle_examples("12", "cmss10", 1), "digit"),
        (lambda: tab.cycle_examples("3", "Comic Sans", 1), "font"),
        (lambda: tab.cycle_examples("3", "cmss10", 101), "example"),
        (lambda: tab.cycle_examples("3", "cmss10", float("nan")), "example"),
        (lambda: tab.cycle_upload(None, tab.CYCLE_KINDS[0]), "No image"),
        (lambda: tab.cycle_upload(data.photo_file("coffee", 64), "a photo"), "kind of digit"),
        (lambda: cyclegan.translate(np.zeros((28, 28)), HANDWRITTEN_TO_TYPESET), "empty"),
        (lambda: cyclegan.translate(np.full((28, 28), np.nan), HANDWRITTEN_TO_TYPESET), "NaN"),
        (lambda: cyclegan.translate(np.ones((32, 32)), HANDWRITTEN_TO_TYPESET), "28×28"),
        (lambda: cyclegan.translate(np.ones((28, 28)), "sideways"), "direction"),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(UserInputError, match=message):
        call()


def test_non_images_and_blank_pictures_are_refused(not_an_image, blank_picture):
    with pytest.raises(UserInputError, match="not an image"):
        tab.cycle_upload(not_an_image, tab.CYCLE_KINDS[0])
    with pytest.raises(UserInputError, match="blank"):
        tab.cycle_upload(blank_picture, tab.CYCLE_KINDS[0])
    with pytest.raises(UserInputError, match="does not look like a single digit"):
        tab.cycle_upload(data.photo_file("coffee", 256), tab.CYCLE_KINDS[1])  # a photo, not a digit


def test_api_answers_an_empty_sketch_clearly(client):
    with pytest.raises(Exception, match="empty"):
        client.predict({"background": None, "layers": [], "composite": None}, api_name="/cyclegan_sketch")
    picture, text = client.predict("5", typeset_digits.HELDOUT_FONTS[0], 2, api_name="/cyclegan_examples")
    assert np.asarray(Image.open(picture)).std() > 10 and "classifier reads" in text
