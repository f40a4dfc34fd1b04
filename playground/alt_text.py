"""Text alternatives for the pictures handlers draw: what a picture shows, with the numbers it shows.

A screen reader reads a picture's ``alt`` text. Every picture output starts with its label
(``look.name_every_picture``); a handler that draws one sends a better text with the picture::

    return alt_text.picture(plane, "Decision plane", f"epoch {epoch}", f"test accuracy {alt_text.percent(acc)}")

which is ``gr.update(value=plane, alt_text="Decision plane: epoch 12, test accuracy 94 %")``.

An API client (gradio_client) keeps receiving what it always did: ``for_api_callers`` (part of
``ui.friendly``, which wraps every handler) turns such an update back into the plain picture (``plain``)
unless the request comes from the app's own page, which says so in the ``x-gradio-user:
app`` header Gradio's front end sends with every event (gradio_client sends ``api``).

A matplotlib plot (``gr.Plot``) has no ``alt_text``: Gradio draws it as an <img> whose alt it fixes
itself. ``plot`` sends the text as the plot's label instead (shown above the plot, so everyone reads
the numbers); the page's script (``look.HEAD``) copies each plot's label onto its <img> as the alt.
"""

from __future__ import annotations

import functools
import inspect
import math
import typing

import gradio as gr

def describe(what: str, *facts) -> str:
    """ "What: fact, fact" — the facts that are None or empty are left out."""
    said = [str(fact) for fact in facts if fact is not None and str(fact) != ""]
    return f"{what}: {', '.join(said)}" if said else what


def picture(value, what: str, *facts) -> dict:
    """A picture with its text alternative (see ``describe``), as the update a handler returns."""
    return gr.update(value=value, alt_text=describe(what, *facts))


class PlotCaption(dict):
    """A plot's update whose label says what the plot shows (``plot``): a dict (what Gradio reads) of
    its own type, so an API caller receives the plain figure, as it did before plots had captions."""


def plot(figure, what: str, *facts) -> dict:
    """A matplotlib figure for a ``gr.Plot``, labelled with what it shows (see ``describe``)."""
    return PlotCaption(gr.update(value=figure, label=describe(what, *facts)))


def percent(fraction: float | None, digits: int = 0) -> str | None:
    """0.943 -> "94 %" (None stays None, so ``describe`` leaves it out)."""
    if fraction is None or not math.isfinite(float(fraction)):
        return None
    return f"{100 * float(fraction):.{digits}f} %"


def number(value: float | None, digits: int = 3) -> str | None:
    """A measured figure as a reader hears it: 0.1234 -> "0.123" (None and NaN stay out)."""
    if value is None or not math.isfinite(float(value)):
        return None
    return f"{float(value):.{digits}g}" if abs(float(value)) < 1e-3 else f"{float(value):.{digits}f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- what an API caller receives


def carries_alt_text(value) -> bool:
    """A picture's update with its text alternative (``picture``)."""
    return isinstance(value, dict) and value.get("__type__") == "update" and "value" in value and "alt_text" in value


def _without_alt_text(value):
    """A picture with its text alternative (``picture``'s update, nothing else in it) → the plain picture;
    a plot's caption (``plot``) → the plain figure; anything else as it is (an update that also changes
    a label was an update before alt text, too)."""
    if carries_alt_text(value) and set(value) == {"__type__", "value", "alt_text"}:
        return value["value"]
    if isinstance(value, PlotCaption) and "value" in value:
        return value["value"]
    return value


def plain(result):
    """A handler's result (one value, or a tuple: one per output) as an API caller receives it: exactly
    what it got before pictures had text alternatives."""
    if isinstance(result, tuple):
        return tuple(_without_alt_text(value) for value in result)
    return _without_alt_text(result)


def from_the_page(request: gr.Request | None) -> bool:
    """Whether an event comes from the app's own page (Gradio's front end marks its requests)."""
    headers = getattr(request, "headers", None) or {}
    return headers.get("x-gradio-user") == "app"


def for_api_callers(fn):
    """``fn`` as a Gradio handler whose pictures' text alternatives reach the page, and whose results
    reach everyone else without them (``plain``). Gradio fills in a leading ``gr.Request``; a direct
    call (a test, a warm-up) passes none and gets ``fn``'s result as it is. The API shows ``fn``'s
    own parameter names (Gradio leaves ``gr.Request`` parameters out of them)."""

    def split(args):
        """(whether the result goes to the page, fn's own arguments)."""
        if args and isinstance(args[0], gr.Request):  # Gradio passes its Request with every event
            return from_the_page(args[0]), args[1:]
        return True, args

    if inspect.isgeneratorfunction(fn):

        def handler(*args, **kwargs):
            to_page, args = split(args)
            frames = fn(*args, **kwargs)
            try:
                for frame in frames:
                    yield frame if to_page else plain(frame)
            finally:
                frames.close()
    else:

        def handler(*args, **kwargs):
            to_page, args = split(args)
            result = fn(*args, **kwargs)
            return result if to_page else plain(result)

    functools.update_wrapper(handler, fn)
    del handler.__wrapped__  # Gradio reads the signature below, not fn's
    signature = inspect.signature(fn)
    request = inspect.Parameter("alt_text_request", inspect.Parameter.POSITIONAL_ONLY, annotation=gr.Request)
    handler.__signature__ = signature.replace(parameters=[request, *signature.parameters.values()])
    handler.__annotations__ = {**_resolved_hints(fn), "alt_text_request": gr.Request}
    return handler


def _resolved_hints(fn) -> dict:
    """fn's type hints as objects (Gradio finds a handler's gr.Request and gr.EventData parameters by
    them; a hint written as text would be looked up in this module's names, not fn's)."""
    try:
        return typing.get_type_hints(fn)
    except (NameError, TypeError):
        return {name: hint for name, hint in getattr(fn, "__annotations__", {}).items() if not isinstance(hint, str)}
