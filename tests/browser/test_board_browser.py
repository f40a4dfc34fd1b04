"""The perceptron and MLP boards are drawn by the page (playground/perceptron/board.js) from the numbers the
server streams. Here, in Chromium: the page's plane matches the server's own rendering of the same weights
(render.py) within a small pixel tolerance; dragging a perceptron slider redraws the plane with no request to
the server until the slider is released; hovering reads ŷ."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from playground.perceptron import perceptron, render
from playground.perceptron.config import PlaygroundConfig
from playground.perceptron.session import Session
from playground.tabs.perceptron import explorer, mlp
from tests.conftest import open_tab

pytestmark = pytest.mark.browser

BOARD = "document.querySelector('{} [data-board]')"


def _page_plane(page, board_id: str) -> np.ndarray:
    """The page's plane canvas as an (H, W, 3) uint8 array."""
    flat = page.evaluate(f"() => {BOARD.format(board_id)}.playgroundBoard.planePixels()")
    side = int(round((len(flat) / 4) ** 0.5))
    return np.asarray(flat, dtype=np.uint8).reshape(side, side, 4)[:, :, :3]


def _assert_close(page_plane: np.ndarray, server_plane: np.ndarray, what: str, points: np.ndarray,
                  line: tuple[float, float, float] | None = None) -> None:
    """The same picture. Away from the data points (and the perceptron's line) every pixel is the same colour
    within a few levels; at each point's centre the same class colour. Only the points' rims and the line's
    edges may differ, where the browser anti-aliases and Pillow does not."""
    assert page_plane.shape == server_plane.shape, what
    difference = np.abs(page_plane.astype(np.int16) - server_plane.astype(np.int16)).max(axis=2)  # (H, W)
    size = page_plane.shape[0]
    pixels = render.to_pixels(points, size)  # (n, 2) column, row
    rows, columns = np.mgrid[0:size, 0:size] + 0.5
    near = np.zeros((size, size), bool)
    for column, row in pixels:
        near |= (columns - column) ** 2 + (rows - row) ** 2 <= 6.0 ** 2
    if line is not None:
        w1, w2, b = line
        x1, x2 = rows * 0 + (columns / size * 12 - 6), 6 - rows / size * 12
        near |= np.abs(w1 * x1 + w2 * x2 + b) / max(np.hypot(w1, w2), 1e-9) <= 3.5 * 12 / size
    away = difference[~near]
    assert away.mean() < 1.5 and np.percentile(away, 99.5) <= 8, (
        f"{what}: away from points, mean difference {away.mean():.2f} levels, 99.5th percentile "
        f"{np.percentile(away, 99.5):.0f}")
    # Points on their own (no other point's rim can cross their centre): the fill colour at the centre.
    apart = np.hypot(*(pixels[:, None, :] - pixels[None, :, :]).transpose(2, 0, 1))  # (n, n) pixel distances
    alone = (apart + np.eye(len(pixels)) * 1e9).min(axis=1) > 9.0
    centres = np.clip(np.floor(pixels[alone]).astype(int), 0, size - 1)
    at_centres = difference[centres[:, 1], centres[:, 0]]
    assert alone.sum() >= 5 and np.median(at_centres) <= 8 and (at_centres > 60).mean() < 0.05, (
        f"{what}: at the points' centres, median difference {np.median(at_centres):.0f} levels, "
        f"{(at_centres > 60).mean():.1%} above 60, of {alone.sum()} points on their own")


def _wait_for_scene(page, board_id: str, condition: str = "true") -> dict:
    page.wait_for_function(f"() => {{ const b = {BOARD.format(board_id)}; const s = b && b.playgroundBoard"
                           f" && b.playgroundBoard.scene(); return s && ({condition}); }}", timeout=60_000)
    return page.evaluate(f"() => {BOARD.format(board_id)}.playgroundBoard.scene()")


def test_the_pages_mlp_plane_matches_the_servers_picture_of_the_same_weights(page):
    open_tab(page, mlp.TITLE)
    _wait_for_scene(page, "#mlp-board", "s.kind === 'mlp' && s.output")
    page.click("#mlp-step")  # one epoch, so the weights are no longer the initial ones
    scene = _wait_for_scene(page, "#mlp-board", "s.epoch >= 1")
    # The server's rendering of exactly those weights (the default settings: the same data).
    session = Session()
    session.apply(PlaygroundConfig())
    layers = [*session.trainer.model.hidden_layers, session.trainer.model.output]
    shown = [*scene["layers"], scene["output"]]
    with torch.no_grad():
        for layer, numbers in zip(layers, shown):
            layer.weight.copy_(torch.tensor(numbers["w"]))
            layer.bias.copy_(torch.tensor(numbers["b"]))
    data = session.trainer.data
    points = np.concatenate([data.train_points, data.test_points])
    _assert_close(_page_plane(page, "#mlp-board"), session.frame().plane, "MLP plane", points)

    # Hovering the plane reads the network's output there.
    page.locator("#mlp-board [data-part=plane]").hover(position={"x": 150, "y": 150})
    readout = page.inner_text("#mlp-board [data-part=readout]")
    assert "class 0" in readout and "%" in readout, readout
    page.errors.assert_clean()


