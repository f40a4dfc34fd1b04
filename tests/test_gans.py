"""GAN lab: architecture guidelines, latent maths, the 2-D GAN's mode coverage, the shipped
generators' quality (the issue's acceptance, on smaller samples), pix2pix vs baselines,
input handling, and the API's answers to bad input."""

from __future__ import annotations

import functools
import json

import imageio.v3 as iio
import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from playground import alt_text, registry
from playground.errors import UserInputError
from playground.gans import emoji_data, latent, pix2pix, sampling, toy2d
from playground.gans.heldout import heldout_groups, heldout_pairs
from playground.gans.live_dcgan import LiveDCGAN
from playground.gans.quality import digit_sample_quality
from playground.nets.dcgan import DCGAN, EMOJI_CONFIG, MNIST_CONFIG
from playground.tabs.gans import handlers as tab
from playground.weights import PRETRAINED_DIR

torch.set_num_threads(1)
GAN_MODELS = ("dcgan_mnist", "dcgan_emoji", "pix2pix_emoji")


# ---------------------------------------------------------------- DCGAN guidelines


@pytest.mark.parametrize("config", [MNIST_CONFIG, EMOJI_CONFIG], ids=["mnist", "emoji"])
def test_dcgan_follows_the_seed_guidelines(config):
    model = DCGAN(config)
    gen_modules = list(model.generator.modules())
    disc_modules = list(model.discriminator.modules())
    everything = gen_modules + disc_modules
    # No pooling, no fully connected layers, anywhere.
    assert not [m for m in everything if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d, nn.Linear))]
    # Upsampling by fractional-strided convolutions, downsampling by strided convolutions.
    levels = 4 if config.image_size == 64 else 3  # 64 px: 4→8→16→32→64
    assert sum(isinstance(m, nn.ConvTranspose2d) and m.stride == (2, 2) for m in gen_modules) == levels
    assert sum(isinstance(m, nn.Conv2d) and m.stride == (2, 2) for m in disc_modules) == levels
    # Batch norm in both, and no bias on a layer that feeds batch norm.
    assert any(isinstance(m, nn.BatchNorm2d) for m in gen_modules)
    assert any(isinstance(m, nn.BatchNorm2d) for m in disc_modules)
    for net in (model.generator.net, model.discriminator.net):
        layers = list(net)
        for layer, following in zip(layers, layers[1:]):
            if isinstance(following, nn.BatchNorm2d):
                assert layer.bias is None
    # ReLU in the generator, Tanh at its output; LeakyReLU in the discriminator.
    assert {type(m) for m in gen_modules if isinstance(m, (nn.ReLU, nn.LeakyReLU, nn.Tanh))} == {nn.ReLU, nn.Tanh}
    assert isinstance(list(model.generator.net)[-1], nn.Tanh)
    assert {type(m) for m in disc_modules if isinstance(m, (nn.ReLU, nn.LeakyReLU, nn.Tanh))} == {nn.LeakyReLU}
    # Shapes.
    z = torch.randn(5, config.nz)
    labels = torch.arange(5) if config.num_classes else None
    images = model.generator(z, labels)
    assert images.shape == (5, config.channels, config.image_size, config.image_size)
    assert images.abs().max() <= 1
    assert model.discriminator(images, labels).shape == (5,)


def test_conditional_generator_uses_its_label():
    model = DCGAN(MNIST_CONFIG).eval()
    z = torch.randn(1, MNIST_CONFIG.nz).repeat(2, 1)
    images = model.generator(z, torch.tensor([3, 8]))
    assert (images[0] - images[1]).abs().max() > 1e-4
    soft = torch.nn.functional.one_hot(torch.tensor([3]), 10).float()
    assert torch.allclose(model.generator(z[:1], soft), images[:1], atol=1e-6)


# ---------------------------------------------------------------- latent maths


