"""Sequences & attention — not built yet (issue 10)."""

from __future__ import annotations

import gradio as gr

TITLE = "Sequences & attention"


def build() -> None:
    gr.Markdown(f"### {TITLE}\n\nThis lab is being built (issue 10) and lands in a coming release.")
