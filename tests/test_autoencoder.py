"""Autoencoders tab: the networks, the noises, tiling, baselines, the shipped weights' quality."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from playground import data, registry, weights
from playground.autoencoder import baselines, lab, latent, live, noise, tiles
from playground.autoencoder.denoise import DIGIT_DENOISER, HELD_OUT_PHOTOS, PHOTO_DENOISER, denoise_digits, denoise_photo
from playground.autoencoder.metrics import psnr, ssim
from playground.errors import UserInputError
from playground.nets.autoencoder import DigitAutoencoder, PhotoDenoiser
from playground.recipes.autoencoder import TRAIN_SCALES, digit_denoising_scores, training_photos

SHIPPED = ["autoencoder_mnist_denoiser", "autoencoder_photo_denoiser", "autoencoder_mnist_z2",
           "autoencoder_mnist_z8", "autoencoder_mnist_z32"]


def _photo(name: str) -> np.ndarray:
    return np.asarray(data.photo(name), dtype=np.float32) / 255.0


# ---------------------------------------------------------------- networks


@pytest.mark.parametrize("latent_dim", [None, 2, 8, 32])
def test_digit_autoencoder_squeezes_and_rebuilds_with_transpose_convolutions(latent_dim):
    model = DigitAutoencoder(latent_dim, width=8)
    x = torch.rand(3, 1, 28, 28)
    code = model.encode(x)
    assert code.shape == ((3, 16, 7, 7) if latent_dim is None else (3, latent_dim))
    out = model.decode(code)
    assert out.shape == (3, 1, 28, 28) and 0 <= out.min() and out.max() <= 1
    assert sum(isinstance(m, torch.nn.ConvTranspose2d) for m in model.modules()) == 2
    strided = [m for m in model.encoder if isinstance(m, torch.nn.Conv2d) and m.stride == (2, 2)]
    assert len(strided) == 2


def test_photo_denoiser_runs_on_any_size_divisible_by_eight():
    model = PhotoDenoiser(8, 1).eval()
    out = model(torch.rand(2, 3, 40, 56), torch.tensor([0.1, 0.2]))
    assert out.shape == (2, 3, 40, 56)
    assert PhotoDenoiser.MULTIPLE == 8


# ---------------------------------------------------------------- noise


def test_gaussian_noise_has_the_requested_sigma():
    grey = np.full((200, 200), 0.5, dtype=np.float32)  # mid-grey: σ = 0.1 is never clipped
    noisy = noise.corrupt(grey, "Gaussian", 0.1, seed=3)
    assert np.std(noisy - grey) == pytest.approx(0.1, rel=0.03)
    assert abs(np.mean(noisy - grey)) < 0.003


def test_salt_and_pepper_flips_the_requested_fraction_to_black_or_white():
    grey = np.full((300, 300), 0.5, dtype=np.float32)
    noisy = noise.corrupt(grey, "Salt and pepper", 0.2, seed=1)
    flipped = noisy != 0.5
    assert flipped.mean() == pytest.approx(0.2, abs=0.01)
    assert set(np.unique(noisy[flipped])) == {0.0, 1.0}
    assert (noisy[flipped] == 1.0).mean() == pytest.approx(0.5, abs=0.03)


def test_speckle_is_multiplicative():
    picture = np.tile(np.linspace(0.1, 0.5, 200, dtype=np.float32), (400, 1))
    noisy = noise.corrupt(picture, "Speckle", 0.3, seed=2)
    dark, bright = (noisy - picture)[:, :20], (noisy - picture)[:, -20:]
    assert np.std(dark) == pytest.approx(0.3 * picture[:, :20].mean(), rel=0.1)
    assert np.std(bright) == pytest.approx(0.3 * picture[:, -20:].mean(), rel=0.1)


def test_masking_erases_whole_pixels_and_blocks_erase_the_requested_area():
    photo = np.full((64, 64, 3), 0.7, dtype=np.float32)
    masked = noise.corrupt(photo, "Masking", 0.4, seed=0)
    erased = (masked == 0).all(axis=2)
    assert erased.mean() == pytest.approx(0.4, abs=0.03)
    assert np.array_equal((masked == 0).any(axis=2), erased)  # all channels of a pixel together
    blocks = noise.corrupt(photo, "Erased blocks", 0.25, seed=0)
    gone = (blocks == 0).all(axis=2)
    assert 0.25 <= gone.mean() < 0.4
    digits = noise.corrupt(np.ones((5, 28, 28), dtype=np.float32), "Erased blocks", 0.3, seed=0)
    assert not np.array_equal(digits[0] == 0, digits[1] == 0)  # each digit of a batch has its own blocks


def test_noise_is_reproducible_from_its_seed_and_checks_its_level():
    picture = _photo("coins")[:64, :64]
    assert np.array_equal(noise.corrupt(picture, "Gaussian", 0.2, 7), noise.corrupt(picture, "Gaussian", 0.2, 7))
    assert not np.array_equal(noise.corrupt(picture, "Gaussian", 0.2, 7), noise.corrupt(picture, "Gaussian", 0.2, 8))
    for bad in (float("nan"), -0.1, 5.0):
        with pytest.raises(UserInputError, match="between 0 and"):
            noise.corrupt(picture, "Gaussian", bad)
    with pytest.raises(UserInputError, match="unknown noise"):
        noise.corrupt(picture, "Rain", 0.1)


# ---------------------------------------------------------------- metrics and baselines


def test_psnr_and_ssim_follow_their_definitions():
    clean = _photo("camera")[:128, :128]
    other = np.clip(clean + 0.05, 0, 1)
    mse = np.mean((clean.astype(np.float64) - other) ** 2)
    assert psnr(clean, other) == pytest.approx(10 * np.log10(1 / mse), abs=1e-6)
    assert psnr(clean, clean) == float("inf")
    assert ssim(clean, clean) == pytest.approx(1.0)
    assert ssim(clean, np.zeros_like(clean)) < 0.1
    assert ssim(clean[:5, :5], other[:5, :5]) <= 1.0  # tiny pictures get a smaller window, no error


@pytest.mark.parametrize("sigma", [0.03, 0.1])
def test_noise_sigma_estimate_is_close_on_a_real_photo(sigma):
    clean = _photo("astronaut")
    assert baselines.noise_sigma(noise.corrupt(clean, "Gaussian", sigma, 0)) == pytest.approx(sigma, rel=0.2)


# ---------------------------------------------------------------- tiles


def test_tiles_reassemble_exactly_and_blend_without_seams():
    picture = _photo("chelsea")[:300, :260]
    assert np.abs(tiles.run_tiled(lambda t: t, picture, max_tile=128) - picture).max() < 1e-5
    model = registry.get(PHOTO_DENOISER)  # the shipped network: its reach is what the overlap must hide
    picture = noise.corrupt(picture, "Gaussian", 0.1, seed=0)

    def net(batch: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(np.ascontiguousarray(batch.transpose(0, 3, 1, 2)))
        with torch.no_grad():
            return model(x, torch.full((len(x),), 0.1)).numpy().transpose(0, 2, 3, 1)

    whole = tiles.run_tiled(net, picture, max_tile=1024, multiple=8)  # one tile
    tiled = tiles.run_tiled(net, picture, max_tile=128, multiple=8)  # 3×3 tiles of ~112 px
    assert psnr(np.clip(whole, 0, 1), np.clip(tiled, 0, 1)) > 40  # the blend hides the tile edges
    # and a hard cut (no overlap) is visibly worse: the overlap is doing the work
    cut = tiles.run_tiled(net, picture, max_tile=128, overlap=0, multiple=8)
    assert psnr(np.clip(whole, 0, 1), np.clip(cut, 0, 1)) < psnr(np.clip(whole, 0, 1), np.clip(tiled, 0, 1))


# ---------------------------------------------------------------- shipped weights


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_weights_load_strictly_and_match_their_cards(name):
    card = weights.read_card(name)
    assert card["sha256"] == weights.sha256_of(weights.verified_weight_file(name))
    model = registry.get(name)
    assert card["parameters"] == sum(p.numel() for p in model.state_dict().values() if p.is_floating_point())
    assert (weights.PRETRAINED_DIR / card["file"]).stat().st_size < 5_000_000  # "a few MB" at most
    assert card["metrics"]


def test_mnist_denoiser_gains_six_db_at_sigma_half_on_held_out_digits():
    scores = digit_denoising_scores(registry.get(DIGIT_DENOISER), "Gaussian", 0.5, seed=11)  # other noise than the card
    assert scores["psnr_denoised"] - scores["psnr_noisy"] >= 6.0
    assert scores["ssim_denoised"] > scores["ssim_noisy"]
    card = weights.read_card(DIGIT_DENOISER)["metrics"]
    assert card["gaussian_0.5_psnr_gain_db"] >= 6.0
    assert scores["psnr_denoised"] - scores["psnr_noisy"] == pytest.approx(card["gaussian_0.5_psnr_gain_db"], abs=0.3)


def test_photo_denoiser_beats_blur_median_and_non_local_means_on_held_out_photos():
    sigma = 25 / 255
    totals = {"network": 0.0, "blur": 0.0, "median": 0.0, "nlm": 0.0}
    for index, name in enumerate(HELD_OUT_PHOTOS):
        clean = _photo(name)
        top, left = (clean.shape[0] - 192) // 2, (clean.shape[1] - 256) // 2
        clean = clean[top : top + 192, left : left + 256]  # centre crops: quicker than the card's whole photos
        noisy = noise.corrupt(clean, "Gaussian", sigma, seed=100 + index)
        best = baselines.best_of(clean, noisy, sigma)  # blur and median at their best setting for each crop
        totals["network"] += psnr(clean, denoise_photo(noisy, sigma))
        totals["blur"] += best["Gaussian blur"][1]
        totals["median"] += best["Median filter"][1]
        totals["nlm"] += best["Non-local means"][1]
    mean = {key: value / len(HELD_OUT_PHOTOS) for key, value in totals.items()}
    assert mean["network"] > mean["blur"] + 0.3
    assert mean["network"] > mean["median"] + 0.3
    assert mean["network"] >= mean["nlm"] + 1.0
    card = weights.read_card(PHOTO_DENOISER)["metrics"]
    assert card["mean_network_psnr"] > max(card["mean_gaussian_blur_psnr"], card["mean_median_filter_psnr"])
    assert card["mean_network_psnr"] >= card["mean_non_local_means_psnr"] + 1.0


def test_held_out_photos_are_not_in_the_training_set():
    held_out = {tuple(_photo(name)[:8, :8].ravel()[:12]) for name in HELD_OUT_PHOTOS}
    for photo in training_photos()[:: len(TRAIN_SCALES)]:  # the full-size copies
        assert tuple(photo[:8, :8].ravel()[:12]) not in held_out


def test_more_numbers_in_the_bottleneck_rebuild_digits_better():
    digits = data.mnist_test().images[:300].astype(np.float32) / 255.0
    scores = {d: latent.compress(registry.get(f"autoencoder_mnist_z{d}"), digits)[1] for d in (2, 8, 32)}
    assert scores[32] > scores[8] > scores[2]
    assert scores[2] > 12  # even 2 numbers keep the rough shape (a blank guess scores about 10 dB)


def test_latent_plane_groups_digits_by_class_and_clicks_decode_points():
    plane = latent.latent_plane()
    assert plane.codes.shape == (1000, 2)
    # nearest neighbour in the 2-D plane (leave-one-out) recovers the class far above chance (10 %);
    # measured 36.9 % for the shipped weights: 2 numbers keep the coarse shape, not every class
    distances = ((plane.codes[:, None] - plane.codes[None]) ** 2).sum(-1)
    np.fill_diagonal(distances, np.inf)
    accuracy = (plane.labels[distances.argmin(1)] == plane.labels).mean()
    assert accuracy > 0.25
    # pixels ↔ latent coordinates are inverse maps
    codes = plane.codes[:5]
    pixels = latent.latent_to_pixel(plane, codes)
    back = np.array([latent.pixel_to_latent(plane, x, y) for x, y in pixels])
    assert np.allclose(back, codes, atol=1e-6)
    # clicking where a test digit sits decodes a digit close to that digit's own reconstruction
    x, y = pixels[0]
    code, digit, picture = latent.decode_click(x, y)
    model = registry.get("autoencoder_mnist_z2")
    expected = latent.decode_codes(model, codes[:1])[0]
    assert digit.shape == (28, 28) and picture.shape == (latent.PLANE_SIZE, latent.PLANE_SIZE, 3)
    assert np.abs(digit - expected).max() < 0.05


# ---------------------------------------------------------------- live training


def test_live_training_streams_frames_and_the_validation_loss_falls():
    config = live.LiveConfig(noise_kind="Gaussian", noise_level=0.3, latent_dim=8, epochs=1, steps_per_frame=10, seed=0)
    frames = []
    for frame in live.train_live(config):
        frames.append((frame.step, frame.valid_curve[-1][1], frame.picture.shape))
        if len(frames) == 5:
            break
    steps = [step for step, _, _ in frames]
    assert steps == [10, 20, 30, 40, 50]
    assert frames[-1][1] < frames[0][1] * 0.9
    assert frames[0][2] == (3 * 84 + 4 * 2, 10 * 84 + 11 * 2)  # clean / noisy / rebuilt rows of 10 digits


@pytest.mark.parametrize("field, value, message", [
    ("learning_rate", float("nan"), "finite"), ("learning_rate", 5.0, "learning rate"),
    ("noise_level", 3.0, "between 0 and"), ("epochs", 0, "epochs"),
])
def test_live_training_refuses_bad_settings(field, value, message):
    config = live.LiveConfig(**{field: value})
    with pytest.raises(UserInputError, match=message):
        next(live.train_live(config))


# ---------------------------------------------------------------- the denoise view's input


def _save(tmp_path, image: Image.Image, name: str) -> str:
    path = tmp_path / name
    image.save(path)
    return str(path)


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_grey_rgb_and_rgba_uploads_denoise_correctly(tmp_path, mode):
    picture = data.photo("coffee").resize((96, 64)).convert(mode)
    clean, is_digit, _ = lab.prepare_clean("Upload", upload=_save(tmp_path, picture, f"p_{mode}.png"))
    assert clean.shape == (64, 96, 3) and not is_digit
    result = lab.denoise_view(clean, is_digit, "Gaussian", 0.1, seed=0, with_baselines=False)
    assert result.network.psnr > result.noisy.psnr + 2


def test_tiny_huge_empty_and_non_images_get_clear_messages(tmp_path):
    with pytest.raises(UserInputError, match="at least 16 px"):
        lab.prepare_clean("Upload", upload=_save(tmp_path, Image.new("RGB", (12, 40)), "tiny.png"))
    clean, _, notes = lab.prepare_clean("Upload", upload=_save(tmp_path, Image.new("RGB", (3000, 1500), "gray"), "big.png"))
    assert clean.shape == (512, 1024, 3) and "scaled down" in notes[0]
    with pytest.raises(UserInputError, match="empty"):
        lab.prepare_clean("Draw a digit", sketch={"background": None, "layers": [], "composite": None})
    fake = tmp_path / "fake.png"
    fake.write_text("not an image")
    with pytest.raises(UserInputError, match="not an image"):
        lab.prepare_clean("Upload", upload=str(fake))
    with pytest.raises(UserInputError, match="No image"):
        lab.prepare_clean("Upload", upload=None)


def test_a_drawn_digit_is_read_like_mnist_and_denoised():
    ink = np.zeros((280, 280), dtype=np.float32)
    ink[40:240, 130:150] = 1.0  # a "1"
    layer = np.zeros((280, 280, 4), dtype=np.uint8)
    layer[..., 3] = (ink * 255).astype(np.uint8)
    clean, is_digit, _ = lab.prepare_clean("Draw a digit", sketch={"background": None, "layers": [layer], "composite": None})
    assert is_digit and clean.shape == (28, 28)
    result = lab.denoise_view(clean, True, "Salt and pepper", 0.2, seed=0)
    assert result.network.psnr > result.noisy.psnr
    assert [row.name for row in result.baselines] == ["Gaussian blur", "Median filter", "Non-local means"]
    assert "PSNR" in lab.results_table(result)


def test_digit_denoiser_undoes_every_noise_kind_on_average():
    digits = data.mnist_test().images[:200].astype(np.float32) / 255.0
    for kind, level in (("Salt and pepper", 0.3), ("Speckle", 1.0), ("Masking", 0.5), ("Gaussian", 0.3)):
        noisy = noise.corrupt(digits, kind, level, seed=5)
        before = np.mean([psnr(c, n) for c, n in zip(digits, noisy)])
        after = np.mean([psnr(c, d) for c, d in zip(digits, denoise_digits(noisy))])
        assert after > before + 1.0, kind


def test_denoise_and_live_pictures_say_their_scores_in_their_alt_text():
    """What a screen reader hears for each picture carries the figures shown beside it."""
    from playground.tabs import autoencoder as tab

    outputs = tab.run_denoise("Test digit", "astronaut", 7, None, False, None, "Gaussian", 0.5, 0, False)
    clean, noisy, network = outputs[:3]
    psnr_noisy, psnr_net = outputs[-3], outputs[-2]  # the figures the API answers (and the table shows)
    assert "Gaussian noise at level 0.5" in clean["alt_text"]
    assert f"PSNR {psnr_noisy:.2f} dB" in noisy["alt_text"] and f"PSNR {psnr_net:.2f} dB" in network["alt_text"]
    assert "SSIM 0." in network["alt_text"]
    frames = tab.live_frames("Gaussian", 0.5, list(live.BOTTLENECKS)[0], 2e-3, 1, 0)
    picture, _, status, _ = next(frames)
    frames.close()
    loss = status.split("**")[1]  # the validation loss the status line reports
    assert f"validation loss {loss}" in picture["alt_text"] and "epoch 1 of 1" in picture["alt_text"]


def test_the_latent_planes_digit_colours_stay_apart_for_colour_blind_eyes():
    from playground import colour_vision
    from playground.autoencoder.render import CLASS_COLOURS

    closest = colour_vision.closest_pair(CLASS_COLOURS)  # ΔE of the two closest digits' colours, per vision
    assert set(closest) == {"normal", "protanopia", "deuteranopia", "tritanopia"} and min(closest.values()) >= 20, closest
    # The measure sees what it should: red against green is far for normal eyes and close for a deuteranope.
    red_green = colour_vision.closest_pair([[214, 39, 40], [44, 160, 44]])
    assert red_green["normal"] > 60 and red_green["deuteranopia"] < 0.5 * red_green["normal"]


# ---------------------------------------------------------------- through the API of the running app


def test_denoise_endpoint_and_its_bad_input_messages(client, tmp_path):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    outputs = client.predict("Test digit", "astronaut", 7, None, False, None, "Gaussian", 0.5, 0, True, api_name="/denoise")
    psnr_noisy, psnr_net = outputs[-2], outputs[-1]
    assert psnr_net > psnr_noisy + 3
    assert "Non-local means" in outputs[-3]
    tiny = _save(tmp_path, Image.new("RGB", (8, 8), "white"), "tiny.png")
    with pytest.raises(AppError, match="at least 16 px"):
        client.predict("Upload", "astronaut", 0, handle_file(tiny), False, None, "Gaussian", 0.1, 0, False, api_name="/denoise")
    with pytest.raises(AppError, match="maximum value 1.0|between 0 and"):
        client.predict("Test digit", "astronaut", 0, None, False, None, "Gaussian", 7.0, 0, False, api_name="/denoise")
    grey = _save(tmp_path, data.photo("camera").convert("L").resize((64, 48)), "grey.png")
    outputs = client.predict("Upload", "astronaut", 0, handle_file(grey), False, None, "Gaussian", 0.1, 0, False, api_name="/denoise")
    assert outputs[-1] > outputs[-2]  # the app kept serving, and grey uploads work


def test_decode_latent_pixel_endpoint(client):
    result = client.predict(210, 210, api_name="/decode_latent_pixel")
    assert len(result["z"]) == 2
    digit = np.array(result["digit"])
    assert digit.shape == (28, 28) and 0 <= digit.min() and digit.max() <= 1 and digit.max() > 0.5


def test_an_uploaded_photo_of_a_digit_can_go_to_the_digit_denoiser(tmp_path):
    paper = Image.new("RGB", (120, 160), "white")
    ink = np.asarray(paper).copy()
    ink[30:130, 55:68] = 20  # a dark "1" on white paper, the opposite of MNIST's white on black
    path = _save(tmp_path, Image.fromarray(ink), "one.png")
    clean, is_digit, notes = lab.prepare_clean("Upload", upload=path, upload_is_digit=True)
    assert is_digit and clean.shape == (28, 28) and "28×28" in notes[0]
    assert clean[14, 14] > 0.8 and clean[0, 0] == 0  # white ink in the middle, black background like MNIST


def test_noise_beyond_the_training_range_is_said_in_the_results():
    clean = _photo("coins")[:64, :64]
    strong = lab.denoise_view(clean, False, "Gaussian", 0.5, seed=0, with_baselines=False)
    usual = lab.denoise_view(clean, False, "Gaussian", 0.1, seed=0, with_baselines=False)
    assert any("beyond the strongest noise" in note for note in strong.notes)
    assert not any("beyond the strongest noise" in note for note in usual.notes)
