"""Benchmark rows of the Perceptron and MLP playground tabs (``python -m playground.bench --only …``).

- Perceptron surface update on a 100 × 100 grid: the slider handler plus the JPEG encoding
  Gradio then does (server time for one slider move). Target ≤ 15 ms.
- Live training, measured through a real Gradio server: a Blocks with these tabs is launched
  in its own process and a gradio_client streams "play" for a few seconds (each frame's three
  pictures arrive inline in the streamed message, as on the page). Frames/s = frames delivered per second (target ≥ 10).
  Throughput ratio = epochs per CPU-second while streaming (epochs read from the streamed
  status; CPU of the whole app process: training, drawing, Gradio's work) ÷ epochs
  per CPU-second of a bare PyTorch loop on the same net and data, run just before and just
  after (target ≥ 0.7). CPU time, not wall time: this host is shared by other jobs and its
  wall-clock speed swings by 2–4× from one second to the next.
"""

from __future__ import annotations

import atexit
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from playground import chromium
from playground.bench_rows import BenchCase
from playground.perceptron.config import PlaygroundConfig
from playground.perceptron.model import build_mlp
from playground.perceptron.trainer import Trainer

LIVE_SECONDS = 3.0
ROOT = Path(__file__).resolve().parents[2]
_server: dict = {}


def _jpeg(array: np.ndarray) -> bytes:
    with io.BytesIO() as buffer:
        Image.fromarray(array).save(buffer, "jpeg")
        return buffer.getvalue()


def bare_epochs_per_second(config: PlaygroundConfig, seconds: float = 1.5) -> float:
    """Epochs per CPU-second of a plain PyTorch loop (shuffle, batches, zero_grad, loss, backward,
    step) on the same net and data."""
    data = Trainer(config)  # only for its tensors: the same points and features
    x, y = data.train_x, data.train_y
    model = build_mlp(x.shape[1], config.hidden, config.hidden_activations(), config.classes, config.init, config.seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.learning_rate)
    shuffle = torch.Generator().manual_seed(config.seed)
    epochs, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        order = torch.randperm(len(x), generator=shuffle)
        for first in range(0, len(x), config.batch_size):
            index = order[first:first + config.batch_size]
            optimizer.zero_grad()
            F.cross_entropy(model(x[index]), y[index]).backward()
            optimizer.step()
        epochs += 1
    return epochs / (time.process_time() - cpu)


_SERVER_CODE = """
import gradio as gr
from playground.device import device_info
from playground.tabs import tab_id
from playground.tabs.perceptron import explorer, mlp
device_info()  # one torch thread, as the app would use
with gr.Blocks(analytics_enabled=False) as demo:
    with gr.Tabs():  # the two tabs with boards, as in their group
        for name, tab in (("perceptron.explorer", explorer), ("perceptron.mlp", mlp)):
            with gr.Tab(tab.TITLE, id=tab_id(name)):
                tab.build()
demo.queue(default_concurrency_limit=2)
demo.launch(server_name="127.0.0.1", server_port={port}, ssr_mode=False, quiet=True)
"""


