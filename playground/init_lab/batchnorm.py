"""Batch norm's two modes, measured: train mode (batch statistics) vs eval mode (running statistics).

``normalised_stats``: what each BN layer's normalised output looks like in either mode.
``pitfalls``: train a small BN net on MNIST, then measure on the 1,000 held-out digits what
happens with the right habit (``model.eval()``) and with the two classic mistakes:
forgetting ``model.eval()`` (predictions then depend on which other digits share the
batch, and every forward pass overwrites the running statistics) and batch size 1
(BatchNorm1d refuses it in train mode; BatchNorm2d accepts it and normalises each image
by itself).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from playground import checks, data
from playground.init_schemes import initialise_model_
from playground.init_lab.race import ARCHITECTURES, RaceSettings, build_model
from playground.init_lab.settings import scheme_gain

BN_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d)


@dataclass
class LayerModeStats:
    name: str  # e.g. "BatchNorm2d #1 (16 channels)"
    train_mean: float  # mean over channels of |channel mean| of the normalised output, train mode
    train_std: float  # mean over channels of the channel std, train mode
    eval_mean: float
    eval_std: float


def normalised_stats(model: nn.Module, images: torch.Tensor) -> list[LayerModeStats]:
    """For every BN layer: the normalised values x̂ = (y − β)/γ of one batch, per channel, in both modes.

    Train mode standardises with the batch's own statistics, so x̂ has mean 0 and std 1 per
    channel by construction; eval mode uses the running estimates, so it only comes close.
    The model is copied: a train-mode pass would otherwise change its running statistics.
    """
    results: dict[str, dict[str, tuple[float, float]]] = {}
    for mode in ("train", "eval"):
        probe = copy.deepcopy(model)
        probe.train(mode == "train")
        captured: dict[str, torch.Tensor] = {}
        handles = []
        for name, module in probe.named_modules():
            if isinstance(module, BN_TYPES):
                handles.append(module.register_forward_hook(_capture(name, captured)))
        with torch.no_grad():
            probe(images)
        for handle in handles:
            handle.remove()
        for name, normalised in captured.items():
            per_channel = normalised.transpose(0, 1).flatten(1)  # (C, B) or (C, B·H·W)
            mean = float(per_channel.mean(dim=1).abs().mean())
            std = float(per_channel.std(dim=1, unbiased=False).mean())
            results.setdefault(name, {})[mode] = (mean, std)
    layers = []
    bn_modules = [(n, m) for n, m in model.named_modules() if isinstance(m, BN_TYPES)]
    for number, (name, module) in enumerate(bn_modules, start=1):
        (train_mean, train_std), (eval_mean, eval_std) = results[name]["train"], results[name]["eval"]
        label = f"{type(module).__name__} #{number} ({module.num_features} channels)"
        layers.append(LayerModeStats(label, train_mean, train_std, eval_mean, eval_std))
    return layers


def _capture(name: str, store: dict[str, torch.Tensor]):
    def hook(module: nn.Module, inputs, output: torch.Tensor) -> None:
        store[name] = (output - module.bias.view(1, -1, *[1] * (output.dim() - 2))) / module.weight.view(
            1, -1, *[1] * (output.dim() - 2)
        )

    return hook


@dataclass
class PitfallRow:
    situation: str
    accuracy: float | None  # on the 1,000 held-out digits; None where PyTorch refused
    note: str


@dataclass
class PitfallReport:
    architecture: str
    epochs: int
    rows: list[PitfallRow]
    fresh_layers: list[LayerModeStats]  # a freshly initialised BN net, before any training
    trained_layers: list[LayerModeStats]  # the same net after training
    running_mean_drift: float  # relative change of the running means after one "evaluation" in train mode


def train_bn_model(architecture: str, epochs: int, seed: int) -> nn.Module:
    """A BN net (Kaiming init, Adam, batch 64) trained on the 4,000 training digits."""
    settings = RaceSettings(["kaiming_normal"], architecture=architecture, bn_mode="on", hidden_layers=3, seed=seed)
    model = build_model(settings, batch_norm=True)
    initialise_model_(model, "kaiming_normal", scheme_gain("kaiming_normal", "relu"),
                      torch.Generator().manual_seed(seed))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    images, labels = data.mnist_tensors("train", "standard")
    order_generator = torch.Generator().manual_seed(seed + 1)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(images), generator=order_generator)
        for start in range(0, len(images) - 1, 64):
            index = order[start : start + 64]  # (64,)
            optimizer.zero_grad()
            F.cross_entropy(model(images[index]), labels[index]).backward()
            optimizer.step()
    return model


def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int, train_mode: bool) -> float:
    """Share of correct predictions, feeding ``images`` in the given order, ``batch_size`` at a time."""
    model.train(train_mode)
    correct = 0
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            logits = model(images[start : start + batch_size])  # (b, 10)
            correct += int((logits.argmax(1) == labels[start : start + batch_size]).sum())
    return correct / len(images)


def running_means(model: nn.Module) -> torch.Tensor:
    return torch.cat([m.running_mean.clone() for m in model.modules() if isinstance(m, BN_TYPES)])


def pitfalls(architecture: str = "mlp", epochs: int = 2, seed: int = 0) -> PitfallReport:
    checks.choice("architecture", architecture, sorted(ARCHITECTURES))
    epochs = checks.integer("epochs", epochs, 1, 5)
    seed = checks.seed(seed)
    images, labels = data.mnist_tensors("test", "standard")  # (1000, 1, 28, 28), (1000,): never trained on
    shuffled = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    by_class = torch.argsort(labels, stable=True)  # all 0s, then all 1s, …: each batch of 100 is one digit

    fresh = build_model(RaceSettings(["kaiming_normal"], architecture=architecture, hidden_layers=3), batch_norm=True)
    initialise_model_(fresh, "kaiming_normal", scheme_gain("kaiming_normal", "relu"), torch.Generator().manual_seed(seed))
    fresh_layers = normalised_stats(fresh, images[shuffled[:256]])

    model = train_bn_model(architecture, epochs, seed)
    model.eval()
    trained_layers = normalised_stats(model, images[shuffled[:256]])
    eval_100 = accuracy(model, images[shuffled], labels[shuffled], 100, train_mode=False)
    eval_1 = accuracy(model, images[shuffled], labels[shuffled], 1, train_mode=False)
    rows = [
        PitfallRow("model.eval(), batches of 100 (the right way)", eval_100,
                   "running statistics: each prediction depends on its own digit only"),
        PitfallRow("model.eval(), batch size 1", eval_1,
                   ("the same as batches of 100" if eval_1 == eval_100 else f"differs by {100 * (eval_1 - eval_100):+.1f} points")
                   + ": eval mode never looks at the rest of the batch"),
        PitfallRow("forgot model.eval(): train mode, mixed batches of 100",
                   accuracy(copy.deepcopy(model), images[shuffled], labels[shuffled], 100, train_mode=True),
                   "batch statistics of 100 mixed digits happen to be close to the running ones"),
    ]
    drifted = copy.deepcopy(model)
    before = running_means(drifted)
    rows.append(PitfallRow("forgot model.eval(): train mode, each batch = 100 digits of one class",
                           accuracy(drifted, images[by_class], labels[by_class], 100, train_mode=True),
                           "each batch is normalised against itself, so what the digits share is subtracted away"))
    after = running_means(drifted)
    drift = float((after - before).norm() / before.norm().clamp_min(1e-12))
    after_drift = accuracy(drifted, images[shuffled], labels[shuffled], 100, train_mode=False)
    rows.append(PitfallRow("model.eval() again, after that train-mode pass", after_drift,
                           f"those train-mode passes also rewrote the running means (by {100 * drift:.1f} %, "
                           f"last fed: batches of 9s); eval accuracy went from {100 * rows[0].accuracy:.1f} % "
                           f"to {100 * after_drift:.1f} %"))
    try:
        single = accuracy(copy.deepcopy(model), images[shuffled], labels[shuffled], 1, train_mode=True)
        rows.append(PitfallRow("forgot model.eval(): train mode, batch size 1", single,
                               "BatchNorm2d normalises each image by its own per-channel statistics"))
    except ValueError as error:  # BatchNorm1d: "Expected more than 1 value per channel when training …"
        rows.append(PitfallRow("forgot model.eval(): train mode, batch size 1", None, f"PyTorch refuses: {error}"))
    return PitfallReport(architecture, epochs, rows, fresh_layers, trained_layers, drift)
