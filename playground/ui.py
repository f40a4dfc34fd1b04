"""Gradio glue shared by every tab: turning errors into messages, the heavy-work queue.

``friendly(fn)`` wraps a handler (plain function or generator): a plain function runs in a
CPU slot of the live runtime, ahead of the live training (``live.Runtime.priority``); a ``UserInputError``
becomes a ``gr.Error`` toast with its message; ``TrainingDiverged`` becomes a toast
that says training stopped; anything unexpected is logged with its traceback and shown
as a short message, so visitors never see a stack trace and never a hung spinner.
"""

from __future__ import annotations

import functools
import inspect
import logging
import tempfile
import threading
import weakref
from typing import Callable

import gradio as gr
from gradio.components.image_editor import EditorData

from playground import checks, images, live
from playground.alt_text import for_api_callers
from playground.device import device_info, gpu
from playground.errors import Busy, TrainingDiverged, UserInputError, WeightsError

log = logging.getLogger("playground")

# Every short event that runs a network (classify, denoise, sample) shares the "heavy"
# queue slots, so a 2-core host runs a bounded number at once (app.HEAVY_CONCURRENCY).
# Live-training streams do not queue here: they all run through the live runtime
# (playground.live, wired by playground.live_ui), which shares the CPU among them.
HEAVY = "heavy"

# The CSS class of an output that is filled when the page opens (see ``show_on_first_visit``),
# so a visitor never lands on empty panels; the browser tests check every output with it.
FIRST_VISIT = "first-visit"


def _as_gradio_error(error: Exception) -> gr.Error:
    if isinstance(error, gr.Error):
        return error
    if isinstance(error, Busy):
        return gr.Error(str(error), title="The server is busy")
    if isinstance(error, UserInputError):
        return gr.Error(str(error), title="Please check the input")
    if isinstance(error, TrainingDiverged):
        return gr.Error(f"Training diverged: {error}", title="Training stopped")
    if isinstance(error, WeightsError):
        return gr.Error(str(error), title="Pretrained weights problem")
    log.exception("unexpected error in a handler")
    return gr.Error(f"Something went wrong ({type(error).__name__}: {error}).", title="Error")


def friendly(fn):
    """Wrap a Gradio handler so failures reach the visitor as readable messages.

    Under ZeroGPU the handler also runs inside ``spaces.GPU`` (``device.gpu``), since the
    models live on "cuda" there; everywhere else ``gpu`` is the identity.

    Pictures may carry their text alternative (``alt_text.picture``): the page gets it, an API
    client gets the plain picture (``alt_text.for_api_callers``).
    """
    return for_api_callers(gpu(_with_messages(fn)))


def _with_messages(fn):
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator_wrapper(*args, **kwargs):
            try:
                yield from steady_frames(fn(*args, **kwargs))
            except Exception as error:  # noqa: BLE001 - every failure must become a message
                raise _as_gradio_error(error) from error

        return generator_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            with live.default_runtime().priority():  # a click goes ahead of the live training
                return fn(*args, **kwargs)
        except Exception as error:  # noqa: BLE001
            raise _as_gradio_error(error) from error

    return wrapper


def _no_change(value) -> bool:
    """``gr.skip()`` or a bare ``gr.update()``: "leave this output as it is"."""
    return isinstance(value, dict) and value.get("__type__") == "update" and len(value) == 1


def steady_frames(frames):
    """A stream's frames, with every "leave as it is" that follows a value of the same output
    replaced by that value again (a tuple is one value per output; anything else is one output).

    Why: Gradio sends a stream's later frames as edits against the frame before, and the page
    applies those edits to the very object the output is showing. A value followed by
    ``gr.skip()`` becomes "delete every key, add ``__type__``": the plot on the page is left
    holding ``{"__type__": "update"}``, and the next time it redraws (its tab hidden or
    resized) Gradio's LinePlot reads ``value.datatypes[x]`` and throws "Cannot read properties
    of undefined (reading 'epoch')". Sending the same value again is an empty edit: nothing
    travels and nothing changes on the page."""
    last: dict[int, object] = {}  # output index -> the latest value this stream sent it
    try:
        for frame in frames:
            values = frame if isinstance(frame, tuple) else (frame,)
            steady = []
            for index, value in enumerate(values):
                if _no_change(value):
                    value = last.get(index, value)
                else:
                    last[index] = value
                steady.append(value)
            yield tuple(steady) if isinstance(frame, tuple) else steady[0]
    finally:
        frames.close()


