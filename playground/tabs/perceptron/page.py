"""What the Neurons group's perceptron and MLP tabs share on the page: the activation choices, the board the
page draws itself, and the page code that keeps a tab's settings in the page address."""

from __future__ import annotations

import gradio as gr

from playground.activations import ACTIVATIONS, DISPLAY_NAMES
from playground.perceptron import board
from playground.ui import FIRST_VISIT

ACTIVATION_CHOICES = [(DISPLAY_NAMES[name], name) for name in ACTIVATIONS]


def board_html(kind: str, elem_id: str) -> gr.HTML:
    """A board the page draws itself (``perceptron/board.js``) from the scene the server sends."""
    template = board.PERCEPTRON_TEMPLATE if kind == "perceptron" else board.MLP_TEMPLATE
    return gr.HTML(None, html_template=template, css_template=board.CSS, js_on_load=board.SCRIPT,
                   elem_id=elem_id, elem_classes=[FIRST_VISIT])


def url_js(prefix: str) -> str:
    """Page code that puts a settings query (its keys all start with ``prefix``) into the page address."""
    return URL_JS.replace("__PREFIX__", prefix)


URL_JS = """(query) => {
  const params = new URLSearchParams(window.location.search);
  for (const key of [...params.keys()]) { if (key.startsWith("__PREFIX__")) params.delete(key); }
  for (const [key, value] of new URLSearchParams(query || "")) params.set(key, value);
  const text = params.toString().replaceAll("%2C", ",").replaceAll("%3B", ";");
  window.history.replaceState(null, "", window.location.pathname + (text ? "?" + text : "") + window.location.hash);
  return [];
}"""
