"""Neurons › Perceptron: one neuron with sliders (w₁, w₂, b, σ), its output over the plane, and Rosenblatt's
rule learning a line; its settings live in the page address (``neuron_…``)."""

from __future__ import annotations

import urllib.parse

import gradio as gr

from playground import alt_text, checks, live_ui, ui
from playground.activations import ACTIVATIONS, DISPLAY_NAMES
from playground.errors import UserInputError
from playground.perceptron import perceptron, scene
from playground.tabs.perceptron.page import ACTIVATION_CHOICES, board_html, url_js
from playground.ui import HEAVY, explainer, friendly

TITLE = "Perceptron"
LEARN_FRAME_SECONDS = 0.05  # the perceptron rule: at most one epoch per 0.05 s, to watch the line move


def perceptron_picture(w1, w2, b, activation_name, leaky_slope, dataset):
    """The server's picture of one neuron and its formula (the named API endpoint: clients get pictures)."""
    points, labels = perceptron.perceptron_data(dataset)
    image = perceptron.surface(w1, w2, b, activation_name, leaky_slope, points, labels)
    correct = perceptron.accuracy(w1, w2, b, points, labels)
    described = alt_text.picture(image, "The neuron's output over the plane", f"w1 {w1:g}, w2 {w2:g}, b {b:g}",
                                 f"σ {DISPLAY_NAMES[activation_name]}",
                                 f"the decision line classifies {alt_text.percent(correct)} of the {len(labels)} "
                                 "points correctly")
    return described, perceptron.formula(w1, w2, b, activation_name, leaky_slope, points, labels)


def perceptron_view(w1, w2, b, activation_name, leaky_slope, dataset):
    """The settled values (a slider released, a data set chosen): the page's scene, and the page address's
    form of them. The page draws the plane and the formula itself, from its sliders, while they move."""
    perceptron.check_weights(w1, w2, b, leaky_slope)
    checks.choice("activation", activation_name, ACTIVATIONS)
    board = scene.perceptron_scene(w1, w2, b, activation_name, leaky_slope, dataset)
    return board, "", perceptron_query(w1, w2, b, activation_name, leaky_slope, dataset)


NEURON_PREFIX = "neuron_"
NEURON_DEFAULTS = {"w1": 1.0, "w2": -1.0, "b": 0.5, "act": "sigmoid", "slope": 0.1, "data": "gauss"}


def perceptron_query(w1, w2, b, activation_name, leaky_slope, dataset) -> str:
    values = {"w1": round(float(w1), 4), "w2": round(float(w2), 4), "b": round(float(b), 4), "act": activation_name,
              "slope": round(float(leaky_slope), 4), "data": dataset}
    return urllib.parse.urlencode({NEURON_PREFIX + key: value for key, value in values.items()
                                   if value != NEURON_DEFAULTS[key]})


def perceptron_from_query(query: dict) -> tuple[list, list[str]]:
    """The neuron's settings a link carries ([w1, w2, b, activation, slope, data set]) and a note for each
    parameter that was ignored (a bad one keeps its default: a shared link must still open)."""
    values, problems = dict(NEURON_DEFAULTS), []
    limits = {"w1": perceptron.WEIGHT_LIMIT, "w2": perceptron.WEIGHT_LIMIT, "b": perceptron.BIAS_LIMIT, "slope": 0.5}
    for key, text in query.items():
        if not key.startswith(NEURON_PREFIX):
            continue
        name = key[len(NEURON_PREFIX):]
        try:
            if name in limits:
                values[name] = checks.real(name, float(text), -limits[name] if name != "slope" else 0.0, limits[name])
            elif name == "act":
                values[name] = checks.choice("activation", text, ACTIVATIONS)
            elif name == "data":
                values[name] = checks.choice("data set", text, perceptron.PERCEPTRON_DATASETS)
            else:
                problems.append(f"unknown setting {key!r} ignored")
        except (UserInputError, ValueError) as error:
            problems.append(f"{key}={text!r} ignored: {error}")
    return [values[key] for key in ("w1", "w2", "b", "act", "slope", "data")], problems


def perceptron_load(request: gr.Request):
    """The page opens: the neuron a link describes (or the defaults), and its scene."""
    query = dict(request.query_params) if request is not None else {}
    values, problems = perceptron_from_query(query)
    for problem in problems:
        gr.Warning(f"Link setting {problem}")
    board, verdict, _ = perceptron_view(*values)
    if not any(key.startswith(NEURON_PREFIX) for key in query):
        return (*[gr.update()] * len(values), board, verdict)  # a plain visit: the controls stay as they are
    return (*values, board, verdict)


