"""The sketch ↔ emoji CycleGAN: unpaired piles, per-pile augmentation, the shipped generators measured on
the shipped held-out pairs beside pix2pix and the do-nothing baselines, and the tab's messages for bad input."""

from __future__ import annotations

import functools
import json
import re

import numpy as np
import pytest
import torch
from PIL import Image

from playground import alt_text, data, registry
from playground.errors import UserInputError
from playground.gans import pix2pix, sketch_cycle, sketch_cycle_demo
from playground.gans.heldout import heldout_pairs
from playground.gans.pix2pix import baseline_answers, generate_all, heldout_scores
from playground.nets.cyclegan import SKETCH_EMOJI_CONFIG
from playground.tabs.gans import handlers as tab
from playground.weights import PRETRAINED_DIR

torch.set_num_threads(1)


def _card() -> dict:
    return json.loads((PRETRAINED_DIR / "cyclegan_emoji.json").read_text())


# ---------------------------------------------------------------- training data


def test_the_piles_share_no_emoji():
    """Drawing i belongs to emoji i: A keeps the even-numbered drawings, B the odd-numbered emoji."""
    count = 10
    drawings = torch.arange(count, dtype=torch.float32).view(count, 1, 1, 1).expand(count, 1, 4, 4)
    emoji = torch.arange(count, dtype=torch.float32).view(count, 1, 1, 1).expand(count, 3, 4, 4)
    sketches, pictures = sketch_cycle.unpaired_piles(drawings, emoji)
    owners_a = set(sketches[:, 0, 0, 0].long().tolist())
    owners_b = set(pictures[:, 0, 0, 0].long().tolist())
    assert owners_a == {0, 2, 4, 6, 8} and owners_b == {1, 3, 5, 7, 9} and not owners_a & owners_b


def test_each_pile_is_augmented_on_its_own_terms():
    inks, emoji = heldout_pairs()
    drawings = torch.from_numpy(inks[:16] * 2 - 1).unsqueeze(1)  # (16, 1, 128, 128)
    pictures = torch.from_numpy(emoji[:16]).permute(0, 3, 1, 2).float() / 127.5 - 1
    out_a, out_b = sketch_cycle.augment_piles(drawings, pictures, torch.Generator().manual_seed(0))
    assert out_a.shape == drawings.shape and out_b.shape == pictures.shape
    assert set(out_a.unique().tolist()) <= {-1.0, 1.0}  # drawings stay lines on paper
    assert not torch.equal(out_a, drawings) and not torch.equal(out_b, pictures)
    assert out_b[:, :, 0, :].min() > 0.95  # zooming out brings in white paper, never black
    # Thicker strokes on average (1–5 px wide), but some drawings lose patches of ink.
    assert (out_a > 0).float().mean() > (drawings > 0).float().mean()
    again_a, again_b = sketch_cycle.augment_piles(drawings, pictures, torch.Generator().manual_seed(0))
    assert torch.equal(again_a, out_a) and torch.equal(again_b, out_b)


def test_a_short_training_run_changes_both_generators():
    from playground.gans.cyclegan import CycleSettings, train_cyclegan
    from playground.nets.cyclegan import CycleGAN, CycleGANConfig

    small = CycleGANConfig(channels_a=1, channels_b=3, image_size=32, width=4, downsamples=2, blocks=1, disc_width=4,
                           disc_layers=3)
    model = CycleGAN(small)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    drawings = (torch.rand(8, 1, 32, 32) > 0.9).float() * 2 - 1
    pictures = torch.rand(8, 3, 32, 32) * 2 - 1
    history = train_cyclegan(model, drawings, pictures, CycleSettings(steps=2, batch_size=2, identity=0.0),
                             log=lambda _: None, augment=sketch_cycle.augment_piles)
    assert len(history) == 2 and history[0].identity == 0.0
    for part in ("g_ab", "g_ba"):
        assert any(not torch.equal(v, before[k]) for k, v in model.state_dict().items() if k.startswith(part)), part


# ---------------------------------------------------------------- the shipped generators


@functools.lru_cache(maxsize=1)
def _heldout_scores() -> dict[str, float]:
    inks, emoji = heldout_pairs()
    coloured, _ = sketch_cycle.sketches_to_emoji(registry.get(sketch_cycle.MODEL), inks, back=False)
    answers = {"cyclegan": coloured, "pix2pix": generate_all(registry.get("pix2pix_emoji"), inks),
               **baseline_answers(inks)}
    return heldout_scores(answers, emoji)


