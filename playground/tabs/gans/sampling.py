"""GANs › Sampling: real DCGANs trained by this project (digits, emoji groups): a grid of samples, a walk
between two points of the latent space, and latent arithmetic, as three sections of one tab."""

from __future__ import annotations

import gradio as gr

from playground.gans import latent, sampling
from playground.tabs.gans.handlers import (arithmetic, class_choices, class_pickers, columns_note, dcgan_choices,
                                           interpolate, sample_grid, seed_number, walk_defaults)
from playground.ui import HEAVY, explainer, friendly, show_on_first_visit

TITLE = "Sampling"


def build() -> None:
    explainer(
        "**Two networks trained against each other.** A generator turns random noise into pictures; a "
        "discriminator tries to tell its pictures from real ones, and the generator learns from its mistakes. "
        "Sample real DCGANs trained by this project (a digit, or an emoji group such as faces or animals: both "
        "are class-conditional, told what to draw) and walk their latent space. The other tabs of this group "
        "train GANs live, colour sketches in with pix2pix and translate without pairs with CycleGANs."
    )
    choices = dcgan_choices()
    names = [name for _, name in choices]
    default = "dcgan_mnist" if "dcgan_mnist" in names else (names[0] if names else None)
    with gr.Row():
        model = gr.Dropdown(choices, value=default, label="Generator", elem_id="gan-model")
        truncation = gr.Slider(
            sampling.MIN_TRUNCATION, sampling.NO_TRUNCATION, value=sampling.NO_TRUNCATION, step=0.05,
            label="Truncation (3 = off; lower = more typical, less varied)", elem_id="gan-truncation",
        )
    with gr.Accordion("Sample a grid", open=True):
        with gr.Row():
            seed = seed_number("Seed", 0, "gan-seed")
            grid_choices, one_choices = class_choices(default)
            a, b, arith = walk_defaults(default)
            digit = gr.Dropdown(grid_choices, value=sampling.ALL_CLASSES, label="Class (a digit, an emoji group)",
                                elem_id="gan-digit")
            sample = gr.Button("Sample grid", variant="primary", elem_id="gan-sample")
        grid = gr.Image(label="Samples", type="numpy", format="png", elem_id="gan-grid", height=420)
        columns = gr.Markdown(columns_note(default), elem_id="gan-columns")
    with gr.Accordion("Interpolate: a walk between two points (GIF)", open=False):
        with gr.Row():
            seed_a = seed_number("Seed A", 1, "gan-seed-a")
            seed_b = seed_number("Seed B", 2, "gan-seed-b")
            digit_a = gr.Dropdown(one_choices, value=a, label="Class A", elem_id="gan-class-a")
            digit_b = gr.Dropdown(one_choices, value=b, label="Class B", elem_id="gan-class-b")
        with gr.Row():
            mode = gr.Radio(list(latent.MODES), value="slerp", label="Path")
            frames = gr.Slider(2, latent.MAX_FRAMES, value=60, step=1, label="Frames")
            fps = gr.Slider(1, 50, value=20, step=1, label="Frames per second")
            walk = gr.Button("Make animation", variant="primary")
        with gr.Row():
            animation = gr.Image(label="Walk (GIF)", type="filepath", elem_id="gan-walk", height=260)
            download = gr.File(label="Download the GIF")
    with gr.Accordion("Latent arithmetic: A − B + C", open=True):
        gr.Markdown("A − B + C: each letter is the mean of three latent vectors from its seed (as in the DCGAN paper).")
        with gr.Row():
            arith_a, arith_b, arith_c = seed_number("Seed A", 10, "gan-ar-a"), seed_number("Seed B", 11, "gan-ar-b"), seed_number("Seed C", 12, "gan-ar-c")
            arith_digit = gr.Dropdown(one_choices, value=arith, label="Class", elem_id="gan-arith-class")
            arith_go = gr.Button("Compute A − B + C", variant="primary")
        arith_out = gr.Image(label="A | B | C | A − B + C", type="numpy", format="png", height=200)

    # The first grid and the arithmetic example, already sampled (computed once per process).
    show_on_first_visit([grid], sample_grid, [model, seed, truncation, digit])
    show_on_first_visit([arith_out], arithmetic, [model, arith_a, arith_b, arith_c, arith_digit, truncation])
    model.change(class_pickers, model, [digit, digit_a, digit_b, arith_digit, columns], queue=False,
                 api_visibility="undocumented")
    sample.click(friendly(sample_grid), [model, seed, truncation, digit], grid, api_name="gan_sample", concurrency_id=HEAVY)
    walk.click(
        friendly(interpolate), [model, seed_a, seed_b, digit_a, digit_b, frames, mode, truncation, fps],
        [animation, download], api_name="gan_interpolate", concurrency_id=HEAVY,
    )
    arith_go.click(
        friendly(arithmetic), [model, arith_a, arith_b, arith_c, arith_digit, truncation], arith_out,
        api_name="gan_arithmetic", concurrency_id=HEAVY,
    )
