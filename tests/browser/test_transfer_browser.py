"""Transfer learning in headless Chromium: two classes of images, train, classify a new one."""

from __future__ import annotations

import pytest

from playground import data
from tests.conftest import open_tab

pytestmark = pytest.mark.browser


def _patches(folder, name, boxes):
    picture = data.photo(name)
    paths = []
    for i, box in enumerate(boxes):
        path = folder / f"{name}{i}.png"
        picture.crop(box).resize((160, 160)).save(path)
        paths.append(str(path))
    return paths


def _add_files(page, class_name, paths):
    page.locator("#transfer-target-class input").click()
    page.get_by_role("option", name=class_name, exact=True).click()
    page.locator("#transfer-files input[type=file]").set_input_files(paths)
    last_stem = paths[-1].rsplit("/", 1)[-1].removesuffix(".png")  # the file list shows the stem apart
    page.locator("#transfer-files").get_by_text(last_stem, exact=True).first.wait_for()
    page.locator("#transfer-add-files").click()
    page.locator("#transfer-class-status").get_by_text(f"Added {len(paths)} images to “{class_name}”").wait_for()


def test_add_two_classes_train_and_classify(page, tmp_path):
    boxes = [(0, 0, 220, 220), (60, 20, 280, 240), (120, 40, 340, 260), (200, 60, 420, 280)]
    cats = _patches(tmp_path, "chelsea", boxes)
    cups = _patches(tmp_path, "coffee", boxes)
    open_tab(page, "Transfer learning")
    names = page.locator("#transfer-class-names textarea")
    names.fill("cat\ncoffee")
    page.locator("#transfer-set-classes").click()
    page.locator("#transfer-class-status").get_by_text("Classes: cat, coffee").wait_for()
    _add_files(page, "cat", cats)
    _add_files(page, "coffee", cups)
    summary = page.locator("#transfer-summary").inner_text()
    assert "cat" in summary and "coffee" in summary

    page.locator("#transfer-train").click()
    status = page.locator("#transfer-train-status")
    status.get_by_text("held-out accuracy").first.wait_for(timeout=90_000)
    status.get_by_text("Done in").wait_for(timeout=90_000)

    query = tmp_path / "new_cat.png"
    data.photo("chelsea").crop((150, 30, 350, 230)).save(query)
    page.locator("#transfer-query input[type=file]").set_input_files(str(query))
    page.locator("#transfer-query img").first.wait_for()
    page.locator("#transfer-classify").click()
    prediction = page.locator("#transfer-prediction")
    prediction.get_by_text("%").first.wait_for(timeout=60_000)
    # Under its title, a gr.Label shows the predicted class first, then the confidence bars.
    lines = [line.strip() for line in prediction.inner_text().splitlines() if line.strip()]
    assert lines[0] == "Your classifier says" and lines[1] == "cat", lines
    page.errors.assert_clean()
