"""Gradio glue for the live-training runtime (``playground.live``): Play and Stop buttons.

A tab wires a live stream with ``play(...)`` and its Stop button with ``stop(...)``::

    run = live_ui.play(button, train_stream, inputs, outputs, status=status, panel="toy_gan",
                       api_name="toy_play")
    live_ui.stop(stop_button, panel="toy_gan", api_name="toy_stop")

``train_stream`` is a plain generator over the inputs; when it has a ``job`` parameter it gets
the runtime's ``Job`` (for ``work_seconds()``, ``scaled()``, ``stop_event``). Who the visitor is
comes from Gradio's session (``gr.Request.session_hash``), so one visitor's Stop never touches
another's run. Notices (waiting, stopped) go to the ``status`` output; the other outputs keep
their values. No tab uses ``cancels=``: Stop asks the run to end and its last frame says so.
"""

from __future__ import annotations

import functools
import inspect

import gradio as gr

from playground import live, live_memory
from playground.ui import friendly

# Every live stream is admitted by the runtime (running, or in its waiting line), so Gradio's own
# limit for them is only a safety net: the runtime says "the line is full" before it is reached.
TRAINING_CONCURRENCY = live.MAX_LIVE_JOBS + live.LINE_SIZE
LIVE = "live"  # the Gradio concurrency id of every live stream


def runtime() -> live.Runtime:
    """This process's live runtime (its slots: the machine's cores)."""
    return live.default_runtime()


def owner_of(request: gr.Request | None) -> str:
    """The visitor a request belongs to (their Gradio session)."""
    session = getattr(request, "session_hash", None) if request is not None else None
    return session or "anonymous"


class _Notices:
    """Makes the runtime's notices (waiting, stopped) for one stream: the status output gets the
    last status the stream showed plus the notice; every other output keeps its value."""

    def __init__(self, outputs: list, status):
        self.count = len(outputs)
        self.index = outputs.index(status) if status is not None else None
        self.plain = isinstance(status, gr.Textbox)  # a Textbox shows Markdown's ** literally
        self.last = ""

    def watch(self, frames):
        """Pass the stream's frames through, remembering its latest status text."""
        try:
            for frame in frames:
                if self.index is not None:
                    value = frame[self.index] if self.count > 1 else frame
                    if isinstance(value, str):
                        self.last = value
                yield frame
        finally:
            frames.close()  # the visitor left or the run ended: the stream's own clean-up runs now

    def __call__(self, text: str):
        values = [gr.update() for _ in range(self.count)]
        if self.plain:
            text = text.replace("**", "")
        if self.index is None:
            gr.Info(text.replace("**", ""))
        else:
            values[self.index] = f"{self.last}{chr(10) * (1 if self.plain else 2)}{text}" if self.last else text
        return values[0] if self.count == 1 else tuple(values)


def _with_request(fn, wrapper):
    """Give ``wrapper(request, *args)`` the signature of ``fn`` with a leading ``gr.Request``
    (Gradio fills it in) and without ``job`` (the runtime fills it in), so the API shows
    ``fn``'s own parameter names."""
    params = [p for name, p in inspect.signature(fn).parameters.items() if name != "job"]
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request)
    functools.update_wrapper(wrapper, fn)
    del wrapper.__wrapped__
    wrapper.__signature__ = inspect.Signature([request, *params])
    wrapper.__annotations__ = {"request": gr.Request}
    return wrapper


def live_stream(fn, *, panel: str, outputs: list, status=None, heavy: bool = False, once: bool = False,
                min_frame_seconds: float = 0.0):
    """``fn`` (a generator, or with ``once=True`` a plain function) as a Gradio handler run by the runtime.
    Each run reserves the panel's measured memory (``live_memory``)."""
    takes_job = "job" in inspect.signature(fn).parameters
    memory_mb = live_memory.reservation(panel)

    def handler(request, *args):
        notices = _Notices(outputs, status)  # one per stream: it remembers this stream's status
        job = runtime().start(owner_of(request), panel, heavy=heavy, memory_mb=memory_mb,
                              min_frame_seconds=min_frame_seconds)
        kwargs = {"job": job} if takes_job else {}
        if once:
            yield from runtime().run_once(job, lambda: fn(*args, **kwargs), notices)
        else:
            yield from runtime().run(job, notices.watch(fn(*args, **kwargs)), notices)

    return friendly(_with_request(fn, handler))


def play(trigger, fn, inputs, outputs, *, panel: str, status=None, heavy: bool = False, once: bool = False,
         min_frame_seconds: float = 0.0, **event):
    """Wire ``trigger.click`` to a live stream (see ``live_stream``); returns the event."""
    handler = live_stream(fn, panel=panel, outputs=list(outputs), status=status, heavy=heavy, once=once,
                          min_frame_seconds=min_frame_seconds)
    event.setdefault("show_progress", "hidden")
    return trigger.click(handler, inputs=inputs, outputs=outputs, concurrency_id=LIVE,
                         concurrency_limit=TRAINING_CONCURRENCY, **event)


def stop_runs(request: gr.Request, panel: str | None, reason: str = "stopped") -> int:
    return runtime().stop(owner_of(request), panel, reason)


def stop(trigger, *, panel: str | list[str], api_name: str | None = None, **event):
    """Wire ``trigger.click`` to stop this visitor's run in ``panel`` (or in each of several panels).

    The running stream writes its own last frame ("Stopped"), so no late frame can
    overwrite it. Stop never waits in a queue.
    """
    panels = [panel] if isinstance(panel, str) else list(panel)

    def stop_run(request: gr.Request):
        for name in panels:
            stop_runs(request, name)

    if api_name is None:
        event.setdefault("api_visibility", "undocumented")
    return trigger.click(stop_run, inputs=None, outputs=None, api_name=api_name, concurrency_limit=None, **event)


# Pause every live run of a page that stays hidden (another browser tab in front) for a minute.
HIDDEN_PAUSE_SECONDS = 60
HIDDEN_PAUSE_JS = """() => {
  let timer = null;
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      timer = setTimeout(() => document.querySelector("#live-pause-hidden")?.click(), %d);
    } else if (timer) { clearTimeout(timer); timer = null; }
  });
  return [];
}""" % (HIDDEN_PAUSE_SECONDS * 1000)


def hidden_page_pause(app: gr.Blocks) -> None:
    """A hidden button the page clicks when it has been hidden for a minute: pauses all its runs."""

    def pause_all(request: gr.Request):
        stop_runs(request, None, "paused while the page was hidden")

    button = gr.Button(visible="hidden", elem_id="live-pause-hidden")  # in the DOM, not shown
    button.click(pause_all, None, None, api_name="live_pause_all", concurrency_limit=None)
    app.load(None, js=HIDDEN_PAUSE_JS)
