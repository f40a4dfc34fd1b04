"""Style transfer — not built yet (issue 7)."""

from __future__ import annotations

import gradio as gr

TITLE = "Style transfer"


def build() -> None:
    gr.Markdown(f"### {TITLE}\n\nThis lab is being built (issue 7) and lands in a coming release.")
