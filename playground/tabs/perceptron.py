"""Perceptron & activations — not built yet (issue 3)."""

from __future__ import annotations

import gradio as gr

TITLE = "Perceptron & activations"


def build() -> None:
    gr.Markdown(f"### {TITLE}\n\nThis lab is being built (issue 3) and lands in a coming release.")
