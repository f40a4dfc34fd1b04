"""Your own data in the MLP playground: a CSV (or pasted rows) with columns x1, x2, label. Every bad file gets a
message naming the row and the problem; good data is rescaled to the plane, trained on, exported and downloaded
back unchanged."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from playground.errors import UserInputError
from playground.perceptron import datasets, export
from playground.perceptron.config import PlaygroundConfig, page_values
from playground.perceptron.table import PLANE_RANGE, read_table, to_csv
from playground.perceptron.trainer import Trainer


def _two_blobs(n: int = 200, seed: int = 0, scale: float = 1000.0, names=("cat", "dog")) -> str:
    """Two separable blobs in units far from the plane's (around 0…scale)."""
    rng = np.random.default_rng(seed)
    rows = ["x1,x2,label"]
    for i in range(n):
        label = i % 2
        x1, x2 = rng.normal([0.25 + 0.5 * label, 0.5], 0.05) * scale
        rows.append(f"{x1:.3f},{x2:.3f},{names[label]}")
    return "\n".join(rows)


def test_good_rows_are_rescaled_onto_the_plane_with_the_scale_said():
    table = read_table(_two_blobs(), source="blobs.csv")
    points, labels = table.arrays()
    assert table.class_names == ("cat", "dog") and set(labels.tolist()) == {0, 1}
    for axis in (0, 1):  # each axis spans exactly −5 … 5
        assert points[:, axis].min() == pytest.approx(-PLANE_RANGE, abs=1e-3)
        assert points[:, axis].max() == pytest.approx(PLANE_RANGE, abs=1e-3)
    assert "200 rows from blobs.csv" in table.scale_text() and "cat → class 0" in table.scale_text()
    low, high = table.ranges[0]
    assert f"{low:g} … {high:g} → −5 … 5" in table.scale_text()


def test_no_header_semicolons_tabs_and_numeric_labels_are_read():
    for text in ("1;2;0\n2;3;1\n3;1;0\n4;4;1\n", "1\t2\t3\n2\t3\t7\n3\t1\t3\n4\t4\t7\n", "1 2 0\n2 3 1\n3 1 0\n4 4 1\n"):
        table = read_table(text)
        assert len(table.points) == 4 and len(table.class_names) == 2
    assert read_table("x1,x2,label\n1,2,10\n2,3,9\n3,1,10\n4,4,9\n").class_names == ("9", "10")  # by value
    # Columns found by name, in any order.
    table = read_table("label,x2,x1\na,1,10\nb,2,20\na,3,30\nb,4,40\n")
    assert table.ranges == ((10.0, 40.0), (1.0, 4.0))


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"),
    ("\n\n   \n", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
    (b"x1,x2,label\n\xff\xfe1,2,3\n", "not UTF-8 text"),
    ("x1,x2,label\n1,2,a\n3,abc,b\n4,5,a\n6,7,b\n", "row 3: x2 is 'abc', not a number"),
    ("x1,x2,label\n1,2,a\nnan,3,b\n4,5,a\n6,7,b\n", "row 3: x1 is nan: every x1 and x2 must be a finite number"),
    ("x1,x2,label\n1,2,a\n3,inf,b\n4,5,a\n6,7,b\n", "row 3: x2 is inf"),
    ("x1,x2,label\n1,2,a\n3,4,a\n5,6,a\n7,8,a\n", "1 class(es) (a)"),
    ("x1,x2,label\n" + "".join(f"{i},{i},{'abcdef'[i % 6]}\n" for i in range(12)), "6 class(es)"),
    ("x1,x2,label\n1,2,a\n3,4,b\n", "2 data row(s): at least 4"),
    ("x1,x2,label\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(5001)), "5,001 data rows: at most 5,000"),
    ("x1,x2,label\n1,2,a\n3,4\n5,6,a\n7,8,b\n", "row 3 has 2 column(s)"),
    ("x1,x2,label\n1,2,a\n3,4, \n5,6,a\n7,8,b\n", "row 3: the label is empty"),
])
def test_a_bad_file_gets_a_message_that_names_the_row_and_the_problem(content, message):
    with pytest.raises(UserInputError, match=re.escape(message)):
        read_table(content, source="my.csv")


def test_the_table_trains_is_exported_and_downloads_back_unchanged(tmp_path):
    table = read_table(_two_blobs(seed=3), source="blobs.csv")
    config = PlaygroundConfig(dataset=datasets.TABLE, table=table, classes=4, hidden=(4,)).validated()
    assert config.classes == 2  # the file decides the classes, whatever the slider said
    trainer = Trainer(config)
    trainer.train_epochs(30)
    assert trainer.accuracy("test") >= 0.95  # two separable blobs, whatever their units
    # The exported script trains on these very points (on the plane).
    script = export.pytorch_script(trainer)
    first = trainer.data.train_points[0]
    assert f"({float(first[0])!r}, {float(first[1])!r}," in script
    # Downloaded back in the file's own units, it reads as the same table.
    points = np.concatenate([trainer.data.train_points, trainer.data.test_points])
    labels = np.concatenate([trainer.data.train_labels, trainer.data.test_labels])
    again = read_table(to_csv(table.to_file_units(points), labels, table.class_names))
    assert again.class_names == table.class_names
    assert all(math.isclose(a, b, rel_tol=1e-4) for pair in zip(again.ranges, table.ranges) for a, b in zip(*pair))
    before, after = np.asarray(table.points), np.asarray(again.points)  # (n, 3) x1, x2, class
    assert len(after) == len(before)
    nearest = np.abs(after[:, None, :] - before[None, :, :]).max(axis=2).min(axis=1)  # each point's closest match
    assert nearest.max() < 2e-3
    # A link never carries the file.
    assert not any("table" in key for key in config.to_query())
    with pytest.raises(UserInputError, match="no CSV yet"):
        PlaygroundConfig(dataset=datasets.TABLE).validated()


def test_api_upload_paste_and_download(client, tmp_path):
    from gradio_client import handle_file

    values = page_values(PlaygroundConfig())
    path = tmp_path / "blobs.csv"
    path.write_text(_two_blobs(seed=5))
    board, status, _query, dataset, classes, info = client.predict(handle_file(str(path)), *values,
                                                                    api_name="/mlp_upload_csv")
    assert dataset == datasets.TABLE and classes == 2 and "200 rows from blobs.csv" in info
    assert "100 train / 100 test points" in status and json.loads(board["network"])["classes"] == 2
    downloaded = client.predict(api_name="/mlp_data_csv")
    assert read_table(open(downloaded).read()).class_names == ("cat", "dog")
    with pytest.raises(Exception, match=re.escape("row 3: x2 is 'oops', not a number")):
        client.predict("x1,x2,label\n1,2,a\n3,oops,b\n4,5,a\n6,7,b", *values, api_name="/mlp_paste_rows")
    bad = tmp_path / "picture.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    with pytest.raises(Exception, match="not a text file"):
        client.predict(handle_file(str(bad)), *values, api_name="/mlp_upload_csv")
