"""CNN lab: the seed's network, its training loop, the shipped MNIST classifier."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw, ImageFont

from playground import data, registry, weights
from playground.cnn_lab.evaluation import evaluate_classifier
from playground.cnn_lab.predict import digit_probabilities, sketch_to_digit
from playground.device import to_model
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
    images, labels = data.mnist_tensors("test")
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


# ---------------------------------------------------------------- the seed's loop

from playground.cnn_lab.live import SEED_LBFGS, LabSession, LiveSettings, train_live  # noqa: E402
from playground.cnn_lab.measure import flops, multiply_accumulates, parameter_count  # noqa: E402
from playground.cnn_lab.predict import upload_to_digit  # noqa: E402
from playground.errors import UserInputError  # noqa: E402
from playground.training_loop import BestCheckpoint  # noqa: E402


def test_one_lbfgs_step_with_a_closure_lowers_the_loss():
    torch.manual_seed(0)
    images, labels = data.mnist_tensors("train")
    images, labels = images[:128], labels[:128]
    model = SeedCNN(dropout=0.0)
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=5, line_search_fn="strong_wolfe")
    loss_fn = torch.nn.NLLLoss()

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        return loss

    before = loss_fn(model(images), labels).item()
    optimizer.step(closure)
    after = loss_fn(model(images), labels).item()
    assert after < before - 0.05


def test_save_best_saves_exactly_when_validation_loss_decreases():
    scripted = [0.9, 0.7, 0.8, 0.7, 0.5, float("nan"), 0.6, 0.49, 0.49]
    expected = [True, True, False, False, True, False, False, True, False]
    model = torch.nn.Linear(2, 2)
    checkpoint = BestCheckpoint()
    saved = []
    for epoch, loss in enumerate(scripted, start=1):
        with torch.no_grad():
            model.weight.fill_(epoch)  # so we can tell which epoch's weights were kept
        saved.append(checkpoint.update(loss, model, epoch))
    assert saved == expected
    assert checkpoint.epoch == 8 and checkpoint.best_loss == 0.49
    assert torch.all(checkpoint.state_dict["weight"] == 8)


def test_live_run_logs_a_save_exactly_after_each_decrease_and_keeps_that_checkpoint():
    session = LabSession()
    updates = list(train_live(LiveSettings(optimizer="Adam", epochs=3, digits=400, batch_size=32, seed=3), session))
    final = updates[-1]
    assert final.finished and not final.diverged
    valid = final.history["valid_loss"]
    lines = final.log
    best = float("inf")
    for epoch, loss in enumerate(valid, start=1):
        index = next(i for i, line in enumerate(lines) if line.startswith(f"Epoch: {epoch} "))
        saved = index + 1 < len(lines) and lines[index + 1].startswith("Validation loss decreased")
        assert saved == (loss < best)
        best = min(best, loss)
    assert session.best_loss == pytest.approx(min(valid))
    # the downloadable file holds the best weights
    from safetensors.torch import load_file

    stored = load_file(session.checkpoint_path)
    assert torch.equal(stored["conv1.weight"], session.best_state["conv1.weight"])


def test_diverging_lbfgs_run_says_so_and_keeps_the_best_checkpoint():
    session = LabSession()
    list(train_live(LiveSettings(optimizer="Adam", epochs=1, digits=200, batch_size=32, augment=False), session))
    kept = {key: value.clone() for key, value in session.best_state.items()}
    kept_loss = session.best_loss
    updates = list(train_live(
        LiveSettings(optimizer=SEED_LBFGS, learning_rate=10.0, epochs=3, digits=200, batch_size=180, augment=False),
        session,
    ))
    assert updates[-1].diverged and "smaller learning rate" in updates[-1].diverged
    assert session.best_loss == kept_loss
    assert all(torch.equal(session.best_state[key], kept[key]) for key in kept)


@pytest.mark.parametrize("settings, words", [
    (dict(learning_rate=float("nan")), "finite"),
    (dict(learning_rate=1e6), "learning rate"),
    (dict(epochs=10_000), "epochs"),
    (dict(batch_size=0), "batch size"),
    (dict(valid_percent=95), "validation share"),
    (dict(optimizer="Rprop"), "unknown optimizer"),
])
def test_absurd_hyper_parameters_get_a_clear_message(settings, words):
    with pytest.raises(UserInputError, match=words):
        next(train_live(LiveSettings(**settings), LabSession()))


def test_empty_sketch_and_non_digit_uploads_get_a_clear_message():
    blank_layer = np.zeros((280, 280, 4), dtype=np.uint8)
    with pytest.raises(UserInputError, match="empty"):
        sketch_to_digit({"background": None, "layers": [blank_layer], "composite": None})
    with pytest.raises(UserInputError, match="does not look like a single digit"):
        upload_to_digit(data.photo("chelsea"))
    with pytest.raises(UserInputError, match="blank"):
        upload_to_digit(Image.new("RGB", (100, 100), "white"))


def test_uploaded_dark_on_light_digit_is_read():
    test = data.mnist_test()
    paper = Image.fromarray(255 - test.images[7]).resize((200, 200))  # dark ink on white paper
    assert digit_probabilities(registry.get("mnist_cnn"), upload_to_digit(paper)).argmax() == test.labels[7]


# ---------------------------------------------------------------- counting


def test_parameters_and_flops_of_the_seed_cnn_match_hand_computation():
    model = SeedCNN()
    # weights + biases: conv 1·16·9+16, 16·32·9+32, 32·64·9+64; linear 1024·500+500, 500·10+10
    assert parameter_count(model) == 160 + 4_640 + 18_496 + 512_500 + 5_010
    # multiply-accumulates: output positions × channels × (inputs per output)
    by_hand = {
        "conv1": 32 * 32 * 16 * (1 * 3 * 3),
        "conv2": 16 * 16 * 32 * (16 * 3 * 3),
        "conv3": 8 * 8 * 64 * (32 * 3 * 3),
        "linear1": 1024 * 500,
        "linear2": 500 * 10,
    }
    assert multiply_accumulates(model) == by_hand
    assert flops(model) == 2 * sum(by_hand.values()) == 6_047_504


def test_flops_count_depthwise_convolutions_by_their_groups():
    from playground.nets.compact_cnns import depthwise_separable

    block = depthwise_separable(8, 16, 1)
    macs = multiply_accumulates(torch.nn.Sequential(block), input_shape=(1, 8, 10, 10))
    assert sorted(macs.values()) == [10 * 10 * 8 * 9, 10 * 10 * 16 * 8]


def test_squeezenext_block_follows_the_paper_design():
    from playground.nets.compact_cnns import SqueezeNextBlock

    block = SqueezeNextBlock(64, 64)
    convs = [m for m in block.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [
        (64, 32, (1, 1)), (32, 16, (1, 1)), (16, 32, (3, 1)), (32, 32, (1, 3)), (32, 64, (1, 1))
    ]
    x = torch.randn(2, 64, 7, 7)
    assert block.eval()(x).shape == (2, 64, 7, 7)
    assert isinstance(block.bypass, torch.nn.Identity)


def test_layer_table_receptive_fields():
    from playground.cnn_lab.inside import layer_table

    rows = layer_table(SeedCNN())
    assert [r.output_shape for r in rows[:7]] == [
        "32×32×1", "32×32×16", "16×16×16", "16×16×32", "8×8×32", "8×8×64", "4×4×64"
    ]
    # r ← r + (k − 1)·j, j ← j·s, by hand: 3, 4, 8, 10, 18, 22
    assert [r.receptive_field for r in rows[1:7]] == [f"{n}×{n} px" for n in (3, 4, 8, 10, 18, 22)]


@pytest.mark.parametrize("name", ["mnist_cnn", "mnist_squeezenext", "mnist_squeezenet", "mnist_mobilenet"])
def test_every_lab_model_honours_the_digit_contract_and_its_card(name):
    meta = registry.meta(name)
    assert meta["task"] == "mnist-classifier" and meta["labels"] == [str(d) for d in range(10)]
    model = registry.get(name)
    out = model(to_model(model, torch.rand(3, 1, 28, 28))).cpu()  # (B, 1, 28, 28) in [0, 1]
    assert out.shape == (3, 10)
    assert torch.allclose(out.exp().sum(dim=1), torch.ones(3), atol=1e-4)
    images, labels = data.mnist_tensors("test")
    card = weights.read_card(name)
    assert evaluate_classifier(model, images, labels).accuracy == pytest.approx(
        card["metrics"]["test_accuracy"], abs=0.002
    )


def test_architecture_table_counts_and_reads_the_cards():
    from playground.cnn_lab.architectures import COLUMNS, architecture_rows

    rows = architecture_rows(measure_latency=True, repeats=3)
    assert [row[0] for row in rows] == ["Seed CNN", "SqueezeNext", "SqueezeNet-style", "MobileNet-style"]
    seed_row = dict(zip(COLUMNS, rows[0]))
    assert seed_row["parameters"] == 540_806 and seed_row["MFLOPs / digit"] == pytest.approx(6.05, abs=0.01)
    assert seed_row["test accuracy"] == f"{weights.read_card('mnist_cnn')['metrics']['test_accuracy']:.1%}"
    assert all(isinstance(row[-2], float) and row[-2] > 0 for row in rows)  # measured latencies


def test_a_session_checkpoint_folder_is_removed_when_the_session_ends():
    from pathlib import Path

    session = LabSession()
    list(train_live(LiveSettings(epochs=1, digits=200, batch_size=64, augment=False), session))
    assert Path(session.checkpoint_path).exists()
    session.discard()
    assert not Path(session.folder).exists()


def test_the_lab_pictures_say_the_digit_read_and_the_test_accuracy():
    """Through the tab's real handlers: the network's input picture names the digit read and its confidence
    (the Prediction label's figures); the live run's last frame brings a confusion matrix whose alt text carries
    the test accuracy the summary reports."""
    from playground.tabs import cnn_lab as tab

    test = data.mnist_test()
    big = np.asarray(Image.fromarray(test.images[137]).resize((280, 280), Image.Resampling.BILINEAR)) / 255.0
    sketch = {"background": None, "layers": [_alpha_layer(big)], "composite": None}
    label, seen, _, filters = tab.classify_sketch(sketch, tab.SHIPPED, None)
    best = max(label, key=label.get)
    assert best == str(test.labels[137])
    assert f"read as {best} ({100 * label[best]:.1f} %)" in seen["alt_text"]
    assert "kernels of 3×3" in filters["alt_text"]
    frames = list(tab.train("Adam", 1e-3, 1, 32, 0.0, False, 0, 10, 400, False, None))
    summary, confusion = frames[-1][5], frames[-1][6]
    accuracy = summary.split("**Test accuracy: ")[1].split("**")[0]  # e.g. "93.40%"
    assert f"test accuracy {accuracy.replace('%', ' %')}" in confusion["alt_text"]