# ---------------------------------------------------------------- inputs that fail clearly
#
# Gradio turns what the page (or an API caller) sends into the handler's arguments *before* the
# handler runs: it opens uploaded pictures with Pillow and rounds numbers. A text file named .png,
# a decompression bomb, or NaN in a whole-number box would fail there, outside ``friendly``, as an
# anonymous error. These inputs check first and answer with a clear message. Every picture and
# number input of the app uses them (tests/test_ui.py checks it); they render as the plain ones.

CHECK_THE_INPUT = "Please check the input"


def _picture_sources(payload, blobs: dict) -> list[tuple[object, str | None]]:
    """(path or bytes, original name) of every picture in an image or image-editor payload
    (an editor's layers may have come ahead of the event, as blobs kept under the payload's id)."""
    import base64

    from gradio.processing_utils import extract_base64_data

    files = [payload.background, *payload.layers, payload.composite] if isinstance(payload, EditorData) else [payload]
    sources = []
    cached = blobs.get(payload.id) if isinstance(payload, EditorData) and payload.id is not None else None
    if cached is not None:
        sources += [(blob, None) for blob in (cached.background, *cached.layers, cached.composite) if blob]
    for file in files:
        if file is None:
            continue
        if getattr(file, "url", None) and file.url.startswith("data:"):  # a picture sent inline (base64)
            sources.append((base64.b64decode(extract_base64_data(file.url)), file.orig_name))
        elif getattr(file, "path", None):
            sources.append((file.path, file.orig_name))
    return sources


def _read_pictures(component, payload, preprocess):
    """``preprocess(payload)`` (Gradio's own decoding) once every picture of the payload has passed
    ``images.check_file`` (readable, not too many pixels: read from the header, nothing decoded)."""
    from PIL import Image, UnidentifiedImageError

    try:
        for source, name in _picture_sources(payload, getattr(component, "blob_storage", {})):
            images.check_file(source, name)
        return preprocess(payload)
    except UserInputError as error:
        raise gr.Error(str(error), title=CHECK_THE_INPUT) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise gr.Error(f"The image is too large to open safely: {error}", title=CHECK_THE_INPUT) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:  # a header fine, the data not
        raise gr.Error("The upload is not an image I can read (PNG, JPEG, WebP, GIF, BMP, TIFF).",
                       title=CHECK_THE_INPUT) from error


class SafeImage(gr.Image):
    """``gr.Image`` for every picture a visitor can upload, paste or take with the webcam."""

    def get_block_name(self) -> str:
        return "image"

    def preprocess(self, payload):
        return _read_pictures(self, payload, super().preprocess)


class SafeSketchpad(gr.Sketchpad):
    """``gr.Sketchpad`` for every drawing input (its layers are pictures an API caller can send)."""

    def get_block_name(self) -> str:
        return "imageeditor"

    def preprocess(self, payload):
        return _read_pictures(self, payload, super().preprocess)


class SafeNumber(gr.Number):
    """``gr.Number`` for every number input: NaN, ±inf or text get a message naming the box
    (Gradio's own rounding, for a whole-number box, would fail on them anonymously)."""

    def get_block_name(self) -> str:
        return "number"

    def preprocess(self, payload):
        if payload is not None:
            try:
                checks.number(self.label or "the number", payload)
            except UserInputError as error:
                raise gr.Error(str(error), title=CHECK_THE_INPUT) from error
        return super().preprocess(payload)


def explainer(markdown: str) -> gr.Markdown:
    """The few lines at the top of a tab: what you are looking at and what to try."""
    return gr.Markdown(markdown, elem_classes=["explainer"])


def current_app() -> gr.Blocks:
    """The app's root ``gr.Blocks`` while tabs are being built (e.g. to add a ``.load`` event
    that reads the page URL's query parameters through ``gr.Request``)."""
    root = gr.context.Context.root_block
    if root is None:
        raise RuntimeError("current_app() is only available inside build()")
    return root


def current_tab() -> gr.Tab | None:
    """The app's ``gr.Tab`` a tab module is being built in (None when built alone, e.g. in a test's
    Blocks): for events that fire when the visitor opens it (``current_tab().select(...)``)."""
    block = gr.context.Context.block
    return block if isinstance(block, gr.Tab) else None


def current_tab_bar() -> gr.Tabs | None:
    """The ``gr.Tabs`` holding the tab being built (its group's tab bar), or None: an event that
    outputs ``gr.Tabs(selected=...)`` to it opens another tab of the group."""
    tab = current_tab()
    return tab.parent if tab is not None and isinstance(tab.parent, gr.Tabs) else None


_SHARED_STATES: "weakref.WeakKeyDictionary[gr.Blocks, dict[str, gr.State]]" = weakref.WeakKeyDictionary()


