"""Transfer learning through the running app's API: bad input and two visitors at once."""

from __future__ import annotations

import pytest
from gradio_client import Client, handle_file

from playground import data


@pytest.fixture(scope="module")
def photo_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("transfer-api")
    paths = {}
    for name in ("chelsea", "coffee"):
        picture = data.photo(name)
        paths[name] = []
        for i, box in enumerate([(0, 0, 250, 250), (100, 20, 300, 220), (180, 40, 400, 260)]):
            path = folder / f"{name}{i}.png"
            picture.crop(box).save(path)
            paths[name].append(str(path))
    fake = folder / "fake.png"
    fake.write_text("not an image at all")
    paths["fake"] = str(fake)
    return paths


def test_bad_input_is_a_clear_message_and_the_session_keeps_its_images(app_url, client, photo_files):
    with pytest.raises(Exception, match="Duplicate class name"):
        client.predict("cat\ncat", api_name="/transfer_set_classes")
    client.predict("cat\ncup", api_name="/transfer_set_classes")
    target, summary, _, status, _ = client.predict(
        "cat", [handle_file(p) for p in photo_files["chelsea"]], api_name="/transfer_add_images"
    )
    assert "Added 3 images" in status
    with pytest.raises(Exception, match="not an image"):
        client.predict("cup", [handle_file(photo_files["fake"])], api_name="/transfer_add_images")
    with pytest.raises(Exception, match="Class 'cup' has no images"):
        client.predict(0, False, "linear", 5, 0.003, 0, 0.25, api_name="/transfer_train")
    # A second visitor (its own session) sees none of the first one's classes.
    other = Client(app_url, verbose=False)
    other.predict("x\ny", api_name="/transfer_set_classes")
    with pytest.raises(Exception, match="Class 'x' has no images"):
        other.predict(0, False, "linear", 5, 0.003, 0, 0.25, api_name="/transfer_train")
    # The first visitor's images survived all of that.
    client.predict("cup", [handle_file(p) for p in photo_files["coffee"]], api_name="/transfer_add_images")
    result = client.predict(0, False, "linear", 10, 0.003, 0, 0.34, api_name="/transfer_train")
    assert "held-out accuracy" in result[0]
    label = client.predict(handle_file(photo_files["chelsea"][0]), api_name="/transfer_classify")
    assert label["label"] in ("cat", "cup")
