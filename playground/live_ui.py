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
import threading
from dataclasses import dataclass

import gradio as gr

from playground import alt_text, live, live_memory, rooms
from playground.errors import UserInputError
from playground.ui import HEAVY, current_app, friendly, keep_for_resending, rendered

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
                min_frame_seconds: float = 0.0, frame_seconds: float = 0.0, notice_seconds: float = 0.0,
                first_frames: str = ""):
    """``fn`` (a generator, or with ``once=True`` a plain function) as a Gradio handler run by the runtime.
    Each run reserves the panel's measured memory (``live_memory``); when its visitor hosts a room in the
    panel, every frame also goes to the room. ``first_frames``: what the run's first frames show, where that
    is not training yet (a visitor waiting for their first turn is told)."""
    takes_job = "job" in inspect.signature(fn).parameters
    memory_mb = live_memory.reservation(panel)

    def handler(request, *args):
        owner = owner_of(request)
        _watching.pop((owner, panel), threading.Event()).set()  # pressing Play leaves a room one watched here
        notices = _Notices(outputs, status)  # one per stream: it remembers this stream's status
        job = runtime().start(owner, panel, heavy=heavy, memory_mb=memory_mb, min_frame_seconds=min_frame_seconds,
                              frame_seconds=frame_seconds, notice_seconds=notice_seconds)
        job.first_frames = first_frames
        kwargs = {"job": job} if takes_job else {}
        if once:
            frames = runtime().run_once(job, lambda: _rendered_frame(fn(*args, **kwargs), outputs), notices)
        else:
            frames = runtime().run(job, notices.watch(_rendered(fn(*args, **kwargs), outputs)), notices)
        try:
            for frame in frames:
                room = rooms.default_rooms().hosted(owner, panel)
                if room is not None:
                    rooms.default_rooms().publish(room, *_for_viewers(outputs, frame))
                yield frame
        finally:
            frames.close()
            if job.reason != "replaced by a new run":  # the host's run is over: so is the room
                rooms.default_rooms().close(owner, panel, _room_end(job.reason))

    return friendly(_with_request(fn, handler))


def _rendered(frames, outputs: list):
    """A stream's frames with their plots and pictures encoded as each frame is made (``ui.rendered``): inside
    the run's turn on the CPU. Encoded after it, by Gradio, a GPT frame's curves cost as much CPU as its
    training again, outside every slot, and the class's turns took three times as long as the turns the
    waiting line's estimate was timed on (issue 33)."""
    try:
        for frame in frames:
            yield _rendered_frame(frame, outputs)
    finally:
        frames.close()


def _rendered_frame(frame, outputs: list):
    if len(outputs) == 1:
        return rendered(outputs[0], frame)
    if isinstance(frame, (tuple, list)) and len(frame) == len(outputs):
        return tuple(rendered(output, value) for output, value in zip(outputs, frame))
    return frame  # another form (a dict by component): Gradio encodes it


# ---------------------------------------------------------------- rooms: a class follows the host's run

_watching: dict[tuple[str, str], threading.Event] = {}  # (viewer, panel) → set to make them leave the room


def _for_viewers(outputs: list, frame) -> tuple[list, object]:
    """A host's frame as a room keeps it: (values, the host's state). A visitor's own state (gr.State)
    and "leave as it is" are never passed on (a picture's update with its text alternative is); pictures are encoded once here, not once per viewer."""
    values = frame if isinstance(frame, tuple) else (frame,)
    shared, state = [], None
    for output, value in zip(outputs, values):
        if isinstance(output, gr.State):
            state = value if not isinstance(value, dict) else None
            shared.append(rooms.LEAVE)
        elif alt_text.carries_alt_text(value):  # a picture with its text alternative: viewers get both
            shared.append(keep_for_resending(output, value))
        elif isinstance(value, dict) and value.get("__type__") == "update":
            shared.append(rooms.LEAVE)
        else:
            shared.append(keep_for_resending(output, value))
    return shared, state


def _room_end(reason: str | None) -> str:
    if reason in (None, "stopped"):
        return "the host's run ended"
    return f"the host's run stopped ({reason})"


@dataclass
class RoomPanel:
    """The rooms controls of one live panel (``room_panel`` places them, ``wire_room`` gives them life)."""

    panel: str
    accordion: gr.Accordion
    open_button: gr.Button
    code: gr.Textbox
    join: gr.Button
    leave: gr.Button
    take: gr.Button
    info: gr.Markdown


def room_panel(panel: str, copy: bool = False) -> RoomPanel:
    """The rooms accordion of ``panel``, where it is called in the tab's layout (near its Play)."""
    with gr.Accordion("Follow the teacher (rooms)", open=False, elem_id=f"{panel}-room") as accordion:
        gr.Markdown("**Host:** open a room and read its code to the class; your runs here are then shown to "
                    "everyone who joined (they train nothing). Stop ends the room. **Everyone else:** type the "
                    "code and press Join to watch" + (", or take a copy to go on training alone." if copy else "."))
        with gr.Row():
            open_button = gr.Button("Open a room", size="sm", elem_id=f"{panel}-room-open")
            code = gr.Textbox(label="Room code", max_lines=1, placeholder="e.g. K7QX2", elem_id=f"{panel}-room-code")
            join = gr.Button("Join", size="sm", elem_id=f"{panel}-room-join")
            leave = gr.Button("Leave", size="sm", elem_id=f"{panel}-room-leave")
            take = gr.Button("Take a copy", size="sm", elem_id=f"{panel}-room-copy", visible=copy)
        info = gr.Markdown(elem_id=f"{panel}-room-info")
    return RoomPanel(panel, accordion, open_button, code, join, leave, take, info)


