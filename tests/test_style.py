"""Style transfer: Gram matrices, Gatys, AdaIN, procedural styles, colour, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PIL import Image

from playground import data, registry, weights
from playground.errors import UserInputError
from playground.images import resize_longer
from playground.style import adain, colour, gatys, metrics, procedural
from playground.style import features as feats
from playground.style.gram import gram

SIZE = 128  # small images keep the file quick on one thread
SHIPPED_WEIGHTS = weights.PRETRAINED_DIR / "adain_decoder.safetensors"
# The bar for a decoder that adds no errors of its own: α = 0 gives the held-out photo back
# at 22 dB PSNR or better (the v1 decoder, block 4 only, managed 17.6 dB on chelsea at 256 px).
PSNR_ALPHA0 = 22.0
# Spectral peaks on the 8-px upsampling grid (metrics.grid_artefact_db): about 0 dB for a photo,
# 4–5.4 dB for the v1 decoder's stylised outputs at 512 px (stripes and halos you could see).
ARTEFACT_DB = 1.5


def pixels(image: Image.Image, size: int = SIZE) -> torch.Tensor:
    return feats.to_tensor(resize_longer(image, size), torch.device("cpu"))


def distance_ratio(output: Image.Image, content: Image.Image, style: Image.Image, size: int = SIZE) -> float:
    """Gram distance of output→style divided by content→style (one yardstick for both methods)."""
    return metrics.style_ratio(output, content, style, size)


@pytest.fixture(scope="module")
def pair():
    return data.photo("chelsea"), data.photo("immunohistochemistry")


# ---------------------------------------------------------------- Gram matrices


def test_gram_matches_a_hand_computation():
    # Two channels on a 2×2 map: a = [1, 2, 3, 4], b = [0, 1, 0, -1].
    features = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]], [[0.0, 1.0], [0.0, -1.0]]]])  # (1, 2, 2, 2)
    # a·a = 30, a·b = 2 - 4 = -2, b·b = 2; divided by C·H·W = 8.
    expected = torch.tensor([[[30.0, -2.0], [-2.0, 2.0]]]) / 8
    torch.testing.assert_close(gram(features), expected)


def test_gram_ignores_where_things_are():
    rng = torch.Generator().manual_seed(0)
    features = torch.randn(1, 5, 6, 7, generator=rng)
    shuffled = features.flatten(2)[:, :, torch.randperm(42, generator=rng)].reshape(1, 5, 6, 7)
    torch.testing.assert_close(gram(features), gram(shuffled))


def test_extract_runs_no_deeper_than_the_deepest_layer():
    model = feats.backbone()
    ran = []
    hooks = [block.register_forward_hook(lambda *_, i=i: ran.append(i)) for i, block in enumerate(model._blocks)]
    try:
        with torch.no_grad():
            maps = feats.extract(model, torch.rand(1, 3, 64, 64), ["stem", 1, 5])
    finally:
        for hook in hooks:
            hook.remove()
    assert ran == list(range(6))
    assert set(maps) == {"stem", 1, 5}
    assert maps[5].shape == (1, 80, 4, 4)


# ---------------------------------------------------------------- Gatys


def test_gatys_moves_the_image_towards_the_style(pair):
    content, style = pair
    settings = gatys.GatysSettings(size=SIZE, iterations=40, report_every=10)
    result = gatys.run(content, style, settings)
    total = result.history["total"]
    assert total[-1] < 0.25 * total[0]  # measured 0.062 at 40 iterations
    ratio = distance_ratio(result.image, content, style)
    assert ratio < 0.4, ratio  # measured 0.054: much closer to the style than the content photo was


def test_gatys_streams_frames_and_every_frame_is_an_image(pair):
    content, style = pair
    frames = list(gatys.transfer(content, style, gatys.GatysSettings(size=64, iterations=20, report_every=5,
                                                                      optimizer="Adam")))
    assert len(frames) >= 4
    assert [f.done for f in frames][-1] and not frames[0].done
    assert all(f.image.size == (64, 43) for f in frames)  # chelsea is 451×300
    assert frames[-1].iterations[-1] == 20


def test_a_gatys_stream_changes_the_picture_between_frames(pair):
    from playground.tabs import style as tab

    content, style = data.photo_file("chelsea"), data.photo_file("immunohistochemistry")
    knobs = (["stem", "1"], ["8"], 1, 10, 1, 64, 200, "Adam", "content", False, 0)
    stream = tab.run_gatys(content, style, *knobs)
    shown = [next(stream) for _ in range(3)]
    stream.close()  # the visitor left
    assert all(len(frame) == 3 for frame in shown)  # (image, loss table, caption)
    # The run really changed the picture between frames (a live stream, not one image).
    assert np.abs(np.asarray(shown[0][0]["value"], float) - np.asarray(shown[-1][0]["value"], float)).mean() > 0.5
    # Each streamed picture says which iteration it shows, as the caption does.
    for picture, _, caption in shown:
        iteration = caption.split("iteration ")[1].split("/")[0]
        assert f"iteration {iteration} of 200" in picture["alt_text"]


def test_gatys_noise_start_is_reproducible_by_seed(pair):
    content, style = pair
    settings = dict(size=64, iterations=10, start="noise", optimizer="Adam")
    a = gatys.run(content, style, gatys.GatysSettings(seed=3, **settings)).image
    b = gatys.run(content, style, gatys.GatysSettings(seed=3, **settings)).image
    c = gatys.run(content, style, gatys.GatysSettings(seed=4, **settings)).image
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))


@pytest.mark.parametrize("weights", [(1e12, 1e12, 1e12), (0, 1e12, 0), (1e12, 0, 0)])
def test_gatys_extreme_weights_give_a_finite_image(pair, weights):
    content, style = pair
    content_weight, style_weight, tv_weight = weights
    result = gatys.run(content, style, gatys.GatysSettings(size=64, iterations=10, content_weight=content_weight,
                                                           style_weight=style_weight, tv_weight=tv_weight))
    assert all(math.isfinite(v) for v in result.history["total"])
    assert result.image.size == (64, 43)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(content_weight=0, style_weight=0), "Nothing to optimise"),
        (dict(style_weight=float("nan")), "finite"),
        (dict(tv_weight=-1), "between 0 and"),
        (dict(style_weight=1e20), r"between 0 and 1e\+15"),
        (dict(size=4000), "between"),
        (dict(style_layers=(), content_layers=()), "Nothing to optimise"),
        (dict(optimizer="SGD"), "optimizer"),
    ],
)
def test_gatys_bad_settings_are_clear_messages(pair, change, message):
    content, style = pair
    with pytest.raises(UserInputError, match=message):
        next(gatys.transfer(content, style, gatys.GatysSettings(**change)))


# ---------------------------------------------------------------- AdaIN


def test_adain_gives_the_content_the_style_statistics():
    rng = torch.Generator().manual_seed(1)
    content = torch.randn(2, 4, 5, 6, generator=rng) * 3 + 1
    style = torch.randn(2, 4, 7, 3, generator=rng) * 0.5 - 2
    out = adain.adain(content, *adain.mean_std(style))
    out_mean, out_std = adain.mean_std(out)
    style_mean, style_std = adain.mean_std(style)
    torch.testing.assert_close(out_mean, style_mean, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(out_std, style_std, atol=1e-4, rtol=1e-4)


def test_shipped_decoder_loads_strictly_and_matches_its_card():
    from playground import weights

    card = weights.read_card("adain_decoder")
    metrics = card["metrics"]
    assert metrics["heldout_adain_style_ratio"] < 1
    assert metrics["heldout_reconstruction_psnr_db_alpha0_256px"] >= 22.0  # the bar for a clean decoder
    assert metrics["heldout_reconstruction_psnr_db_alpha0_512px"] >= 22.0
    assert (weights.PRETRAINED_DIR / card["heldout_grid"]).is_file()
    state = weights.load_state_dict("adain_decoder")
    model = registry.spec("adain_decoder").builder()
    model.load_state_dict(state, strict=True)


def test_a_new_block8_branch_starts_as_the_three_level_decoder(pair):
    """The recipe's ``block8=true`` fine-tune loads a three-level decoder's weights: until it trains, the
    added branch (whose merge convolution starts at zero) must change nothing."""
    from playground.nets.adain_decoder import AdaINDecoder
    from playground.recipes.style import reconstruction_weights

    shipped = AdaINDecoder(input_scale=0.125).eval()  # the shipped three-level decoder (a pair's reconstruction half)
    shipped.load_state_dict(reconstruction_weights(str(SHIPPED_WEIGHTS)))
    deeper = AdaINDecoder(input_scale=shipped.input_scale, block8=True).eval()
    missing, unexpected = deeper.load_state_dict(shipped.state_dict(), strict=False)
    assert not unexpected and missing and all(key.startswith("deeper") for key in missing)
    content, style = (pixels(image, 200) for image in pair)
    encoder = feats.backbone()
    with torch.no_grad():
        three = adain.stylise_tensors(encoder, shipped, content, [style], [1.0], alpha=1.0)
        four = adain.stylise_tensors(encoder, deeper, content, [style], [1.0], alpha=1.0)
    torch.testing.assert_close(four, three)


def test_an_alpha_input_decoder_starts_as_the_decoder_it_fine_tunes(pair):
    """``alpha_input=true``: the FiLM layers start at zero, so before training α changes nothing but the maps."""
    from playground.nets.adain_decoder import AdaINDecoder
    from playground.recipes.style import reconstruction_weights

    plain = AdaINDecoder(input_scale=0.125).eval()
    plain.load_state_dict(reconstruction_weights(str(SHIPPED_WEIGHTS)))
    film = AdaINDecoder(input_scale=0.125, alpha_input=True).eval()
    missing, unexpected = film.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and missing and all(key.startswith("film") for key in missing)
    content, style = (pixels(image, 160) for image in pair)
    encoder = feats.backbone()
    with torch.no_grad():
        for alpha in (0.0, 0.4, 1.0):
            expected = adain.stylise_tensors(encoder, plain, content, [style], [1.0], alpha=alpha)
            torch.testing.assert_close(adain.stylise_tensors(encoder, film, content, [style], [1.0], alpha=alpha), expected)
        with pytest.raises(ValueError, match="alpha"):
            film(torch.rand(1, 40, 8, 8), torch.rand(1, 24, 16, 16), torch.rand(1, 16, 32, 32))  # (B, C, H, W) maps, no α


def test_a_decoder_pair_is_its_two_decoders_at_the_ends_and_blends_between(pair):
    """AdaINDecoderPair: α = 0 is the reconstruction decoder alone, α = 1 the painting decoder alone,
    and between them the α-weighted mean of the two decodes of the same α-blended maps."""
    from playground.nets.adain_decoder import AdaINDecoder, AdaINDecoderPair
    from playground.recipes.style import reconstruction_weights

    reconstruct = AdaINDecoder(input_scale=0.125).eval()
    reconstruct.load_state_dict(reconstruction_weights(str(SHIPPED_WEIGHTS)))
    torch.manual_seed(0)
    paint = AdaINDecoder(input_scale=0.125, block8=True).eval()  # untrained: any other decoder will do
    both = AdaINDecoderPair(reconstruct, paint)
    assert both.encoder_layers == paint.encoder_layers
    content, style = (pixels(image, 160) for image in pair)
    encoder = feats.backbone()
    with torch.no_grad():
        def through(decoder, alpha):
            return adain.stylise_tensors(encoder, decoder, content, [style], [1.0], alpha=alpha)

        torch.testing.assert_close(through(both, 0.0), through(reconstruct, 0.0))
        torch.testing.assert_close(through(both, 1.0), through(paint, 1.0))
        padded, _ = adain.pad_for_encoder(content)
        maps = adain.renormalise(adain.encode(encoder, padded, paint.encoder_layers),
                                 {k: adain.mean_std(v) for k, v in adain.encode(encoder, style, paint.encoder_layers).items()}, 0.3)
        blended = adain.decode(both, maps, 0.3)
        torch.testing.assert_close(blended, 0.7 * adain.decode(reconstruct, maps) + 0.3 * adain.decode(paint, maps))


def test_conditioned_losses_weigh_style_by_alpha_and_reconstruction_by_the_rest(pair):
    """The α-input recipe: at α = 0 no style or Gram term, at α = 1 no reconstruction term; in between both."""
    from playground.nets.adain_decoder import AdaINDecoder
    from playground.recipes.style import conditioned_losses, reconstruction_weights

    decoder = AdaINDecoder(input_scale=0.125, alpha_input=True)
    decoder.load_state_dict(reconstruction_weights(str(SHIPPED_WEIGHTS)), strict=False)
    encoder = feats.backbone()
    content = torch.cat([pixels(pair[0], 96)[:, :, :48, :48]] * 2)  # (2, 3, 48, 48)
    style = torch.cat([pixels(pair[1], 96)[:, :, :48, :48]] * 2)
    with torch.no_grad():
        at = {a: conditioned_losses(encoder, decoder, content, style, torch.full((2,), a), with_gram=True) for a in (0.0, 0.5, 1.0)}
    assert float(at[0.0]["style"]) == 0 and float(at[0.0]["gram"]) == 0
    assert float(at[1.0]["reconstruction"]) == 0 and float(at[1.0]["perceptual"]) == 0
    assert all(float(at[0.5][key]) > 0 for key in ("style", "gram", "reconstruction", "perceptual", "content"))


def test_the_recipes_gram_loss_is_the_style_distance_of_the_yardstick(pair):
    """The fine-tune's Gram term is Gatys' style distance (metrics' Gram, same layers), per sample."""
    from playground.recipes.style import GRAM_LAYERS, gram_loss
    from playground.style.gram import style_distance

    encoder = feats.backbone()
    content, style = (pixels(image, 160) for image in pair)
    with torch.no_grad():
        content_maps = feats.extract(encoder, content, GRAM_LAYERS)
        style_maps = feats.extract(encoder, style, GRAM_LAYERS)
        assert float(gram_loss(content_maps, style_maps)) == pytest.approx(style_distance(content_maps, style_maps), rel=1e-4)
        assert float(gram_loss(style_maps, style_maps)) == 0.0


def test_the_relative_gram_loss_is_the_cards_style_ratio_per_sample(pair):
    """``gram_relative``: each sample's Gram distance over its content's own, as metrics.style_ratio takes it
    (there with a reflected margin); a sample already at its style's Gram matrices gets a floor, not a blow-up."""
    from playground.recipes.style import GRAM_LAYERS, gram_loss
    from playground.style.gram import style_distance

    encoder = feats.backbone()
    def square(image):  # (1, 3, 96, 96): one batch holds two pairs
        return pixels(image, 160)[..., :96, :96]

    content, style = square(pair[0]), square(pair[1])
    stylised = square(adain.stylise(*pair, alpha=1.0, size=160).image)
    other = square(procedural.generate("stripes", seed=1000, size=160))
    with torch.no_grad():
        maps = {name: feats.extract(encoder, torch.cat([a, b]), GRAM_LAYERS)
                for name, (a, b) in {"content": (content, content), "style": (style, other), "out": (stylised, content)}.items()}
        one = {name: {key: value[:1] for key, value in layers.items()} for name, layers in maps.items()}
        two = {name: {key: value[1:] for key, value in layers.items()} for name, layers in maps.items()}
        ratios = [style_distance(half["out"], half["style"]) / style_distance(half["content"], half["style"]) for half in (one, two)]
        assert ratios[0] < 1 and ratios[1] == pytest.approx(1.0)  # the stylised cat is nearer the slide; the cat is itself
        assert float(gram_loss(maps["out"], maps["style"], maps["content"])) == pytest.approx(np.mean(ratios), rel=1e-4)
        # the content already at the style: its distance (0) is floored at a tenth of the batch's mean
        floored = float(gram_loss(maps["out"], maps["style"], {key: torch.cat([value[:1], maps["style"][key][1:]]) for key, value in maps["content"].items()}))
        assert np.isfinite(floored) and floored > np.mean(ratios)


def test_adain_moves_the_image_towards_the_style(pair):
    content, style = pair  # both held out of the decoder's training
    out = adain.stylise(content, style, alpha=1.0, size=256).image
    ratio = distance_ratio(out, content, style, size=256)
    assert ratio < 0.6, ratio  # measured 0.47 with the shipped pair (0.56 with the decoder before it; card: 0.24 averaged)


def test_adain_reaches_its_cards_style_ratio_on_every_held_out_pair():
    """The card's held-out style ratio, measured again from the shipped weights: 3 held-out contents × 5 held-out
    styles at 256 px, α = 1, as the recipe measures it. Issue 37 asked for ≤ 0.25 on average."""
    from playground.recipes.style import EVAL_CONTENT, evaluation_styles

    encoder, decoder = feats.backbone(), registry.get(adain.DECODER)
    ratios = []
    with torch.no_grad():
        for name in EVAL_CONTENT:
            photo = data.photo(name)
            content = pixels(photo, 256)
            for _, style_image in evaluation_styles(256):
                out = adain.stylise_tensors(encoder, decoder, content, [pixels(style_image, 256)], [1.0], alpha=1.0)
                ratios.append(distance_ratio(feats.to_image(out), photo, style_image, size=256))
    card = weights.read_card("adain_decoder")["metrics"]
    assert np.mean(ratios) == pytest.approx(card["heldout_adain_style_ratio"], abs=0.005), ratios
    assert max(ratios) == pytest.approx(card["heldout_adain_style_ratio_worst"], abs=0.005), ratios
    assert np.mean(ratios) <= 0.25, ratios


def test_adain_alpha_zero_is_the_content_reconstruction(pair):
    content, style = pair
    content_pixels = pixels(content, 256)
    style_pixels = pixels(style, 256)
    encoder, decoder = feats.backbone(), registry.get(adain.DECODER)
    with torch.no_grad():
        at_zero = adain.stylise_tensors(encoder, decoder, content_pixels, [style_pixels], [1.0], alpha=0.0)
        padded, (top, left) = adain.pad_for_encoder(content_pixels)
        reconstruction = adain.decode(decoder, adain.encode(encoder, padded, decoder.encoder_layers), alpha=0.0).clamp(0, 1)  # no style
    torch.testing.assert_close(at_zero, reconstruction[:, :, top : top + at_zero.shape[2], left : left + at_zero.shape[3]])

    reference = np.asarray(resize_longer(content, 256), dtype=np.float64)
    zero_image = adain.stylise(content, style, alpha=0.0, size=256).image
    one_image = adain.stylise(content, style, alpha=1.0, size=256).image
    psnr_zero = 10 * np.log10(255**2 / ((np.asarray(zero_image, np.float64) - reference) ** 2).mean())
    assert psnr_zero > PSNR_ALPHA0, psnr_zero
    # α = 0 carries none of the style: its style distance stays near the content photo's.
    ratio_zero = distance_ratio(zero_image, content, style, size=256)
    ratio_one = distance_ratio(one_image, content, style, size=256)
    assert ratio_zero > ratio_one + 0.2, (ratio_zero, ratio_one)


@pytest.mark.parametrize("name", ["chelsea", "coffee", "astronaut"])
def test_adain_output_carries_no_upsampling_grid(name, pair):
    _, style = pair
    content = data.photo(name)
    out = adain.stylise(content, style, alpha=1.0, size=512).image
    assert abs(metrics.grid_artefact_db(adain.resize_longer(content, 512))) < 0.5  # the yardstick reads ~0 on a photo
    assert metrics.grid_artefact_db(out) < ARTEFACT_DB


def test_adain_mix_goes_from_one_style_to_the_other(pair):
    content, style = pair
    other = procedural.mosaic(seed=1, size=256)
    only_a = adain.stylise(content, style, size=128, style_b=other, mix=0.0).image
    only_b = adain.stylise(content, style, size=128, style_b=other, mix=1.0).image
    direct_b = adain.stylise(content, other, size=128).image
    half = adain.stylise(content, style, size=128, style_b=other, mix=0.5).image
    assert np.array_equal(np.asarray(only_b), np.asarray(direct_b))
    a, b, h = (np.asarray(x, float) for x in (only_a, only_b, half))
    assert np.abs(h - a).mean() > 2 and np.abs(h - b).mean() > 2


# ---------------------------------------------------------------- colour, procedural art, bad input


def test_preserve_colour_keeps_the_content_chroma_and_the_stylised_luminance():
    content = data.photo("coffee").resize((96, 64))
    stylised = procedural.stripes(seed=0, size=96).resize((96, 64))
    out = colour.preserve_colour(stylised, content)
    out_ycc = np.asarray(out.convert("YCbCr"), float)
    assert np.abs(out_ycc[..., 0] - np.asarray(stylised.convert("YCbCr"), float)[..., 0]).mean() < 2
    assert np.abs(out_ycc[..., 1:] - np.asarray(content.convert("YCbCr"), float)[..., 1:]).mean() < 2


@pytest.mark.parametrize("kind", sorted(procedural.GENERATORS))
def test_procedural_art_is_deterministic_and_not_flat(kind):
    a = np.asarray(procedural.generate(kind, seed=5, size=96))
    b = np.asarray(procedural.generate(kind, seed=5, size=96))
    c = np.asarray(procedural.generate(kind, seed=6, size=96))
    assert a.shape == (96, 96, 3) and np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.reshape(-1, 3).std(axis=0).mean() > 10  # real structure, not one colour


def test_odd_inputs_give_correct_results(pair, tmp_path):
    from playground.tabs import style as tab

    gray = tmp_path / "gray.png"
    data.photo("camera").resize((300, 200)).convert("L").save(gray)
    rgba = tmp_path / "rgba.png"
    picture = procedural.dots(seed=0, size=50).resize((40, 400)).convert("RGBA")  # tall and thin: another aspect
    picture.putalpha(128)
    picture.save(rgba)
    huge = tmp_path / "huge.png"
    Image.new("RGB", (6000, 4000), (200, 30, 30)).save(huge)
    picture, caption = tab.run_adain(str(gray), str(rgba), None, 1.0, 0.0, False, 128)
    image = picture["value"]
    assert image.size == (128, 85) and image.mode == "RGB"
    # The picture's text alternative carries the style distance the caption reports.
    distance = caption.split("**")[-2]  # e.g. "42 %"
    assert f"style distance {distance} of the content photo's" in picture["alt_text"] and "α 1" in picture["alt_text"]
    picture, _ = tab.run_adain(str(huge), str(gray), None, 1.0, 0.0, True, 128)
    assert picture["value"].size == (128, 85)
    frame = next(tab.run_gatys(str(gray), str(huge), ["stem"], ["8"], 1, 10, 1, 64, 10, "Adam", "content", False, 0))
    assert frame[0]["value"].size == (64, 43)


def test_adain_bad_input_is_a_clear_message(tmp_path):
    from playground.tabs import style as tab

    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("hello")
    content = data.photo_file("coffee")
    with pytest.raises(UserInputError, match="not an image"):
        tab.run_adain(str(not_an_image), content, None, 1.0, 0.0, False, 128)
    with pytest.raises(UserInputError, match="second style"):
        tab.run_adain(content, content, None, 1.0, 0.5, False, 128)
    with pytest.raises(UserInputError, match="between 0 and 1"):
        tab.run_adain(content, content, None, 1.5, 0.0, False, 128)
    with pytest.raises(UserInputError, match="No content"):
        tab.run_adain(None, content, None, 1.0, 0.0, False, 128)


def test_stop_ends_a_running_gatys_stream_with_a_stopped_frame_and_keeps_the_image():
    """Through the live runtime: Stop lets the chunk in progress finish, then the last frame says so."""
    from playground import live
    from playground.tabs import style as tab

    runtime = live.Runtime(slots=1)
    content, style = data.photo("chelsea"), data.photo("immunohistochemistry")
    knobs = (["stem", "1"], ["8"], 1, 1e4, 1, 64, 500, "Adam", "content", False, 0)
    job = runtime.start("visitor", "gatys", heavy=True)
    stream = runtime.run(job, tab.run_gatys(content, style, *knobs, job=job), lambda text: ("keep", "keep", text))
    first = next(stream)
    assert "running" in first[2]
    runtime.stop("visitor", "gatys")
    remaining = list(stream)
    assert remaining == [("keep", "keep", "**Stopped.**")]  # one last frame; the image shown stays
    assert runtime.running() == 0


def test_grid_artefact_score_sees_an_eight_pixel_pattern_and_not_a_photo():
    photo = adain.resize_longer(data.photo("coffee"), 384)
    grey = np.asarray(photo.convert("L"), dtype=np.float64)
    ys, xs = np.mgrid[: grey.shape[0], : grey.shape[1]]
    grid = ((xs % 8 == 0) | (ys % 8 == 0)) * 12.0  # faint lines every 8 px, as a ×8 decoder can leave
    marked = Image.fromarray(np.clip(grey + grid, 0, 255).astype(np.uint8))
    assert abs(metrics.grid_artefact_db(photo)) < 0.5
    assert metrics.grid_artefact_db(marked) > 3.0


def test_the_recipes_grid_loss_sees_an_eight_pixel_pattern_in_a_training_crop_and_not_the_photo():
    """The recipe's ``grid_loss`` (the average 8×8 tile's share of the detail) on 128 px crops of held-out photos,
    where metrics.grid_artefact_db's spectral peaks barely rise above the noise: a photo's detail averages out,
    the same faint lines every 8 px do not, and the loss's gradient points at the lines."""
    from playground.recipes.style import grid_loss

    crops = [resize_longer(data.photo(name), 256).crop((40, 40, 168, 168)) for name in ("coffee", "chelsea", "astronaut")]
    photos = torch.stack([feats.to_tensor(crop, torch.device("cpu"))[0] for crop in crops])  # (3, 3, 128, 128)
    ys, xs = torch.meshgrid(torch.arange(128), torch.arange(128), indexing="ij")
    lines = ((xs % 8 == 0) | (ys % 8 == 0)).float() * (12 / 255)  # as in the spectral test above
    tiles = (128 // 8) ** 2
    assert float(grid_loss(photos)) < 3 / tiles  # ~1/tiles: what averaging noise over 256 tiles leaves
    marked = (photos + lines).clamp(0, 1).requires_grad_(True)
    loss = grid_loss(marked)
    assert float(loss.detach()) > 5 * float(grid_loss(photos)), (float(loss.detach()), float(grid_loss(photos)))
    loss.backward()
    on_lines = marked.grad.abs().mean(dim=(0, 1))[lines > 0].mean()
    off_lines = marked.grad.abs().mean(dim=(0, 1))[lines == 0].mean()
    assert on_lines > 2 * off_lines


def test_the_gatys_slider_pairs_the_content_with_the_result_at_the_results_size(tmp_path):
    from playground.tabs.style import gatys_pair

    content_path = tmp_path / "content.png"
    data.photo("chelsea").save(content_path)
    result = Image.new("RGB", (96, 64), "orange")
    update = gatys_pair(str(content_path), result, "**Gatys (lbfgs)** — stopped: iteration 12/300")
    before, after = update["value"]
    assert before.size == after.size == (96, 64)
    assert np.array_equal(np.asarray(after), np.asarray(result))
    # the content photo, resized: its mean colour stays that of the photo, not the result's
    expected = np.asarray(data.photo("chelsea").convert("RGB").resize((96, 64)), dtype=float)
    assert np.abs(np.asarray(before, dtype=float) - expected).mean() < 1.0
    assert "stopped: iteration 12/300" in update["label"] and "**" not in update["label"]
    assert gatys_pair(str(content_path), None, "") == {"__type__": "update"}  # no result yet: nothing changes


def test_a_card_that_names_a_pair_builds_a_pair_and_serves_both_decoders(monkeypatch):
    """The catalog reads the card: ``pair_with`` builds an AdaINDecoderPair (its file holds reconstruct.* and
    paint.*), and the fast paths name each decoder's forward with maps of the shapes it takes."""
    from playground.catalog import style as catalog
    from playground.nets.adain_decoder import AdaINDecoderPair
    from playground.recipes.style import reconstruction_weights

    card = {"arguments": {"input_scale": 0.125, "block8": True, "pair_with": "pretrained/adain_decoder.safetensors"}}
    monkeypatch.setattr(catalog.weights, "read_card", lambda name: card)
    both = catalog.build_decoder().eval()
    assert isinstance(both, AdaINDecoderPair) and 8 in both.encoder_layers
    shipped = reconstruction_weights(str(SHIPPED_WEIGHTS))
    state = {f"reconstruct.{k}": v for k, v in shipped.items()}
    state.update({f"paint.{k}": v for k, v in both.paint.state_dict().items()})
    both.load_state_dict(state, strict=True)
    examples = catalog.fast_paths().examples
    assert [example.method for example in examples] == ["reconstruct.forward", "paint.forward"]
    from playground import inference

    with torch.no_grad():
        for example in examples:
            out = inference.method_of(both, example.method)(*example.inputs())
            assert out.shape == (1, 3, 384, 544)  # 8 × the block-4 map of the 544×384 example


def test_style_distance_falls_steadily_as_alpha_rises(pair):
    """α is a strength: on held-out pairs the style ratio falls from α = 0 to 0.75, and α = 1 stays far below α = 0.

    The shipped pair blends two decoders' pictures, (1 − α)·reconstruction + α·painting, so the top step is the
    painting decoder alone. Measured at 192 px, chelsea × immunohistochemistry: 0.95, 0.81, 0.64, 0.53, then 0.58
    at α = 1 (0.52 at α = 0.9): for this pale slide a tenth of the photo in the mix reads nearer the style than the
    painting alone. chelsea × dots: 0.98, 0.99, 0.78, 0.42, 0.21 (flat at the bottom, within 0.01)."""
    content, _ = pair
    for style in (pair[1], procedural.generate("dots", seed=1000, size=256)):  # held-out styles
        ratios = [distance_ratio(adain.stylise(content, style, alpha=alpha, size=192).image, content, style, size=192)
                  for alpha in (0.0, 0.25, 0.5, 0.75, 1.0)]
        rising = ratios[:4]
        assert all(later < earlier + 0.02 for earlier, later in zip(rising, rising[1:])), ratios
        assert ratios[0] > 0.85 and max(ratios[3:]) < ratios[0] - 0.3, ratios