def test_shipped_generators_are_small_and_match_their_card():
    card = _card()
    assert (PRETRAINED_DIR / card["file"]).stat().st_size < 5_000_000
    assert card["arguments"]["config"] == SKETCH_EMOJI_CONFIG.__dict__
    model = registry.get(sketch_cycle.MODEL)
    assert not hasattr(model, "d_a")  # the app runs the generators only
    assert sum(v.numel() for v in model.state_dict().values() if v.is_floating_point()) == card["parameters"]
    assert (PRETRAINED_DIR / card["heldout_grid"]).exists()


def test_the_unpaired_cyclegan_beats_the_do_nothing_baselines():
    """On the card (141 held-out emoji): L1 0.188, PSNR 10.5 dB and a Lite0 feature distance of 0.446, against
    0.206–0.239, 8.3–10.1 dB and 0.474–0.809 for the drawing itself, the blurred drawing and white paper."""
    scores = _heldout_scores()
    for baseline in ("identity_baseline", "blur_baseline", "white_baseline"):
        assert scores["l1_cyclegan"] < 0.95 * scores[f"l1_{baseline}"], (baseline, scores)
        assert scores["psnr_cyclegan"] > scores[f"psnr_{baseline}"] + 0.3, (baseline, scores)
        assert scores["feature_cyclegan"] < scores[f"feature_{baseline}"] - 0.015, (baseline, scores)


def test_pairs_buy_a_closer_picture():
    """What the tab teaches: pix2pix (with the pairs) is closer to the real emoji than the CycleGAN (without)."""
    scores = _heldout_scores()
    assert scores["l1_pix2pix"] < 0.85 * scores["l1_cyclegan"], scores
    assert scores["psnr_pix2pix"] > scores["psnr_cyclegan"] + 1.5, scores
    assert scores["feature_pix2pix"] < scores["feature_cyclegan"], scores


def test_both_cycles_come_back_closer_than_the_translation_is_to_its_target():
    """Drawing → emoji → drawing and emoji → drawing → emoji return near where they started (card: 0.052 and
    0.095 per pixel), much nearer than the translated emoji is to the real one (0.19): the cycle holds the lines."""
    inks, emoji = heldout_pairs()
    model = registry.get(sketch_cycle.MODEL)
    coloured, drawn_back = sketch_cycle.sketches_to_emoji(model, inks)
    _, coloured_back = sketch_cycle.emoji_to_sketches(model, emoji)
    to_target = np.abs(coloured.astype(np.float32) - emoji).mean() / 255
    assert np.abs(drawn_back - inks).mean() < 0.6 * to_target
    assert np.abs(coloured_back.astype(np.float32) - emoji).mean() / 255 < 0.6 * to_target


# ---------------------------------------------------------------- the tab


def _circle_sketch() -> dict:
    layer = np.zeros((400, 400, 4), dtype=np.uint8)
    yy, xx = np.mgrid[:400, :400]
    layer[np.abs(np.hypot(yy - 200, xx - 200) - 120) < 3, 3] = 255
    return {"background": None, "layers": [layer], "composite": None}


def test_a_drawing_goes_through_both_translators_and_back():
    described, words = tab.pairs_sketch(_circle_sketch())
    picture = described["value"]
    side = pix2pix.SIZE * sketch_cycle_demo.SCALE
    assert picture.dtype == np.uint8 and picture.shape == (side + sketch_cycle_demo.CAPTION,
                                                           4 * side + 3 * sketch_cycle_demo.GAP, 3)
    ink = pix2pix.ink_from_sketch(_circle_sketch())
    unpaired, _ = sketch_cycle.round_trip_from_sketch(ink)
    left = side + sketch_cycle_demo.GAP
    shown = picture[sketch_cycle_demo.CAPTION:, 2 * left : 2 * left + side : sketch_cycle_demo.SCALE]
    assert np.array_equal(shown[:: sketch_cycle_demo.SCALE], unpaired)  # the third panel is the CycleGAN's answer
    assert np.array_equal(picture[sketch_cycle_demo.CAPTION:, left : left + side : 2][::2], pix2pix.translate(ink))
    assert "cycle error" in words


def test_a_heldout_drawing_is_scored_against_its_emoji():
    described, words = tab.pairs_heldout(5)
    picture = described["value"]
    for score in re.findall(r"\d+\.\d+ dB", words):  # the PSNRs beside the picture are in its alt text too
        assert score in described["alt_text"]
    inks, emoji = heldout_pairs()
    side = pix2pix.SIZE * sketch_cycle_demo.SCALE
    last = picture[sketch_cycle_demo.CAPTION:, -side::2][::2]
    assert np.array_equal(last, emoji[4])  # the real emoji closes the row
    assert words.count("dB") == 2 and "pix2pix" in words and "CycleGAN" in words


