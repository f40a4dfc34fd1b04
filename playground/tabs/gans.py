"""GAN lab: sample and walk the latent space of real DCGANs, train GANs live, sketch → emoji with pix2pix,
and handwritten ↔ typeset digits and drawings ↔ emoji with CycleGANs.

Compute lives in ``playground.gans`` (sampling, latent walks, the 2-D GAN, live DCGAN
training, pix2pix, the CycleGANs); this module turns it into handlers and builds the UI.
"""

from __future__ import annotations

from dataclasses import replace

import gradio as gr
import numpy as np

from playground import checks, data, inference, registry
from playground.catalog.gans import latents_and_digits, latents_and_groups
from playground.bench_rows import BenchCase
from playground.errors import UserInputError
from playground.gans import (cyclegan, cyclegan_demo, latent, pix2pix, render2d, sampling, sketch_cycle,
                             sketch_cycle_demo, toy2d,
                             typeset_digits)
from playground.gans.heldout import heldout_pairs
from playground.gans.live_dcgan import LiveDCGAN
from playground.images import sketch_ink
from playground import live_ui
from playground.ui import HEAVY, SafeImage, SafeNumber, SafeSketchpad, explainer, friendly, show_on_first_visit

TITLE = "GANs"
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
    return sampling.sample_grid(model_name, seed, count, truncation, digit)


