"""Style transfer models: the AdaIN decoder trained by ``python -m playground.train adain_decoder``."""

from __future__ import annotations

from playground import registry, weights
from playground.inference import Example, FastPaths, seeded
from playground.nets.adain_decoder import ENCODER_LAYERS, AdaINDecoder


def build_decoder() -> AdaINDecoder:
    # The input scale and the block-8 branch are settings of the recipe run: read them from the card.
    arguments = weights.read_card("adain_decoder").get("arguments", {})
    return AdaINDecoder(input_scale=float(arguments.get("input_scale", 1.0)), block8=bool(arguments.get("block8", False)))


registry.register(
    "adain_decoder",
    builder=build_decoder,
    weights="adain_decoder",
    meta={
        "task": "style-decoder",
        "encoder": "efficientnet_lite0_imagenet",
        "encoder_layers": ENCODER_LAYERS,
        # blocks 4, 2 and 0 of a 512×344 photo with its 16 px reflected margins, padded to a multiple of 16 (544×384)
        "inference": FastPaths((Example("forward", seeded((1, 40, 48, 68), (1, 24, 96, 136), (1, 16, 192, 272), high=4.0),
                                        label="decode 512x344", warm=True),)),
        "provenance": "trained by playground/recipes/style.py on bundled photos, textures and procedural art",
    },
)
