"""The architecture table: the seed CNN against SqueezeNext, SqueezeNet and MobileNet styles.

Parameters and FLOPs are counted from the networks; accuracy, epochs and training time
come from each model's card (all trained by the same recipe, ``playground.cnn_lab.train_digits``);
latency is measured live, here, on the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from playground import registry, weights
from playground.cnn_lab.measure import flops, latency_ms, parameter_count
from playground.errors import WeightsError
from playground.nets.compact_cnns import MobileNetDigits, SqueezeNetDigits, SqueezeNextDigits
from playground.nets.seed_cnn import SeedCNN


@dataclass(frozen=True)
class Contender:
    label: str
    model_name: str  # registry / card name
    builder: Callable[[], nn.Module]
    design: str


CONTENDERS = (
    Contender("Seed CNN", "mnist_cnn", SeedCNN, "3× (3×3 conv + max-pool), 16/32/64 ch, linear 500"),
    Contender("SqueezeNext", "mnist_squeezenext", SqueezeNextDigits,
              "1×1 → 1×1 squeeze, 3×1 + 1×3, 1×1 expand, bypass; 6 blocks, 32/64/128 ch"),
    Contender("SqueezeNet-style", "mnist_squeezenet", SqueezeNetDigits,
              "Fire modules (1×1 squeeze, 1×1 ‖ 3×3 expand), conv classifier"),
    Contender("MobileNet-style", "mnist_mobilenet", MobileNetDigits,
              "depthwise 3×3 + pointwise 1×1 blocks, 64/128/256 ch"),
)

COLUMNS = ["architecture", "design", "parameters", "MFLOPs / digit", "test accuracy", "epochs",
           "training wall time (s)", "latency, 1 digit (ms)", "latency, 64 digits (ms per digit)"]

SQUEEZENEXT_NOTE = (
    "SqueezeNext's published speed-ups were measured on a simulated embedded accelerator, where fewer "
    "multiply-accumulates and small separable kernels keep the compute array busy; on a CPU a tiny "
    "network's time goes mostly to per-layer overhead (SqueezeNext runs ~40 small layers with batch norm, "
    "the seed CNN 5), so it measures slower here despite a similar FLOP count."
)


def _card_metrics(name: str) -> tuple[str, str, str]:
    try:
        card = weights.read_card(name)
    except WeightsError:
        return "not trained yet", "—", "—"
    accuracy = card.get("metrics", {}).get("test_accuracy")
    return (f"{accuracy:.1%}" if accuracy is not None else "—", str(card.get("epochs", "—")),
            str(card.get("wall_time_s", "—")))


def architecture_rows(measure_latency: bool, repeats: int = 30) -> list[list]:
    """One row per contender, in COLUMNS order; latency cells are measured now when asked."""
    rows = []
    for contender in CONTENDERS:
        model = contender.builder().eval()  # weights do not change the cost; a fresh CPU copy
        accuracy, epochs, seconds = _card_metrics(contender.model_name)
        row = [contender.label, contender.design, parameter_count(model), round(flops(model) / 1e6, 2),
               accuracy, epochs, seconds]
        if measure_latency:
            with torch.inference_mode():
                row += [round(latency_ms(model, 1, repeats), 3), round(latency_ms(model, 64, max(5, repeats // 3)) / 64, 3)]
        else:
            row += ["press “Measure latency”", ""]
        rows.append(row)
    return rows


def contender(label_or_name: str) -> Contender:
    for item in CONTENDERS:
        if label_or_name in (item.label, item.model_name):
            return item
    raise KeyError(f"unknown architecture {label_or_name!r}; known: {[c.label for c in CONTENDERS]}")


def shipped_digit_models() -> list[str]:
    """Registered MNIST classifiers whose weights exist (feeds the model dropdown)."""
    return registry.list_models(task="mnist-classifier")