def test_a_perceptron_slider_drag_redraws_in_the_page_and_asks_the_server_only_on_release(page):
    open_tab(page, explorer.TITLE)
    _wait_for_scene(page, "#perceptron-board", "s.kind === 'perceptron'")
    settings = page.evaluate(f"() => {BOARD.format('#perceptron-board')}.playgroundBoard.settings()")
    points, labels = perceptron.perceptron_data("gauss")
    server = perceptron.surface(settings["w1"], settings["w2"], settings["b"], settings["act"], settings["leaky"],
                                points, labels)
    _assert_close(_page_plane(page, "#perceptron-board"), server, "perceptron plane at the first settings", points,
                  (settings["w1"], settings["w2"], settings["b"]))

    requests = []
    page.on("request", lambda request: requests.append(request.url) if "/queue/join" in request.url else None)
    before = _page_plane(page, "#perceptron-board")
    track = page.locator("#perceptron-w1 input[type=range]").bounding_box()
    y = track["y"] + track["height"] / 2
    page.mouse.move(track["x"] + track["width"] * 0.6, y)
    page.mouse.down()
    for step in range(1, 11):  # drag w1 towards −5
        page.mouse.move(track["x"] + track["width"] * (0.6 - 0.05 * step), y)
        page.wait_for_timeout(30)
    page.wait_for_timeout(200)
    during = _page_plane(page, "#perceptron-board")
    dragged = page.evaluate(f"() => {BOARD.format('#perceptron-board')}.playgroundBoard.settings()")
    assert requests == [], f"the drag asked the server {len(requests)} time(s) before release"
    assert dragged["w1"] < settings["w1"] - 1 and np.abs(during.astype(int) - before).max() > 100
    # The page's drawing at the dragged weights is the server's picture of them.
    server = perceptron.surface(dragged["w1"], dragged["w2"], dragged["b"], dragged["act"], dragged["leaky"],
                                points, labels)
    _assert_close(during, server, "perceptron plane while dragging", points, (dragged["w1"], dragged["w2"], dragged["b"]))
    assert f"σ({dragged['w1']:.2f}·x₁" in page.inner_text("#perceptron-formula")
    page.mouse.up()
    page.wait_for_function("() => window.location.search.includes('neuron_w1=')")
    assert len(requests) >= 1, "the released value never reached the server"
    page.errors.assert_clean()

    # The page address holds the settled neuron: opening it elsewhere shows the same one.
    released = page.evaluate(f"() => {BOARD.format('#perceptron-board')}.playgroundBoard.settings()")
    other = page.context.new_page()
    other.goto(page.url)
    other.wait_for_function(f"() => {{ const b = {BOARD.format('#perceptron-board')}; const s = b && b.playgroundBoard"
                            f" && b.playgroundBoard.settings(); return s && Math.abs(s.w1 - ({released['w1']})) < 1e-6; }}",
                            timeout=60_000)
    assert f"σ({released['w1']:.2f}·x₁" in other.inner_text("#perceptron-formula")


def test_your_own_csv_in_the_page_a_bad_row_is_named_and_good_data_trains(page, tmp_path):
    open_tab(page, mlp.TITLE)
    _wait_for_scene(page, "#mlp-board", "s.kind === 'mlp' && s.output")
    page.get_by_role("button", name="Your own data (CSV)").click()
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,a\n3,oops,b\n4,5,a\n6,7,b\n")
    with page.expect_file_chooser() as chooser:
        page.click("#mlp-csv")
    chooser.value.set_files(str(bad))
    page.wait_for_function("() => [...document.querySelectorAll('.toast-body, [data-testid=toast-body]')]"
                           ".some((t) => t.innerText.includes(\"row 3: x2 is 'oops', not a number\"))", timeout=30_000)
    good = tmp_path / "rings.csv"
    rows = ["x1,x2,label"] + [f"{100 + 40 * np.cos(a) * r:.3f},{-3 + np.sin(a) * r:.3f},{'inner' if r < 1 else 'outer'}"
                              for r in (0.5, 1.5) for a in np.linspace(0, 6.2, 60)]
    good.write_text("\n".join(rows))
    with page.expect_file_chooser() as chooser:
        page.click("#mlp-csv")
    chooser.value.set_files(str(good))
    page.wait_for_function("() => (document.querySelector('#mlp-table-info')?.innerText || '').includes('120 rows from rings.csv')",
                           timeout=30_000)
    scene = _wait_for_scene(page, "#mlp-board", "s.train.length + s.test.length === 360")  # 120 points × (x1, x2, class)
    assert scene["classes"] == 2
    assert "inner → class 0" in page.inner_text("#mlp-table-info")