def test_slerp_and_lerp_endpoints_and_norms():
    generator = torch.Generator().manual_seed(0)
    a, b = torch.randn(64, generator=generator), torch.randn(64, generator=generator)
    t = torch.linspace(0, 1, 11)
    for path in (latent.lerp(a, b, t), latent.slerp(a, b, t)):
        assert torch.allclose(path[0], a, atol=1e-5) and torch.allclose(path[-1], b, atol=1e-5)
    # slerp keeps the norm typical; lerp's midpoint is much shorter than either end.
    slerp_mid, lerp_mid = latent.slerp(a, b, t)[5], latent.lerp(a, b, t)[5]
    assert float(slerp_mid.norm()) == pytest.approx(float(a.norm() + b.norm()) / 2, rel=1e-4)
    assert lerp_mid.norm() < 0.8 * min(a.norm(), b.norm())
    # slerp's points lie on the plane of a and b, at angles spaced evenly.
    angles = [torch.arccos(torch.nn.functional.cosine_similarity(a, p, dim=0).clamp(-1, 1)) for p in latent.slerp(a, b, t)]
    steps = np.diff([float(x) for x in angles])
    assert np.allclose(steps, steps.mean(), atol=1e-3)


def test_latent_vectors_are_seeded_and_truncated():
    first = sampling.latent_vectors(42, 100, 64)
    assert torch.equal(first, sampling.latent_vectors(42, 100, 64))
    assert not torch.equal(first, sampling.latent_vectors(43, 100, 64))
    cut = sampling.latent_vectors(42, 100, 64, truncation=0.5)
    assert cut.abs().max() <= 0.5
    # A normal cut at ±0.5 has std ≈ 0.28 (not a squashed normal with many values at ±0.5).
    assert cut.std().item() == pytest.approx(0.28, abs=0.02)
    assert (cut.abs() > 0.499).float().mean() < 0.01


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, float("nan"), "abc", None])
def test_bad_seeds_are_refused_clearly(bad):
    with pytest.raises(UserInputError, match="seed"):
        sampling.latent_vectors(bad, 4, 64)


@pytest.mark.parametrize("bad", [0.0, 3.5, float("inf")])
def test_bad_truncation_is_refused(bad):
    with pytest.raises(UserInputError, match="truncation"):
        sampling.latent_vectors(0, 4, 64, truncation=bad)


# ---------------------------------------------------------------- the 2-D GAN


def test_mode_coverage_measure_tells_collapse_from_coverage():
    rng = np.random.default_rng(0)
    real = toy2d.sample_real("ring of 8 Gaussians", 4000, rng)
    assert toy2d.ring_mode_coverage(real)["modes_covered"] == 8
    collapsed = toy2d.ring_centres()[2] + 0.05 * rng.standard_normal((4000, 2))
    assert toy2d.ring_mode_coverage(collapsed)["modes_covered"] == 1


@pytest.mark.slow
def test_2d_gan_covers_the_8_ring_modes_within_1000_rounds_over_seeds():
    # Which mode a run misses shifts with the CPU and thread count (seeds 0–7 on one machine, 2 threads: 8, 6, 8,
    # 7, 7, 8, 6, 8; seeds 0–2 under pytest there: 7, 7, 8). So over six seeds every run must find at least 6 of
    # 8 with most points near a mode, and the mean at least 6.75; an untrained G is one blob near the origin.
    covered = []
    for seed in range(6):
        gan = toy2d.Toy2DGAN(toy2d.ToyConfig(distribution="ring of 8 Gaussians", seed=seed))
        before = toy2d.ring_mode_coverage(gan.fake_points(2000))
        assert before["modes_covered"] < 6, before
        gan.train(1000)
        after = toy2d.ring_mode_coverage(gan.fake_points(2000))
        assert after["modes_covered"] >= 6 and after["share_near_a_mode"] > 0.5, (seed, after)
        assert gan.steps_d == gan.steps_g == 1000 and len(gan.d_losses) == 1000
        covered.append(after["modes_covered"])
    assert np.mean(covered) >= 6.75, covered


def test_2d_gan_frame_and_drawn_points():
    gan = tab.toy_new("line", 1e-3, 1e-3, 3)
    described_plane, described_chart, status = tab.toy_frame(gan)
    plane, chart = alt_text.plain((described_plane, described_chart))
    assert plane.shape == (360, 360, 3) and plane.dtype == np.uint8 and chart.ndim == 3
    assert "D steps 0" in status
    gan.step_d()
    described_plane, described_chart, status = tab.toy_frame(gan)
    loss = f"D loss {gan.d_losses[-1]:.3f}"  # the figure the status line reports, in both pictures' alt text
    assert loss in status and loss in described_plane["alt_text"] and loss in described_chart["alt_text"]
    assert "D steps 1" in described_plane["alt_text"]
    layer = np.zeros((300, 300, 4), dtype=np.uint8)
    layer[50:250, 140:160, 3] = 255  # a vertical bar of ink
    gan = tab.toy_new("drawn points", 1e-3, 1e-3, 0, {"background": None, "layers": [layer], "composite": None})
    assert np.abs(gan.display_real[:, 0]).max() < 0.5  # on the vertical axis, as drawn
    assert gan.display_real[:, 1].max() > 1.5 and gan.display_real[:, 1].min() < -1.5
    with pytest.raises(UserInputError, match="empty"):
        tab.toy_new("drawn points", 1e-3, 1e-3, 0, {"background": None, "layers": [np.zeros((300, 300, 4), np.uint8)], "composite": None})