def input_sources(names: list[str], label: str, elem_id: str) -> gr.Radio:
    """A choice between ways to give a tab its input (draw, upload, examples): one radio above the panels,
    not another level of tabs. Build one ``gr.Column`` per name after it, then ``show_chosen``."""
    return gr.Radio(names, value=names[0], label=label, elem_id=elem_id)


def show_chosen(sources: gr.Radio, panels: list[gr.Column]) -> None:
    """Show the panel of the source chosen in ``sources`` (``input_sources``; one panel per name, in order)
    and hide the others. Build the panels after the first with ``visible=False``."""
    names = [value for _label, value in sources.choices]

    def show(chosen: str):
        return [gr.Column(visible=name == chosen) for name in names]

    sources.change(show, [sources], panels, queue=False, api_visibility="private", show_progress="hidden")


def shared_state(key: str) -> gr.State:
    """One ``gr.State`` per app and ``key``, for two tabs of a topic that share a visitor's value (the
    autoencoder trained live in one tab, compared in another): the first call creates it."""
    states = _SHARED_STATES.setdefault(current_app(), {})
    if key not in states:
        states[key] = gr.State(None)
    return states[key]


# ---------------------------------------------------------------- first visit


class _FirstVisit:
    """The example results a page shows before any button is pressed.

    Each entry is (outputs, compute): ``compute()`` runs once per process, on the first page
    load (which streams each result as it is ready), and its values are kept (pictures as PNG
    files, so later visitors cost no re-encoding); every later page load gets the kept values
    at once. All entries travel in ONE page-load event, so a class of 30 opening the page
    makes 30 cheap events, not 30 × N.
    """

    def __init__(self) -> None:
        self.entries: list[tuple[list[gr.components.Component], Callable[[], tuple]]] = []
        self._kept: list[tuple] = []  # the values of entries[:len(_kept)], computed once
        self._lock = threading.Lock()

    def add(self, outputs: list, compute: Callable[[], tuple | object]) -> None:
        for output in outputs:
            classes = output.elem_classes or []
            output.elem_classes = [*([classes] if isinstance(classes, str) else classes), FIRST_VISIT]
        self.entries.append((list(outputs), compute))

    @property
    def outputs(self) -> list:
        return [output for outputs, _ in self.entries for output in outputs]

    def values(self):
        """Yield the outputs' values. The first page load computes them and gets each entry as soon as it is
        ready, so quick ones show while slow ones still run; later pages get the kept values at once. Pages that
        open meanwhile share the work: each computes the next entry nobody has, and gets the ones others computed.
        What was computed stays kept even if that visitor leaves mid-way.

        A message before the last sends only the entries new to this page, so a tab the visitor changes meanwhile
        is not put back to its example on every message. The last message carries every value: Gradio 6 shows a
        stream's earlier values only in tabs already opened (measured 2026-12-04: the Init lab's histogram, whose
        example came 1-3 s before its tab was first opened, stayed empty), so the last message fills the others.
        A tab changed while the examples still run is put back once, then."""
        sent = 0  # entries[:sent] are on this page already
        while sent < len(self.entries):
            with self._lock:  # one entry at a time, so a page that waits gets what was computed meanwhile
                if len(self._kept) < len(self.entries):
                    outputs, compute = self.entries[len(self._kept)]
                    self._kept.append(self._compute(outputs, compute))
                ready = len(self._kept)
            yield self._shown(0 if ready == len(self.entries) else sent, ready)
            sent = ready

    def _shown(self, sent: int, ready: int) -> list:
        """The kept values of entries[sent:ready], and "leave as it is" for every other output."""
        values = []
        for index, (outputs, _) in enumerate(self.entries):
            if sent <= index < ready:
                # A copy of each update (``gr.update(value=..., label=...)``): Gradio takes the value out
                # of an update as it sends it, and the kept one must still hold it for the next page.
                values.extend(type(value)(value) if isinstance(value, dict) else value for value in self._kept[index])
            else:
                values.extend(gr.update() for _ in outputs)
        return values

    @staticmethod
    def _compute(outputs: list, compute: Callable) -> tuple:
        try:
            values = compute()
        except Exception:  # noqa: BLE001 - an example that fails leaves its panels as they are
            log.exception("a first-visit example failed")
            return tuple(gr.update() for _ in outputs)
        values = values if isinstance(values, tuple) else (values,)
        if len(values) != len(outputs):
            raise ValueError(f"a first-visit example returned {len(values)} values for {len(outputs)} outputs")
        return tuple(keep_for_resending(output, value) for output, value in zip(outputs, values))