def interpolate(
    model_name: str, seed_a, seed_b, digit_a: str, digit_b: str, frames: int, mode: str, truncation: float, fps: float = 20
) -> tuple[str, str]:
    """A looping GIF of the walk from seed A to seed B (shown, and offered as a download)."""
    fps = checks.real("frames per second", fps, 1, 50)
    model_name = _model(model_name)
    frame_array = latent.interpolation_frames(
        model_name, seed_a, seed_b, frames, mode, truncation, _one_class(model_name, digit_a),
        _one_class(model_name, digit_b),
    )
    path = latent.write_gif(frame_array, fps=fps, scale=max(1, 128 // frame_array.shape[1]))
    return path, path


def arithmetic(model_name: str, seed_a, seed_b, seed_c, digit: str, truncation: float) -> np.ndarray:
    model_name = _model(model_name)
    strip, _ = latent.arithmetic(model_name, seed_a, seed_b, seed_c, truncation, _one_class(model_name, digit))
    return strip


# A pleasant pair of classes for a walk between two of them, and a class for the arithmetic, per generator.
_WALK_DEFAULTS = {"dcgan_mnist": ("3", "8", "5"), "dcgan_emoji": ("faces", "hearts", "faces")}


def _walk_defaults(model_name: str) -> tuple[str, str, str]:
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
    a, b, arith = _walk_defaults(model_name)
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
    return plane, chart, status


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
    return run, run.fixed_grid(), _live_chart(run), run.summary()


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
        yield run, run.fixed_grid(), _live_chart(run), run.summary()


# pix2pix


def translate_sketch(sketch, dropout: bool, skips: bool, seed) -> np.ndarray:
    ink = pix2pix.ink_from_sketch(sketch)
    output = pix2pix.translate(ink, bool(dropout), bool(skips), checks.seed(seed))
    return pix2pix.side_by_side(pix2pix.ink_picture(ink), output)


def translate_upload(image, kind: str, dropout: bool, skips: bool, seed) -> np.ndarray:
    if kind == UPLOAD_KINDS[1]:
        ink = pix2pix.ink_from_line_drawing(image)
    else:
        ink, _ = pix2pix.ink_from_upload(image)
    output = pix2pix.translate(ink, bool(dropout), bool(skips), checks.seed(seed))
    return pix2pix.side_by_side(pix2pix.ink_picture(ink), output)


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


def cycle_sketch(sketch) -> tuple[np.ndarray, str]:
    """A drawn digit → typeset → back to handwriting (the `cyclegan_sketch` API)."""
    trip = cyclegan_demo.run(cyclegan.digit_from_sketch(sketch), cyclegan.HANDWRITTEN_TO_TYPESET)
    return cyclegan_demo.panels([trip]), cyclegan_demo.summary([trip])


def cycle_examples(digit, font: str, example) -> tuple[np.ndarray, str]:
    """Both directions for one digit: a held-out MNIST digit and the digit in a held-out font."""
    trips = [
        cyclegan_demo.run(cyclegan_demo.handwritten_example(digit, example), cyclegan.HANDWRITTEN_TO_TYPESET),
        cyclegan_demo.run(cyclegan_demo.typeset_example(digit, font), cyclegan.TYPESET_TO_HANDWRITTEN),
    ]
    return cyclegan_demo.panels(trips), cyclegan_demo.summary(trips)


def cycle_upload(image, kind: str) -> tuple[np.ndarray, str]:
    """A picture of one digit, read like MNIST, in the direction its kind says."""
    kind = checks.choice("kind of digit", kind, CYCLE_KINDS)
    direction = cyclegan.HANDWRITTEN_TO_TYPESET if kind == CYCLE_KINDS[0] else cyclegan.TYPESET_TO_HANDWRITTEN
    trip = cyclegan_demo.run(cyclegan.digit_from_upload(image), direction)
    return cyclegan_demo.panels([trip]), cyclegan_demo.summary([trip])


# Sketch ↔ emoji CycleGAN, beside pix2pix


def pairs_sketch(sketch) -> tuple[np.ndarray, str]:
    """A drawing → pix2pix and the unpaired CycleGAN side by side (the `pairs_sketch` API)."""
    return sketch_cycle_demo.from_drawing(pix2pix.ink_from_sketch(sketch))


def pairs_heldout(index) -> tuple[np.ndarray, str]:
    return sketch_cycle_demo.heldout_comparison(index)


def pairs_upload(image, kind: str) -> tuple[np.ndarray, str]:
    """A line drawing goes drawing → emoji; a picture goes picture → drawing → picture (and its traced edges
    through both translators)."""
    kind = checks.choice("kind of picture", kind, UPLOAD_KINDS)
    if kind == UPLOAD_KINDS[1]:
        return sketch_cycle_demo.from_drawing(pix2pix.ink_from_line_drawing(image), caption="your line drawing")
    ink, picture = pix2pix.ink_from_upload(image)
    drawing_row, drawing_words = sketch_cycle_demo.from_drawing(ink, caption="its traced edges")
    picture_row, picture_words = sketch_cycle_demo.from_emoji(picture)
    width = drawing_row.shape[1]  # the picture's row has one panel fewer: pad it with white paper
    picture_row = np.pad(picture_row, ((0, 16), (0, width - picture_row.shape[1]), (0, 0)), constant_values=255)
    return np.concatenate([picture_row, drawing_row]), picture_words + "\n\n" + drawing_words


# ---------------------------------------------------------------- UI


def _seed(label: str, value: int, elem_id: str) -> gr.Number:
    return SafeNumber(value=value, label=label, precision=0, minimum=0, maximum=checks.MAX_SEED, elem_id=elem_id)


def _sampling_lab() -> None:
    choices = dcgan_choices()
    names = [name for _, name in choices]
    default = "dcgan_mnist" if "dcgan_mnist" in names else (names[0] if names else None)
    with gr.Row():
        model = gr.Dropdown(choices, value=default, label="Generator", elem_id="gan-model")
        truncation = gr.Slider(
            sampling.MIN_TRUNCATION, sampling.NO_TRUNCATION, value=sampling.NO_TRUNCATION, step=0.05,
            label="Truncation (3 = off; lower = more typical, less varied)", elem_id="gan-truncation",
        )
    with gr.Tab("Sample a grid"):
        with gr.Row():
            seed = _seed("Seed", 0, "gan-seed")
            grid_choices, one_choices = class_choices(default)
            a, b, arith = _walk_defaults(default)
            digit = gr.Dropdown(grid_choices, value=sampling.ALL_CLASSES, label="Class (a digit, an emoji group)",
                                elem_id="gan-digit")
            sample = gr.Button("Sample grid", variant="primary", elem_id="gan-sample")
        grid = gr.Image(label="Samples", type="numpy", format="png", elem_id="gan-grid", height=420)
        columns = gr.Markdown(columns_note(default), elem_id="gan-columns")
    with gr.Tab("Interpolate"):
        with gr.Row():
            seed_a = _seed("Seed A", 1, "gan-seed-a")
            seed_b = _seed("Seed B", 2, "gan-seed-b")
            digit_a = gr.Dropdown(one_choices, value=a, label="Class A", elem_id="gan-class-a")
            digit_b = gr.Dropdown(one_choices, value=b, label="Class B", elem_id="gan-class-b")
        with gr.Row():
            mode = gr.Radio(list(latent.MODES), value="slerp", label="Path")
            frames = gr.Slider(2, latent.MAX_FRAMES, value=60, step=1, label="Frames")
            fps = gr.Slider(1, 50, value=20, step=1, label="Frames per second")
            walk = gr.Button("Make animation", variant="primary")
        with gr.Row():
            animation = gr.Image(label="Walk (GIF)", type="filepath", elem_id="gan-walk", height=260)
            download = gr.File(label="Download the GIF")
    with gr.Tab("Latent arithmetic"):
        gr.Markdown("A − B + C: each letter is the mean of three latent vectors from its seed (as in the DCGAN paper).")
        with gr.Row():
            arith_a, arith_b, arith_c = _seed("Seed A", 10, "gan-ar-a"), _seed("Seed B", 11, "gan-ar-b"), _seed("Seed C", 12, "gan-ar-c")
            arith_digit = gr.Dropdown(one_choices, value=arith, label="Class", elem_id="gan-arith-class")
            arith_go = gr.Button("Compute A − B + C", variant="primary")
        arith_out = gr.Image(label="A | B | C | A − B + C", type="numpy", format="png", height=200)

    # The first grid and the arithmetic example, already sampled (computed once per process).
    show_on_first_visit([grid], sample_grid, [model, seed, truncation, digit])
    show_on_first_visit([arith_out], arithmetic, [model, arith_a, arith_b, arith_c, arith_digit, truncation])
    model.change(class_pickers, model, [digit, digit_a, digit_b, arith_digit, columns], queue=False,
                 api_visibility="undocumented")
    sample.click(friendly(sample_grid), [model, seed, truncation, digit], grid, api_name="gan_sample", concurrency_id=HEAVY)
    walk.click(
        friendly(interpolate), [model, seed_a, seed_b, digit_a, digit_b, frames, mode, truncation, fps],
        [animation, download], api_name="gan_interpolate", concurrency_id=HEAVY,
    )
    arith_go.click(
        friendly(arithmetic), [model, arith_a, arith_b, arith_c, arith_digit, truncation], arith_out,
        api_name="gan_arithmetic", concurrency_id=HEAVY,
    )


def _toy_lab() -> None:
    gr.Markdown(
        "Green points are real, purple points are the generator's. The background is the discriminator: "
        "green where it says *real*, purple where it says *fake*. The generator moves its points uphill "
        "towards green. Try **Step D** a few times, then **Step G**, then **Play**. Does it find all 8 modes?"
    )
    state = gr.State(None)
    with gr.Row():
        with gr.Column(scale=1):
            distribution = gr.Dropdown(list(toy2d.DISTRIBUTIONS), value=toy2d.DISTRIBUTIONS[0], label="Real data", elem_id="toy-distribution")
            lr_g = gr.Slider(1e-4, 1e-2, value=1e-3, step=1e-4, label="Generator learning rate")
            lr_d = gr.Slider(1e-4, 1e-2, value=1e-3, step=1e-4, label="Discriminator learning rate")
            d_steps = gr.Slider(1, 10, value=1, step=1, label="D steps per G step (Play)")
            per_frame = gr.Slider(1, 100, value=10, step=1, label="Rounds per frame (Play)")
            seed = _seed("Seed", 0, "toy-seed")
            sketch = SafeSketchpad(
                label="Draw your own points (choose 'drawn points', then Reset)", canvas_size=(300, 300),
                brush=gr.Brush(default_size=8, colors=["#000000"], color_mode="fixed"), type="numpy",
                image_mode="RGBA", height=300, elem_id="toy-sketch",
            )
        with gr.Column(scale=2):
            with gr.Row():
                step_d = gr.Button("Step D", elem_id="toy-step-d")
                step_g = gr.Button("Step G", elem_id="toy-step-g")
                play = gr.Button("Play", variant="primary", elem_id="toy-play")
                stop = gr.Button("Stop", variant="stop", elem_id="toy-stop")
                reset = gr.Button("Reset", elem_id="toy-reset")
            status = gr.Textbox(label="Status", interactive=False, elem_id="toy-status")
            with gr.Row():
                plane = gr.Image(label="Discriminator and points", type="numpy", format="jpeg", height=380, elem_id="toy-plane")
                losses = gr.Image(label="Losses", type="numpy", format="png", height=160, elem_id="toy-losses")
    controls = [distribution, lr_g, lr_d, seed, sketch]
    outputs = [state, plane, losses, status]
    # The untrained GAN of the default settings; the first Step or Play builds the same one (state stays None).
    show_on_first_visit([plane, losses, status], lambda: toy_frame(toy_new(toy2d.DISTRIBUTIONS[0], 1e-3, 1e-3, 0)))
    reset.click(friendly(toy_reset), controls, outputs, api_name="toy_reset", concurrency_id=HEAVY)
    distribution.change(friendly(toy_distribution_changed), controls, outputs, api_visibility="undocumented", concurrency_id=HEAVY)
    step_d.click(friendly(toy_step_d), [state, *controls], outputs, api_name="toy_step_d", concurrency_id=HEAVY)
    step_g.click(friendly(toy_step_g), [state, *controls], outputs, api_name="toy_step_g", concurrency_id=HEAVY)
    live_ui.play(play, toy_play, [state, *controls, d_steps, per_frame], outputs, panel="toy_gan", status=status,
                 api_name="toy_play")
    live_ui.stop(stop, panel="toy_gan", api_name="toy_stop")


def _live_dcgan_lab() -> None:
    gr.Markdown(
        "Your own DCGAN, untrained, learning the 4,000 MNIST training digits right here. The grid always "
        "shows the same 40 noise vectors (one column per digit): watch fog become strokes, then digits."
    )
    state = gr.State(None)
    with gr.Row():
        seed = _seed("Seed", 0, "live-seed")
        lr = gr.Slider(5e-5, 2e-3, value=2e-4, step=5e-5, label="Learning rate (Adam, β₁ = 0.5)")
        per_frame = gr.Slider(1, 50, value=10, step=1, label="Steps per frame")
    with gr.Row():
        train = gr.Button("Train", variant="primary", elem_id="live-train")
        stop = gr.Button("Stop", variant="stop", elem_id="live-stop")
        reset = gr.Button("Reset", elem_id="live-reset")
    summary = gr.Textbox(label="Progress", interactive=False, elem_id="live-summary")
    with gr.Row():
        grid = gr.Image(label="Fixed-noise grid", type="numpy", format="png", height=300, elem_id="live-grid")
        chart = gr.Image(label="Losses", type="numpy", format="png", height=160)
    outputs = [state, grid, chart, summary]
    # The untrained generator's fixed-noise grid (fog); Train starts from the same seed.
    show_on_first_visit([grid, chart, summary], lambda: live_dcgan_reset(0, 2e-4)[1:])
    reset.click(friendly(live_dcgan_reset), [seed, lr], outputs, api_name="live_dcgan_reset", concurrency_id=HEAVY)
    live_ui.play(train, live_dcgan_train, [state, seed, lr, per_frame], outputs, panel="live_dcgan", status=summary,
                 heavy=True, api_name="live_dcgan_train")
    live_ui.stop(stop, panel="live_dcgan", api_name="live_dcgan_stop")


def _pix2pix_lab() -> None:
    gr.Markdown(
        "Pick the pen (✎ at the left of the canvas), draw an emoji's outline (a face with eyes and a mouth, a "
        "heart, a house…) and pix2pix colours it in at 128×128. It learned from pairs: ~1,260 emoji, each with its "
        "own edge map, so for every line it has seen what colour belongs beside it (the CycleGAN tab learns "
        "from unpaired piles instead). Upload a picture and it traces the edges first. **Dropout at test time** gives a "
        "different picture per seed; switching **skip connections** off shows what the U-Net's shortcuts carry: "
        "without them every detail has to squeeze through a 4×4 bottleneck (the network was trained with them). "
        "Each picture is the average of two: the drawing coloured in, and its mirror image coloured in and "
        "flipped back (a test-time ensemble that evens out the network's left/right quirks)."
    )
    with gr.Row():
        dropout = gr.Checkbox(False, label="Dropout at test time (variety)", elem_id="p2p-dropout")
        skips = gr.Checkbox(True, label="U-Net skip connections", elem_id="p2p-skips")
        seed = _seed("Dropout seed", 0, "p2p-seed")
    with gr.Row():
        with gr.Column():
            with gr.Tab("Draw"):
                sketch = SafeSketchpad(
                    label="Sketch", canvas_size=(400, 400), type="numpy", image_mode="RGBA", height=420,
                    brush=gr.Brush(default_size=4, colors=["#000000"], color_mode="fixed"), elem_id="p2p-sketch",
                )
                from_sketch = gr.Button("Translate sketch", variant="primary", elem_id="p2p-translate")
            with gr.Tab("Upload"):
                upload = SafeImage(label="Picture", type="filepath", sources=["upload", "clipboard"], height=300)
                kind = gr.Radio(list(UPLOAD_KINDS), value=UPLOAD_KINDS[0], label="What is it?")
                from_upload = gr.Button("Translate upload", variant="primary", elem_id="p2p-translate-upload")
                gr.Examples(
                    [[path] for path in heldout_example_files()] + [[data.photo_file("coffee", 256)]],
                    inputs=[upload], label="Held-out emoji (never trained on) and a photo",
                )
        output = gr.Image(label="Drawing | pix2pix", type="numpy", format="png", height=300, elem_id="p2p-output")
    # A held-out emoji, traced and coloured in, so the panel opens on a result.
    show_on_first_visit([output], lambda: translate_upload(heldout_example_files()[0], UPLOAD_KINDS[0], False, True, 0))
    from_sketch.click(
        friendly(translate_sketch), [sketch, dropout, skips, seed], output, api_name="pix2pix_sketch", concurrency_id=HEAVY
    )
    from_upload.click(
        friendly(translate_upload), [upload, kind, dropout, skips, seed], output, api_name="pix2pix_upload", concurrency_id=HEAVY
    )


CYCLE_EXPLAINER = f"""
**Unpaired** means nobody told the networks which typeset digit goes with which handwritten one: they
saw a pile of 4,000 handwritten MNIST digits and, separately, a pile of digits printed in
{len(typeset_digits.TRAIN_FONTS)} fonts, and never a single matching pair. (pix2pix, next door, learned from
pairs: each drawing came with its emoji.)

Two generators learn at once: one turns handwriting into type, the other type into handwriting, and each
has a discriminator checking that its pictures pass for the real thing. That alone would allow a cheat:
turn every 3 into a perfectly typeset 8. **Cycle consistency** is there against it: a digit sent there
*and back* must come out as it went in, so whatever the first generator makes has to keep enough of the
digit for the second one to rebuild it. A third rule, the **identity** loss, says a picture already in
the target style (a typeset digit given to the handwriting-to-type generator) should come out unchanged.

It is not a guarantee. Generators that see the whole digit at once can hide the way back in faint marks:
a bigger version of these networks closed the open tops of handwritten 4s into 9s and still brought the
4s back at the end of the cycle.
These ones see 25×25 pixels around each point, so what they change is mostly the strokes: their width,
how even they are, how their ends look.

Draw a digit (pen ✎ at the left of the canvas; big, in the middle) or pick an example: each panel is
labelled with what the project's MNIST classifier reads in it. The fonts offered here were never
trained on; the handwritten examples are MNIST's held-out test digits.
"""


def _cyclegan_lab() -> None:
    gr.Markdown(CYCLE_EXPLAINER)
    with gr.Row():
        with gr.Column(scale=1):
            with gr.Tab("Draw"):
                sketch = SafeSketchpad(
                    label="Draw a digit", type="numpy", image_mode="RGBA", canvas_size=(280, 280),
                    brush=gr.Brush(default_size=18, colors=["#000000"], color_mode="fixed"), elem_id="cycle-sketch",
                )
                from_sketch = gr.Button("Handwritten → typeset → back", variant="primary", elem_id="cycle-translate")
            with gr.Tab("Examples"):
                digit = gr.Dropdown([str(d) for d in range(10)], value="3", label="Digit", elem_id="cycle-digit")
                font = gr.Dropdown(list(typeset_digits.HELDOUT_FONTS), value=typeset_digits.HELDOUT_FONTS[0],
                                   label="Typeset in (a font never trained on)", elem_id="cycle-font")
                example = gr.Slider(1, data.MNIST_TEST_PER_CLASS, value=1, step=1,
                                    label="Handwritten example (held-out MNIST digit)", elem_id="cycle-example")
                from_examples = gr.Button("Both directions", variant="primary", elem_id="cycle-examples")
            with gr.Tab("Upload"):
                upload = SafeImage(label="A picture of one digit", type="filepath", sources=["upload", "clipboard"],
                                   height=240)
                kind = gr.Radio(list(CYCLE_KINDS), value=CYCLE_KINDS[0], label="What is it?")
                from_upload = gr.Button("There and back", variant="primary", elem_id="cycle-translate-upload")
        with gr.Column(scale=2):
            output = gr.Image(label="Input → translation → back", type="numpy", format="png", height=420,
                              elem_id="cycle-output")
            readings = gr.Markdown(elem_id="cycle-readings")
    # Both directions for the default example, so the panel opens on a result.
    show_on_first_visit([output, readings], cycle_examples, [digit, font, example])
    from_sketch.click(friendly(cycle_sketch), [sketch], [output, readings], api_name="cyclegan_sketch",
                      concurrency_id=HEAVY)
    from_examples.click(friendly(cycle_examples), [digit, font, example], [output, readings],
                        api_name="cyclegan_examples", concurrency_id=HEAVY)
    from_upload.click(friendly(cycle_upload), [upload, kind], [output, readings], api_name="cyclegan_upload",
                      concurrency_id=HEAVY)


PAIRS_EXPLAINER = """
**What do the pairs buy?** pix2pix learned from ~1,260 emoji *each with its own drawing*. This CycleGAN
learned the same job from two piles that share nothing: the drawings of half the training emoji, and the
pictures of the *other* half, so it never once saw a drawing together with its emoji. A discriminator
tells it when its colouring does not look like an emoji, and the cycle (drawing → emoji → drawing) keeps
the lines where they were; nothing tells it which colours belong to which shapes.

Draw an outline, pick a held-out drawing (neither network trained on these emoji), or upload a picture
(traced first) or a line drawing. The last panel of a drawing's row is the CycleGAN's emoji drawn back by
its second generator: the way back is what holds its lines in place.
"""


def _pairs_lab() -> None:
    gr.Markdown(PAIRS_EXPLAINER)
    with gr.Row():
        with gr.Column(scale=1):
            with gr.Tab("Draw"):
                sketch = SafeSketchpad(
                    label="Sketch", canvas_size=(400, 400), type="numpy", image_mode="RGBA", height=420,
                    brush=gr.Brush(default_size=4, colors=["#000000"], color_mode="fixed"), elem_id="pairs-sketch",
                )
                from_sketch = gr.Button("Both translators", variant="primary", elem_id="pairs-translate")
            with gr.Tab("Held-out drawings"):
                index = gr.Slider(1, len(heldout_pairs()[0]), value=1, step=1, label="Held-out emoji",
                                  elem_id="pairs-index")
                from_heldout = gr.Button("Compare", variant="primary", elem_id="pairs-heldout")
            with gr.Tab("Upload"):
                upload = SafeImage(label="Picture", type="filepath", sources=["upload", "clipboard"], height=300)
                kind = gr.Radio(list(UPLOAD_KINDS), value=UPLOAD_KINDS[0], label="What is it?")
                from_upload = gr.Button("Both translators", variant="primary", elem_id="pairs-translate-upload")
                gr.Examples([[path] for path in heldout_example_files()], inputs=[upload],
                            label="Held-out emoji (never trained on)")
        with gr.Column(scale=2):
            output = gr.Image(label="pix2pix (paired) beside CycleGAN (unpaired)", type="numpy", format="png",
                              height=300, elem_id="pairs-output")
            words = gr.Markdown(elem_id="pairs-words")
    show_on_first_visit([output, words], pairs_heldout, [index])
    from_sketch.click(friendly(pairs_sketch), [sketch], [output, words], api_name="pairs_sketch", concurrency_id=HEAVY)
    from_heldout.click(friendly(pairs_heldout), [index], [output, words], api_name="pairs_heldout",
                       concurrency_id=HEAVY)
    from_upload.click(friendly(pairs_upload), [upload, kind], [output, words], api_name="pairs_upload",
                      concurrency_id=HEAVY)


def build() -> None:
    explainer(
        "**Two networks trained against each other.** A generator turns random noise into pictures; a "
        "discriminator tries to tell its pictures from real ones, and the generator learns from its mistakes. "
        "Sample real DCGANs trained by this project (a digit, or an emoji group such as faces or animals: both "
        "are class-conditional, told what to draw) and walk their latent space; watch a "
        "GAN learn 2-D points step by step, or MNIST digits from scratch; sketch an outline and let pix2pix "
        "colour it in; turn handwriting into type and back with a CycleGAN that never saw a matching pair, and "
        "see what pairs buy: pix2pix beside a CycleGAN that learned sketch → emoji without them."
    )
    with gr.Tab("Sampling lab"):
        _sampling_lab()
    with gr.Tab("Live 2-D GAN"):
        _toy_lab()
    with gr.Tab("Live DCGAN on MNIST"):
        _live_dcgan_lab()
    with gr.Tab("pix2pix: sketch → emoji"):
        _pix2pix_lab()
    with gr.Tab("CycleGAN: digits"):
        _cyclegan_lab()
    with gr.Tab("CycleGAN: sketch ↔ emoji"):
        _pairs_lab()


# ---------------------------------------------------------------- benchmarks


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
