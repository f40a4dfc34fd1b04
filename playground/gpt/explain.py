"""Look inside a GPT: plain compute for the view (no Gradio here).

Given a character-level GPT (``playground.nets.gpt.GPT``), its vocabulary and a prompt,
``analyse`` runs the model once by hand and keeps what a learner wants to see: the
tokens, the embeddings, every layer's and head's attention map, the next-character
logits at every position and the logit lens (what each stage of the residual stream
would predict). ``next_char_distribution`` applies temperature, top-k and top-p the way
samplers do; ``generate`` continues the prompt one character at a time.

All checks raise ``UserInputError`` with a message for the visitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch

from playground import checks
from playground.device import device_of
from playground.errors import UserInputError

MAX_PROMPT = 5_000  # characters accepted in the box; the model reads at most block_size of them
MAX_TEMPERATURE = 5.0
MAX_GENERATE = 2_000


def visible(char: str) -> str:
    """A character as it can be shown in a table or on an axis (newline and space made visible)."""
    return {"\n": "↵", " ": "␣", "\t": "⇥"}.get(char, char)


def check_prompt(prompt: str | None, vocab: str) -> str:
    """The prompt, if the model can read it; otherwise a clear ``UserInputError``."""
    if prompt is None or prompt == "":
        raise UserInputError("the prompt is empty: type a few characters for the model to read.")
    if not isinstance(prompt, str):
        raise UserInputError(f"the prompt must be text, got {type(prompt).__name__}.")
    prompt = checks.text("the prompt", prompt.replace("\r\n", "\n"), MAX_PROMPT)
    unknown = sorted(set(prompt) - set(vocab))
    if unknown:
        shown = ", ".join(repr(char) for char in unknown[:10]) + (" …" if len(unknown) > 10 else "")
        raise UserInputError(
            f"the model never saw these characters, so it has no embedding for them: {shown}. "
            f"It knows {len(vocab)} characters: letters a–z and A–Z, digit 3, space, newline and {vocab_punctuation(vocab)}."
        )
    return prompt


def vocab_punctuation(vocab: str) -> str:
    return " ".join(char for char in vocab if not char.isalnum() and char not in " \n")


def check_sampling(temperature, top_k, top_p, vocab_size: int) -> tuple[float, int, float]:
    """Validated (temperature, top_k, top_p): temperature in [0, 5], top_k in [0, V] (0 = off), top_p in (0, 1]."""
    temperature = checks.real("temperature", temperature, 0, MAX_TEMPERATURE)  # 0: always the favourite
    top_k = checks.integer("top-k", top_k, 0, vocab_size)  # 0: off
    top_p = checks.real("top-p", top_p, 0, 1)  # 1: off
    if top_p == 0:
        raise UserInputError("top-p must be above 0 and at most 1 (1 = off), got 0.")
    return temperature, top_k, top_p


def filtered_probabilities(logits: torch.Tensor, temperature: float, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """The distribution a sampler draws from, (V,) logits -> (V,) probabilities.

    In order: divide the logits by the temperature (0 means "always the top character");
    keep only the ``top_k`` most likely characters (0 = all); keep the smallest set of the
    most likely characters whose probabilities add up to at least ``top_p`` (1 = all);
    renormalise what is kept. Ties at the top-k boundary keep the lower ids.
    """
    logits = logits.double()
    if temperature == 0:
        probabilities = torch.zeros_like(logits)
        probabilities[int(logits.argmax())] = 1.0
        return probabilities
    probabilities = torch.softmax(logits / temperature, dim=-1)
    order = torch.argsort(probabilities, descending=True, stable=True)  # most likely first
    keep = torch.ones_like(probabilities, dtype=torch.bool)
    if top_k:
        keep[order[top_k:]] = False
    if top_p < 1:
        sorted_probabilities = probabilities[order] * keep[order]
        before = torch.cumsum(sorted_probabilities, dim=0) - sorted_probabilities  # mass of the better ones
        renormalised_before = before / sorted_probabilities.sum()
        keep[order[renormalised_before >= top_p]] = False  # already enough mass without this one
    probabilities = probabilities * keep
    return probabilities / probabilities.sum()


@dataclass
class Analysis:
    """One pass of the model over the prompt, everything as numpy on the CPU."""

    text: str  # the characters the model read (the last block_size of the prompt)
    dropped: int  # characters cut from the front of the prompt to fit the context
    ids: np.ndarray  # (T,)
    logits: np.ndarray  # (T, V): row t predicts the character after position t
    attention: np.ndarray  # (L, h, T, T): [layer, head, query t, key s], rows sum to 1
    lens: np.ndarray  # (L + 1, T, V) logits: stage 0 = embeddings only, stage L = the real output
    token_embedding: np.ndarray  # (T, C)
    position_embedding: np.ndarray  # (T, C)
    vocab: str

    @property
    def n_layer(self) -> int:
        return self.attention.shape[0]

    @property
    def n_head(self) -> int:
        return self.attention.shape[1]


def analyse(model, vocab: str, prompt: str) -> Analysis:
    """Run ``model`` over the last ``block_size`` characters of ``prompt`` and keep every view."""
    prompt = check_prompt(prompt, vocab)
    block = model.config.block_size
    text = prompt[-block:]
    index = {char: i for i, char in enumerate(vocab)}
    device = device_of(model)
    ids = torch.tensor([[index[char] for char in text]], dtype=torch.long, device=device)  # (1, T)
    details = model.inspect(ids)
    lens = model.logit_lens(details["residual"])  # (L + 1, 1, T, V)
    return Analysis(
        text=text,
        dropped=len(prompt) - len(text),
        ids=ids[0].cpu().numpy(),
        logits=details["logits"][0].float().cpu().numpy(),
        attention=torch.stack(details["attention"])[:, 0].float().cpu().numpy(),
        lens=lens[:, 0].float().cpu().numpy(),
        token_embedding=details["token_embedding"][0].float().cpu().numpy(),
        position_embedding=details["position_embedding"].float().cpu().numpy(),
        vocab=vocab,
    )


def distribution_rows(analysis: Analysis, position: int, temperature: float, top_k: int, top_p: float, rows: int = 15):
    """The next-character table at ``position`` (0-based): the ``rows`` most likely characters.

    Each row: character, logit, probability at temperature 1, probability the sampler uses.
    Also returns the full filtered distribution (V,) and how many characters it keeps.
    """
    logits = torch.from_numpy(analysis.logits[position])
    raw = torch.softmax(logits.double(), dim=-1)
    used = filtered_probabilities(logits, temperature, top_k, top_p)
    order = torch.argsort(raw, descending=True, stable=True)[:rows]
    table = [
        [visible(analysis.vocab[i]), round(float(logits[i]), 2), round(float(raw[i]), 4), round(float(used[i]), 4)]
        for i in order.tolist()
    ]
    return table, used.numpy(), int((used > 0).sum())


def lens_rows(analysis: Analysis, position: int, top: int = 3) -> list[list]:
    """The logit lens at ``position``: per stage, its top guesses and the probability of the real next character."""
    actual = analysis.text[position + 1] if position + 1 < len(analysis.text) else None
    names = ["embeddings only"] + [f"after block {layer + 1}" for layer in range(analysis.n_layer)]
    names[-1] += " (output)"
    table = []
    for stage, name in enumerate(names):
        probabilities = torch.softmax(torch.from_numpy(analysis.lens[stage, position]).double(), dim=-1)
        best = torch.argsort(probabilities, descending=True, stable=True)[:top].tolist()
        guesses = [f"{visible(analysis.vocab[i])} {float(probabilities[i]):.0%}" for i in best]
        entropy = float(-(probabilities * torch.log(probabilities.clamp_min(1e-30))).sum())
        truth = "—" if actual is None else f"{float(probabilities[analysis.vocab.index(actual)]):.1%}"
        table.append([name, *guesses, truth, round(entropy, 2)])
    return table


def generate(
    model, vocab: str, prompt: str, length: int, temperature: float, top_k: int, top_p: float, seed: int
) -> Iterator[str]:
    """Continue ``prompt`` one character at a time (yields each new character)."""
    prompt = check_prompt(prompt, vocab)
    temperature, top_k, top_p = check_sampling(temperature, top_k, top_p, len(vocab))
    length = checks.integer("length", length, 1, MAX_GENERATE)
    seed = checks.seed(seed)
    index = {char: i for i, char in enumerate(vocab)}
    block = model.config.block_size
    device = device_of(model)
    context = [index[char] for char in prompt[-block:]]
    generator = torch.Generator().manual_seed(seed)
    for _ in range(length):
        with torch.no_grad():
            ids = torch.tensor([context[-block:]], dtype=torch.long, device=device)  # (1, T)
            logits = model(ids)[0, -1].float().cpu()  # (V,): the prediction after the last character
        probabilities = filtered_probabilities(logits, temperature, top_k, top_p)
        choice = int(torch.multinomial(probabilities, 1, generator=generator))
        context.append(choice)
        yield vocab[choice]


def embedding_map(table: np.ndarray, components: int = 2) -> np.ndarray:
    """Principal components of an embedding table (N, C) -> (N, components), for a 2-D map."""
    centred = table - table.mean(axis=0, keepdims=True)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:components].T
