"""The GANs group's handlers: plain values in and out, shared by its tabs (one module each, beside this one).

Compute lives in ``playground.gans`` (sampling, latent walks, the 2-D GAN, live DCGAN
training, pix2pix, the CycleGANs); this module turns it into the handlers the tabs wire up.
"""

from __future__ import annotations

from dataclasses import replace

import gradio as gr
import numpy as np

from playground import alt_text, checks, data, registry
from playground.errors import UserInputError
from playground.gans import cyclegan, cyclegan_demo, latent, pix2pix, render2d, sampling, sketch_cycle_demo, toy2d
from playground.gans.heldout import heldout_pairs
from playground.gans.live_dcgan import LiveDCGAN
from playground.images import sketch_ink
from playground.ui import SafeNumber

UPLOAD_KINDS = ("picture: find its edges", "line drawing: use its dark lines")
TOY_MAX_ROUNDS_PER_PLAY = 5000  # a Play click stops by itself after this many rounds
LIVE_DCGAN_MAX_STEPS = 3000  # likewise for the live DCGAN (≈ 48 epochs of 4,000 digits)
CYCLE_KINDS = ("handwritten: turn it into type", "typeset: turn it into handwriting")


# ---------------------------------------------------------------- compute → handler values


def dcgan_choices() -> list[tuple[str, str]]:
    return [(registry.meta(name).get("label", name), name) for name in registry.list_models(task="dcgan")]


def _model(name: str) -> str:
    known = registry.list_models(task="dcgan")
    if name not in known:
        raise UserInputError(f"unknown generator {name!r}; choose one of {known}")
    return name


def class_choices(model_name: str) -> tuple[list[str], list[str]]:
    """(choices for a grid, choices for one picture) of a generator: ["all", "0", …] and ["0", …]."""
    names = list(sampling.class_names(model_name)) if model_name in registry.list_models(task="dcgan") else []
    return [sampling.ALL_CLASSES] + names, names


def _one_class(model_name: str, chosen: str) -> str:
    """One class for a walk or a sum: "all" (or nothing) gives the first class; "" for an unconditional generator."""
    names = sampling.class_names(model_name)
    if not names:
        return ""
    return names[0] if not chosen or sampling.asks_every_class(chosen) else chosen