def keep_for_resending(output, value):
    """A value in the form that costs nothing to send again: pictures as PNG files, plots
    already serialised (Gradio passes its own PlotData through unchanged); the same inside an update."""
    if isinstance(value, dict) and value.get("__type__") == "update" and "value" in value:
        return _with_value(value, keep_for_resending(output, value["value"]))
    if isinstance(output, gr.Image):
        return _keep_picture(value)
    if isinstance(output, gr.ImageSlider) and isinstance(value, tuple):
        return tuple(_keep_picture(picture) for picture in value)
    if isinstance(output, gr.Plot) and value is not None:
        return output.postprocess(value)
    return value


def rendered(output, value):
    """A frame's value for ``output`` with its costly encoding done now by the component's own ``postprocess``
    (a plot's figure drawn and saved as an image, a picture encoded as a file in the component's format), in the
    form Gradio then sends as it is: a live run does this inside its CPU turn (``live_ui``), so a frame's cost
    is counted in the turn the waiting line's estimates are timed on, not spent after it on a core the slots
    do not count. Anything else is returned as it is; the same inside an update."""
    import numpy as np
    from PIL import Image

    if isinstance(value, dict) and value.get("__type__") == "update":  # an update; gr.skip() has no value
        return _with_value(value, rendered(output, value["value"])) if "value" in value else value
    if isinstance(output, gr.Plot) and value is not None:
        return output.postprocess(value)  # Gradio passes its PlotData through unchanged
    if isinstance(output, gr.Image) and isinstance(value, (np.ndarray, Image.Image)):
        encoded = output.postprocess(value)  # a file in Gradio's cache, in the component's format
        return encoded.path if encoded is not None else None
    return value


def _with_value(update: dict, value) -> dict:
    """``update`` with another value, in its own type: a plot's caption (``alt_text.PlotCaption``) stays one, so
    an API caller still gets the plain figure from it."""
    return type(update)({**update, "value": value})


def _keep_picture(value):
    """A picture as a lossless PNG file written once (a path Gradio serves as it is)."""
    import numpy as np
    from PIL import Image

    if isinstance(value, np.ndarray):
        value = Image.fromarray(value)
    if not isinstance(value, Image.Image):
        return value
    handle = tempfile.NamedTemporaryFile(prefix="first-visit-", suffix=".png", dir=_first_visit_dir(), delete=False)
    with handle:
        value.save(handle, format="png")
    return handle.name


@functools.cache
def _first_visit_dir() -> str:
    return tempfile.mkdtemp(prefix="playground-first-visit-")


def show_on_first_visit(outputs: list, compute: Callable[..., tuple | object], inputs: list | None = None) -> None:
    """Fill ``outputs`` when the page opens with ``compute``'s values, computed once per process.

    Use it inside ``build()`` for an example result (a classified photo, a sampled grid) or a
    first frame, so a tab never opens on empty panels. ``compute`` returns one value per output
    (a tuple, or the value itself for one output). With ``inputs`` (controls whose initial
    values are plain: numbers, choices, checkboxes) it is called with those controls' initial
    values, so the example always shows what the controls say; else with no arguments.
    """
    app = current_app()
    if not hasattr(app, "_first_visit"):
        app._first_visit = _FirstVisit()
    if inputs is not None:
        handler = compute
        compute = lambda: handler(*[control.value for control in inputs])  # noqa: E731
    app._first_visit.add(outputs, compute)


def attach_first_visit(app: gr.Blocks) -> None:
    """The one page-load event that fills the first-visit outputs: call it inside ``with app``,
    after every tab is built."""
    first_visit = getattr(app, "_first_visit", None)
    if first_visit is None or not first_visit.entries:
        return
    # Gradio's page refreshes the loading status of every progress target of every event that ever ran,
    # walking its whole component tree once per target, on every later event: one target here instead
    # of all the outputs (61 today) keeps that cost off the page (the progress is hidden either way).
    app.load(gpu(first_visit.values), None, first_visit.outputs, api_visibility="undocumented",
             show_progress="hidden", show_progress_on=first_visit.outputs[:1])


def compute_first_visit(app: gr.Blocks) -> None:
    """Compute the first-visit examples now (a replica does it before it calls itself ready), so even the
    first page load gets them at once; later loads reuse the kept values either way."""
    first_visit = getattr(app, "_first_visit", None)
    if first_visit is None or device_info().zero_gpu:  # ZeroGPU lends its GPU to requests only: a visitor computes them
        return
    for _ in first_visit.values():
        pass
