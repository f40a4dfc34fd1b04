"""Text alternatives: built from a caption and numbers, sent to the page, kept out of what API clients receive."""

from __future__ import annotations

import inspect
import re

import gradio as gr
import numpy as np
import pytest

from playground import alt_text
from playground.ui import friendly


def _picture_and_words(size: int, request: gr.Request):
    """A handler with a Request of its own (as live streams have): both requests must reach their owners."""
    assert request is None or isinstance(request, gr.Request)
    picture = np.zeros((size, size, 3), np.uint8)
    return alt_text.picture(picture, "A black square", f"{size} px", None), "words"


def test_describe_leaves_out_missing_facts_and_formats_figures():
    assert alt_text.describe("Decision plane", "epoch 12", None, f"test accuracy {alt_text.percent(0.943)}") == \
        "Decision plane: epoch 12, test accuracy 94 %"
    assert alt_text.describe("Just a caption", None, "") == "Just a caption"
    assert alt_text.percent(float("nan")) is None and alt_text.number(0.12345) == "0.123"


def test_the_page_gets_alt_text_and_an_api_client_the_plain_picture():
    handler = friendly(_picture_and_words)
    page = gr.Request(headers={"x-gradio-user": "app"})  # what Gradio's front end sends with every event
    api = gr.Request(headers={"x-gradio-user": "api"})  # what gradio_client sends
    shown, words = handler(page, 8, page)
    assert shown["alt_text"] == "A black square: 8 px" and shown["value"].shape == (8, 8, 3) and words == "words"
    plain, words = handler(api, 8, api)
    assert isinstance(plain, np.ndarray) and plain.shape == (8, 8, 3) and words == "words"
    direct, _ = handler(8, None)  # a direct call (a test, a warm-up) gets the handler's own result
    assert direct["alt_text"] == "A black square: 8 px"
    # Gradio fills in the leading Request; the API shows the handler's own parameter names.
    parameters = list(inspect.signature(handler).parameters)
    assert parameters == ["alt_text_request", "size", "request"]
    with gr.Blocks() as app:
        size, picture, text = gr.Number(8), gr.Image(), gr.Textbox()
        gr.Button().click(handler, [size], [picture, text], api_name="square")
    endpoint = app.get_api_info()["named_endpoints"]["/square"]
    assert [p["parameter_name"] for p in endpoint["parameters"]] == ["size"]


def test_updates_that_were_updates_before_alt_text_stay_as_they_were():
    captioned = gr.update(value=1, label="Noisy · PSNR 20 dB", alt_text="Noisy picture: PSNR 20 dB")
    choice = gr.update(value="Euler")
    assert alt_text.plain((captioned, choice, 3)) == (captioned, choice, 3)
    assert alt_text.plain(gr.update(value=2, alt_text="Two")) == 2


def test_a_streams_frames_reach_an_api_client_plain():
    def frames(count: int):
        for index in range(count):
            yield alt_text.picture(np.full((4, 4, 3), index, np.uint8), "Frame", f"number {index}")

    handler = friendly(frames)
    assert inspect.isgeneratorfunction(handler)
    api = list(handler(gr.Request(headers={"x-gradio-user": "api"}), 3))
    assert all(isinstance(frame, np.ndarray) for frame in api) and api[2][0, 0, 0] == 2
    page = list(handler(gr.Request(headers={"x-gradio-user": "app"}), 3))
    assert [frame["alt_text"] for frame in page] == ["Frame: number 0", "Frame: number 1", "Frame: number 2"]


# ---------------------------------------------------------------- plots (gr.Plot): the label says what they show


def _caption(update) -> str:
    """The label a plot's update carries (``alt_text.plot``); the page copies it onto the plot's <img> as its alt."""
    assert isinstance(update, alt_text.PlotCaption) and update["value"].axes, update
    return update["label"]


