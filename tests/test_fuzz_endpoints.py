"""Fuzz: every named API endpoint × every parameter × bad values → a result or a clear message.

One parameter at a time gets a bad value (NaN, ±1e12, a 200,000-character string, an unknown
choice, a text file named .png, a 144-megapixel or a 1-pixel picture, an empty sketch) while
the others keep cheap good values. Each call must end, within a time limit, in a normal
result or a message meant for the visitor: a ``gr.Error`` with a specific text, never the
catch-all "Something went wrong (…)" (an exception no check caught) nor Gradio's anonymous
"The upstream Gradio app has raised an exception" (a failure before the handler ran).

Streams (live training) are stopped through the app's own door, ``/live_pause_all``, once
they have shown a frame. Expensive endpoints get one bad value per parameter, so the whole
fuzz stays within a few minutes on a 2-core machine.

Run alone with ``python -m pytest tests/test_fuzz_endpoints.py -s`` to see the figures.
"""

from __future__ import annotations

import math
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.slow

LONG_TEXT = "a" * 200_000
UNKNOWN = "no such choice"
CALL_SECONDS = 90  # a call that has not ended (or shown a frame) by then counts as hanging
WORKERS = 3  # clients calling at once (each its own Gradio session)

# Messages that are not clear: the app's catch-all, and Gradio's when an error escaped a handler.
UNCLEAR = ("Something went wrong", "The upstream Gradio app has raised an exception", "Expecting value")

# Endpoints whose good call costs seconds: each parameter gets one bad value, not all of them.
EXPENSIVE = {"/gatys", "/style_both", "/adain", "/transfer_train", "/transfer_run_experiment", "/cnn_lab_train",
             "/cnn_lab_measure_architectures", "/bn_pitfalls", "/init_race", "/accuracy_vs_delay", "/train_live",
             "/compress", "/denoise", "/gpt_train_live", "/live_dcgan_train", "/gan_interpolate", "/diffusion_measure",
             "/diffusion_play"}

# Endpoints not called: none today (listed here, with the reason, if one ever must be skipped).
SKIPPED: dict[str, str] = {}


# ---------------------------------------------------------------- the bad inputs


@dataclass(frozen=True)
class Pictures:
    """The picture files the fuzz sends (made once per run)."""

    good: Path
    text: Path
    huge: Path
    tiny: Path
    ink: Path
    blank: Path
    table: Path  # a good CSV (x1, x2, label) for an upload button that takes data


def make_pictures(folder: Path) -> Pictures:
    from playground import data

    good = folder / "good.jpg"
    data.photo("chelsea").resize((96, 64)).save(good)
    text = folder / "notes.png"
    text.write_text("this is a text file, not a picture\n")
    huge = folder / "huge.png"
    Image.new("L", (12_000, 12_000)).save(huge)  # 144 megapixels, ~150 KB on disk (PNG of zeros)
    tiny = folder / "tiny.png"
    Image.new("RGB", (1, 1), (200, 30, 30)).save(tiny)
    stroke = np.zeros((280, 280, 4), dtype=np.uint8)
    stroke[60:220, 130:150] = 255  # a white vertical bar: a "1", as the sketchpad exports it (ink in alpha)
    ink = folder / "ink.png"
    Image.fromarray(stroke).save(ink)
    blank = folder / "blank.png"
    Image.fromarray(np.zeros((280, 280, 4), dtype=np.uint8)).save(blank)  # transparent: nothing drawn
    table = folder / "points.csv"
    table.write_text("x1,x2,label\n" + "".join(f"{i},{(i * 7) % 11},{i % 2}\n" for i in range(20)))
    return Pictures(good, text, huge, tiny, ink, blank, table)


def _file(path: Path):
    from gradio_client import handle_file

    return handle_file(str(path))


def _sketch(layer: Path | None):
    layers = [] if layer is None else [_file(layer)]
    return {"background": None, "layers": layers, "composite": _file(layer) if layer else None, "id": None}


def _is_picture(param: dict) -> bool:
    return param["component"] in ("Image", "Safeimage", "File", "Uploadbutton")


