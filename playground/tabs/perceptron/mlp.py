"""Neurons › MLP playground: TensorFlow Playground's controls and more, trained live; its settings live in the
page URL (``mlp_…``); export a PyTorch script and the weights.

Compute lives in ``playground.perceptron`` (no Gradio there); this module turns page values into
plain values, calls it, and wires the events.
"""

from __future__ import annotations

import inspect
import os
import tempfile
import time

import gradio as gr
import numpy as np

from playground import alt_text, checks, live, live_ui, ui
from playground.errors import UserInputError
from playground.init_schemes import SCHEMES
from playground.perceptron import datasets, export
from playground.perceptron.cohort import COHORT, FILM_KEPT
from playground.perceptron.config import (MAX_NEURONS, OPTIMIZER_LABELS, PREFIX, PlaygroundConfig, config_from_page,
                                          page_values, query_string)
from playground.perceptron.session import Session
from playground.perceptron.table import MAX_BYTES, Table, read_table, to_csv
from playground.tabs import tab_id
from playground.tabs.perceptron.page import ACTIVATION_CHOICES, board_html, url_js
from playground.ui import HEAVY, SafeNumber, explainer, friendly

TITLE = "MLP playground"

# The live MLP's frames are the network's numbers (the page draws them): they cost the server little. Gradio's
# page, though, spends milliseconds on every streamed message in an app this size (its loading status and a
# copy of its state), so a message comes every MLP_FRAME_SECONDS alone (shared among a class by the runtime)
# and carries FILM_STATES states of the network, which the page plays one after another.
MLP_FRAME_SECONDS = float(os.environ.get("PLAYGROUND_MLP_FRAME_SECONDS", "0.1"))
FILM_STATES = 4  # states of the network per streamed message: ~10 messages and ~40 drawn states a second alone
# When a crowd makes messages rarer, a message carries more of the states the class's bursts left (up to the
# cohort's FILM_KEPT), so the page still plays about this many a second (it spreads them over the message gap).
STATES_PER_SECOND = 40
# Between two messages the board plays the states the last one brought, so a crowd's wait for a turn is told
# only after this long (every notice is a message, and a crowd of 100 would spend half its CPU on them).
MLP_NOTICE_SECONDS = 3.0


# ---------------------------------------------------------------- handlers (plain values in and out)


def _outputs(session: Session, config: PlaygroundConfig, first: bool = True, film: tuple[str, ...] = ()):
    """The frame for the page: the board's scene (the network's numbers: the page draws the plane,
    the curves and the neuron maps; ``film``: earlier states it plays first) and the status. While
    play streams, later frames leave the session and the address alone (``first=False``)."""
    board, status = session.scene(film)
    keep = gr.update()
    return session if first else keep, board, status, query_string(config) if first else keep


def _own_points(session: Session | None) -> tuple:
    return session.config.own_points if session is not None and session.config is not None else ()


def _table(session: Session | None) -> Table | None:
    return session.config.table if session is not None and session.config is not None else None


# The page's controls, in the order every MLP handler takes them after the session: the
# parameters of config_from_page after ``own_points``.
CONTROL_NAMES = tuple(name for name, parameter in inspect.signature(config_from_page).parameters.items()
                      if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)[1:]


def _named_controls(handler):
    """Declare ``handler(session, *controls, [job=...])`` with one parameter per control
    (CONTROL_NAMES), so Gradio's API shows each control's name, not param_N. (Keyword-only
    ``job`` is filled by the live runtime, never by Gradio.)"""
    positional = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = list(inspect.signature(handler).parameters.values())
    leading = [p for p in parameters if p.kind is positional]
    trailing = [p for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]
    controls = [inspect.Parameter(name, positional) for name in CONTROL_NAMES]
    handler.__signature__ = inspect.Signature([*leading, *controls, *trailing])
    return handler


@_named_controls
def mlp_settings(session, *controls):
    """New settings: a fresh network when the data or architecture changed, else live."""
    session = session or Session()
    config = config_from_page(_own_points(session), *controls, table=_table(session))
    session.apply(config)
    return _outputs(session, config)


@_named_controls
def mlp_reset(session, *controls):
    """A fresh network with the same settings."""
    session = session or Session()
    config = config_from_page(_own_points(session), *controls, table=_table(session))
    session.apply(config, reset=True)
    return _outputs(session, config)


