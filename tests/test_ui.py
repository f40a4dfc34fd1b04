"""The Gradio glue: errors become readable messages, uploads are decoded safely."""

from __future__ import annotations

import gradio as gr
import pytest
from gradio.data_classes import FileData
from PIL import Image

from playground.errors import TrainingDiverged, UserInputError
from playground.ui import SafeImage, friendly


def test_friendly_turns_known_errors_into_messages():
    def bad_input():
        raise UserInputError("learning rate must be a finite number")

    def diverged():
        raise TrainingDiverged("the loss became nan")

    def generator():
        yield 1
        raise UserInputError("no points to train on")

    with pytest.raises(gr.Error, match="learning rate must be a finite number"):
        friendly(bad_input)()
    with pytest.raises(gr.Error, match="Training diverged: the loss became nan"):
        friendly(diverged)()
    stream = friendly(generator)()
    assert next(stream) == 1
    with pytest.raises(gr.Error, match="no points to train on"):
        next(stream)


def test_friendly_hides_tracebacks_of_unexpected_errors():
    def broken():
        return {}["missing"]

    with pytest.raises(gr.Error, match=r"Something went wrong \(KeyError"):
        friendly(broken)()


def test_safe_image_renders_as_an_image_and_reports_bad_uploads(tmp_path):
    component = SafeImage(type="filepath")
    assert component.get_block_name() == "image"
    fake = tmp_path / "holiday.png"
    fake.write_text("not a picture")
    with pytest.raises(gr.Error, match="not an image I can read"):
        component.preprocess(FileData(path=str(fake), orig_name="holiday.png"))
    good = tmp_path / "red.png"
    Image.new("RGB", (8, 8), (255, 0, 0)).save(good)
    assert component.preprocess(FileData(path=str(good), orig_name="red.png")).endswith(".png")
