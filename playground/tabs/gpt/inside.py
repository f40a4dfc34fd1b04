"""Sequences › Inside a GPT: a GPT trained on Shakespeare by this project, read character by character:
attention, the sampler, the logit lens, embeddings; then it writes."""

from __future__ import annotations

import gradio as gr

from playground import live_ui, registry
from playground.tabs.gpt import DEFAULT_PROMPT, MODEL, embeddings_view, generate_text, look_inside
from playground.ui import HEAVY, SafeNumber, current_app, current_tab, explainer, friendly

TITLE = "Inside a GPT"


def build() -> None:
    explainer(
        "**Look inside a GPT, then train one.** A GPT turns each character into a vector, lets every position "
        "*attend* to the earlier ones (never the later ones: that is the causal mask), stacks a few such blocks "
        "and reads the next-character probabilities off the last one. Poke at a real one trained on Shakespeare, "
        "then race a small one against an LSTM on your own text."
    )
    config = registry.meta(MODEL)["config"]
    n_layer, n_head, block = config["n_layer"], config["n_head"], config["block_size"]
    gr.Markdown(
        f"A {n_layer}-layer GPT with {n_head} heads per layer, trained on Shakespeare by this project "
        f"(`python -m playground.train {MODEL}`), reads your prompt one character per position. "
        "**Click a character** to see what it attends to; pick a layer and a head. Early layers tend to look at "
        "the previous few characters; later heads find the start of the word or the line. Move **temperature**, "
        "**top-k** and **top-p** to see which next characters the sampler may still pick, and read the "
        "**logit lens**: what the model would guess if it stopped after each block. Then press **Generate**."
    )
    with gr.Row():
        prompt = gr.Textbox(DEFAULT_PROMPT, label=f"Prompt (the model reads the last {block} characters)", lines=5, max_lines=8, scale=3, elem_id="gpt-prompt")
        with gr.Column(scale=2):
            layer = gr.Slider(1, n_layer, value=n_layer, step=1, label="Layer", elem_id="gpt-layer")
            head = gr.Radio([("average", 0)] + [(str(h), h) for h in range(1, n_head + 1)], value=1, label="Head", elem_id="gpt-head")
            position = gr.Slider(0, block, value=0, step=1, label="Character position (0 = the last one; or click a character)", elem_id="gpt-position")
            look = gr.Button("Look inside", variant="primary", elem_id="gpt-look")
    status = gr.Markdown(elem_id="gpt-status")
    tokens = gr.HighlightedText(label="What the chosen character attends to (darker = more attention; click a character)", show_legend=False, combine_adjacent=False, elem_id="gpt-tokens")
    with gr.Row():
        attention = gr.Image(label="Attention map: rows = the reading character, columns = what it looks at (grey: the future, masked)", format="png", type="pil", interactive=False, elem_id="gpt-attention")
        with gr.Column():
            with gr.Row():
                temperature = gr.Slider(0, 2, value=1.0, step=0.05, label="Temperature (0 = always the favourite)", elem_id="gpt-temperature")
                top_k = gr.Slider(0, len(registry.meta(MODEL)["vocab"]), value=0, step=1, label="Top-k (0 = off)", elem_id="gpt-top-k")
                top_p = gr.Slider(0.05, 1, value=1.0, step=0.05, label="Top-p (1 = off)", elem_id="gpt-top-p")
            label = gr.Label(label="Next character: what the sampler draws from", num_top_classes=5, elem_id="gpt-next")
            table = gr.Dataframe(headers=["next", "logit", "p (temperature 1)", "p (sampler)"], label="Most likely next characters", interactive=False, elem_id="gpt-next-table")
    lens = gr.Dataframe(headers=["stage", "guess 1", "guess 2", "guess 3", "p(real next)", "entropy (nats)"], label="Logit lens: read the residual stream out after each block", interactive=False, elem_id="gpt-lens")
    with gr.Accordion("Embeddings: what block 1 reads", open=False):
        with gr.Row():
            strips = gr.Image(label="Token + position embedding of each character (red +, blue −)", format="png", type="pil", interactive=False, elem_id="gpt-embedding-strips")
            scatter = gr.Image(label="All characters' embeddings, 2 principal components", format="png", type="pil", interactive=False, elem_id="gpt-embedding-map")
        embed_button = gr.Button("Show embeddings", elem_id="gpt-embed")
    gr.Markdown("#### Generate")
    with gr.Row():
        length = gr.Slider(1, 1000, value=300, step=1, label="Characters to write", elem_id="gpt-length")
        seed = SafeNumber(0, label="Seed", precision=0)
        generate = gr.Button("Generate", variant="primary", elem_id="gpt-generate")
        stop = gr.Button("Stop", elem_id="gpt-stop")
    written = gr.Textbox(label="The model writes (with the sampling settings above)", lines=10, elem_id="gpt-written")

    view_inputs = [prompt, layer, head, position, temperature, top_k, top_p]
    view_outputs = [tokens, attention, table, label, lens, status]
    view = friendly(look_inside)
    look.click(view, view_inputs, view_outputs, api_name="gpt_look_inside", concurrency_id=HEAVY)
    prompt.submit(view, view_inputs, view_outputs, api_visibility="undocumented", concurrency_id=HEAVY)
    for control in (layer, position, temperature, top_k, top_p):
        control.release(view, view_inputs, view_outputs, api_visibility="undocumented", concurrency_id=HEAVY, show_progress="hidden")
    head.change(view, view_inputs, view_outputs, api_visibility="undocumented", concurrency_id=HEAVY, show_progress="hidden")

    def on_token_select(event: gr.SelectData):
        return event.index + 1  # HighlightedText gives the 0-based index of the clicked character

    tokens.select(on_token_select, None, position, api_visibility="private", queue=False).then(
        view, view_inputs, view_outputs, api_visibility="undocumented", concurrency_id=HEAVY, show_progress="hidden"
    )
    embed_button.click(friendly(embeddings_view), [prompt], [strips, scatter], api_name="gpt_embeddings", concurrency_id=HEAVY)
    # Generation streams through the live runtime like training: one run per visitor, Stop ends it.
    live_ui.play(generate, generate_text, [prompt, length, temperature, top_k, top_p, seed], [written],
                 panel="gpt_generate", api_name="gpt_generate")
    live_ui.stop(stop, panel="gpt_generate", api_name="gpt_stop_generating")
    # Something to look at on the first visit: the view of the default prompt, computed when the tab opens
    # (or when the page opens, where this tab is built alone).
    tab = current_tab()
    if tab is not None:
        tab.select(view, view_inputs, view_outputs, api_visibility="undocumented", concurrency_id=HEAVY)
    else:
        current_app().load(view, view_inputs, view_outputs, api_visibility="undocumented", concurrency_id=HEAVY)
