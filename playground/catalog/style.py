"""Style transfer models: the AdaIN decoder trained by ``python -m playground.train adain_decoder``."""

from __future__ import annotations

from playground import registry, weights
from playground.nets.adain_decoder import AdaINDecoder


def build_decoder() -> AdaINDecoder:
    # The input scale is a constant of the recipe run, not a weight: read it from the card.
    arguments = weights.read_card("adain_decoder").get("arguments", {})
    return AdaINDecoder(input_scale=float(arguments.get("input_scale", 1.0)))


registry.register(
    "adain_decoder",
    builder=build_decoder,
    weights="adain_decoder",
    meta={
        "task": "style-decoder",
        "encoder": "efficientnet_lite0_imagenet",
        "encoder_layer": 4,
        "provenance": "trained by playground/recipes/style.py on bundled photos, textures and procedural art",
    },
)
