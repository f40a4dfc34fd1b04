"""Transfer learning: measured against references (held-out data, autograd, a real photo)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from playground import data, registry
from playground.device import to_model
from playground.errors import UserInputError
from playground.transfer import examples, experiment, export, features, gradcam, head
from playground.transfer import workspace as ws
from playground.backbone_preprocessing import BACKBONE, backbone_input

ROOT = Path(__file__).resolve().parent.parent


def _workspace(sets: dict[str, list[Image.Image]]) -> ws.Workspace:
    workspace = ws.Workspace()
    ws.set_classes(workspace, "\n".join(sets))
    for name, pictures in sets.items():
        ws.add_images(workspace, name, pictures)
    return workspace


def _train(workspace, **settings) -> head.TrainedClassifier:
    updates = list(head.train_classifier(workspace, head.TrainSettings(**settings)))
    assert updates[-1].phase == "done"
    return updates[-1].trained


@pytest.fixture(scope="module")
def photo_workspace() -> ws.Workspace:
    """3 classes × 10 patches of three bundled photos (cat, coffee, rocket)."""
    return _workspace(examples.example_set(examples.EXAMPLE_SETS[1], per_class=10, seed=0))


# ---------------------------------------------------------------- the experiment's claims


def test_frozen_features_linear_head_10_per_class_3_digit_classes():
    train_images, test_images, test_labels = experiment.pick_digits(3, 10, test_per_class=30, seed=0)
    backbone = registry.get(BACKBONE)
    with torch.no_grad():
        train_x, test_x = to_model(backbone, experiment.digit_batch(train_images.reshape(-1, 28, 28)),
                                   experiment.digit_batch(test_images))
        train_features, test_features = backbone.pooled_features(train_x).cpu(), backbone.pooled_features(test_x).cpu()
    labels = torch.arange(3).repeat_interleave(10)
    linear = experiment.train_linear_head(train_features, labels, 3, seed=0)
    accuracy = experiment.accuracy(linear(test_features), torch.from_numpy(test_labels))
    # Measured 0.867 on the 90 held-out MNIST test digits; chance is 0.333.
    assert accuracy >= 0.75


def test_from_scratch_is_lower_than_pretrained_at_small_sizes():
    points = list(experiment.run_experiment(num_classes=3, sizes=(1, 2), test_per_class=30, seed=0))
    assert [p.per_class for p in points] == [1, 2]
    for point in points:
        # Measured: n=1 0.76 vs 0.46, n=2 0.87 vs 0.48.
        assert point.pretrained_accuracy >= point.scratch_accuracy + 0.15, point
        assert point.pretrained_accuracy > 0.6


def test_recalibrated_batchnorm_statistics_are_the_batch_statistics():
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 1), torch.nn.BatchNorm2d(4, momentum=0.01))
    inputs = torch.randn(8, 3, 5, 5) * 3 + 1
    experiment.recalibrate_batchnorm(model, inputs)
    with torch.no_grad():
        conv_out = model[0](inputs)
    torch.testing.assert_close(model[1].running_mean, conv_out.mean(dim=(0, 2, 3)))
    assert model[1].momentum == 0.01 and not model.training


# ---------------------------------------------------------------- teaching your own classes


def test_teach_three_photo_classes_and_classify_new_patches(photo_workspace):
    trained = _train(photo_workspace, epochs=30, seed=0)
    evaluation = trained.evaluation
    assert evaluation.count == 6  # 2 of each class held out (round(0.25 × 10) = 2)
    assert evaluation.confusion.sum() == evaluation.count
    assert set(evaluation.per_class) == {"cat", "coffee", "rocket"}
    assert evaluation.accuracy >= 0.8  # measured 1.0
    # New patches (another seed) of the same photos are recognised.
    fresh = examples.example_set(examples.EXAMPLE_SETS[1], per_class=4, seed=123)
    correct = sum(
        max(head.predict(trained, picture).items(), key=lambda kv: kv[1])[0] == name
        for name, pictures in fresh.items()
        for picture in pictures
    )
    assert correct >= 10  # of 12


def test_stopping_keeps_the_best_epoch_so_far(photo_workspace):
    photo_workspace.classifier = None
    updates = head.train_classifier(photo_workspace, head.TrainSettings(epochs=50, seed=1))
    seen = []
    for update in updates:
        if update.phase == "training":
            seen.append(update)
            if len(seen) == 3:
                break
    updates.close()  # what Gradio does when the visitor presses Stop
    kept = photo_workspace.classifier
    assert kept is not None and 1 <= kept.best_epoch <= 3
    losses = seen[-1].history["heldout_loss"]
    assert losses[kept.best_epoch - 1] == min(losses)


def test_holdout_split_is_stratified_and_disjoint():
    labels = np.repeat(np.arange(4), [2, 5, 10, 3])
    train, held_out = head.split_holdout(labels, 0.25, seed=3)
    assert not set(train) & set(held_out)
    assert sorted([*train, *held_out]) == list(range(len(labels)))
    for label in range(4):
        assert (labels[held_out] == label).sum() >= 1
        assert (labels[train] == label).sum() >= 1


def test_features_are_cached_once_per_image_and_view(photo_workspace):
    cache_before = len(photo_workspace.feature_cache)
    _train(photo_workspace, epochs=2)
    assert len(photo_workspace.feature_cache) == cache_before  # nothing recomputed
    other = _workspace(examples.example_set(examples.EXAMPLE_SETS[2], per_class=2))
    assert other.feature_cache == {}  # each session has its own cache
    _train(other, epochs=1)
    assert len(other.feature_cache) == 6 and len(photo_workspace.feature_cache) == cache_before


def test_feature_progress_says_when_training_starts_at_the_pace_so_far():
    # A class's first frames are this progress for a while (a visitor waits ~20 s for training with 30 at once):
    # from the second picture on, each says when training should start; the last one, done, says nothing more.
    workspace = _workspace(examples.example_set(examples.EXAMPLE_SETS[2], per_class=2))
    progress = [update.message for update in head.train_classifier(workspace, head.TrainSettings(epochs=1))
                if update.phase == "features"]
    assert len(progress) == 6 and progress[0] == "Extracting features: 1/6 new image views"
    for done, message in enumerate(progress[1:-1], start=2):
        assert re.fullmatch(rf"Extracting features: {done}/6 new image views; training starts in about \d+ s at "
                            "this pace", message), message
    assert progress[-1] == "Extracting features: 6/6 new image views"


def test_clean_view_is_the_backbones_own_preprocessing():
    item = ws.store_image(data.photo("coffee"))
    with torch.no_grad():
        reference = features.frozen_output(backbone_input(data.photo("coffee")), "pooled")[0]
        cached = features.frozen_output(features.clean_view(item.pixels).unsqueeze(0), "pooled")[0]
    # Same crop up to a resampling pixel: the embeddings agree closely.
    assert torch.nn.functional.cosine_similarity(reference, cached, dim=0) > 0.98


def test_augmented_views_are_reproducible_and_different():
    item = ws.store_image(data.photo("astronaut"))
    first = features.view_tensor(item, 1)
    assert torch.equal(first, features.view_tensor(item, 1))
    assert not torch.allclose(first, features.view_tensor(item, 2))
    assert not torch.allclose(first, features.view_tensor(item, 0))
    assert first.shape == (3, 224, 224)


def test_finetuning_trains_only_the_unfrozen_blocks(photo_workspace):
    shared_before = registry.get(BACKBONE)._blocks[15]._project_conv.weight.clone()
    trained = _train(photo_workspace, unfrozen_blocks=1, epochs=2, learning_rate=1e-2)
    model = trained.model
    trainable = {name for name, p in model.named_parameters() if p.requires_grad}
    assert any(name.startswith("backbone._blocks.15.") for name in trainable)
    assert not any(name.startswith("backbone._blocks.14.") for name in trainable)
    assert any(name.startswith("backbone._conv_head") for name in trainable)
    # The visitor's copy moved; the shared model did not.
    assert not torch.equal(model.backbone._blocks[15]._project_conv.weight.cpu(), shared_before.cpu())
    assert torch.equal(registry.get(BACKBONE)._blocks[15]._project_conv.weight, shared_before)


# ---------------------------------------------------------------- export


@pytest.mark.parametrize("head_kind,unfrozen", [("linear", 0), ("mlp", 1)])
def test_exported_snippet_reproduces_the_in_app_prediction(photo_workspace, tmp_path, head_kind, unfrozen):
    trained = _train(photo_workspace, head=head_kind, unfrozen_blocks=unfrozen, epochs=3)
    head_path, snippet_path = export.export_head(trained, tmp_path)
    picture_path = tmp_path / "query.png"
    examples.example_set(examples.EXAMPLE_SETS[1], per_class=1, seed=7)["coffee"][0].save(picture_path)
    in_app = head.predict(trained, str(picture_path))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "PLAYGROUND_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, snippet_path.name, str(picture_path), head_path.name],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    from_snippet = json.loads(result.stdout.strip().splitlines()[-1])
    assert list(from_snippet) == trained.class_names
    for name in trained.class_names:
        assert from_snippet[name] == pytest.approx(in_app[name], abs=1e-5)


def test_export_without_training_is_a_clear_error(tmp_path):
    with pytest.raises(UserInputError, match="train a classifier first"):
        export.export_head(None, tmp_path)


# ---------------------------------------------------------------- looking inside


def test_grad_cam_on_chelsea_peaks_on_the_cats_face():
    cam = gradcam.grad_cam(data.photo("chelsea"))
    assert "cat" in cam.label
    x, y = cam.peak_in_original()
    # chelsea() is 451 × 300; the face (eyes at y≈120, nose at (262, 245)) spans x 110–370, y 50–290;
    # the background is the right strip (x > 380) and the top-left corner.
    assert 110 <= x <= 370 and 50 <= y <= 290, (x, y)
    assert cam.heat.shape == (224, 224) and cam.heat.max() == pytest.approx(1.0)


def test_grad_cam_explains_your_own_finetuned_classifier(photo_workspace):
    trained = _train(photo_workspace, unfrozen_blocks=1, epochs=2)
    picture = data.photo("coffee")
    cam = gradcam.grad_cam(picture, trained)
    predicted = head.predict(trained, picture)
    assert cam.label == max(predicted, key=predicted.get)
    assert cam.probability == pytest.approx(predicted[cam.label], abs=1e-5)
    assert cam.heat.shape == (224, 224) and np.isfinite(cam.heat).all()


def test_grad_cam_weights_are_the_classifier_row_over_the_map_area():
    """With pooling + linear after the map, d score / d A = W[c] / (7 · 7) at every position."""
    backbone = registry.get(BACKBONE)
    activation = to_model(backbone, torch.rand(1, 1280, 7, 7)).requires_grad_(True)
    score = backbone.classify_map(activation)[0, 281]
    (gradient,) = torch.autograd.grad(score, activation)
    expected = (backbone._fc.weight[281] / 49).view(1, 1280, 1, 1).expand_as(gradient)
    torch.testing.assert_close(gradient, expected)


def test_feature_maps_show_early_and_late_blocks():
    early, late, caption = gradcam.feature_maps(data.photo("coffee"))
    assert early.size == late.size == (232, 232)
    assert "24 channels of 56×56" in caption and "320 channels of 7×7" in caption


# ---------------------------------------------------------------- bad input


def test_duplicate_and_too_many_class_names_are_refused_and_nothing_changes():
    workspace = _workspace({"cat": [data.photo("chelsea")], "cup": [data.photo("coffee")]})
    with pytest.raises(UserInputError, match="Duplicate class name 'Cat'"):
        ws.set_classes(workspace, "cat\nCat")
    with pytest.raises(UserInputError, match="At most 10 classes"):
        ws.set_classes(workspace, ",".join(f"c{i}" for i in range(11)))
    assert workspace.class_names == ["cat", "cup"] and workspace.count("cat") == 1


def test_training_needs_two_classes_each_with_images():
    workspace = ws.Workspace()
    ws.set_classes(workspace, "only one")
    with pytest.raises(UserInputError, match="at least two classes"):
        list(head.train_classifier(workspace, head.TrainSettings()))
    ws.set_classes(workspace, "only one\nempty")
    ws.add_images(workspace, "only one", [data.photo("coffee"), data.photo("chelsea")])
    with pytest.raises(UserInputError, match="Class 'empty' has no images"):
        list(head.train_classifier(workspace, head.TrainSettings()))
    assert workspace.count("only one") == 2


def test_non_images_are_skipped_and_other_classes_keep_their_images(tmp_path):
    workspace = _workspace({"a": [data.photo("coffee")], "b": [data.photo("rocket")]})
    fake = tmp_path / "notes.png"
    fake.write_text("this is not a picture")
    good = tmp_path / "cat.jpg"
    data.photo("chelsea").save(good)
    added, duplicates, problems = ws.add_images(workspace, "b", [str(fake), str(good)])
    assert (added, duplicates) == (1, 0) and "not an image" in problems[0]
    with pytest.raises(UserInputError, match="Nothing was added.*not an image"):
        ws.add_images(workspace, "a", [str(fake)])
    assert workspace.count("a") == 1 and workspace.count("b") == 2


def test_huge_images_are_downscaled_to_the_stored_square():
    huge = Image.fromarray(np.random.default_rng(0).integers(0, 255, (3000, 4500, 3), dtype=np.uint8))
    item = ws.store_image(huge)
    assert item.pixels.shape == (256, 256, 3)


def test_bad_settings_are_clear_errors(photo_workspace):
    for settings, message in (
        (head.TrainSettings(learning_rate=float("nan")), "learning rate must be a finite number"),
        (head.TrainSettings(epochs=0), "epochs must be a whole number between 1 and 500"),
        (head.TrainSettings(unfrozen_blocks=9), "unfrozen blocks must be a whole number between 0 and 4"),
    ):
        with pytest.raises(UserInputError, match=message):
            list(head.train_classifier(photo_workspace, settings))


def test_the_experiment_reports_progress_inside_a_size_and_the_same_result():
    """With progress on (the live stream's chunks), lines of text come between the points, and the
    points are those of a run without progress."""
    items = list(experiment.run_experiment(num_classes=2, sizes=(1,), test_per_class=5, seed=0, progress=True))
    texts = [item for item in items if isinstance(item, str)]
    points = [item for item in items if not isinstance(item, str)]
    assert texts[0] == f"n = 1 per class: the from-scratch network, step 5/{experiment.SCRATCH_STEPS}"
    assert points == list(experiment.run_experiment(num_classes=2, sizes=(1,), test_per_class=5, seed=0))


def test_look_inside_decodes_the_uploaded_picture_once(monkeypatch, tmp_path):
    from playground import images
    from playground.tabs import transfer as tab

    path = tmp_path / "coffee.png"
    data.photo("coffee").save(path)
    opened = []
    open_file = images._open_file
    monkeypatch.setattr(images, "_open_file", lambda file: opened.append(file) or open_file(file))
    early, late, overlay, caption = tab.look_inside(None, str(path))
    assert opened == [path]
    assert overlay["value"].size[0] > 0 and "Grad-CAM" in caption
    # The overlay's alt text names the class and the confidence the caption reports, and where the evidence is.
    label, confidence = caption.split("Grad-CAM for “")[1].split("” (")[0], caption.split("” (")[1].split("%)")[0]
    assert f"evidence for “{label}”" in overlay["alt_text"] and f"predicted with {confidence} %" in overlay["alt_text"]
    assert re.search(r"strongest in the (top|middle|bottom)? ?(left|centre|right)? ?of the picture", overlay["alt_text"])


def test_the_confusion_matrix_says_the_held_out_accuracies_the_status_and_table_report(photo_workspace):
    """A screen reader hears the confusion plot's caption (its label, copied onto its <img>): the same figures."""
    from playground import alt_text
    from playground.tabs import transfer as tab

    *_, (_, status, _, _, per_class, confusion) = tab.train(photo_workspace, 0, False, "linear", 5, 0.003, 0, 0.3)
    assert isinstance(confusion, alt_text.PlotCaption) and confusion["value"].axes
    caption = confusion["label"]
    accuracy, count = re.search(r"held-out accuracy (\d+)% on (\d+) images", status).groups()
    assert caption.startswith(f"Confusion matrix of the held-out images: {accuracy} % of {count} right"), caption
    assert len(per_class) == 3
    for name, share in per_class:  # ["cat", "67%"]
        assert f"{name} {share[:-1]} %" in caption, (caption, per_class)
