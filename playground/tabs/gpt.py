"""GPT: look inside a character-level GPT trained on Shakespeare, then train one live beside an LSTM.

Two sub-tabs. **Look inside a GPT**: the visitor's prompt → its characters, their
embeddings, every layer's and head's attention map (click a character to see what it
attends to), the next-character distribution after temperature, top-k and top-p, the
logit lens, and generation streamed character by character. **Train live**: a small GPT
and a char-LSTM of the same size learn the same text, with held-out loss curves and
samples. Compute lives in ``playground.gpt``; this module is only the UI.
"""

from __future__ import annotations

import io
import time
from typing import Callable

import gradio as gr
import numpy as np

from playground import checks, live_ui, registry
from playground.bench_rows import BenchCase
from playground.gpt import data, explain, live, render
from playground.ui import HEAVY, SafeNumber, current_app, explainer, friendly

TITLE = "GPT"
MODEL = "char_gpt_shakespeare"
DEFAULT_PROMPT = (
    "ROMEO:\nBut soft, what light through yonder window breaks?\n"
    "It is the east, and Juliet is the sun.\n\nJULIET:\nO Romeo, Romeo"
)
FRAME_SECONDS = 0.05  # streamed generation: at most one update per Gradio redraw
SOURCES = ("Shakespeare excerpt (ships with the app)", "My own text (paste below)")


def _model():
    return registry.get(MODEL), registry.meta(MODEL)["vocab"]


# ---------------------------------------------------------------- handlers (plain values in, pictures and tables out)


def look_inside(prompt: str, layer: int, head: int, position: int, temperature: float, top_k: int, top_p: float):
    """Every view of the model on ``prompt``: layer 1..L; head 1..h or 0 (mean of the heads);
    position 1..T or 0 (the last character); temperature, top-k (0 = off), top-p (1 = off)."""
    model, vocab = _model()
    temperature, top_k, top_p = explain.check_sampling(temperature, top_k, top_p, len(vocab))
    analysis = explain.analyse(model, vocab, prompt)
    steps = len(analysis.text)
    layer = checks.integer("layer", layer, 1, analysis.n_layer)
    head = checks.integer("head", head, 0, analysis.n_head)
    chosen = checks.integer("position", position, 0, model.config.block_size)
    query = steps - 1 if chosen == 0 or chosen > steps else chosen - 1  # 0-based
    maps = analysis.attention[layer - 1]  # (h, T, T)
    weights = maps.mean(axis=0) if head == 0 else maps[head - 1]  # (T, T)

    row = weights[query]  # what the chosen character attends to, (T,)
    focus = int(np.argmax(row[: query + 1]))  # the position it attends to most
    tokens = [
        (explain.visible(char), float(row[s] / row[focus]))  # 0 after the query: the future is masked
        for s, char in enumerate(analysis.text)
    ]
    picture = render.attention_image(weights, analysis.text, query)
    table, used, kept = explain.distribution_rows(analysis, query, temperature, top_k, top_p, rows=10)
    best = [int(i) for i in np.argsort(-used, kind="stable")[:5] if used[i] > 0]
    label = {explain.visible(vocab[i]): float(used[i]) for i in best}
    lens = explain.lens_rows(analysis, query)

    head_name = "all heads averaged" if head == 0 else f"head {head}"
    cut = f" (the first {analysis.dropped:,} of the prompt were cut: its context is {model.config.block_size})"
    past_the_end = f" (position {chosen} is past the end of the prompt: showing the last character)"
    status = (
        f"The model read **{steps} characters**{cut if analysis.dropped else ''}. "
        f"Position **{query + 1}** (`{explain.visible(analysis.text[query])}`), layer {layer}, {head_name}: "
        f"it attends most to position {focus + 1} (`{explain.visible(analysis.text[focus])}`, weight {row[focus]:.2f}). "
        f"Next character: {', '.join(f'`{explain.visible(vocab[i])}` {used[i]:.0%}' for i in best[:3])} — "
        f"the sampler keeps {kept} of {len(vocab)} characters.{past_the_end if chosen > steps else ''}"
    )
    return tokens, picture, table, label, lens, status


def embeddings_view(prompt: str):
    """The prompt's token and position embeddings, and the map of every character's embedding."""
    model, vocab = _model()
    analysis = explain.analyse(model, vocab, prompt)
    strips = render.embedding_image(analysis.token_embedding, analysis.position_embedding, analysis.text)
    table = model.tok_emb.weight.detach().float().cpu().numpy()  # (V, C)
    scatter = render.embedding_scatter(explain.embedding_map(table), vocab, highlight=analysis.text)
    return strips, scatter


def generate_text(prompt: str, length: int, temperature: float, top_k: int, top_p: float, seed: int):
    """Continue the prompt character by character, streaming the text written so far.

    A character takes a few milliseconds, far less than the page's ~50 ms between redraws, so
    the text is sent at most every ``FRAME_SECONDS`` (and at the end) instead of after every
    character: the browser then shows the latest text instead of catching up on a backlog.
    """
    model, vocab = _model()
    prompt = explain.check_prompt(prompt, vocab)
    text, last_sent = "", time.perf_counter()
    for char in explain.generate(model, vocab, prompt, length, temperature, top_k, top_p, seed):
        text += char
        if time.perf_counter() - last_sent >= FRAME_SECONDS:
            last_sent = time.perf_counter()
            yield text
    yield text