@_named_controls
def mlp_step(session, *controls):
    """One epoch, then a frame (run by the live runtime, in turn with everyone training)."""
    session = session or Session()
    config = config_from_page(_own_points(session), *controls, table=_table(session))
    session.apply(config)
    session.train_epochs(1)
    return _outputs(session, config)


@_named_controls
def mlp_play(session, *controls, job: live.Job | None = None):
    """Train until paused. Each frame trains for ``job.work_seconds()`` (the live runtime's frame
    period, shared among everyone training now), then draws. Without a job (a direct call) each
    frame trains one epoch."""
    session = session or Session()
    config = config_from_page(_own_points(session), *controls, table=_table(session))
    session.apply(config)
    session.require_trainer()
    frames, last_sent = 0, time.perf_counter()
    try:
        while True:
            film = []
            if job is None:
                session.train_epochs(1)
            else:  # this turn trains everyone playing a network of the same shape, together (cohort)
                # Each message carries FILM_STATES states of the network, which the page plays in turn:
                # Gradio's page spends milliseconds on every streamed message whatever it holds, so
                # fewer, fuller messages show more of the training.
                # The states other members' turns trained this network through come first, then this turn's.
                gap = time.perf_counter() - last_sent
                most = max(FILM_STATES - 1, min(FILM_KEPT, round(STATES_PER_SECOND * gap) - 1))
                earlier, own = COHORT.film_since_last_frame(session, most=most), []
                COHORT.train_for(session, job.work_seconds(), pictures=FILM_STATES - 1 - len(earlier),
                                 take=lambda: own.append(session.network_text()), wait_if_busy=frames > 0)
                # A turn whose group was busy waited for that burst: its last state is the network shown now.
                waited = COHORT.film_since_last_frame(session, most=most)[:-1]
                film = (earlier + own + waited)[-most:]
            frame = _outputs(session, session.config, first=frames == 0, film=tuple(film))
            # (timed here: the generator resumes only once its next turn came, after the wait for it)
            frames, last_sent = frames + 1, time.perf_counter()
            yield frame
    finally:
        COHORT.leave(session)


def mlp_add_point(session, point_class, dataset, classes, noise, train_percent, points, features, hidden,
                  activation, layer_activations, leaky_slope, init, optimizer, learning_rate, batch_size,
                  regularisation, regularisation_rate, loss, seed, evt: gr.EventData = None):
    """A click on the plane: ``evt`` carries the pixel (column, row) in the 300 × 300 picture.
    (Spelled out, not ``_named_controls``: Gradio fills ``evt`` by its position among the
    parameters, so it must stay a plain one after the controls.)"""
    controls = (dataset, classes, noise, train_percent, points, features, hidden, activation, layer_activations,
                leaky_slope, init, optimizer, learning_rate, batch_size, regularisation, regularisation_rate, loss,
                seed)
    session = session or Session()
    if session.config is None:
        session.apply(config_from_page((), *controls, table=_table(session)))
    try:
        column, row = float(evt.column), float(evt.row)
    except (AttributeError, TypeError, ValueError):
        raise UserInputError("click inside the picture of the plane to add a point") from None
    config = config_from_page(session.add_point(column, row, int(point_class)).own_points, *controls,
                              table=_table(session))
    session.apply(config)
    return _outputs(session, config)


@_named_controls
def mlp_clear_points(session, *controls):
    """Forget the points this visitor clicked."""
    session = session or Session()
    config = config_from_page((), *controls, table=_table(session))
    session.apply(config)
    return _outputs(session, config)


def _use_table(session: Session | None, table: Table, controls) -> tuple:
    """Train on ``table`` from now on: the data set becomes "My data", with the file's classes."""
    session = session or Session()
    controls = list(controls)
    controls[CONTROL_NAMES.index("dataset")] = datasets.TABLE
    config = config_from_page((), *controls, table=table)
    session.apply(config)
    info = f"**Your data:** {table.scale_text()}."
    return (*_outputs(session, config), datasets.TABLE, config.classes, info)


