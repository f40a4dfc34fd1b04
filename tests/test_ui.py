"""The Gradio glue: errors become readable messages, uploads are decoded safely."""

from __future__ import annotations

import threading

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


def _huge_png(folder):
    path = folder / "huge.png"
    Image.new("L", (12_000, 12_000)).save(path)  # 144 megapixels: over Pillow's limit, ~150 KB on disk
    return path


def test_safe_sketchpad_checks_every_layer_before_gradio_decodes_it(tmp_path):
    from gradio.components.image_editor import EditorData

    from playground.ui import SafeSketchpad

    component = SafeSketchpad(type="numpy", image_mode="RGBA")
    assert component.get_block_name() == "imageeditor"
    fake = tmp_path / "notes.png"
    fake.write_text("not a picture")
    stroke = tmp_path / "stroke.png"
    Image.new("RGBA", (32, 32), (255, 255, 255, 255)).save(stroke)
    for layer, message in ((fake, "notes.png is not an image I can read"), (_huge_png(tmp_path), "too large")):
        payload = EditorData(layers=[FileData(path=str(stroke)), FileData(path=str(layer), orig_name=layer.name)])
        with pytest.raises(gr.Error, match=message):
            component.preprocess(payload)
    value = component.preprocess(EditorData(layers=[FileData(path=str(stroke))]))
    assert value["layers"][0].shape == (32, 32, 4)


def test_safe_image_refuses_a_decompression_bomb_before_decoding_it(tmp_path):
    with pytest.raises(gr.Error, match="too large"):
        SafeImage(type="numpy").preprocess(FileData(path=str(_huge_png(tmp_path)), orig_name="huge.png"))


def test_safe_number_names_the_box_for_nan_and_text():
    from playground.ui import SafeNumber

    seed = SafeNumber(label="Seed", precision=0)
    assert seed.get_block_name() == "number"
    assert seed.preprocess(3.0) == 3
    assert seed.preprocess(None) is None  # an emptied box: the handler decides
    for bad, message in ((float("nan"), "Seed must be a finite number"), ("three", "Seed must be a number")):
        with pytest.raises(gr.Error, match=message):
            seed.preprocess(bad)


def test_every_picture_and_number_input_of_the_app_checks_before_gradio_decodes():
    """A plain gr.Image / gr.Sketchpad / gr.Number as an event's input would let a text file named
    .png or a NaN fail anonymously, before the handler and its messages."""
    from playground.app import build_app
    from playground.ui import SafeNumber, SafeSketchpad

    plain = sorted({
        f"{fn.api_name or fn.name}: {type(component).__name__} {component.label!r}"
        for fn in build_app().fns.values() for component in fn.inputs
        if isinstance(component, (gr.Image, gr.ImageEditor, gr.Number))
        and not isinstance(component, (SafeImage, SafeSketchpad, SafeNumber))
    })
    assert not plain, plain


def test_the_app_queue_holds_a_class_and_runs_two_heavy_jobs_at_once():
    """build_app sets the queue up before the tabs exist (cheaper); its limits must still apply to them."""
    from playground import app as shell
    from playground.ui import HEAVY

    app = shell.build_app()
    assert app._queue.max_size == shell.QUEUE_SIZE
    assert app._queue.default_concurrency_limit == shell.HEAVY_CONCURRENCY == 2
    heavy = [fn for fn in app.fns.values() if fn.concurrency_id == HEAVY]
    assert len(heavy) > 20  # classify, denoise, style, sampling, ...
    for fn in heavy:
        app._queue.create_event_queue_for_fn(fn)  # what the queue does when such an event arrives
    assert app._queue.event_queue_per_concurrency_id[HEAVY].concurrency_limit == 2


def _first_visit_of(count: int):
    """A _FirstVisit of ``count`` entries of two text boxes each; entry i computes ("i-a", "i-b") and counts calls."""
    from playground.ui import _FirstVisit

    first_visit, calls = _FirstVisit(), []

    def entry(i):
        def compute():
            calls.append(i)
            return f"{i}-a", f"{i}-b"
        return compute

    for i in range(count):
        first_visit.add([gr.Textbox(), gr.Textbox()], entry(i))
    return first_visit, calls