def _is_sketch(param: dict) -> bool:
    return param["component"] in ("Imageeditor", "Sketchpad", "Safesketchpad")


def _is_number(param: dict) -> bool:
    return param["component"] in ("Number", "Safenumber", "Slider", "Api")


def _slider_minimum(param: dict) -> float | None:
    match = re.search(r"between (\S+) and (\S+)", (param.get("type") or {}).get("description", ""))
    return float(match.group(1)) if match else None


def good_value(param: dict, pictures: Pictures):
    """A cheap good value: the control's default, a slider's minimum (fewest epochs, smallest
    size), a small photo for an empty picture input, a drawn stroke for a sketch."""
    if _is_sketch(param):
        return _sketch(pictures.ink)
    if param["component"] == "Uploadbutton":  # the MLP playground's own data: a CSV
        return _file(pictures.table)
    if _is_picture(param):
        if param["parameter_has_default"] and param["parameter_default"]:
            return param["parameter_default"]
        return [_file(pictures.good)] if "list" in str(param.get("python_type", {}).get("type")) else _file(pictures.good)
    if param["component"] == "Slider":
        minimum = _slider_minimum(param)
        if minimum is not None:
            return minimum
    if param["parameter_has_default"]:
        return param["parameter_default"]
    if _is_number(param):  # a gr.api number without a default: its example is the text "..."
        return 0
    return param.get("example_input")


def bad_values(param: dict, pictures: Pictures) -> list[tuple[str, object]]:
    """(label, value) pairs for one parameter."""
    if _is_sketch(param):
        return [("text file named .png", _sketch(pictures.text)), ("144 Mpx", _sketch(pictures.huge)),
                ("1 px", _sketch(pictures.tiny)), ("empty sketch", _sketch(pictures.blank))]
    if _is_picture(param):
        many = "list" in str(param.get("python_type", {}).get("type"))
        return [(label, [_file(path)] if many else _file(path))
                for label, path in (("text file named .png", pictures.text), ("144 Mpx", pictures.huge),
                                    ("1 px", pictures.tiny))]
    if _is_number(param):
        return [("NaN", math.nan), ("1e12", 1e12), ("-1e12", -1e12)]
    if param["component"] == "Textbox":
        return [("200,000 characters", LONG_TEXT)]
    if param["component"] in ("Dropdown", "Radio"):
        return [("unknown choice", UNKNOWN)]
    if param["component"] == "Checkboxgroup":
        return [("unknown choice", [UNKNOWN])]
    return []  # a checkbox: every value is a good one


# ---------------------------------------------------------------- calling


@dataclass
class Outcome:
    endpoint: str
    parameter: str
    bad: str
    kind: str  # "result", "message", "unclear", "hang"
    detail: str
    seconds: float


def call(client, endpoint: str, args: list, limit: float = CALL_SECONDS) -> tuple[str, str]:
    """(kind, detail) of one call; a stream is paused once it has shown a frame."""
    from gradio_client.exceptions import AppError

    job = client.submit(*args, api_name=endpoint)
    deadline = time.monotonic() + limit
    paused = False
    while not job.done():
        if time.monotonic() > deadline:
            client.predict(api_name="/live_pause_all")
            job.cancel()
            return "hang", f"no result within {limit:.0f} s"
        if not paused and job.outputs():  # a stream that runs: good; stop it through the app
            client.predict(api_name="/live_pause_all")
            paused = True
        time.sleep(0.05)
    try:
        job.result(timeout=5)
    except AppError as error:
        message = str(error)
        clear = message and not any(text in message for text in UNCLEAR)
        return ("message" if clear else "unclear"), message[:300]
    except Exception as error:  # noqa: BLE001 - anything else is a failure to report
        return "unclear", f"{type(error).__name__}: {str(error)[:300]}"
    return "result", ""