@_named_controls
def mlp_upload_csv(session, file, *controls):
    """A CSV file with columns x1, x2, label becomes the data set (rows are checked one by one)."""
    if not file:
        raise UserInputError("choose a CSV file with columns x1, x2, label")
    path = getattr(file, "path", file)
    if os.path.getsize(path) > MAX_BYTES:
        raise UserInputError(f"the file is {os.path.getsize(path) / 1e6:.1f} MB: at most {MAX_BYTES / 1e6:.0f} MB")
    with open(path, "rb") as handle:
        content = handle.read()
    return _use_table(session, read_table(content, source=os.path.basename(path)), controls)


@_named_controls
def mlp_paste_rows(session, rows, *controls):
    """Pasted rows (x1, x2, label per line) become the data set."""
    return _use_table(session, read_table(checks.text("pasted rows", rows, MAX_BYTES)), controls)


def mlp_data_csv(session):
    """The data being trained on (train and test points) as a CSV file, in the file's own units when it
    came from one: upload it again to get the same data set."""
    trainer = (session or Session()).require_trainer()
    data, table = trainer.data, trainer.config.table
    points = np.concatenate([data.train_points, data.test_points])
    labels = np.concatenate([data.train_labels, data.test_labels])
    if trainer.config.dataset == datasets.TABLE:
        text = to_csv(table.to_file_units(points), labels, table.class_names)
    else:
        text = to_csv(points, labels)
    folder = tempfile.mkdtemp(prefix="mlp-data-")
    path = os.path.join(folder, f"mlp_{trainer.config.dataset}_data.csv")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def mlp_load(request: gr.Request):
    """Restore the settings a link carries (page-load event)."""
    query = dict(request.query_params) if request is not None else {}
    config, problems = PlaygroundConfig.from_query(query)
    for problem in problems:
        gr.Warning(f"Link setting {problem}")
    session = Session()
    session.apply(config)
    if not any(key.startswith(PREFIX) for key in query):
        # A plain visit: leave the controls and the open tab as they are (the visitor may be using them).
        return (*_outputs(session, config), *[gr.update()] * len(page_values(config)), gr.update())
    return (*_outputs(session, config), *page_values(config), gr.Tabs(selected=tab_id(__name__)))


def mlp_code(session):
    """The script that redoes this training (play may have paused mid-epoch: that epoch is ended first)."""
    trainer = (session or Session()).finish_epoch()
    return export.pytorch_script(trainer)


def mlp_weights(session):
    trainer = (session or Session()).finish_epoch()
    return export.weights_file(trainer)


def mlp_pictures(session):
    """The server's pictures of what the page draws (decision regions, loss curves, neuron maps), for
    API clients that want pictures rather than the board's numbers."""
    frame = (session or Session()).frame()
    return tuple(alt_text.picture(picture, alt) for picture, alt in
                 zip((frame.plane, frame.curves, frame.neurons), frame.alt_texts))


def warm_up() -> None:
    """Pay the live playground's one-time costs before a visitor does (the first optimizer step
    imports parts of torch, ~1–4 s): build the default network, train a moment, draw a frame."""
    session = Session()
    session.apply(PlaygroundConfig())
    session.train_for(0.05)
    _outputs(session, session.config)
    session.frame()


# ---------------------------------------------------------------- UI


