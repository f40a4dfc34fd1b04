"""Benchmark rows of the Perceptron & activations tab (``python -m playground.bench --only …``).

- Perceptron surface update on a 100 × 100 grid: the slider handler plus the JPEG encoding
  Gradio then does (server time for one slider move). Target ≤ 15 ms.
- Live training, measured through a real Gradio server: a Blocks with this tab is launched
  in-process and a gradio_client streams "play" for a few seconds, fetching every frame's
  images over HTTP like the page does. Frames/s = frames delivered per second (target ≥ 10).
  Throughput ratio = epochs/s while streaming (read from the streamed status) ÷ epochs/s of a
  bare PyTorch loop on the same net and data in the same process (target ≥ 0.7).
"""

from __future__ import annotations

import io
import re
import time
import urllib.request

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from playground.benchmarking import BenchCase
from playground.mlp.config import PlaygroundConfig
from playground.mlp.model import build_mlp
from playground.mlp.train_loop import Trainer

LIVE_SECONDS = 3.0
_server: dict = {}


def _jpeg(array: np.ndarray) -> bytes:
    with io.BytesIO() as buffer:
        Image.fromarray(array).save(buffer, "jpeg")
        return buffer.getvalue()


def bare_epochs_per_second(config: PlaygroundConfig, seconds: float = 1.5) -> float:
    """A plain PyTorch loop (shuffle, batches, zero_grad, loss, backward, step) on the same net and data."""
    data = Trainer(config)  # only for its tensors: the same points and features
    x, y = data.train_x, data.train_y
    model = build_mlp(x.shape[1], config.hidden, config.hidden_activations(), config.classes, config.init, config.seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.learning_rate)
    shuffle = torch.Generator().manual_seed(config.seed)
    epochs, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        order = torch.randperm(len(x), generator=shuffle)
        for first in range(0, len(x), config.batch_size):
            index = order[first:first + config.batch_size]
            optimizer.zero_grad()
            F.cross_entropy(model(x[index]), y[index]).backward()
            optimizer.step()
        epochs += 1
    return epochs / (time.perf_counter() - start)


def _start_server():
    if "client" not in _server:
        import gradio as gr
        from gradio_client import Client

        from playground.tabs import perceptron as tab

        with gr.Blocks(analytics_enabled=False) as demo:
            tab.build()
        demo.queue(default_concurrency_limit=2)
        _, url, _ = demo.launch(prevent_thread_lock=True, ssr_mode=False, quiet=True, server_name="127.0.0.1")
        _server.update(demo=demo, url=url, client=Client(url, verbose=False, download_files=False))
    return _server["client"], _server["url"]


def live_run(values: list, seconds: float = LIVE_SECONDS) -> tuple[float, float]:
    """(frames delivered per second, epochs per second) while "play" streams through the server."""
    client, url = _start_server()
    job = client.submit(*values, api_name="/mlp_play")
    seen, fetched, start = 0, 0, None
    epochs_first = epochs_last = None
    while True:
        outputs = job.outputs()
        for output in outputs[seen:]:
            # output: (plane, curves, neurons, status, query); fetch the images as the page would.
            for image in output[:3]:
                with urllib.request.urlopen(image["url"], timeout=10) as response:
                    response.read()
            epoch = int(re.search(r"Epoch (\d+)", output[3]).group(1))
            if start is None:
                start, epochs_first = time.perf_counter(), epoch  # count from the first frame on
            else:
                fetched += 1
            epochs_last = epoch
        seen = len(outputs)
        if start is not None and time.perf_counter() - start >= seconds:
            break
        if job.done():
            raise RuntimeError(f"play stopped early: {job.exception()}")
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    job.cancel()
    time.sleep(0.3)  # let the server notice the cancel before the next run
    return fetched / elapsed, (epochs_last - epochs_first) / elapsed


def cases(perceptron_view, play_values: list) -> list[BenchCase]:
    config = PlaygroundConfig(dataset="xor", hidden=(8, 8))

    def surface_update():
        image, _ = perceptron_view(1.3, -0.7, 0.4, "sigmoid", 0.1, "gauss")
        _jpeg(image)

    def frames_per_second():
        fps, _ = live_run(play_values)
        return fps, 10.0, "/s", True

    def throughput_ratio():
        bare = bare_epochs_per_second(config)
        _, live = live_run(play_values)
        return live / bare, 0.7, "×", True

    return [
        BenchCase("Perceptron surface update, 100×100 grid (+ JPEG encode)", run=surface_update, target_ms=15),
        BenchCase("MLP play: frames delivered to the page per second (2-8-8-2, XOR)", run=lambda: None,
                  measure=frames_per_second, repeats=3, unit="/s"),
        BenchCase("MLP play: training throughput ÷ bare PyTorch loop (same net, data)", run=lambda: None,
                  measure=throughput_ratio, repeats=3, unit="×"),
    ]
