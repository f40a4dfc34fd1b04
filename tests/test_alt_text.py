"""Text alternatives: built from a caption and numbers, sent to the page, kept out of what API clients receive."""

from __future__ import annotations

import inspect

import gradio as gr
import numpy as np

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