def build() -> None:
    explainer(
        "**Train a small network live.** Pick data, features and layers, then press **▶ Play**: the big picture is "
        "the network's decision regions (pale = unsure) with training points (white rim) and test points (black "
        "rim); below, each hidden neuron's own picture. Click the plane to add a point of the chosen class. Try "
        "XOR with no hidden layer (it fails) and with one layer of 4 tanh neurons (it succeeds); try the spiral "
        "with sigmoid in 6 layers (vanishing gradients) and with ReLU. The page address always holds your settings: "
        "copy it to share the exact setup."
    )
    session = gr.State(None)
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            with gr.Accordion("Data", open=True):
                dataset = gr.Dropdown([(label, key) for key, label in datasets.DATASET_LABELS.items()], value="circle",
                                      label="Data set", elem_id="mlp-dataset")
                classes = gr.Slider(2, 5, value=2, step=1, label="Classes", elem_id="mlp-classes")
                noise = gr.Slider(0, 50, value=0, step=5, label="Noise (%)")
                train_percent = gr.Slider(10, 90, value=50, step=10, label="Training share (%)")
                points = gr.Slider(50, 1000, value=300, step=50, label="Points generated")
                click_class = gr.Radio([(f"class {i}", i) for i in range(5)], value=0,
                                       label="Class of the point you click on the plane", elem_id="mlp-click-class")
                clear = gr.Button("Clear my points", size="sm")
            with gr.Accordion("Your own data (CSV)", open=False):
                gr.Markdown("A CSV file with columns x1, x2, label: 2–5 classes, up to 5,000 rows, any units.")
                csv_file = gr.UploadButton("Upload a CSV file", file_types=[".csv", ".txt", ".tsv"], type="filepath",
                                           size="sm", elem_id="mlp-csv")
                pasted = gr.Textbox(label="…or paste rows", lines=4, elem_id="mlp-paste",
                                    placeholder="x1, x2, label\n0.5, 1.2, cat\n3.1, -0.4, dog")
                use_pasted = gr.Button("Use these rows", size="sm", elem_id="mlp-use-rows")
                table_info = gr.Markdown(elem_id="mlp-table-info")
                download_data = gr.Button("Download the data (CSV)", size="sm", elem_id="mlp-download-data")
                data_file = gr.File(label="The data set as CSV", elem_id="mlp-data-file")
            features = gr.CheckboxGroup([(datasets.FEATURE_LABELS[key], key) for key in datasets.FEATURES],
                                        value=["x1", "x2"], label="Input features", elem_id="mlp-features")
            with gr.Accordion("Network", open=True):
                hidden = gr.Textbox("4, 2", label=f"Hidden layers: neurons per layer (0–6 layers, 1–{MAX_NEURONS} each)",
                                    placeholder="e.g. 8, 8, 4 — empty for none", elem_id="mlp-hidden")
                activation = gr.Dropdown(ACTIVATION_CHOICES, value="tanh", label="Activation (every hidden layer)",
                                         elem_id="mlp-activation")
                layer_activations = gr.Textbox("", label="…or one per layer (optional)",
                                               placeholder="e.g. relu, relu, tanh", elem_id="mlp-layer-activations")
                leaky_slope = SafeNumber(0.01, label="LeakyReLU slope", minimum=0, maximum=1)
                init = gr.Dropdown([(scheme.label, key) for key, scheme in SCHEMES.items()], value="xavier_uniform",
                                   label="Weight init")
            with gr.Accordion("Training", open=True):
                optimizer = gr.Dropdown([(label, key) for key, label in OPTIMIZER_LABELS.items()], value="sgd",
                                        label="Optimizer", elem_id="mlp-optimizer")
                learning_rate = SafeNumber(0.03, label="Learning rate", elem_id="mlp-learning-rate")
                batch_size = gr.Slider(1, 100, value=10, step=1, label="Batch size")
                with gr.Row():
                    regularisation = gr.Dropdown([("None", "none"), ("L1", "l1"), ("L2", "l2")], value="none",
                                                 label="Regularisation")
                    regularisation_rate = SafeNumber(0.0, label="Regularisation rate", minimum=0, maximum=1)
                loss = gr.Radio([("Cross-entropy", "cross_entropy"), ("MSE", "mse")], value="cross_entropy",
                                label="Loss")
                seed = SafeNumber(0, label="Seed", precision=0, minimum=0)
        with gr.Column(scale=2):
            with gr.Row():
                play = gr.Button("▶ Play", variant="primary", elem_id="mlp-play")
                pause = gr.Button("⏸ Pause", elem_id="mlp-pause")
                step = gr.Button("Step (1 epoch)", elem_id="mlp-step")
                reset = gr.Button("↺ Reset", elem_id="mlp-reset")
            status = gr.Markdown(elem_id="mlp-status")
            plane = board_html("mlp", "mlp-board")
            with gr.Accordion("Share and export", open=False):
                with gr.Row():
                    show_code = gr.Button("Show PyTorch code", elem_id="mlp-show-code")
                    download = gr.Button("Download weights (safetensors)", elem_id="mlp-download")
                weights_file = gr.File(label="Trained weights", elem_id="mlp-weights-file")
                code = gr.Code(language="python", label="A standalone script: same data, same network, same training",
                               elem_id="mlp-code")
                pictures_button = gr.Button("Pictures drawn by the server", size="sm", elem_id="mlp-pictures")
                with gr.Row():
                    pictures = [gr.Image(label=label, format="png", interactive=False, visible=True)
                                for label in ("Decision regions", "Loss per epoch", "Hidden neurons")]
            room = live_ui.room_panel("mlp", copy=True)
    url_query = gr.Textbox(visible=False)

    controls = [dataset, classes, noise, train_percent, points, features, hidden, activation, layer_activations,
                leaky_slope, init, optimizer, learning_rate, batch_size, regularisation, regularisation_rate, loss, seed]
    frame_outputs = [session, plane, status, url_query]
    inputs = [session, *controls]
    # The named endpoint first: later events of the same function get suffixed names (undocumented).
    gr.Button(visible=False).click(friendly(mlp_settings), inputs=inputs, outputs=frame_outputs,
                                   api_name="mlp_settings", concurrency_id=HEAVY)
    for control in controls:
        control.input(friendly(mlp_settings), inputs=inputs, outputs=frame_outputs, trigger_mode="always_last",
                      api_visibility="undocumented", show_progress="hidden", concurrency_id=HEAVY)
    # Play and Step run through the live runtime (one run per visitor: a Step replaces a Play).
    # At most one message per MLP_FRAME_SECONDS (min_frame_seconds): in a class, a member's turn may find its
    # group already trained by another member's turn, and would otherwise send a message at once.
    live_ui.play(play, mlp_play, inputs, frame_outputs, panel="mlp", status=status, frame_seconds=MLP_FRAME_SECONDS,
                 min_frame_seconds=MLP_FRAME_SECONDS, notice_seconds=MLP_NOTICE_SECONDS, api_name="mlp_play")
    live_ui.stop(pause, panel="mlp", api_name="mlp_pause")
    live_ui.play(step, mlp_step, inputs, frame_outputs, panel="mlp", status=status, once=True, api_name="mlp_step")

    def copy_of(host: Session):
        mine = host.copy()
        return (*_outputs(mine, mine.config), *page_values(mine.config))

    live_ui.wire_room(room, frame_outputs, private=(url_query,), copy=copy_of, copy_outputs=(*frame_outputs, *controls))
    reset_event = live_ui.stop(reset, panel="mlp")
    reset_event.then(friendly(mlp_reset), inputs=inputs, outputs=frame_outputs, api_name="mlp_reset",
                     concurrency_id=HEAVY)
    plane.click(friendly(mlp_add_point), inputs=[session, click_class, *controls], outputs=frame_outputs,
                 api_name="mlp_add_point", concurrency_id=HEAVY, show_progress="hidden")
    clear.click(friendly(mlp_clear_points), inputs=inputs, outputs=frame_outputs, api_name="mlp_clear_points",
                concurrency_id=HEAVY)
    table_outputs = [*frame_outputs, dataset, classes, table_info]
    csv_file.upload(friendly(mlp_upload_csv), inputs=[session, csv_file, *controls], outputs=table_outputs,
                    api_name="mlp_upload_csv", concurrency_id=HEAVY)
    use_pasted.click(friendly(mlp_paste_rows), inputs=[session, pasted, *controls], outputs=table_outputs,
                     api_name="mlp_paste_rows", concurrency_id=HEAVY)
    download_data.click(friendly(mlp_data_csv), inputs=[session], outputs=[data_file], api_name="mlp_data_csv")
    show_code.click(friendly(mlp_code), inputs=[session], outputs=[code], api_name="mlp_code")
    download.click(friendly(mlp_weights), inputs=[session], outputs=[weights_file], api_name="mlp_weights")
    pictures_button.click(friendly(mlp_pictures), inputs=[session], outputs=pictures, api_name="mlp_pictures")
    url_query.change(None, inputs=[url_query], js=url_js(PREFIX))
    # A link with MLP settings opens this tab (its group, Neurons, is the one the page opens on).
    tab_bar = ui.current_tab_bar()
    ui.current_app().load(friendly(mlp_load), outputs=[*frame_outputs, *controls, *([tab_bar] if tab_bar else [])],
                          api_visibility="undocumented", concurrency_id=HEAVY, show_progress_on=[plane])