# ---------------------------------------------------------------- shipped generators


@pytest.mark.parametrize("name", GAN_MODELS)
def test_shipped_weights_load_strictly_and_match_their_cards(name):
    card = json.loads((PRETRAINED_DIR / f"{name}.json").read_text())
    assert (PRETRAINED_DIR / card["file"]).stat().st_size < 5_000_000  # "a few MB a model"
    model = registry.get(name)  # verifies the sha256 and loads with strict=True
    # The card counts every floating-point tensor of the file (batch-norm statistics too).
    assert sum(v.numel() for v in model.state_dict().values() if v.is_floating_point()) == card["parameters"]


def test_digit_samples_are_readable_and_cover_every_digit():
    """The acceptance measure on 300 samples (the card has it on 1,000), with a margin."""
    card = json.loads((PRETRAINED_DIR / "dcgan_mnist.json").read_text())["metrics"]
    assert card["confident_share"] >= 0.9 and card["digits_present"] == 10 and card["min_digit_share"] >= 0.05
    quality = digit_sample_quality(registry.get("dcgan_mnist").generator, count=300, seed=777)
    assert quality["confident_share"] >= 0.85, quality
    assert quality["digits_present"] == 10, quality
    assert quality["min_digit_share"] >= 0.04, quality
    assert quality["asked_digit_agreement"] >= 0.85, quality


def test_sample_grid_and_gif():
    described = tab.sample_grid("dcgan_mnist", 5, 3.0, "all")
    assert "one column per class, left to right: 0, 1, 2" in described["alt_text"] and "seed 5" in described["alt_text"]
    assert "asked for 7" in tab.sample_grid("dcgan_mnist", 5, 3.0, "7")["alt_text"]
    grid = alt_text.plain(described)
    assert grid.ndim == 3 and grid.dtype == np.uint8 and grid.std() > 10
    assert grid.shape[1] > grid.shape[0]  # 10 columns (one per digit) × 6 rows
    assert np.array_equal(grid, alt_text.plain(tab.sample_grid("dcgan_mnist", 5, 3.0, "all")))  # seeded
    walk, path = tab.interpolate("dcgan_mnist", 1, 2, "3", "8", 12, "slerp", 3.0, 20)
    frames = iio.imread(path, index=None)
    assert walk["value"] == path and len(frames) == 12 + 10  # there and back (without repeating the ends)
    assert walk["alt_text"].startswith("An animation walking from seed 1 (3) to seed 2 (8) and back: 12 frames each way")
    first = sampling.generate("dcgan_mnist", sampling.latent_vectors(1, 1, 64), torch.tensor([3]))[0]
    assert np.abs(frames[0][::4, ::4, :3].astype(int) - first.astype(int)).max() <= 2  # the walk starts at seed A
    emoji = alt_text.plain(tab.sample_grid("dcgan_emoji", 0, 1.0, "all"))
    assert emoji.std() > 10
    assert emoji.shape[1] == emoji.shape[0]  # 8 groups: 8 columns × 8 rows
    faces = alt_text.plain(tab.sample_grid("dcgan_emoji", 0, 1.0, "faces"))
    assert faces.shape == emoji.shape and not np.array_equal(faces, emoji)
    strip = alt_text.plain(tab.arithmetic("dcgan_emoji", 1, 2, 3, "all", 3.0))
    assert strip.shape[1] > 3 * strip.shape[0]
    _, path = tab.interpolate("dcgan_emoji", 1, 2, "faces", "animals", 4, "lerp", 3.0, 20)
    assert len(iio.imread(path, index=None)) == 4 + 2