def test_a_plots_caption_reaches_the_page_and_an_api_client_gets_the_plain_figure():
    from matplotlib.figure import Figure

    from playground.ui import keep_for_resending, rendered

    def draw(points: int):
        figure = Figure()
        figure.subplots().plot(range(points))
        return alt_text.plot(figure, "A line", f"{points} points"), "words"

    handler = friendly(draw)
    shown, _ = handler(gr.Request(headers={"x-gradio-user": "app"}), 3)
    assert _caption(shown) == "A line: 3 points"
    plain, words = handler(gr.Request(headers={"x-gradio-user": "api"}), 3)
    assert isinstance(plain, Figure) and words == "words"
    kept = keep_for_resending(gr.Plot(), shown)  # a first-visit example or a room's frame stays a caption
    assert isinstance(kept, alt_text.PlotCaption) and alt_text.plain(kept) == kept["value"]
    drawn = rendered(gr.Plot(), shown)  # a live frame, its figure drawn inside its turn: still a caption
    assert isinstance(drawn, alt_text.PlotCaption) and drawn["label"] == "A line: 3 points"
    assert alt_text.plain(drawn) == drawn["value"] and not isinstance(drawn["value"], Figure)


def test_the_gradient_plot_says_the_norms_its_summary_reports():
    from playground.tabs.sequence import plot_gradients

    update, summary = plot_gradients(["Elman RNN (tanh)", "LSTM"], 40, 16, "PyTorch default", 1.0, 2.0, 0)
    caption = _caption(update)
    for line in summary.split("\n\n"):  # "**LSTM**: ‖∂h_T/∂x‖ at distance 1 = 0.0213, at distance 20 = 0.00134 …"
        cell = line.split("**")[1]
        near, far = re.findall(r"= ([^ ,]+)", line)[:2]
        assert f"{cell} {near} at distance 1, {far} at distance 20" in caption, (caption, line)


def test_the_race_plot_says_each_models_held_out_accuracy_as_its_status():
    from playground.tabs.sequence import run_race

    *_, (update, status) = run_race("remember-k", 3, 4, 8, 0.01, 3.0, 0, 20)
    caption = _caption(update)
    assert "step 20 of 20" in caption and status.startswith("step 20 / 20")
    reported = dict(re.findall(r"(TDNN|Elman RNN|LSTM|GRU) (\d\.\d\d)", status))  # "TDNN 0.55, …"
    assert len(reported) == 4
    for kind, accuracy in reported.items():
        said = float(re.search(rf"{kind} (\d+) %", caption).group(1))
        assert abs(said - 100 * float(accuracy)) <= 1, (kind, caption, status)  # 0.555 is "0.56" and "56 %"


def test_the_activation_plot_says_each_functions_largest_slope_from_the_table():
    from playground.tabs.perceptron import activations

    update, rows = activations.activation_view(["sigmoid", "tanh"], 0.1, 5)
    caption = _caption(update)
    assert caption.startswith("f(x) and its slope f′(x): x from −5 to 5")
    assert "Sigmoid largest slope 0.25 (x = 0.00)" in caption and "Tanh largest slope 1 (x = 0.00)" in caption
    assert all(f"{name} largest slope {slope}" in caption for name, slope, *_ in rows)


def test_the_gpt_vs_lstm_curves_say_the_held_out_losses_of_the_status():
    from playground.tabs.gpt import train_live

    *_, (status, update, _, _) = train_live("Shakespeare excerpt (ships with the app)", "", 1, 32, 32, 0.003, 20, 0)
    caption = _caption(update)
    assert "step 20" in caption and status.startswith("step 20 (done)")
    losses = re.findall(r"(GPT|LSTM) \([\d,]+ parameters\): (\d+\.\d+) nats/char", status)
    assert [name for name, _ in losses] == ["GPT", "LSTM"]
    for name, loss in losses:
        said = float(re.search(rf"{name} (\d+(?:\.\d+)?) nats per character", caption).group(1))
        assert said == pytest.approx(float(loss), abs=1e-3), (caption, status)
