"""Style transfer models: the AdaIN decoder trained by ``python -m playground.train adain_decoder``."""

from __future__ import annotations

from playground import registry, weights
from playground.inference import Example, FastPaths, seeded
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
        # block-4 features of a 512×344 photo: (1, 40, 43, 64), values ≈ 0–8
        "inference": FastPaths((Example("forward", seeded((1, 40, 43, 64), high=8.0), label="decode 512x344",
                                        warm=True),)),
        "provenance": "trained by playground/recipes/style.py on bundled photos, textures and procedural art",
    },
)