def _sent(values: list) -> list:
    """The values a yield sets; None where it leaves the output as it is."""
    return [None if isinstance(v, dict) and v.get("__type__") == "update" and len(v) == 1 else v for v in values]


def test_the_first_page_gets_each_example_as_it_is_ready_and_all_of_them_last():
    first_visit, calls = _first_visit_of(3)
    yields = [_sent(values) for values in first_visit.values()]
    assert yields == [
        ["0-a", "0-b", None, None, None, None],
        [None, None, "1-a", "1-b", None, None],  # entry 0 is left as the visitor may have changed it
        ["0-a", "0-b", "1-a", "1-b", "2-a", "2-b"],  # the last message: every value, for tabs not opened yet
    ]
    # a later page: everything at once, nothing computed again
    assert [_sent(values) for values in first_visit.values()] == [["0-a", "0-b", "1-a", "1-b", "2-a", "2-b"]]
    assert calls == [0, 1, 2]


def test_pages_that_open_while_examples_run_share_the_work():
    first_visit, calls = _first_visit_of(3)
    first, second = first_visit.values(), first_visit.values()
    assert _sent(next(first)) == ["0-a", "0-b", None, None, None, None]
    # the second page gets entry 0 (kept) and computes entry 1, while the first page is between two yields
    # (in a thread: a lock held across a yield would block it for good, as it did before)
    got = []
    waiter = threading.Thread(target=lambda: got.append(_sent(next(second))), daemon=True)
    waiter.start()
    waiter.join(timeout=30)
    assert got == [["0-a", "0-b", "1-a", "1-b", None, None]]
    # the first page computes entry 2: its last message, with every value
    assert _sent(next(first)) == ["0-a", "0-b", "1-a", "1-b", "2-a", "2-b"]
    assert _sent(next(second)) == ["0-a", "0-b", "1-a", "1-b", "2-a", "2-b"]
    assert next(first, "done") == "done" and next(second, "done") == "done"
    assert calls == [0, 1, 2]


def test_a_page_that_leaves_midway_keeps_what_was_computed():
    first_visit, calls = _first_visit_of(2)
    leaving = first_visit.values()
    next(leaving)
    leaving.close()
    # the next page gets entry 0 as kept, and entry 1 with it once it has computed it
    assert [_sent(values) for values in first_visit.values()] == [["0-a", "0-b", "1-a", "1-b"]]
    assert calls == [0, 1]


def test_an_example_sent_as_an_update_reaches_every_later_page_with_its_value():
    """An example given as ``gr.update(value=..., label=...)`` (a denoised picture with its scores in the
    label): Gradio takes the value out of an update it sends, so each page must get its own copy, or every
    page after the first would get the label alone and an empty picture."""
    from gradio.blocks import postprocess_update_dict

    from playground.ui import _FirstVisit

    first_visit, output = _FirstVisit(), gr.Textbox()
    first_visit.add([output], lambda: gr.update(value="denoised", label="PSNR 31.16 dB"))
    for _page in range(3):
        (sent,) = list(first_visit.values())[-1]
        assert sent["value"] == "denoised" and sent["label"] == "PSNR 31.16 dB"
        postprocess_update_dict(output, sent, postprocess=True)  # what Gradio does with it on the way out
        assert "value" not in sent  # (it does take the value out)


# ---------------------------------------------------------------- streams keep what the page shows


def _apply_in_place(shown, edits):
    """What Gradio's page does with a streamed frame: apply the server's edits to the object the
    output is showing, in place (its client's apply_diff), and show the result."""
    for action, path, value in edits:
        if not path:
            shown = value if action == "replace" else shown + value
            continue
        target = shown
        for key in path[:-1]:
            target = target[key]
        key = path[-1]
        if action == "replace":
            target[key] = value
        elif action == "append":
            target[key] += value
        elif action == "add":
            target.insert(key, value) if isinstance(target, list) else target.__setitem__(key, value)
        elif action == "delete":
            del target[key]
    return shown


def _what_the_page_shows(frames, plot: gr.LinePlot) -> list:
    """Every value the plot shows while ``frames`` (one (status, table) tuple each) stream, sent as
    Gradio sends them: the first frame whole, each later one as edits against the frame before."""
    from gradio.utils import diff

    sent, shown, seen = None, None, []
    for _status, table in frames:
        value = table if isinstance(table, dict) else plot.postprocess(table).model_dump()
        shown = value if sent is None else _apply_in_place(shown, diff(sent, value))
        sent = json_copy(value)
        seen.append(json_copy(shown))
    return seen