def sample_grid(model_name: str, seed, truncation: float, digit: str = "all") -> np.ndarray:
    """A grid of samples: rows × one column per class (conditional generators, "all"), else 8 × 8."""
    model_name = _model(model_name)
    classes = len(sampling.class_names(model_name))
    count = (64 // classes) * classes if classes and sampling.asks_every_class(digit) else 64
    grid = sampling.sample_grid(model_name, seed, count, truncation, digit)
    if not classes:
        asked = None
    elif sampling.asks_every_class(digit):
        asked = "one column per class, left to right: " + ", ".join(sampling.class_names(model_name))
    else:
        asked = f"every sample asked for {digit}"
    return alt_text.picture(grid, f"{count} samples of {registry.meta(model_name).get('label', model_name)}", asked,
                            f"seed {int(seed)}", f"truncation {truncation:g}")


def interpolate(
    model_name: str, seed_a, seed_b, digit_a: str, digit_b: str, frames: int, mode: str, truncation: float, fps: float = 20
) -> tuple[str, str]:
    """A looping GIF of the walk from seed A to seed B (shown with what it shows, and offered as a download)."""
    fps = checks.real("frames per second", fps, 1, 50)
    model_name = _model(model_name)
    frame_array = latent.interpolation_frames(
        model_name, seed_a, seed_b, frames, mode, truncation, _one_class(model_name, digit_a),
        _one_class(model_name, digit_b),
    )
    path = latent.write_gif(frame_array, fps=fps, scale=max(1, 128 // frame_array.shape[1]))
    ends = [f"seed {int(seed)}" + (f" ({name})" if name else "")
            for seed, name in ((seed_a, _one_class(model_name, digit_a)), (seed_b, _one_class(model_name, digit_b)))]
    walk = alt_text.picture(path, f"An animation walking from {ends[0]} to {ends[1]} and back",
                            f"{len(frame_array)} frames each way along a {mode} path, {fps:g} frames per second")
    return walk, path


def arithmetic(model_name: str, seed_a, seed_b, seed_c, digit: str, truncation: float) -> np.ndarray:
    model_name = _model(model_name)
    strip, _ = latent.arithmetic(model_name, seed_a, seed_b, seed_c, truncation, _one_class(model_name, digit))
    return alt_text.picture(strip, "Latent arithmetic: samples A, B, C and A − B + C",
                            f"seeds {int(seed_a)}, {int(seed_b)}, {int(seed_c)}", _one_class(model_name, digit) or None)


# A pleasant pair of classes for a walk between two of them, and a class for the arithmetic, per generator.
_WALK_DEFAULTS = {"dcgan_mnist": ("3", "8", "5"), "dcgan_emoji": ("faces", "hearts", "faces")}


def walk_defaults(model_name: str) -> tuple[str, str, str]:
    """(class A, class B, the arithmetic's class) a generator's pickers start on; its first class otherwise."""
    _, names = class_choices(model_name)
    first = names[0] if names else ""
    return _WALK_DEFAULTS.get(model_name, (first, first, first))


def columns_note(model_name: str) -> str:
    """What the columns of an "all" grid are, in order."""
    _, names = class_choices(model_name)
    return f"With class *all*, each column is one class, left to right: {' · '.join(names)}." if names else ""


def class_pickers(model_name: str):
    """Updates for the four class pickers and the columns note when the generator changes (pickers hidden for
    an unconditional one)."""
    for_grid, for_one = class_choices(model_name)
    a, b, arith = walk_defaults(model_name)
    shown = bool(for_one)
    return (gr.update(choices=for_grid, value=sampling.ALL_CLASSES, visible=shown),
            gr.update(choices=for_one, value=a, visible=shown), gr.update(choices=for_one, value=b, visible=shown),
            gr.update(choices=for_one, value=arith, visible=shown), columns_note(model_name))


# The 2-D GAN


def toy_new(distribution: str, lr_g: float, lr_d: float, seed, sketch=None) -> toy2d.Toy2DGAN:
    drawn = None
    if distribution == "drawn points":
        drawn = toy2d.points_from_ink(sketch_ink(sketch))
    config = toy2d.ToyConfig(distribution=distribution, lr_g=lr_g, lr_d=lr_d, seed=seed).validated()
    return toy2d.Toy2DGAN(config, drawn=drawn)


def toy_frame(gan: toy2d.Toy2DGAN) -> tuple[np.ndarray, np.ndarray, str]:
    """(heatmap with points, loss chart, status line) for one GAN state."""
    plane = render2d.plane_image(gan.discriminator_map(72), gan.display_real, gan.fake_points())
    chart = render2d.loss_chart(gan.d_losses, gan.g_losses)
    status = f"D steps {gan.steps_d} · G steps {gan.steps_g}"
    if gan.d_losses:
        status += f" · D loss {gan.d_losses[-1]:.3f}"
    if gan.g_losses:
        status += f" · G loss {gan.g_losses[-1]:.3f}"
    if gan.config.distribution == "ring of 8 Gaussians":
        coverage = toy2d.ring_mode_coverage(gan.fake_points(2000))
        status += f" · ring modes covered {coverage['modes_covered']}/8"
    facts = status.replace(" · ", ", ")
    return (alt_text.picture(plane, "The discriminator over the plane (green: real, purple: fake) with the real "
                             f"and generated points, {gan.config.distribution}", facts),
            alt_text.picture(chart, "D and G losses per step", facts), status)


def _toy_ready(state, distribution, lr_g, lr_d, seed, sketch) -> toy2d.Toy2DGAN:
    """The session's 2-D GAN (made on first use); learning rates follow the sliders live."""
    gan = state if state is not None else toy_new(distribution, lr_g, lr_d, seed, sketch)
    rates = replace(gan.config, lr_g=lr_g, lr_d=lr_d).validated()
    for group in gan.opt_g.param_groups:
        group["lr"] = rates.lr_g
    for group in gan.opt_d.param_groups:
        group["lr"] = rates.lr_d
    return gan


def toy_reset(distribution, lr_g, lr_d, seed, sketch):
    gan = toy_new(distribution, lr_g, lr_d, seed, sketch)
    return (gan, *toy_frame(gan))


def toy_distribution_changed(distribution, lr_g, lr_d, seed, sketch):
    """Picking "drawn points" before drawing asks for a drawing instead of raising an error."""
    if distribution == "drawn points":
        try:
            sketch_ink(sketch)
        except UserInputError:
            blank = np.full((360, 360, 3), 250, dtype=np.uint8)
            return None, blank, render2d.loss_chart([], []), "Draw points on the canvas, then press Reset."
    return toy_reset(distribution, lr_g, lr_d, seed, sketch)


def toy_step(which: str, state, distribution, lr_g, lr_d, seed, sketch):
    gan = _toy_ready(state, distribution, lr_g, lr_d, seed, sketch)
    if which == "D":
        gan.step_d()
    else:
        gan.step_g()
    return (gan, *toy_frame(gan))


def toy_step_d(state, distribution, lr_g, lr_d, seed, sketch):
    """One discriminator step (the `toy_step_d` API)."""
    return toy_step("D", state, distribution, lr_g, lr_d, seed, sketch)


def toy_step_g(state, distribution, lr_g, lr_d, seed, sketch):
    """One generator step (the `toy_step_g` API)."""
    return toy_step("G", state, distribution, lr_g, lr_d, seed, sketch)


def toy_play(state, distribution, lr_g, lr_d, seed, sketch, d_steps_per_g, rounds_per_frame, job=None):
    """Train (k D steps, 1 G step) rounds, redrawing every ``rounds_per_frame`` rounds, until Stop.

    Under the live runtime (``job``) a crowded server draws after fewer rounds (``job.scaled``),
    so every visitor's picture keeps moving."""
    gan = _toy_ready(state, distribution, lr_g, lr_d, seed, sketch)
    d_steps = checks.integer("D steps per G step", d_steps_per_g, 1, 10)
    per_frame = checks.integer("rounds per frame", rounds_per_frame, 1, 100)
    done = 0
    while done < TOY_MAX_ROUNDS_PER_PLAY:
        rounds = job.scaled(per_frame) if job is not None else per_frame
        gan.train(rounds, d_steps)
        done += rounds
        yield (gan, *toy_frame(gan))


# Live DCGAN on MNIST


def live_dcgan_reset(seed, lr):
    run = LiveDCGAN(seed=seed, lr=lr)
    return run, *_live_pictures(run), run.summary()


def _live_pictures(run: LiveDCGAN) -> tuple[dict, dict]:
    """The fixed-noise grid and the loss chart, each with what it shows now (step, losses)."""
    facts = f"after {run.steps} training steps" if run.history else "untrained"
    if run.history:
        facts += f", D loss {run.history[-1].d_loss:.3f}, G loss {run.history[-1].g_loss:.3f}"
    return (alt_text.picture(run.fixed_grid(), "The generator's digits from the same 40 noise vectors, one column "
                             "per digit 0 to 9", facts),
            alt_text.picture(_live_chart(run), "D and G losses per step", facts))


def _live_chart(run: LiveDCGAN) -> np.ndarray:
    return render2d.loss_chart([h.d_loss for h in run.history], [h.g_loss for h in run.history])


def live_dcgan_train(state, seed, lr, steps_per_frame, job=None):
    """Continue (or start) this session's DCGAN; redraw the fixed-noise grid every few steps
    (fewer when the server is crowded: ``job.scaled``)."""
    per_frame = checks.integer("steps per frame", steps_per_frame, 1, 50)
    run = state if state is not None else LiveDCGAN(seed=seed, lr=lr)
    target = run.steps + LIVE_DCGAN_MAX_STEPS
    while run.steps < target:
        run.train(min(job.scaled(per_frame) if job is not None else per_frame, target - run.steps))
        if job is not None:
            job.report_progress(LIVE_DCGAN_MAX_STEPS - (target - run.steps), LIVE_DCGAN_MAX_STEPS)
        yield run, *_live_pictures(run), run.summary()


# pix2pix


def _translated(ink, output, dropout: bool, skips: bool, seed) -> dict:
    """The drawing beside pix2pix's emoji, with what it shows (and how the generator was run)."""
    return alt_text.picture(pix2pix.side_by_side(pix2pix.ink_picture(ink), output),
                            "The drawing (left) and the emoji pix2pix paints from it (right)",
                            "dropout on" if dropout else "dropout off",
                            "with skip connections" if skips else "without skip connections", f"seed {int(seed)}")


def _with_words(picture: np.ndarray, words: str, what: str) -> tuple[dict, str]:
    """A result picture whose text alternative is the result's own words (its readings and scores)."""
    return alt_text.picture(picture, what, " ".join(words.replace("**", "").split())), words


def translate_sketch(sketch, dropout: bool, skips: bool, seed) -> dict:
    ink = pix2pix.ink_from_sketch(sketch)
    seed = checks.seed(seed)
    output = pix2pix.translate(ink, bool(dropout), bool(skips), seed)
    return _translated(ink, output, dropout, skips, seed)


def translate_upload(image, kind: str, dropout: bool, skips: bool, seed) -> dict:
    if kind == UPLOAD_KINDS[1]:
        ink = pix2pix.ink_from_line_drawing(image)
    else:
        ink, _ = pix2pix.ink_from_upload(image)
    seed = checks.seed(seed)
    output = pix2pix.translate(ink, bool(dropout), bool(skips), seed)
    return _translated(ink, output, dropout, skips, seed)


def heldout_example_files(count: int = 6) -> list[str]:
    """A few held-out emoji (never trained on) saved as PNGs for the upload examples."""
    from PIL import Image

    folder = data._cache_dir() / "gan_examples"
    folder.mkdir(exist_ok=True)
    _, emoji = heldout_pairs()
    paths = []
    for index in np.linspace(0, len(emoji) - 1, count).astype(int):
        path = folder / f"heldout_emoji_{index}.png"
        if not path.exists():
            Image.fromarray(emoji[index]).resize((128, 128), Image.Resampling.NEAREST).save(path)
        paths.append(str(path))
    return paths


# CycleGAN


def cycle_sketch(sketch) -> tuple[dict, str]:
    """A drawn digit → typeset → back to handwriting (the `cyclegan_sketch` API)."""
    trip = cyclegan_demo.run(cyclegan.digit_from_sketch(sketch), cyclegan.HANDWRITTEN_TO_TYPESET)
    return _with_words(cyclegan_demo.panels([trip]), cyclegan_demo.summary([trip]), "Round trips, one row each: input, translation, back")


def cycle_examples(digit, font: str, example) -> tuple[dict, str]:
    """Both directions for one digit: a held-out MNIST digit and the digit in a held-out font."""
    trips = [
        cyclegan_demo.run(cyclegan_demo.handwritten_example(digit, example), cyclegan.HANDWRITTEN_TO_TYPESET),
        cyclegan_demo.run(cyclegan_demo.typeset_example(digit, font), cyclegan.TYPESET_TO_HANDWRITTEN),
    ]
    return _with_words(cyclegan_demo.panels(trips), cyclegan_demo.summary(trips), "Round trips, one row each: input, translation, back")


def cycle_upload(image, kind: str) -> tuple[dict, str]:
    """A picture of one digit, read like MNIST, in the direction its kind says."""
    kind = checks.choice("kind of digit", kind, CYCLE_KINDS)
    direction = cyclegan.HANDWRITTEN_TO_TYPESET if kind == CYCLE_KINDS[0] else cyclegan.TYPESET_TO_HANDWRITTEN
    trip = cyclegan_demo.run(cyclegan.digit_from_upload(image), direction)
    return _with_words(cyclegan_demo.panels([trip]), cyclegan_demo.summary([trip]), "Round trips, one row each: input, translation, back")


# Sketch ↔ emoji CycleGAN, beside pix2pix


def pairs_sketch(sketch) -> tuple[dict, str]:
    """A drawing → pix2pix and the unpaired CycleGAN side by side (the `pairs_sketch` API)."""
    return _with_words(*sketch_cycle_demo.from_drawing(pix2pix.ink_from_sketch(sketch)), "pix2pix and the unpaired CycleGAN on the same drawing, side by side")


def pairs_heldout(index) -> tuple[dict, str]:
    return _with_words(*sketch_cycle_demo.heldout_comparison(index),
                       "A held-out drawing through pix2pix and the CycleGAN, then the real emoji")


def pairs_upload(image, kind: str) -> tuple[dict, str]:
    """A line drawing goes drawing → emoji; a picture goes picture → drawing → picture (and its traced edges
    through both translators)."""
    kind = checks.choice("kind of picture", kind, UPLOAD_KINDS)
    if kind == UPLOAD_KINDS[1]:
        return _with_words(*sketch_cycle_demo.from_drawing(pix2pix.ink_from_line_drawing(image),
                                                           caption="your line drawing"), "pix2pix and the unpaired CycleGAN on the same drawing, side by side")
    ink, picture = pix2pix.ink_from_upload(image)
    drawing_row, drawing_words = sketch_cycle_demo.from_drawing(ink, caption="its traced edges")
    picture_row, picture_words = sketch_cycle_demo.from_emoji(picture)
    width = drawing_row.shape[1]  # the picture's row has one panel fewer: pad it with white paper
    picture_row = np.pad(picture_row, ((0, 16), (0, width - picture_row.shape[1]), (0, 0)), constant_values=255)
    return _with_words(np.concatenate([picture_row, drawing_row]), picture_words + "\n\n" + drawing_words,
                       "Your picture through the CycleGAN and back, then its traced edges through both translators")


# Before/after sliders: the pictures a visitor sets against each other, full size


def pix2pix_comparison(side_by_side) -> tuple[np.ndarray, np.ndarray] | None:
    """The pix2pix panel (drawing | emoji) → (the drawing, pix2pix's emoji) for the slider."""
    return None if side_by_side is None else pix2pix.split_side_by_side(np.asarray(side_by_side))


PAIRS_COMPARED = ("pix2pix (with pairs)", "CycleGAN (no pairs)")


def pairs_comparison(row, answer: str, against_real: bool):
    """The comparison row → (the reference, the chosen translator's emoji) for the slider, and its caption.
    The reference is the real emoji for a held-out drawing (``against_real``), else the drawing itself."""
    if row is None:
        return None, ""
    answer = checks.choice("translator", answer, PAIRS_COMPARED)
    panels = sketch_cycle_demo.row_panels(np.asarray(row))  # drawing, pix2pix, CycleGAN, real or drawn back
    reference = panels[3] if against_real else panels[0]
    what = "the real emoji" if against_real else "the drawing"
    caption = (f"**{what.capitalize()}** (left) against **{answer}** (right), full size: drag the handle across "
               "the picture, or open it full screen; the download button saves it at full resolution.")
    return (reference, panels[1 + PAIRS_COMPARED.index(answer)]), caption


def seed_number(label: str, value: int, elem_id: str) -> gr.Number:
    return SafeNumber(value=value, label=label, precision=0, minimum=0, maximum=checks.MAX_SEED, elem_id=elem_id)