def fuzz_cases(endpoints: dict, pictures: Pictures) -> list[tuple[str, str, str, list]]:
    """(endpoint, parameter, bad-value label, arguments) for every call of the fuzz."""
    cases = []
    for endpoint, info in endpoints.items():
        if endpoint in SKIPPED:
            continue
        params = info["parameters"]
        if not params:  # nothing to spoil: called once, as a button press would
            cases.append((endpoint, "", "no arguments", []))
        good = [good_value(param, pictures) for param in params]
        for index, param in enumerate(params):
            bad = bad_values(param, pictures)
            if endpoint in EXPENSIVE:
                bad = bad[:1]
            for label, value in bad:
                cases.append((endpoint, param["parameter_name"], label, [*good[:index], value, *good[index + 1:]]))
    return cases


def run_fuzz(url: str, folder: Path, workers: int = WORKERS) -> tuple[list[Outcome], float]:
    from gradio_client import Client

    pictures = make_pictures(folder)
    endpoints = Client(url, verbose=False).view_api(print_info=False, return_format="dict")["named_endpoints"]
    cases = fuzz_cases(endpoints, pictures)
    clients = [Client(url, verbose=False, download_files=False) for _ in range(workers)]

    def run(worker: int) -> list[Outcome]:
        outcomes = []
        for endpoint, parameter, label, args in cases[worker::workers]:
            start = time.monotonic()
            kind, detail = call(clients[worker], endpoint, args)
            outcomes.append(Outcome(endpoint, parameter, label, kind, detail, time.monotonic() - start))
        return outcomes

    start = time.monotonic()
    with ThreadPoolExecutor(workers) as pool:
        outcomes = [outcome for part in pool.map(run, range(workers)) for outcome in part]
    return outcomes, time.monotonic() - start


def summary(outcomes: list[Outcome], seconds: float) -> str:
    kinds = {kind: sum(o.kind == kind for o in outcomes) for kind in ("result", "message", "unclear", "hang")}
    slowest = sorted(outcomes, key=lambda o: -o.seconds)[:5]
    lines = [f"{len(outcomes)} calls in {seconds:.0f} s: {kinds}",
             "slowest: " + ", ".join(f"{o.endpoint}({o.parameter}={o.bad}) {o.seconds:.1f} s" for o in slowest)]
    lines += [f"  {o.kind}: {o.endpoint}({o.parameter} = {o.bad}) → {o.detail}"
              for o in outcomes if o.kind in ("unclear", "hang")]
    return "\n".join(lines)


# ---------------------------------------------------------------- the tests


def test_bad_values_cover_every_kind_of_input(tmp_path):
    """The fuzz is only as good as its values: each input kind gets the bad values the issue names."""
    pictures = make_pictures(tmp_path)
    labels = lambda param: [label for label, _ in bad_values(param, pictures)]  # noqa: E731
    assert labels({"component": "Number"}) == ["NaN", "1e12", "-1e12"]
    assert labels({"component": "Textbox"}) == ["200,000 characters"]
    assert labels({"component": "Dropdown"}) == ["unknown choice"]
    assert labels({"component": "Safeimage"}) == ["text file named .png", "144 Mpx", "1 px"]
    assert "empty sketch" in labels({"component": "Imageeditor"})


def test_every_endpoint_answers_bad_values_with_a_result_or_a_clear_message(app_url, tmp_path, monkeypatch):
    # A raw HTTP caller can send NaN (the server's JSON parser reads it); httpx refuses to write it.
    import json

    import httpx._content

    monkeypatch.setattr(httpx._content, "json_dumps", lambda value, **options: json.dumps(
        value, **{**options, "allow_nan": True}))
    outcomes, seconds = run_fuzz(app_url, tmp_path)
    report = summary(outcomes, seconds)
    print(report)
    if os.environ.get("PLAYGROUND_FUZZ_REPORT"):  # every call, one a line, for a closer look
        Path(os.environ["PLAYGROUND_FUZZ_REPORT"]).write_text("\n".join(
            f"{o.kind}\t{o.seconds:.2f}\t{o.endpoint}\t{o.parameter}\t{o.bad}\t{o.detail[:200]}" for o in outcomes))
    assert len({o.endpoint for o in outcomes}) >= 80, "the fuzz must reach every named endpoint"
    failures = [o for o in outcomes if o.kind in ("unclear", "hang")]
    assert not failures, report