def test_class_pickers_follow_the_generator():
    assert sampling.class_names("dcgan_mnist") == tuple("0123456789")
    assert sampling.class_names("dcgan_emoji") == emoji_data.GROUPS
    grid, a, b, arith, note = tab.class_pickers("dcgan_emoji")
    assert "faces · hearts" in note
    assert grid["choices"][0] == "all" and [c for c in grid["choices"][1:]] == list(emoji_data.GROUPS)
    assert a["value"] in emoji_data.GROUPS and b["value"] in emoji_data.GROUPS and arith["value"] in emoji_data.GROUPS
    grid, a, _, _, note = tab.class_pickers("dcgan_mnist")
    assert "0 · 1 · 2" in note
    assert grid["value"] == "all" and a["value"] in tuple("0123456789")
    assert torch.equal(sampling.class_labels("dcgan_emoji", 10, "all"), torch.arange(10) % 8)
    assert torch.equal(sampling.class_labels("dcgan_emoji", 3, "hearts"), torch.ones(3, dtype=torch.long))
    with pytest.raises(UserInputError, match="faces"):
        sampling.class_labels("dcgan_emoji", 3, "dragons")
    with pytest.raises(UserInputError, match="faces"):  # a digit asked of the emoji generator
        tab.sample_grid("dcgan_emoji", 0, 1.0, "7")


def _emoji_samples(seed: int, groups: np.ndarray) -> np.ndarray:
    """(N, 64, 64, 3) uint8 samples of the shipped emoji DCGAN, one per asked group."""
    with torch.inference_mode():
        z = sampling.latent_vectors(seed, len(groups), EMOJI_CONFIG.nz, sampling.NO_TRUNCATION)
        return sampling.to_uint8(registry.get("dcgan_emoji").generator(z, torch.from_numpy(groups)))


def _heldout_emoji_64px() -> np.ndarray:
    _, emoji = heldout_pairs()
    return np.stack([np.asarray(Image.fromarray(e).resize((64, 64), Image.Resampling.LANCZOS)) for e in emoji])


def test_emoji_dcgan_samples_sit_near_real_emoji_not_noise():
    """The shipped emoji generator against held-out emoji it never saw (the shipped pix2pix
    set, shrunk to 64 px), in the Lite0 feature space: split the held-out emoji in two and
    measure the kernel MMD of the second half to the first half (real vs real: the floor),
    to 300 samples and to 300 noise pictures (the ceiling). Samples must be far nearer the
    floor than the ceiling. And the samples are not near-duplicates of one another's real
    models: each sample's nearest real emoji is no closer than real emoji are to each other
    (the card's copy check against the training emoji needs the font; this one does not)."""
    from playground.gans.quality import backbone_features, nearest_distances

    small = _heldout_emoji_64px()
    first, second = backbone_features(small[::2]), backbone_features(small[1::2])
    # the groups asked in the held-out emoji's own proportions
    asked = np.random.default_rng(2024).choice(heldout_groups(), size=300)
    generated = _emoji_samples(2024, asked)
    noise = np.random.default_rng(0).integers(0, 256, size=generated.shape, dtype=np.uint8)

    def mmd(a: torch.Tensor, b: torch.Tensor) -> float:
        a, b = torch.nn.functional.normalize(a, dim=1), torch.nn.functional.normalize(b, dim=1)
        kernel = lambda x, y: torch.exp(-torch.cdist(x, y) ** 2)  # noqa: E731  (unit vectors: distances in [0, 2])
        return float(kernel(a, a).mean() + kernel(b, b).mean() - 2 * kernel(a, b).mean())

    floor = mmd(second, first)
    ceiling = mmd(backbone_features(noise), first)
    measured = mmd(backbone_features(generated), first)
    assert measured < floor + 0.35 * (ceiling - floor), (floor, measured, ceiling)
    real_nn, _ = nearest_distances(second, first)
    sample_nn, _ = nearest_distances(backbone_features(generated), torch.cat([first, second]))
    assert float(sample_nn.median()) > 0.5 * float(real_nn.median()), (sample_nn.median(), real_nn.median())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_emoji_dcgan_draws_the_group_it_is_asked_for(seed):
    """A nearest-centroid reader in coarse pixels (16×16 box averages: colour and layout),
    fitted on the shipped held-out emoji's groups (never trained on), reads 24 samples asked
    for each group that has at least four held-out emoji. It must read the asked group at
    least 1.5 times as often as chance (one in the number of groups), and read most faces
    as faces. (The reader reads real held-out emoji, leave one out, about twice as often as
    chance; Lite0's features read these blurry samples worse, see the card.)"""
    from playground.gans.quality import group_reader

    held_groups = heldout_groups()
    groups = [g for g in range(len(emoji_data.GROUPS)) if (held_groups == g).sum() >= 4]
    read = group_reader(_heldout_emoji_64px(), held_groups, groups, "pixels")
    asked = np.repeat(np.array(groups), 24)
    found = read(_emoji_samples(seed, asked))
    agreement = float((found == asked).mean())
    faces = emoji_data.GROUPS.index("faces")
    face_agreement = float((found[asked == faces] == faces).mean())
    assert agreement >= 1.5 / len(groups), (agreement, len(groups))
    assert face_agreement >= 0.3, face_agreement


