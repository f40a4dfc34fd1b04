"""GPT, two tabs of the Sequences group: look inside a character-level GPT trained on Shakespeare, then train one
live beside an LSTM.

One module each. **Inside a GPT** (``inside``): the visitor's prompt → its characters, their
embeddings, every layer's and head's attention map (click a character to see what it
attends to), the next-character distribution after temperature, top-k and top-p, the
logit lens, and generation streamed character by character. **GPT vs LSTM** (``vs_lstm``): a small GPT
and a char-LSTM of the same size learn the same text, with held-out loss curves and
samples. This module holds their handlers and benchmark rows; compute lives in ``playground.gpt``.
"""

from __future__ import annotations

import io
import time

import numpy as np

from playground import alt_text, checks, registry
from playground.bench_rows import BenchCase
from playground.gpt import data, explain, live, render

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
    described = alt_text.picture(
        picture, f"Attention map of layer {layer}, {head_name}, over the {steps} characters read",
        f"position {query + 1} ({explain.visible(analysis.text[query])!r}) attends most to position {focus + 1} "
        f"({explain.visible(analysis.text[focus])!r}, weight {row[focus]:.2f})")
    return tokens, described, table, label, lens, status


def embeddings_view(prompt: str):
    """The prompt's token and position embeddings, and the map of every character's embedding."""
    model, vocab = _model()
    analysis = explain.analyse(model, vocab, prompt)
    strips = render.embedding_image(analysis.token_embedding, analysis.position_embedding, analysis.text)
    table = model.tok_emb.weight.detach().float().cpu().numpy()  # (V, C)
    scatter = render.embedding_scatter(explain.embedding_map(table), vocab, highlight=analysis.text)
    return (alt_text.picture(strips, "Token plus position embedding of each character of the prompt",
                             f"{len(analysis.text)} characters, {table.shape[1]} numbers each"),
            alt_text.picture(scatter, "Every character's embedding on its 2 principal components",
                             f"{len(vocab)} characters, the prompt's highlighted"))


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
        latest = [f"{name} {alt_text.number(curve[-1])} nats per character" for name, (_, curve) in frame.curves.items()]
        described = alt_text.plot(figure, "Held-out loss of the GPT and the LSTM", f"step {frame.step}", *latest)
        yield live.describe(frame), described, frame.samples["GPT"], frame.samples["LSTM"]


# ---------------------------------------------------------------- UI


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