def test_an_uploaded_picture_runs_both_cycles(tmp_path):
    path = tab.heldout_example_files()[1]
    described, words = tab.pairs_upload(path, tab.UPLOAD_KINDS[0])
    assert described["value"].shape[0] > 2 * pix2pix.SIZE * sketch_cycle_demo.SCALE  # the picture's row and its edges' row
    assert words.startswith("Picture → CycleGAN's drawing → picture") and "Drawing → CycleGAN's emoji" in words
    drawing = tmp_path / "drawing.png"
    Image.fromarray(pix2pix.ink_picture(heldout_pairs()[0][2])).save(drawing)
    row, words = tab.pairs_upload(str(drawing), tab.UPLOAD_KINDS[1])
    assert row["value"].shape[0] == pix2pix.SIZE * sketch_cycle_demo.SCALE + sketch_cycle_demo.CAPTION


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: tab.pairs_sketch({"background": None, "layers": [np.zeros((400, 400, 4), np.uint8)],
                                   "composite": None}), "empty"),
        (lambda: tab.pairs_sketch(None), "empty"),
        (lambda: tab.pairs_heldout(0), "held-out example"),
        (lambda: tab.pairs_heldout(float("nan")), "held-out example"),
        (lambda: tab.pairs_upload(None, tab.UPLOAD_KINDS[0]), "No image"),
        (lambda: tab.pairs_upload(data.photo_file("coffee", 64), "a song"), "kind of picture"),
        (lambda: sketch_cycle.round_trip_from_sketch(np.full((128, 128), np.nan)), "NaN"),
        (lambda: sketch_cycle.round_trip_from_sketch(np.ones((64, 64))), "128×128"),
        (lambda: sketch_cycle_demo.from_emoji(np.zeros((64, 64, 3), np.uint8)), "128×128"),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(UserInputError, match=message):
        call()


def test_non_images_and_blank_pictures_are_refused(not_an_image, blank_picture):
    with pytest.raises(UserInputError, match="not an image"):
        tab.pairs_upload(not_an_image, tab.UPLOAD_KINDS[0])
    for kind in tab.UPLOAD_KINDS:
        with pytest.raises(UserInputError, match="blank"):
            tab.pairs_upload(blank_picture, kind)


def test_api_answers_an_empty_sketch_clearly(client):
    with pytest.raises(Exception, match="empty"):
        client.predict({"background": None, "layers": [], "composite": None}, api_name="/pairs_sketch")
    picture, words = client.predict(3, api_name="/pairs_heldout")
    assert np.asarray(Image.open(picture)).std() > 10 and "dB" in words


def test_the_slider_sets_the_real_emoji_against_either_translator():
    """The Sketch ↔ emoji slider's pictures are the row's own panels: for a held-out drawing, the real emoji
    against pix2pix's or the CycleGAN's answer (each the network's pixels at the size shown)."""
    inks, emoji = heldout_pairs()
    row = alt_text.plain(tab.pairs_heldout(1)[0])  # the picture as the slider's input gets it
    (real, paired), caption = tab.pairs_comparison(row, tab.PAIRS_COMPARED[0], against_real=True)
    side = pix2pix.SIZE * sketch_cycle_demo.SCALE
    assert real.shape == paired.shape == (side, side, 3)
    assert np.array_equal(real[::2, ::2], emoji[0]) and "real emoji" in caption
    assert np.array_equal(paired[::2, ::2], pix2pix.translate(inks[0]))
    (drawing, unpaired), caption = tab.pairs_comparison(row, tab.PAIRS_COMPARED[1], against_real=False)
    assert np.array_equal(drawing[::2, ::2], pix2pix.ink_picture(inks[0])) and "drawing" in caption
    assert np.array_equal(unpaired[::2, ::2], sketch_cycle.round_trip_from_sketch(inks[0])[0])
    with pytest.raises(UserInputError):
        tab.pairs_comparison(row, "a third translator", against_real=True)


def test_the_pix2pix_slider_splits_drawing_and_emoji():
    ink = heldout_pairs()[0][0]
    output = pix2pix.translate(ink)
    shown = pix2pix.side_by_side(pix2pix.ink_picture(ink), output)
    drawing, emoji = tab.pix2pix_comparison(shown)
    assert np.array_equal(drawing[::2, ::2], pix2pix.ink_picture(ink)) and np.array_equal(emoji[::2, ::2], output)
