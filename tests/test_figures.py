"""The shared figures (playground/figures.py): LinePlot tables, the fast line chart, thread-safe matplotlib."""

from __future__ import annotations

import ast
import math
import threading
from pathlib import Path

import numpy as np

from playground import figures
from playground.figures import Line, curve_table, history_table, line_chart

PACKAGE = Path(__file__).resolve().parent.parent / "playground"
BLUE, ORANGE = (40, 90, 200), (230, 120, 20)


def test_curve_table_is_long_and_leaves_out_what_is_not_a_number():
    table = curve_table({"train": [(1, 0.5), (2, math.nan), (3, 0.25)], "valid": [(1, None), (2, math.inf)]}, "step", "loss")
    assert list(table.columns) == ["step", "loss", "curve"]
    assert table.values.tolist() == [[1, 0.5, "train"], [3, 0.25, "train"]]
    assert list(curve_table({}, "x", "y", color="term").columns) == ["x", "y", "term"]  # empty, but drawable


def test_history_table_numbers_epochs_from_one_in_legend_order():
    history = {"train_loss": [0.9, 0.5], "valid_loss": [1.0], "ignored": [3.0]}
    table = history_table(history, {"valid_loss": "validation", "train_loss": "training", "absent": "x"}, y="loss")
    assert table.values.tolist() == [[1, 1.0, "validation"], [1, 0.9, "training"], [2, 0.5, "training"]]


def _has(picture: np.ndarray, colour) -> int:
    return int((picture == np.array(colour, dtype=np.uint8)).all(axis=2).sum())


def test_line_chart_draws_each_line_in_its_colour_and_scales_to_the_largest_value():
    low = line_chart([Line([1.0, 1.0, 1.0], BLUE, "flat"), Line([0.0, 0.0], ORANGE, "zero")], 200, 120)
    assert low.shape == (120, 200, 3) and low.dtype == np.uint8
    rows = np.flatnonzero((low[30:] == BLUE).all(axis=2).any(axis=1)) + 30
    assert rows.min() <= 32  # the largest value sits at the top of the axis
    assert _has(low, ORANGE) > 100  # the zero line (and its legend) are drawn


def test_line_chart_before_any_value_shows_the_empty_text_and_no_legend():
    empty = line_chart([Line([], BLUE, "train")], 200, 120, empty="press play")
    assert _has(empty, BLUE) == 0
    assert (empty < 200).any()  # the axes and the text
    started = line_chart([Line([], BLUE, "train")], 200, 120)  # no empty text: the legend is there at once
    assert _has(started, BLUE) > 0


def test_line_chart_skips_non_finite_values_and_smooths_long_series():
    chart = line_chart([Line([1.0, math.nan, 0.5, math.inf, 0.2], BLUE, "loss")], 200, 120)
    assert _has(chart, BLUE) > 20
    noisy = np.tile([0.0, 1.0], 500)
    rough = line_chart([Line(noisy, BLUE, "x")], 300, 150)
    smooth = line_chart([Line(noisy, BLUE, "x")], 300, 150, smooth=True, note="1000 steps")
    assert _has(smooth[30:], BLUE) < _has(rough[30:], BLUE) / 3  # a moving mean: one flat line, not a zigzag


def test_figures_drawn_in_parallel_threads_are_independent():
    results = {}

    def draw(index: int):
        figure = figures.new_figure(2, 1.5, dpi=50)
        figure.subplots().plot([0, 1], [0, index])
        results[index] = figures.figure_to_array(figure)

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {array.shape for array in results.values()} == {(75, 100, 3)}
    assert not np.array_equal(results[1], results[5])


def test_no_module_uses_pyplot_or_builds_figures_its_own_way():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "figures.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            if isinstance(node, ast.ImportFrom):
                names += [f"{node.module}.{a.name}" for a in node.names]
            if any("pyplot" in name or name.endswith("FigureCanvasAgg") for name in names):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Figure":
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: Figure(…)")
    assert offenders == []
