"""``python -m playground.train NAME --remeasure``: new figures on a card, the weights untouched."""

from __future__ import annotations

import json

import torch

from playground import recipes, train, weights
from playground.recipes import Remeasured


def test_remeasure_rewrites_the_metrics_and_says_why(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(weights, "PRETRAINED_DIR", tmp_path)
    monkeypatch.setattr(train, "PRETRAINED_DIR", tmp_path)
    path = weights.save_pretrained("tiny", {"w": torch.ones(3)}, {"recipe": "python -m playground.train tiny",
                                                                   "metrics": {"error": 0.5}, "notes": "old"})
    before = json.loads((tmp_path / "tiny.json").read_text())
    monkeypatch.setitem(recipes._remeasures, "tiny", lambda: Remeasured({"error": 0.25}, why="the app averages two answers"))

    assert train.main(["tiny", "--remeasure"]) == 0
    card = json.loads((tmp_path / "tiny.json").read_text())
    assert card["metrics"] == {"error": 0.25} and card["remeasured"]["why"] == "the app averages two answers"
    assert card["remeasured"]["command"] == "python -m playground.train tiny --remeasure"
    assert card["recipe"] == before["recipe"] and card["notes"] == "old"  # the training's record stays
    assert card["sha256"] == weights.sha256_of(path) == before["sha256"]  # the weights were not touched
    assert weights.verified_weight_file("tiny") == path


def test_remeasure_of_a_recipe_without_one_says_which_have_one(capsys):
    assert train.main(["mnist_cnn", "--remeasure"]) == 2
    assert "pix2pix_emoji" in capsys.readouterr().err
