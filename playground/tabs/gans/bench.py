"""Benchmark rows of the GANs group's tabs (``python -m playground.bench --only GAN``)."""

from __future__ import annotations

import numpy as np

from playground import inference, registry
from playground.bench_rows import BenchCase
from playground.catalog.gans import latents_and_digits, latents_and_groups
from playground.gans import cyclegan, cyclegan_demo, pix2pix, sampling, sketch_cycle, typeset_digits
from playground.gans.heldout import heldout_pairs
from playground.tabs.gans.handlers import (cycle_examples, interpolate, pairs_heldout, toy_frame, toy_new,
                                           translate_sketch)


def bench_cases() -> list[BenchCase]:
    toy_state: dict = {}

    def toy_setup():
        toy_state["gan"] = toy_new("ring of 8 Gaussians", 1e-3, 1e-3, 0)

    def toy_one_frame():
        gan = toy_state["gan"]
        gan.train(10)  # the UI's default rounds per frame
        return toy_frame(gan)

    def heldout_ink():
        return heldout_pairs()[0][0]

    layer = np.zeros((400, 400, 4), dtype=np.uint8)  # a Sketchpad layer: a circle drawn with a 4 px pen
    yy, xx = np.mgrid[:400, :400]
    layer[np.abs(np.hypot(yy - 200, xx - 200) - 120) < 2, 3] = 255
    sketch = {"background": None, "layers": [layer], "composite": None}

    return [
        BenchCase(
            name="GAN: 64 DCGAN digit samples as a grid",
            run=lambda: sampling.sample_grid("dcgan_mnist", 7, 64),
            setup=lambda: registry.get("dcgan_mnist"),
            target_ms=100,
            reference=inference.onnxruntime_reference("dcgan_mnist", "generator.forward", latents_and_digits(64)()),
        ),
        BenchCase(
            name="GAN: 64 DCGAN emoji samples as a grid",
            run=lambda: sampling.sample_grid("dcgan_emoji", 7, 64),
            setup=lambda: registry.get("dcgan_emoji"),
            target_ms=100,
            reference=inference.onnxruntime_reference("dcgan_emoji", "generator.forward", latents_and_groups(64)()),
        ),
        BenchCase(
            name="GAN: one pix2pix translation (128×128, input | output)",
            run=lambda: pix2pix.side_by_side(pix2pix.ink_picture(heldout_ink()), pix2pix.translate(heldout_ink())),
            setup=lambda: registry.get("pix2pix_emoji"),
            target_ms=150,
            reference=inference.onnxruntime_reference("pix2pix_emoji", "generator.forward",
                                                      inference.seeded((1, 1, 128, 128), low=-1, high=1)(),
                                                      {"mirror": True}),
        ),
        BenchCase(
            name="GAN: pix2pix from a 400×400 sketch (ink, 128 px, U-Net, side by side)",
            run=lambda: translate_sketch(sketch, False, True, 0),
            setup=lambda: registry.get("pix2pix_emoji"),
            target_ms=150,
        ),
        BenchCase(
            name="GAN: one CycleGAN digit translation (28×28, there only)",
            run=lambda: cyclegan.translate(cyclegan_demo.handwritten_example(3, 1), cyclegan.HANDWRITTEN_TO_TYPESET),
            setup=lambda: registry.get("cyclegan_digits"),
            target_ms=20,
            reference=inference.onnxruntime_reference("cyclegan_digits", "g_ab.forward",
                                                      inference.seeded((1, 1, 28, 28), low=-1, high=1)()),
        ),
        BenchCase(
            name="GAN: CycleGAN both directions for a digit (2 round trips, classifier, panels)",
            run=lambda: cycle_examples(3, typeset_digits.HELDOUT_FONTS[0], 1),
            setup=lambda: registry.get("cyclegan_digits"),
            target_ms=150,
        ),
        BenchCase(
            name="GAN: one CycleGAN drawing → emoji (128×128, there only)",
            run=lambda: sketch_cycle.sketches_to_emoji(registry.get(sketch_cycle.MODEL), heldout_ink()[None],
                                                       back=False),
            setup=lambda: registry.get(sketch_cycle.MODEL),
            target_ms=100,
            reference=inference.onnxruntime_reference(sketch_cycle.MODEL, "g_ab.forward",
                                                      inference.seeded((1, 1, 128, 128), low=-1, high=1)()),
        ),
        BenchCase(
            name="GAN: pix2pix beside the CycleGAN for a held-out drawing (both, way back, panels)",
            run=lambda: pairs_heldout(1),
            setup=lambda: (registry.get(sketch_cycle.MODEL), registry.get("pix2pix_emoji")),
            target_ms=300,
        ),
        BenchCase(
            name="GAN: 60-frame slerp interpolation + GIF (digits)",
            run=lambda: interpolate("dcgan_mnist", 1, 2, "3", "8", 60, "slerp", 3.0),
            setup=lambda: registry.get("dcgan_mnist"),
            target_ms=2000,
            repeats=5,
        ),
        BenchCase(
            name="GAN: one live 2-D GAN frame (10 D+G rounds, heatmap, losses)",
            run=toy_one_frame,
            setup=toy_setup,
            target_ms=100,
        ),
    ]