def test_pix2pix_beats_its_baselines_on_heldout_pairs():
    """On the shipped held-out pairs (emoji never trained on): lower L1, higher PSNR and a
    smaller Lite0 feature distance than the drawing itself, the blurred drawing and white
    paper, with margins; and the skip connections carry real information."""
    inks, emoji = heldout_pairs()
    assert len(inks) >= 64 and inks.shape[1:] == (128, 128) and emoji.shape[1:] == (128, 128, 3)
    model = registry.get("pix2pix_emoji")
    answers = pix2pix.heldout_answers(model, inks)
    scores = pix2pix.heldout_scores(answers, emoji)
    for baseline in ("identity_baseline", "blur_baseline", "white_baseline"):
        assert scores["l1_pix2pix"] < 0.75 * scores[f"l1_{baseline}"], (baseline, scores)
        assert scores["psnr_pix2pix"] > scores[f"psnr_{baseline}"] + 2.0, (baseline, scores)
        assert scores["feature_pix2pix"] < 0.92 * scores[f"feature_{baseline}"], (baseline, scores)
    assert scores["l1_pix2pix_without_skips"] > 1.08 * scores["l1_pix2pix"], scores


@functools.lru_cache(maxsize=1)
def _scores_beside_the_lookup_table() -> dict[str, float]:
    """Held-out scores of pix2pix and its baselines, the nearest training emoji among them
    (needs the font: the training emoji are rendered, not shipped). Computed once for the two
    tests below: 1,260 edge maps and two backbone passes."""
    train = emoji_data.emoji_images(pix2pix.SIZE, "train")
    train_inks = np.stack([emoji_data.edge_map(picture) for picture in train])
    held = emoji_data.emoji_images(pix2pix.SIZE, "heldout")
    inks = np.stack([emoji_data.edge_map(picture) for picture in held])
    answers = pix2pix.heldout_answers(registry.get("pix2pix_emoji"), inks, train_inks, train)
    return pix2pix.heldout_scores(answers, held)


@pytest.mark.skipif(not emoji_data.font_available(), reason="the emoji font (training data) is not installed")
def test_pix2pix_beats_the_nearest_training_emoji():
    """A lookup table (the training emoji whose drawing is nearest) is the strongest simple
    rival: pix2pix must beat it on pixel error and PSNR over all held-out emoji (the feature
    distance is the next test's)."""
    scores = _scores_beside_the_lookup_table()
    assert scores["l1_pix2pix"] < 0.85 * scores["l1_nearest_training_baseline"], scores
    assert scores["psnr_pix2pix"] > scores["psnr_nearest_training_baseline"] + 1.0, scores


@pytest.mark.skipif(not emoji_data.font_available(), reason="the emoji font (training data) is not installed")
def test_pix2pix_looks_more_like_the_emoji_than_the_nearest_training_emoji():
    """In the Lite0 feature space the lookup table's clean (but often wrong) emoji is a hard rival:
    measured 0.420 for it, 0.425 for one pass of pix2pix, 0.408 for the app's mirror ensemble."""
    scores = _scores_beside_the_lookup_table()
    assert scores["feature_pix2pix"] < 0.99 * scores["feature_nearest_training_baseline"], scores
    assert scores["feature_pix2pix"] < scores["feature_pix2pix_one_pass"], scores  # what the ensemble buys


