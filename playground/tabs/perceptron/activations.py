"""Neurons › Activations: activation functions and their slopes (autograd's f′), and why sigmoid networks
forget their gradients."""

from __future__ import annotations

import gradio as gr

from playground import alt_text
from playground.perceptron import activation_lab
from playground.tabs.perceptron.page import ACTIVATION_CHOICES
from playground.ui import FIRST_VISIT, current_tab, explainer, friendly

TITLE = "Activations"


def activation_view(names, leaky_slope, x_limit):
    names = activation_lab.check_names(names)
    table = activation_lab.facts_table(names, leaky_slope)
    slopes = [f"{name} largest slope {slope}" for name, slope, *_ in table]  # slope: "0.25 (x = 0.00)"
    plot = alt_text.plot(activation_lab.figure(names, leaky_slope, x_limit), "f(x) and its slope f′(x)",
                         f"x from −{x_limit:g} to {x_limit:g}", *slopes)
    return plot, table


def build() -> None:
    explainer(
        "**Activation functions and their slopes.** Left: f(x). Right: f′(x), computed by autograd (never by hand). "
        "Backpropagation multiplies one f′ per layer, so the table's last column, (max f′)¹⁰, is the most a gradient "
        "can keep through 10 such layers: sigmoid's largest slope is 0.25, and 0.25¹⁰ ≈ 10⁻⁶ — the **vanishing "
        "gradient**. ReLU passes slope 1 (but is *dead*, slope 0, for x < 0); LeakyReLU keeps a small slope there."
    )
    with gr.Row():
        names = gr.CheckboxGroup(ACTIVATION_CHOICES, value=["sigmoid", "tanh", "relu", "leaky_relu"],
                                 label="Activations to overlay", elem_id="activation-names")
    with gr.Row():
        slope = gr.Slider(0.0, 0.5, value=0.1, step=0.01, label="LeakyReLU slope")
        x_limit = gr.Slider(1, 12, value=5, step=0.5, label="x range (±)")
    plot = gr.Plot(label="f(x) and f′(x)", elem_id="activation-plot", elem_classes=[FIRST_VISIT])
    table = gr.Dataframe(
        headers=["activation", "max f′ (where)", "saturates: 0 < |f′| < 0.01", "dead: f′ = 0", "(max f′)¹⁰"],
        label="Slopes (measured on −10…10 by autograd)", interactive=False, elem_id="activation-facts",
    )
    handler = friendly(activation_view)
    inputs = [names, slope, x_limit]
    for control in inputs:
        control.change(handler, inputs=inputs, outputs=[plot, table], trigger_mode="always_last",
                       api_visibility="undocumented", show_progress="hidden")
    gr.Button(visible=False).click(handler, inputs=inputs, outputs=[plot, table], api_name="activation_lab")
    # Drawn when the sub-tab is first shown (a matplotlib figure costs ~0.1 s: not on every page load).
    tab = current_tab()
    if tab is not None:
        tab.select(handler, inputs=inputs, outputs=[plot, table], api_visibility="undocumented")
