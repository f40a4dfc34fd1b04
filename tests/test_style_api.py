"""Style transfer through the real app's API (gradio_client): results, clear messages, still serving."""

from __future__ import annotations

import pytest
from PIL import Image

from playground import data


def _handle(path):
    from gradio_client import handle_file

    return handle_file(str(path))


@pytest.fixture
def photos(tmp_path):
    content = tmp_path / "coffee.png"
    data.photo("coffee").resize((120, 80)).save(content)
    style = tmp_path / "brick.png"
    data.photo("brick").resize((60, 90)).convert("L").save(style)  # another size, grayscale
    return content, style


def test_adain_endpoint_returns_an_image_and_its_timing(client, photos):
    content, style = photos
    image, caption = client.predict(_handle(content), _handle(style), None, 1.0, 0.0, False, 128, api_name="/adain")
    assert Image.open(image).size == (128, 85)
    assert "ms" in caption and "Style distance" in caption


def test_gatys_endpoint_streams_to_a_final_image(client, photos):
    content, style = photos
    result = client.predict(_handle(content), _handle(style), ["stem", "1"], ["8"], 1, 10, 1, 64, 20, "Adam",
                            "content", False, 0, api_name="/gatys")
    image, _curves, caption = result  # the gr.State output (Stop's latest image) stays on the server
    assert Image.open(image).size == (64, 43)
    assert "done" in caption


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(mix=0.5), "second style"),
        (dict(alpha=7.0), "greater than maximum value 1"),  # Gradio checks the slider's range itself
        (dict(size=5000), "greater than maximum value 1024"),
    ],
)
def test_adain_bad_settings_get_a_clear_message_and_the_app_keeps_serving(client, photos, change, message):
    from gradio_client.exceptions import AppError

    content, style = photos
    args = dict(alpha=1.0, mix=0.0, size=128) | change
    with pytest.raises(AppError, match=message):
        client.predict(_handle(content), _handle(style), None, args["alpha"], args["mix"], False, args["size"],
                       api_name="/adain")
    image, _ = client.predict(_handle(content), _handle(style), None, 1.0, 0.0, False, 128, api_name="/adain")
    assert Image.open(image).size == (128, 85)


def test_gatys_extreme_weights_through_the_api(client, photos):
    from gradio_client.exceptions import AppError

    content, style = photos
    with pytest.raises(AppError, match="Nothing to optimise"):
        client.predict(_handle(content), _handle(style), ["stem"], ["8"], 0, 0, 0, 64, 10, "L-BFGS", "content",
                       False, 0, api_name="/gatys")
    image, _, caption = client.predict(_handle(content), _handle(style), ["stem"], ["8"], 1e12, 1e12, 0, 64, 10,
                                          "L-BFGS", "content", False, 0, api_name="/gatys")
    assert Image.open(image).size == (64, 43) and "done" in caption
