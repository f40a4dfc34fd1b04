"""End to end: the real app in a subprocess, called through its API with gradio_client."""

from __future__ import annotations

import logging
import urllib.request

import pytest
from PIL import Image

from playground import data


def _handle(path):
    from gradio_client import handle_file

    return handle_file(str(path))


def test_the_app_serves_the_page(app_url):
    with urllib.request.urlopen(app_url, timeout=10) as response:
        assert response.status == 200
        assert b"Deep Learning Playground" in response.read()


def test_classify_endpoint_on_a_real_photo(client, tmp_path):
    path = tmp_path / "coffee.jpg"
    data.photo("coffee").save(path)
    result = client.predict(_handle(path), api_name="/classify")
    assert result["label"] == "espresso"


def _text_renamed_png(folder):
    path = folder / "fake.png"
    path.write_text("not an image")
    return path


def _huge_png(folder):
    path = folder / "huge.png"
    Image.new("L", (20_000, 20_000)).save(path)  # 400 megapixels, a few hundred KB on disk
    return path


@pytest.mark.parametrize(
    "make, message",
    [(_text_renamed_png, "not an image"), (_huge_png, "too large")],
    ids=["text-renamed-png", "20000x20000"],
)
def test_bad_uploads_get_a_clear_message_and_the_app_keeps_serving(client, tmp_path, make, message):
    from gradio_client.exceptions import AppError

    path = make(tmp_path)
    with pytest.raises(AppError, match=message):
        client.predict(_handle(path), api_name="/classify")
    good = tmp_path / "chelsea.jpg"
    data.photo("chelsea").save(good)
    assert client.predict(_handle(good), api_name="/classify")["label"]


def test_no_image_gets_a_clear_message(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="No image"):
        client.predict(None, api_name="/classify")


def test_picture_endpoints_answer_api_clients_with_plain_pictures(client):
    """The page gets each picture with its text alternative (a gr.update); an API client gets the picture
    alone, as before alt text was added (playground/alt_text.py)."""
    grid = client.predict("dcgan_mnist", 5, 3.0, "all", api_name="/gan_sample")
    assert isinstance(grid, str) and Image.open(grid).size[0] > 100
    picture, formula = client.predict(1.0, -1.0, 0.5, "sigmoid", 0.1, "gauss", api_name="/perceptron_surface")
    assert isinstance(picture, str) and Image.open(picture).size == (300, 300) and "Accuracy" in formula


def test_api_names_given_by_tabs_are_unique():
    """Gradio silently renames a clashing api_name to name_1; a client would call the wrong tab."""
    import collections
    import re
    from pathlib import Path

    tabs = Path(__file__).resolve().parent.parent / "playground" / "tabs"
    names = [name for path in tabs.rglob("*.py") for name in re.findall(r'api_name="([\w-]+)"', path.read_text())]
    clashes = [name for name, count in collections.Counter(names).items() if count > 1]
    assert not clashes, f"api names used by more than one event: {clashes}"


def test_every_api_endpoint_names_its_parameters():
    """gradio_client users read these names: none may be a placeholder like param_3 (a handler
    that takes *values) or a duplicate endpoint name with a numeric suffix."""
    import re

    from playground.app import build_app

    endpoints = build_app().get_api_info()["named_endpoints"]
    placeholders = {
        name: [p["parameter_name"] for p in endpoint["parameters"]]
        for name, endpoint in endpoints.items()
        if any(re.fullmatch(r"param_\d+|args|kwargs|values?", p["parameter_name"] or "") for p in endpoint["parameters"])
    }
    assert not placeholders, placeholders
    suffixed = [name for name in endpoints if re.search(r"_\d+$", name)]
    assert not suffixed, suffixed


def test_the_launch_warm_up_runs_every_tabs_warm_up(caplog):
    """launch() runs this in a background thread, where a failure would go unseen: the first-visit examples
    and every tab's warm-up, after which the replica calls itself ready."""
    from playground import app

    app._warm_up(app.build_app())
    # Nothing logged as an error: a tab's warm-up, a first-visit example, or the examples' stream as a whole
    # (one example that returns the wrong number of values ends the stream for every tab after it).
    assert not [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
