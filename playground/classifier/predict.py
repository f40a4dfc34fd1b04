"""A photo's most likely ImageNet classes, from the pretrained EfficientNet-Lite0 in the registry."""

from __future__ import annotations

import torch

from playground import registry
from playground.backbone_preprocessing import BACKBONE, backbone_input
from playground.device import to_model
from playground.images import load_image


def classify(image, top_k: int = 5, model_name: str = BACKBONE) -> dict[str, float]:
    """{label: probability} for the ``top_k`` most likely ImageNet classes of ``image``."""
    picture = load_image(image)
    model = registry.get(model_name)
    labels = registry.meta(model_name)["labels"]()
    with torch.inference_mode():
        probabilities = model(to_model(model, backbone_input(picture, model_name))).softmax(dim=1)[0]  # (1000,)
    values, indices = probabilities.topk(top_k)
    return {labels[i]: float(p) for p, i in zip(values.tolist(), indices.tolist())}