def _start_server():
    """These tabs alone in their own app process (so its CPU time can be read apart from the client's)."""
    from gradio_client import Client

    from playground.serving import free_port, wait_for_http

    if "url" not in _server:
        port = free_port()
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1"}
        process = subprocess.Popen([sys.executable, "-c", _SERVER_CODE.format(port=port)], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        atexit.register(process.terminate)
        url = f"http://127.0.0.1:{port}/"
        wait_for_http(url, process)
        _server.update(process=process, url=url)
    # A new client each time: its own session, so no run continues the previous one's network.
    return Client(_server["url"], verbose=False, download_files=False), _server["url"]


def _server_cpu_seconds() -> float:
    """User + system CPU time of the app process so far, all its threads (from /proc)."""
    fields = Path(f"/proc/{_server['process'].pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def live_run(values: list, seconds: float = LIVE_SECONDS) -> tuple[float, float]:
    """(network states delivered per wall-clock second, epochs per CPU-second of the app process) while
    "play" streams through the server. The CPU time counts every thread of the app: training,
    drawing, Gradio's encoding, sending and serving the images."""
    client, url = _start_server()
    job = client.submit(*values, api_name="/mlp_play")
    seen, fetched, start, cpu = 0, 0, None, 0.0
    epochs_first = epochs_last = None
    while True:
        outputs = job.outputs()
        for output in outputs[seen:]:
            # output: (board, status, query); the board is the network's numbers, which the page draws.
            assert output[0]["kind"] == "mlp" and output[0]["network"]
            epoch = int(re.search(r"Epoch (\d+)", output[1]).group(1))
            if start is None:  # count from the first frame on
                start, cpu, epochs_first = time.perf_counter(), _server_cpu_seconds(), epoch
            else:  # the states of the network the page draws: the frame's own and its film's
                fetched += 1 + len(output[0]["film"])
            epochs_last = epoch
        seen = len(outputs)
        if start is not None and time.perf_counter() - start >= seconds:
            break
        if job.done():
            raise RuntimeError(f"play stopped early: {job.exception()}")
        time.sleep(0.005)
    elapsed, cpu_used = time.perf_counter() - start, _server_cpu_seconds() - cpu
    job.cancel()
    deadline = time.monotonic() + 10
    while not job.done() and time.monotonic() < deadline:  # the server has really stopped training
        time.sleep(0.05)
    time.sleep(0.5)
    return fetched / elapsed, (epochs_last - epochs_first) / cpu_used


def page_redraw_ms(board_id: str, tab_label: str | None = None, redraws: int = 50) -> float:
    """Milliseconds per redraw of a board by the page itself (board.js), measured in headless Chromium
    on this tab's server: the work a slider move or a streamed frame costs the visitor's browser."""
    from playwright.sync_api import sync_playwright

    _start_server()
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(_server["url"])
            if tab_label:
                page.get_by_role("tab", name=tab_label).click()
            board = f"document.querySelector('#{board_id} [data-board]')"
            page.wait_for_function(f"() => {board} && {board}.playgroundBoard.scene()", timeout=60_000)
            page.evaluate(f"() => {board}.playgroundBoard.redrawMilliseconds(10)")  # warm-up (JIT)
            return min(page.evaluate(f"() => {board}.playgroundBoard.redrawMilliseconds({redraws})") for _ in range(3))
        finally:
            browser.close()


def server_frame_cases() -> list[BenchCase]:
    """The server's cost of one live-MLP update, training aside: the board's numbers and Gradio's diff of them
    against the previous frame, against the three pictures (drawn, JPEG-encoded, inlined) it replaced."""
    import base64

    from gradio.utils import diff
    from orjson import dumps

    from playground.perceptron.session import Session

    # Two moments of one run (epochs 20 and 21): consecutive frames alternate between them, so every
    # weight changes from one frame to the next, as in a stream, and no training is timed.
    sessions = []
    for epochs in (20, 21):
        session = Session()
        session.apply(PlaygroundConfig(dataset="xor", hidden=(8, 8)))
        session.train_epochs(epochs)
        sessions.append(session)
    shown: dict = {"count": 0}

    def next_session() -> Session:
        shown["count"] += 1
        return sessions[shown["count"] % 2]

    def numbers_frame():
        board, status = next_session().scene()
        dumps(diff(shown.get("board"), board))  # what Gradio sends: the edits since the last frame
        shown["board"] = board

    def pictures_frame():
        frame = next_session().frame()
        for picture in (frame.plane, frame.curves, frame.neurons):
            dumps(base64.b64encode(_jpeg(picture)).decode("ascii"))

    return [BenchCase("MLP update on the server: the board's numbers + Gradio's diff (2-8-8-2, XOR)",
                      run=numbers_frame, reference=pictures_frame, reference_label="the three pictures",
                      target_ms=1.5, repeats=50, warmup=5)]


def cases(perceptron_view, play_values: list) -> list[BenchCase]:
    config = PlaygroundConfig(dataset="xor", hidden=(8, 8))

    def surface_update():
        perceptron_view(1.3, -0.7, 0.4, "sigmoid", 0.1, "gauss")

    def frames_per_second():
        fps, _ = live_run(play_values)
        return fps, 30.0, "/s", True

    def throughput_ratio():
        # The bare loop runs just before and just after the live run (the host is shared and
        # its speed drifts): the ratio is live ÷ the mean of the two.
        before = bare_epochs_per_second(config)
        _, live = live_run(play_values)
        after = bare_epochs_per_second(config)
        return live / ((before + after) / 2), 0.7, "×", True

    crowd: dict = {}

    def crowd_run() -> dict:
        """One 30-visitor load run (python -m playground.load), shared by the two crowd rows."""
        if not crowd:
            from playground import load

            people = load.run(30, 20, "mlp", url=None, server_pid=None)
            crowd["fps"] = min(person.fps for person in people)
            crowd["first"] = max((p.first_frame for p in people if p.first_frame is not None), default=float("inf"))
            if any(p.first_frame is None for p in people):
                crowd["first"] = float("inf")
        return crowd

    # One batched step for the class (playground.perceptron.cohort): 30 visitors' default networks, each with its
    # own data set and seed, 15 steps (one epoch) together, against the same 30 trained one after another.
    class_trainers: list[Trainer] = []

    def make_class() -> None:
        from playground.perceptron.datasets import GENERATORS

        names = sorted(GENERATORS)
        class_trainers[:] = [Trainer(PlaygroundConfig(dataset=names[i % len(names)], seed=i)) for i in range(30)]

    def class_together() -> None:
        from playground.perceptron.cohort import Cohort

        Cohort.train_together(class_trainers, steps=15)

    def class_alone() -> None:
        for trainer in class_trainers:
            trainer.train_steps(15)

    return [
        BenchCase("MLP class step: 30 visitors' networks, one epoch each, batched (cohort)", run=class_together,
                  setup=make_class, reference=class_alone, reference_label="each alone", ratio_target=0.2),
        BenchCase("MLP crowd, 30 visitors at once in the playground: the slowest visitor's frames per second", run=lambda: None,
                  measure=lambda: (crowd_run()["fps"], 15.0, "/s", True), repeats=1, warmup=0, unit="/s"),
        BenchCase("MLP crowd, 30 visitors at once in the playground: the latest first frame", run=lambda: None,
                  measure=lambda: (crowd_run()["first"], 1.0, "s", False), repeats=1, warmup=0, unit="s"),
        *server_frame_cases(),
        BenchCase("Perceptron settled values on the server (a released slider: the board's scene)", run=surface_update,
                  target_ms=15),
        BenchCase("Perceptron board redraw in the page, 100×100 plane (Chromium, ms per redraw)", run=lambda: None,
                  measure=lambda: (page_redraw_ms("perceptron-board"), 16.0, "ms", False), repeats=1, warmup=0),
        BenchCase("MLP board redraw in the page: plane, curves, neuron maps (Chromium, ms per redraw)", run=lambda: None,
                  measure=lambda: (page_redraw_ms("mlp-board", "MLP playground"), 16.0, "ms", False),
                  repeats=1, warmup=0),
        BenchCase("MLP play: network states delivered to the page per second (2-8-8-2, XOR)", run=lambda: None,
                  measure=frames_per_second, repeats=3, unit="/s"),
        BenchCase("MLP play: training throughput ÷ bare PyTorch loop (same net, data)", run=lambda: None,
                  measure=throughput_ratio, repeats=3, unit="×"),
    ]
