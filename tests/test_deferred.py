"""Deferred components (playground/deferred.py): hidden in the config until their tab or accordion opens."""

from __future__ import annotations

import gradio as gr

from playground import deferred


def _reveal_events(app: gr.Blocks) -> tuple[list[dict], dict[str, int]]:
    """The browser-side reveal listeners, and the config's ids by elem_id."""
    config = app.get_config_file()
    ids = {component["props"].get("elem_id"): component["id"] for component in config["components"]}
    events = [d for d in config["dependencies"] if d.get("js") and d.get("api_visibility") == "private"]
    return events, ids


def test_a_tab_sends_its_shown_components_hidden_and_reveals_exactly_those_once():
    with gr.Blocks() as app:
        with gr.Tabs():
            with gr.Tab("First"):
                first = gr.Textbox()
            with gr.Tab("Later", elem_id="later") as later:
                shown = gr.Image(elem_id="shown")
                meant_hidden = gr.Textbox(visible=False)
                state = gr.State(1)
                with gr.Row():
                    nested = gr.Slider(elem_id="nested")
        hidden_count = deferred.reveal_on_first_open(later, key="later")
    assert hidden_count == 2
    assert first.visible is True
    assert shown.visible is False and nested.visible is False and meant_hidden.visible is False
    (event,), ids = _reveal_events(app)
    assert sorted(event["outputs"]) == sorted([ids["shown"], ids["nested"]])
    assert [list(target) for target in event["targets"]] == [[ids["later"], "select"]]
    assert "playgroundOpenedTabs" in event["js"] and "undefined" in event["js"]  # later visits change nothing
    assert state.value == 1


def test_closed_accordions_reveal_on_expand_and_open_ones_are_left_alone():
    with gr.Blocks() as app:
        with gr.Accordion("Open", open=True):
            open_field = gr.Number()
        with gr.Accordion("Closed", open=False, elem_id="closed"):
            closed_field = gr.Code(elem_id="closed-field")
        count = deferred.reveal_closed_accordions(app)
    assert count == 1
    assert open_field.visible is True and closed_field.visible is False
    (event,), ids = _reveal_events(app)
    assert event["outputs"] == [ids["closed-field"]]
    assert [list(target) for target in event["targets"]] == [[ids["closed"], "expand"]]
