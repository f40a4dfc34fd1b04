"""Transfer learning — not built yet (issue 5)."""

from __future__ import annotations

import gradio as gr

TITLE = "Transfer learning"


def build() -> None:
    gr.Markdown(f"### {TITLE}\n\nThis lab is being built (issue 5) and lands in a coming release.")