def _face_ink(eyes: bool = True, mouth: bool = True) -> np.ndarray:
    """(400, 400) bool: a face drawn the way a person would, a circle, two eyes, a smile."""
    yy, xx = np.mgrid[:400, :400]
    ink = np.abs(np.hypot(yy - 200, xx - 200) - 150) < 3  # the face, a 6 px pen
    if eyes:
        ink |= np.hypot(yy - 160, xx - 145) < 14
        ink |= np.hypot(yy - 160, xx - 255) < 14
    if mouth:
        ink |= (np.abs(np.hypot(yy - 200, xx - 200) - 90) < 4) & (yy > 235)  # the lower part of a circle
    return ink


def _as_sketch(ink: np.ndarray) -> dict:
    layer = np.zeros((*ink.shape, 4), dtype=np.uint8)
    layer[ink, 3] = 255
    return {"background": None, "layers": [layer], "composite": None}


def test_a_drawn_face_keeps_its_eyes_and_mouth():
    """The issue's complaint about the first pix2pix: a clear smiley came back as a disc with
    no eyes. Now: the face is coloured in (not white paper, not grey), the eyes come out much
    darker than the face, and drawing the mouth changes the picture where the mouth is drawn
    far more than anywhere else."""
    from scipy import ndimage

    ink = pix2pix.ink_from_sketch(_as_sketch(_face_ink()))  # (128, 128); the face fills the frame
    picture = pix2pix.translate(ink).astype(np.float32)  # (128, 128, 3)
    brightness = picture.mean(axis=2)
    size = pix2pix.SIZE
    scale = size / ((300 + 6) * (1 + 2 * 0.06))  # fit_to_square: the 306 px face plus a 6 % margin each side

    def at(y, x):  # a sketch pixel → the output pixel at the same place
        return int(round(size / 2 + (y - 200) * scale)), int(round(size / 2 + (x - 200) * scale))

    face_points = [at(y, x) for y, x in ((215, 120), (215, 280), (120, 200), (200, 200), (110, 150), (110, 250))]
    face = np.median([brightness[p] for p in face_points])
    assert face < 235, f"the face was left white ({face:.0f})"
    middle = picture[face_points[np.argsort([brightness[p] for p in face_points])[len(face_points) // 2]]]
    assert middle.max() - middle.min() > 40, f"the face is grey, not coloured: {middle}"
    eyes = [brightness[at(160, 145)], brightness[at(160, 255)]]
    assert max(eyes) < face - 40, (eyes, face)

    without_mouth = pix2pix.translate(pix2pix.ink_from_sketch(_as_sketch(_face_ink(mouth=False)))).astype(np.float32)
    change = np.abs(picture - without_mouth).mean(axis=2)  # (128, 128)
    mouth_only = _face_ink(eyes=False) & ~_face_ink(eyes=False, mouth=False)
    # Where the mouth lands in the 128 px drawing: the same framing (the face ring sets it).
    mouth_area = ndimage.binary_dilation(
        pix2pix.ink_from_sketch(_as_sketch(_face_ink(eyes=False))) - pix2pix.ink_from_sketch(
            _as_sketch(_face_ink(eyes=False) & ~mouth_only)) > 0.3, iterations=2)
    assert change[mouth_area].mean() > 50, change[mouth_area].mean()
    assert change[mouth_area].mean() > 1.5 * change[~mouth_area].mean(), (change[mouth_area].mean(), change[~mouth_area].mean())


def test_pix2pix_dropout_seed_and_skips_change_the_output():
    ink = heldout_pairs()[0][0]
    plain = pix2pix.translate(ink)
    assert np.array_equal(plain, pix2pix.translate(ink))
    noisy_1 = pix2pix.translate(ink, dropout=True, seed=1)
    assert np.array_equal(noisy_1, pix2pix.translate(ink, dropout=True, seed=1))
    assert not np.array_equal(noisy_1, pix2pix.translate(ink, dropout=True, seed=2))
    assert not np.array_equal(plain, pix2pix.translate(ink, skips=False))


@pytest.mark.parametrize("size", [(300, 120), (90, 400), (64, 64), (128, 128), (3000, 2000)])
def test_pix2pix_accepts_any_aspect_ratio(tmp_path, size):
    picture = Image.new("RGB", size, "white")
    picture.paste((200, 40, 40), (size[0] // 4, size[1] // 4, 3 * size[0] // 4, 3 * size[1] // 4))
    path = tmp_path / "box.png"
    picture.save(path)
    result = tab.translate_upload(str(path), tab.UPLOAD_KINDS[0], False, True, 0)
    assert result["value"].shape == (256, 2 * 256 + 8, 3)
    assert result["alt_text"].endswith("dropout off, with skip connections, seed 0")


def test_pix2pix_refuses_empty_sketch_and_non_images(tmp_path):
    empty = {"background": None, "layers": [np.zeros((400, 400, 4), np.uint8)], "composite": None}
    with pytest.raises(UserInputError, match="empty"):
        tab.translate_sketch(empty, False, True, 0)
    fake = tmp_path / "notes.png"
    fake.write_text("not an image")
    with pytest.raises(UserInputError, match="not an image"):
        tab.translate_upload(str(fake), tab.UPLOAD_KINDS[0], False, True, 0)
    blank = tmp_path / "blank.png"
    Image.new("RGB", (50, 80), "white").save(blank)
    with pytest.raises(UserInputError, match="No edges"):
        tab.translate_upload(str(blank), tab.UPLOAD_KINDS[0], False, True, 0)
    with pytest.raises(UserInputError, match="No lines"):
        tab.translate_upload(str(blank), tab.UPLOAD_KINDS[1], False, True, 0)


def test_uploaded_line_drawing_is_read_as_lines(tmp_path):
    """A held-out drawing saved as a black-on-white picture comes back as (nearly) the same ink."""
    ink = heldout_pairs()[0][5]
    path = tmp_path / "drawing.png"
    Image.fromarray(pix2pix.ink_picture(ink)).resize((256, 256), Image.Resampling.NEAREST).save(path)
    read = pix2pix.ink_from_line_drawing(str(path))
    assert read.shape == (pix2pix.SIZE, pix2pix.SIZE)
    assert ((read > 0.5) == (pix2pix.fit_to_square(ink) > 0.5)).mean() > 0.95


def test_sketch_strokes_become_a_drawing_the_size_of_an_emoji():
    layer = np.zeros((400, 400, 4), dtype=np.uint8)
    yy, xx = np.mgrid[:400, :400]
    ring = np.abs(np.hypot(yy - 200, xx - 200) - 60) < 3  # a small circle, 6 px pen
    layer[ring, 3] = 255
    ink = pix2pix.ink_from_sketch({"background": None, "layers": [layer], "composite": None})
    assert ink.shape == (128, 128)
    rows = np.flatnonzero(ink.max(axis=1) > 0.5)
    assert rows[0] <= 12 and rows[-1] >= 115  # scaled up to fill the frame like the emoji do
    assert 0.05 < (ink > 0.5).mean() < 0.3  # lines, not a filled blob


# ---------------------------------------------------------------- live DCGAN


def test_live_dcgan_is_a_private_copy_that_learns():
    shared_before = {k: v.clone() for k, v in registry.get("dcgan_mnist").state_dict().items()}
    run = LiveDCGAN(seed=0)
    untrained = run.fixed_grid()
    run.train(6)
    assert run.steps == 6 and len(run.history) == 6 and "step 6" in run.summary()
    assert not np.array_equal(untrained, run.fixed_grid())
    for key, value in registry.get("dcgan_mnist").state_dict().items():
        assert torch.equal(value, shared_before[key])
    frames = tab.live_dcgan_train(None, 0, 2e-4, 2)
    state, grid, chart, summary = next(frames)
    assert state.steps == 2 and grid["value"].shape[0] > 100
    # The streamed frame's pictures say what they show: the step and the losses of this very run.
    for picture in (grid, chart):
        assert "after 2 training steps" in picture["alt_text"]
        assert f"G loss {state.history[-1].g_loss:.3f}" in picture["alt_text"]
    with pytest.raises(UserInputError):
        LiveDCGAN(seed=0, lr=float("nan"))


# ---------------------------------------------------------------- the API


def test_api_bad_input_gets_clear_messages(client):
    # Gradio's own range check on the Number (or ours behind it) names the limit.
    with pytest.raises(Exception, match="4294967295|4,294,967,295"):
        client.predict("dcgan_mnist", 2**40, 3.0, "all", api_name="/gan_sample")
    empty = {"background": None, "layers": [], "composite": None}
    with pytest.raises(Exception, match="empty"):
        client.predict(empty, False, True, 0, api_name="/pix2pix_sketch")
    # Still serving, and a good request works.
    result = client.predict("dcgan_emoji", 3, 1.0, "all", api_name="/gan_sample")
    assert np.asarray(Image.open(result)).std() > 10