def json_copy(value):
    import json

    return json.loads(json.dumps(value))


def test_a_streamed_plot_keeps_its_table_through_frames_that_leave_it_as_it_is():
    from playground.figures import curve_table

    def training():  # a plot frame, then frames that leave the plot alone (a notice, Stop), then a plot frame
        yield "epoch 1", curve_table({"train": [(1, 0.9)]}, "epoch", "loss")
        yield "waiting for a turn", gr.skip()
        yield "epoch 2", curve_table({"train": [(1, 0.9), (2, 0.5)]}, "epoch", "loss")
        yield "Stopped.", gr.update()

    plot = gr.LinePlot(x="epoch", y="loss", color="curve")
    # As Gradio would send the raw stream, the page's plot is left without its table (what threw).
    raw = _what_the_page_shows(training(), plot)
    assert "datatypes" not in raw[1] and "datatypes" not in raw[3]
    # Through friendly (every handler is), every frame the page shows is a whole table.
    shown = _what_the_page_shows(friendly(training)(), plot)
    for value in shown:
        assert value["columns"] == ["epoch", "loss", "curve"]
        assert value["datatypes"] == {"epoch": "quantitative", "loss": "quantitative", "curve": "nominal"}
    assert [len(value["data"]) for value in shown] == [1, 1, 2, 2]


def test_leave_as_it_is_stays_so_until_an_output_has_a_value():
    from playground.ui import steady_frames

    def frames():
        yield gr.skip(), "a"
        yield "picture 1", gr.update()
        yield gr.update(), gr.skip()
        yield gr.update(visible=True), "b"  # an update with properties is passed as it is

    assert list(steady_frames(frames())) == [
        (gr.skip(), "a"), ("picture 1", "a"), ("picture 1", "a"), (gr.update(visible=True), "b"),
    ]
    single = steady_frames(value for value in ["only", gr.skip()])
    assert list(single) == ["only", "only"]


def test_closing_a_steady_stream_closes_the_handler_stream():
    from playground.ui import steady_frames

    closed = []

    def frames():
        try:
            while True:
                yield 1
        finally:
            closed.append(True)

    stream = steady_frames(frames())
    next(stream)
    stream.close()
    assert closed == [True]


def test_a_live_streams_plots_and_pictures_are_encoded_while_it_makes_the_frame():
    # Encoding a GPT frame's curves costs about as much CPU as its training turn. Done by Gradio after the
    # frame left the runtime, no CPU slot counted it and the class's turns took three times as long as the
    # waiting line's estimate assumed: the live stream hands Gradio its plots and pictures already encoded.
    import numpy as np
    from gradio.components.plot import PlotData
    from matplotlib.figure import Figure

    from playground import live_ui

    with gr.Blocks():
        status, plot, picture, alt_picture = gr.Markdown(), gr.Plot(), gr.Image(format="png"), gr.Image(format="png")
    grid = np.random.default_rng(0).integers(0, 255, (12, 20, 3), dtype=np.uint8)

    def stream():
        figure = Figure()
        figure.add_subplot().plot([0, 1, 2], [3.0, 2.0, 1.5])
        yield "step 10", figure, grid, gr.update(value=grid, alt_text="a grid")
        yield "step 20", gr.skip(), gr.skip(), gr.skip()  # the pictures left as they are

    frames = list(live_ui.live_stream(stream, panel="encoded", outputs=[status, plot, picture, alt_picture],
                                      status=status)(None))
    assert len(frames) == 2
    words, drawn, saved, update = frames[0]
    assert frames[1][0] == "step 20" and frames[1][1] == drawn  # resent as encoded (friendly), not drawn again
    assert words == "step 10"
    assert isinstance(drawn, PlotData) and drawn.type == "matplotlib" and drawn.plot.startswith("data:image/")
    assert plot.postprocess(drawn) is drawn  # Gradio sends it as it is
    for path in (saved, update["value"]):
        with Image.open(path) as image:
            assert image.format == "PNG" and (np.asarray(image) == grid).all()  # lossless, the component's format
    assert update["alt_text"] == "a grid"
