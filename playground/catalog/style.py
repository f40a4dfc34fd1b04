"""Style transfer models: the AdaIN decoder trained by ``python -m playground.train adain_decoder``."""

from __future__ import annotations

from playground import registry, weights
from playground.inference import Example, FastPaths, seeded
from playground.nets.adain_decoder import ENCODER_LAYERS, AdaINDecoder, AdaINDecoderPair


def build_decoder() -> AdaINDecoder | AdaINDecoderPair:
    # The input scale, the block-8 branch, α as an input and the pairing are settings of the
    # recipe run: read them from the card.
    arguments = weights.read_card("adain_decoder").get("arguments", {})
    scale = float(arguments.get("input_scale", 1.0))
    decoder = AdaINDecoder(input_scale=scale, block8=bool(arguments.get("block8", False)),
                           alpha_input=bool(arguments.get("alpha_input", False)))
    if arguments.get("pair_with"):  # a fixed three-level reconstruction decoder beside this painting one
        return AdaINDecoderPair(AdaINDecoder(input_scale=scale), decoder)
    return decoder


# Blocks 4, 2, 0 (and 8) of a 512×344 photo with its 16 px reflected margins, padded to a multiple of 16 (544×384).
THREE_MAPS = ((1, 40, 48, 68), (1, 24, 96, 136), (1, 16, 192, 272))
BLOCK8_MAP = (1, 112, 24, 34)


def fast_paths() -> FastPaths:
    """The decoder calls onnxruntime serves: ``forward``, or for a pair each of its two decoders."""
    arguments = weights.read_card("adain_decoder").get("arguments", {})
    block8 = bool(arguments.get("block8", False))
    painting_maps = THREE_MAPS + ((BLOCK8_MAP,) if block8 else ())
    if not arguments.get("pair_with"):
        return FastPaths((Example("forward", seeded(*painting_maps, high=4.0), label="decode 512x344", warm=True),))
    return FastPaths((
        Example("reconstruct.forward", seeded(*THREE_MAPS, high=4.0), label="reconstruct 512x344 (α = 0)", warm=True),
        Example("paint.forward", seeded(*painting_maps, high=4.0), label="paint 512x344 (α = 1)", warm=True),
    ))


registry.register(
    "adain_decoder",
    builder=build_decoder,
    weights="adain_decoder",
    meta={
        "task": "style-decoder",
        "encoder": "efficientnet_lite0_imagenet",
        "encoder_layers": ENCODER_LAYERS,
        "inference": fast_paths(),
        "provenance": "trained by playground/recipes/style.py on bundled photos, textures and procedural art",
    },
)