def perceptron_learn(w1, w2, b, activation_name, leaky_slope, dataset):
    """Rosenblatt's rule from the current sliders, one frame per epoch (the runtime paces the
    frames at LEARN_FRAME_SECONDS, slow enough to watch the line move)."""
    points, labels = perceptron.perceptron_data(dataset)
    checks.choice("activation", activation_name, ACTIVATIONS)
    last = None
    for last in perceptron.learn(points, labels, w1, w2, b):
        board = scene.perceptron_scene(last.w1, last.w2, last.b, activation_name, leaky_slope, dataset)
        verdict = (f"Epoch {last.epoch}: {last.mistakes} correction(s) this epoch, accuracy **{last.accuracy:.0%}**.")
        yield last.w1, last.w2, last.b, board, verdict
    if last is not None and last.mistakes:
        yield (last.w1, last.w2, last.b, board, verdict +
               " The rule never settles: **no straight line separates these classes** — that needs a hidden layer.")
    elif last is not None:
        yield last.w1, last.w2, last.b, board, verdict + " Every point is on its side: learned."


def build() -> None:
    explainer(
        "**One neuron.** It computes z = w₁·x₁ + w₂·x₂ + b and fires ŷ = σ(z). The colours show ŷ over the plane "
        "(orange low, blue high); the black line is z = 0, where it changes its mind. Move the sliders and watch the "
        "line turn and slide; change σ and watch the colours, never the line. Press **Learn**: on the two blobs the "
        "perceptron rule finds a separating line; on XOR or the circle it never can."
    )
    with gr.Row():
        with gr.Column(scale=1):
            w1 = gr.Slider(-perceptron.WEIGHT_LIMIT, perceptron.WEIGHT_LIMIT, value=1.0, step=0.05, label="w₁",
                           elem_id="perceptron-w1")
            w2 = gr.Slider(-perceptron.WEIGHT_LIMIT, perceptron.WEIGHT_LIMIT, value=-1.0, step=0.05, label="w₂",
                           elem_id="perceptron-w2")
            b = gr.Slider(-perceptron.BIAS_LIMIT, perceptron.BIAS_LIMIT, value=0.5, step=0.1, label="b (bias)",
                          elem_id="perceptron-b")
            act = gr.Dropdown(ACTIVATION_CHOICES, value="sigmoid", label="Activation σ", elem_id="perceptron-activation")
            slope = gr.Slider(0.0, 0.5, value=0.1, step=0.01, label="LeakyReLU slope (for x < 0)",
                              elem_id="perceptron-slope")
            dataset = gr.Dropdown([(label, key) for key, label in perceptron.PERCEPTRON_DATASETS.items()],
                                  value="gauss", label="Data set")
            with gr.Row():
                learn = gr.Button("Learn (perceptron rule)", variant="primary", elem_id="perceptron-learn")
                stop = gr.Button("Stop")
        with gr.Column(scale=1):
            gr.Markdown("**Output ŷ over the plane** (x₁ across, x₂ up; both −6…6)")
            plane = board_html("perceptron", "perceptron-board")
            verdict = gr.Markdown(elem_id="perceptron-verdict")
    controls = [w1, w2, b, act, slope, dataset]
    view = friendly(perceptron_view)
    # The page redraws from the sliders while they move; the server hears the settled values
    # (a released slider, a chosen activation or data set): one request per change, not per pixel.
    address = gr.Textbox(visible=False)
    for control in (w1, w2, b, slope):
        control.release(view, inputs=controls, outputs=[plane, verdict, address], trigger_mode="always_last",
                        api_visibility="undocumented", concurrency_id=HEAVY, show_progress="hidden")
    for control in (act, dataset):
        control.input(view, inputs=controls, outputs=[plane, verdict, address], trigger_mode="always_last",
                      api_visibility="undocumented", concurrency_id=HEAVY, show_progress="hidden")
    address.change(None, inputs=[address], js=url_js(NEURON_PREFIX))
    live_ui.play(learn, perceptron_learn, controls, [w1, w2, b, plane, verdict], panel="perceptron",
                 status=verdict, min_frame_seconds=LEARN_FRAME_SECONDS, api_name="perceptron_learn")
    live_ui.stop(stop, panel="perceptron", api_name="perceptron_stop")
    # The server's picture and formula as a named API endpoint (clients get a picture, not a scene).
    picture = gr.Image(visible=False, format="png")
    formula = gr.Markdown(visible=False)
    gr.Button(visible=False).click(friendly(perceptron_picture), inputs=controls, outputs=[picture, formula],
                                   api_name="perceptron_surface")
    ui.current_app().load(friendly(perceptron_load), outputs=[*controls, plane, verdict], api_visibility="undocumented",
                          show_progress_on=[plane])