def _close_rooms_of(request: gr.Request) -> None:
    """A visitor closed or reloaded the page: the rooms they host end (a room opened and never played in
    would otherwise stay open with its viewers waiting)."""
    rooms.default_rooms().close_all(owner_of(request), "the host left the page")


_unload_wired: set[int] = set()  # the apps whose unload already ends rooms (once per app, not per panel)


def wire_room(controls: RoomPanel, outputs: list, *, private: tuple = (), copy=None, copy_outputs=()) -> None:
    """Rooms for a live panel: a host opens one and gets a code; viewers join with it and watch the host's runs
    in ``outputs`` (except ``private`` ones and gr.State); with ``copy`` (the host's state → values for
    ``copy_outputs``) a viewer takes a copy of the host's model and goes on alone."""
    panel, code, info = controls.panel, controls.code, controls.info
    app = current_app()
    if id(app) not in _unload_wired:
        _unload_wired.add(id(app))
        app.unload(_close_rooms_of)
    shown = [output for output in outputs if output not in private and not isinstance(output, gr.State)]
    index = [outputs.index(output) for output in shown]

    def open_room(request: gr.Request):
        room = rooms.default_rooms().open(owner_of(request), panel, len(outputs))
        return (f"Room **{room.code}** is open. Read the code to the class, or share the link "
                f"[{rooms.link(room.code)}]({rooms.link(room.code)}); your next run here is shown to everyone who "
                f"joins. Stop ends the room."), room.code

    def from_link(request: gr.Request):
        """A page opened with a room's link (``?room=CODE``) finds the code filled in and the panel open."""
        code_in_link = (dict(request.query_params).get("room", "") if request is not None else "").strip().upper()
        try:
            room = rooms.default_rooms().find(code_in_link, panel) if code_in_link else None
        except UserInputError:
            room = None  # ended, or another panel's room (that panel's own page-load event fills it)
        if room is None:
            return gr.skip(), gr.skip(), gr.skip()
        gr.Info(f"Your link opens room {room.code}: press Join in its panel's 'Follow the teacher' to watch.")
        return (gr.Accordion(open=True), room.code,
                f"Room **{room.code}** (from your link): press Join to watch the host's run.")

    def watch_room(room_code: str, request: gr.Request):
        owner = owner_of(request)
        room = rooms.default_rooms().find(room_code, panel)
        if room.host == owner:
            raise UserInputError(f"room {room.code} is your own: your runs here are what it shows")
        stop_runs(request, panel, "you joined a room")
        _watching.pop((owner, panel), threading.Event()).set()  # a room this visitor watched here before
        leaving = _watching[(owner, panel)] = threading.Event()
        told = f"Watching room **{room.code}**: the host's run, live."
        try:
            for values, ended in rooms.default_rooms().watch(room):
                # Each viewer gets its own copy of an update: Gradio takes the value out of the one it sends.
                shared = [gr.skip() if values[i] is rooms.LEAVE else dict(values[i]) if isinstance(values[i], dict)
                          else values[i] for i in index]
                if ended is not None:
                    yield (*shared, f"Room **{room.code}** has ended: {ended}.")
                    return
                if leaving.is_set():
                    yield (*shared, f"You left room **{room.code}**.")
                    return
                waiting = room.version == 0
                yield (*shared, told + (" Waiting for the host to press Play." if waiting else ""))
        finally:
            if _watching.get((owner, panel)) is leaving:
                del _watching[(owner, panel)]

    def leave_room(request: gr.Request):
        _watching.pop((owner_of(request), panel), threading.Event()).set()

    def take_copy(room_code: str):
        room = rooms.default_rooms().find(room_code, panel)
        if room.state is None:
            raise UserInputError("the host has no model to copy yet: wait for their first frame")
        return copy(room.state)

    controls.open_button.click(friendly(open_room), None, [info, code], api_name=f"{panel}_room_open",
                               concurrency_limit=None)
    current_app().load(from_link, None, [controls.accordion, code, info], api_visibility="undocumented",
                       concurrency_limit=None, show_progress="hidden", show_progress_on=[info])
    controls.join.click(friendly(watch_room), [code], [*shown, info], api_name=f"{panel}_room_join",
                        concurrency_limit=None, show_progress="hidden")
    controls.leave.click(leave_room, None, None, api_name=f"{panel}_room_leave", concurrency_limit=None)
    if copy is not None:
        controls.take.click(friendly(take_copy), [code], list(copy_outputs), api_name=f"{panel}_room_copy",
                            concurrency_id=HEAVY)


def play(trigger, fn, inputs, outputs, *, panel: str, status=None, heavy: bool = False, once: bool = False,
         min_frame_seconds: float = 0.0, frame_seconds: float = 0.0, notice_seconds: float = 0.0,
         first_frames: str = "", **event):
    """Wire ``trigger.click`` to a live stream (see ``live_stream``); returns the event."""
    handler = live_stream(fn, panel=panel, outputs=list(outputs), status=status, heavy=heavy, once=once,
                          min_frame_seconds=min_frame_seconds, frame_seconds=frame_seconds,
                          notice_seconds=notice_seconds, first_frames=first_frames)
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
