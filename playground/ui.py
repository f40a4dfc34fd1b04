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

import gradio as gr

from playground import live
from playground.device import gpu
from playground.errors import Busy, TrainingDiverged, UserInputError, WeightsError

log = logging.getLogger("playground")

# Every short event that runs a network (classify, denoise, sample) shares the "heavy"
# queue slots, so a 2-core host runs a bounded number at once (app.HEAVY_CONCURRENCY).
# Live-training streams do not queue here: they all run through the live runtime
# (playground.live, wired by playground.live_ui), which shares the CPU among them.
HEAVY = "heavy"


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
    """
    return gpu(_with_messages(fn))


def _with_messages(fn):
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator_wrapper(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
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


class SafeImage(gr.Image):
    """``gr.Image`` whose upload decoding failures become clear messages.

    Gradio opens every uploaded image with Pillow *before* the handler runs; a text file
    renamed .png or a decompression bomb would otherwise surface as an anonymous error.
    Use it for every image input a visitor can upload. It renders as a plain image.
    """

    def get_block_name(self) -> str:
        return "image"

    def preprocess(self, payload):
        from PIL import Image, UnidentifiedImageError

        try:
            return super().preprocess(payload)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise gr.Error(f"The image is too large to open safely: {error}", title="Please check the input") from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            name = getattr(payload, "orig_name", None) or "The upload"
            raise gr.Error(
                f"{name} is not an image I can read (PNG, JPEG, WebP, GIF, BMP, TIFF).", title="Please check the input"
            ) from error


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
