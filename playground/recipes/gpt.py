"""Recipe for the character-level GPT on tiny Shakespeare (``python -m playground.train char_gpt_shakespeare``).

nanoGPT's recipe, sized for a 2-core CPU: AdamW (betas 0.9/0.99, weight decay on the
matrices only), linear warm-up then cosine decay to a tenth of the peak rate, gradient
clipping at 1, random 128-character windows from the first 90 % of the text. Every
``eval_every`` steps the loss on a fixed slice of the held-out 10 % is printed; the
weights of the step with the lowest such loss are the ones shipped, and the card's
figure is then measured on the whole held-out 10 %.

Settings (``--set key=value``): any field of ``GPTRecipe`` below.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import asdict, dataclass, fields, replace

import torch
import torch.nn.functional as F

from playground.gpt import data
from playground.nets.gpt import GPT, GPTConfig
from playground.recipes import RecipeArgs, RecipeOutput, recipe


@dataclass
class GPTRecipe:
    n_layer: int = 4  # transformer blocks
    n_head: int = 4  # heads per block
    n_embd: int = 128  # residual stream width
    block_size: int = 128  # context length in characters
    dropout: float = 0.0  # the model is small for the data: little to regularise
    batch_size: int = 32  # windows per step
    steps: int = 5500  # optimizer steps (about 35 min on 2 busy CPU cores)
    learning_rate: float = 2e-3  # peak rate after warm-up
    min_lr_fraction: float = 0.1  # the cosine ends at this fraction of the peak
    warmup_steps: int = 200
    weight_decay: float = 0.1  # on matrices and embeddings, not on biases or norms
    beta2: float = 0.99  # nanoGPT's choice for small batches of characters
    grad_clip: float = 1.0
    eval_every: int = 500  # steps between held-out estimates
    eval_windows: int = 100  # held-out windows per estimate (100 × 128 = 12,800 characters)
    time_limit_s: float = 0.0  # stop early after this many seconds (0: no limit); the card says so


def learning_rate_at(step: int, config: GPTRecipe) -> float:
    """Linear warm-up to the peak, then cosine decay to ``min_lr_fraction`` of it."""
    peak = config.learning_rate
    if step < config.warmup_steps:
        return peak * (step + 1) / config.warmup_steps
    progress = (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)
    cosine = 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))
    return peak * (config.min_lr_fraction + (1 - config.min_lr_fraction) * cosine)


def make_adamw(model: GPT, config: GPTRecipe) -> torch.optim.AdamW:
    decay = [p for p in model.parameters() if p.dim() >= 2]  # weight matrices and embeddings
    no_decay = [p for p in model.parameters() if p.dim() < 2]  # biases and layer-norm gains
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.learning_rate, betas=(0.9, config.beta2))


def _config_from(args: RecipeArgs) -> GPTRecipe:
    config = GPTRecipe()
    if args.quick:
        config = replace(config, steps=30, eval_every=15, eval_windows=4, warmup_steps=5)
    known = {f.name for f in fields(GPTRecipe)}
    for key, value in args.extra.items():
        if key not in known:
            raise ValueError(f"unknown setting {key!r}; known: {sorted(known)}")
        config = replace(config, **{key: type(getattr(config, key))(value)})
    return config


@recipe("char_gpt_shakespeare")
def char_gpt_shakespeare(args: RecipeArgs) -> RecipeOutput:
    """A 4-layer character-level GPT on tiny Shakespeare (first 90 % train, last 10 % held out)."""
    config = _config_from(args)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    train_ids, held_ids = data.shakespeare_split()
    model_config = GPTConfig(
        vocab_size=len(data.SHAKESPEARE_VOCAB),
        block_size=config.block_size,
        n_layer=config.n_layer,
        n_head=config.n_head,
        n_embd=config.n_embd,
        dropout=config.dropout,
    )
    model = GPT(model_config)
    optimizer = make_adamw(model, config)
    print(f"GPT {model.num_parameters():,} parameters; {asdict(config)}", flush=True)

    started = time.perf_counter()
    best_loss, best_step, best_state = math.inf, -1, None
    history = []
    steps_done = 0
    running = 0.0
    for step in range(config.steps + 1):
        last = step == config.steps
        out_of_time = config.time_limit_s and time.perf_counter() - started > config.time_limit_s
        if step % config.eval_every == 0 or last or out_of_time:
            held = data.held_out_loss(model, held_ids, config.block_size, max_windows=config.eval_windows)
            history.append((step, round(held, 4)))
            if held < best_loss:
                best_loss, best_step, best_state = held, step, copy.deepcopy(model.state_dict())
            elapsed = time.perf_counter() - started
            print(
                f"step {step:5d}  train {running / max(1, min(step, config.eval_every)):.4f}  "
                f"held-out slice {held:.4f}  lr {learning_rate_at(step, config):.2e}  {elapsed:6.0f} s",
                flush=True,
            )
            running = 0.0
        if last or out_of_time:
            break
        for group in optimizer.param_groups:
            group["lr"] = learning_rate_at(step, config)
        inputs, targets = data.random_windows(train_ids, config.block_size, config.batch_size, generator)
        logits = model(inputs)  # (B, T, V)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
        optimizer.step()
        running += loss.item()
        steps_done = step + 1
    train_seconds = time.perf_counter() - started

    model.load_state_dict(best_state)
    print("measuring the whole held-out 10 % …", flush=True)
    held_out = data.held_out_loss(model, held_ids, config.block_size)
    train_slice = data.held_out_loss(model, train_ids, config.block_size, max_windows=config.eval_windows)
    return RecipeOutput(
        state_dict=model.state_dict(),
        dataset=(
            "tiny Shakespeare (1,115,394 characters, the char-rnn / nanoGPT corpus): the first 90 % "
            "(1,003,854 characters) trained, the last 10 % (111,540 characters) held out, as nanoGPT splits it"
        ),
        data_licence="Shakespeare's plays: public domain",
        arguments={**asdict(config), "model": model_config.to_dict(), "optimizer": "AdamW"},
        epochs=0,
        metrics={
            "held_out_loss_nats_per_char": round(held_out, 4),
            "held_out_bits_per_char": round(held_out / math.log(2), 4),
            "held_out_characters": ((len(held_ids) - 1) // config.block_size) * config.block_size,
            "held_out_protocol": (
                f"mean cross-entropy over consecutive non-overlapping {config.block_size}-character windows "
                "of the held-out 10 %, every character scored (playground.gpt.data.held_out_loss)"
            ),
            "train_slice_loss_nats_per_char": round(train_slice, 4),
            "best_step": best_step,
            "steps_done": steps_done,
            "train_seconds": round(train_seconds, 1),
            "held_out_slice_history": history,
        },
        notes=(
            "Architecture: playground/nets/gpt.py (pre-norm GPT-2 blocks, learned positions, untied head). "
            f"Weights of the step with the lowest loss on the first {config.eval_windows} held-out windows "
            "(checked every eval_every steps) are shipped."
            + (" Training stopped at the time limit." if steps_done < config.steps else "")
        ),
    )