def train_live(source: str, text: str, layers: int, width: int, context: int, learning_rate: float, steps: int, seed: int):
    """Train a small GPT and an LSTM of the same size on the same text; stream curves and samples."""
    corpus = data.excerpt_text() if checks.choice("text source", source, SOURCES) == SOURCES[0] else live.check_text(text)
    settings = live.LiveSettings(n_layer=layers, n_embd=width, block_size=context, learning_rate=learning_rate,
                                 total_steps=steps, seed=seed).validated()
    for frame in live.frames(corpus, settings):
        figure = render.curves_figure(
            {f"{name} ({frame.parameters[name]:,} weights)": curve for name, curve in frame.curves.items()},
            "Held-out loss: same text, same steps, same size",
        )
        yield live.describe(frame), figure, frame.samples["GPT"], frame.samples["LSTM"]


# ---------------------------------------------------------------- UI


def _build_inside() -> tuple[list, list, Callable]:
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
    return view_inputs, view_outputs, view


def _build_live() -> None:
    gr.Markdown(
        "A small GPT and a one-layer LSTM **with the same number of weights** learn the same text, on the same "
        "random windows, with the same optimizer. The curves are measured on the last 10 % of the text, which "
        "neither model trains on; the samples show what each has learned so far. Which learns faster per step? "
        "Try your own text, a wider GPT, or a shorter context."
    )
    with gr.Row():
        with gr.Column(scale=2):
            source = gr.Radio(list(SOURCES), value=SOURCES[0], label="Training text", elem_id="gpt-live-source")
            text = gr.Textbox("", label=f"Your text ({live.MIN_TEXT:,}–{live.MAX_TEXT:,} characters)", lines=6, max_lines=10, elem_id="gpt-live-text")
        with gr.Column(scale=2):
            with gr.Row():
                layers = gr.Slider(1, 4, value=2, step=1, label="GPT layers")
                width = gr.Slider(16, 128, value=64, step=16, label="GPT width (4 heads)")
                context = gr.Slider(16, 128, value=64, step=16, label="Context (characters)")
            with gr.Row():
                learning_rate = SafeNumber(3e-3, label="Learning rate (Adam, both)")
                steps = gr.Slider(50, live.MAX_STEPS, value=1500, step=50, label="Training steps")
                seed = SafeNumber(0, label="Seed", precision=0)
            with gr.Row():
                start = gr.Button("Train both", variant="primary", elem_id="gpt-live-train")
                stop = gr.Button("Stop", elem_id="gpt-live-stop")
            room = live_ui.room_panel("gpt_live")
    status = gr.Markdown("Press **Train both**.", elem_id="gpt-live-status")
    curves = gr.Plot(label="Held-out loss", elem_id="gpt-live-curves")
    with gr.Row():
        gpt_sample = gr.Textbox(label="GPT writes", lines=6, elem_id="gpt-live-gpt-sample")
        lstm_sample = gr.Textbox(label="LSTM writes", lines=6, elem_id="gpt-live-lstm-sample")
    live_ui.play(start, train_live, [source, text, layers, width, context, learning_rate, steps, seed],
                 [status, curves, gpt_sample, lstm_sample], panel="gpt_live", status=status,
                 api_name="gpt_train_live")
    live_ui.stop(stop, panel="gpt_live", api_name="gpt_stop_training")
    live_ui.wire_room(room, [status, curves, gpt_sample, lstm_sample])


def build() -> None:
    explainer(
        "**Look inside a GPT, then train one.** A GPT turns each character into a vector, lets every position "
        "*attend* to the earlier ones (never the later ones: that is the causal mask), stacks a few such blocks "
        "and reads the next-character probabilities off the last one. Poke at a real one trained on Shakespeare, "
        "then race a small one against an LSTM on your own text."
    )
    outer = gr.context.Context.block  # the app's gr.Tab for this module (when built inside one)
    with gr.Tabs():
        with gr.Tab("Look inside a GPT") as inside_tab:
            view_inputs, view_outputs, view = _build_inside()
        with gr.Tab("Train live beside an LSTM"):
            _build_live()
    # Something to look at on the first visit: the view of the default prompt, computed when the tab opens.
    opened = [inside_tab] + ([outer] if isinstance(outer, gr.Tab) else [])
    for tab in opened:
        tab.select(view, view_inputs, view_outputs, api_visibility="undocumented", concurrency_id=HEAVY)
    if not isinstance(outer, gr.Tab):
        current_app().load(view, view_inputs, view_outputs, api_visibility="undocumented", concurrency_id=HEAVY)


def bench_cases() -> list[BenchCase]:
    state: dict = {}
    prompt_128 = (DEFAULT_PROMPT * 2)[:128]

    def one_character():
        model, vocab = _model()
        return next(explain.generate(model, vocab, DEFAULT_PROMPT, 1, 1.0, 0, 1.0, 0))

    def start_live():
        settings = live.LiveSettings()
        state["frames"] = live.frames(data.excerpt_text(), settings)
        next(state["frames"])  # the first frame (untrained) is measured, not timed

    def live_frame():
        frame = next(state["frames"])
        render.curves_figure(frame.curves, "bench").savefig(io.BytesIO(), format="png")  # what gr.Plot does
        return frame

    return [
        BenchCase(
            name="GPT: one generated character (128-character context)",
            run=one_character, setup=lambda: _model(), target_ms=50,
        ),
        BenchCase(
            name="GPT: look-inside view of a 128-character prompt (all layers + tables + map)",
            run=lambda: look_inside(prompt_128, 4, 1, 0, 1.0, 0, 1.0), setup=lambda: _model(), target_ms=150,
        ),
        BenchCase(
            name=f"GPT: one live-training frame ({live.LiveSettings().steps_per_frame} steps of GPT + LSTM, samples, curves)",
            run=live_frame, setup=start_live, target_ms=1000,
        ),
    ]
