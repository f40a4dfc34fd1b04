"""Would one batched step pay for the heavy live panels too? Measured, not assumed.

    python -m playground.batch_probe [--members 8 30] [--repeats 5]

For the CNN lab's seed CNN and the autoencoder's live model (the two heavy panels that train a
network per visitor on MNIST batches of 64), it times K visitors' training steps two ways in one
process, alternating: each member's own ``loss.backward(); optimizer.step()`` one after another (what
the live runtime runs now), and one step of all K together (``torch.func.stack_module_state``,
``vmap`` over ``functional_call`` and ``grad``, then one Adam update on the stacked weights). It
prints the median seconds per round of K steps and the ratio. The MLP playground batches because its
networks are tiny (Python's per-step cost dominates); these convolutions are compute-bound, so the
answer is not obvious and is what this command is for.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
import torch.nn.functional as F
from torch.func import functional_call, grad, stack_module_state, vmap


def _models(kind: str, count: int) -> list[torch.nn.Module]:
    if kind == "seed CNN (CNN lab)":
        from playground.nets.seed_cnn import SeedCNN

        return [SeedCNN(dropout=0.0).train() for _ in range(count)]  # no dropout: vmap needs no random mask
    from playground.autoencoder.live import LiveConfig, new_model

    return [new_model(LiveConfig(seed=i)).train() for i in range(count)]


def _loss(kind: str, model, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if kind == "seed CNN (CNN lab)":
        return F.nll_loss(model(x), y)
    return F.binary_cross_entropy(model(x), x)


def time_alone(kind: str, models, batches) -> float:
    optimizers = [torch.optim.Adam(model.parameters(), lr=1e-3) for model in models]
    began = time.perf_counter()
    for model, optimizer, (x, y) in zip(models, optimizers, batches):
        optimizer.zero_grad()
        _loss(kind, model, x, y).backward()
        optimizer.step()
    return time.perf_counter() - began


def time_together(kind: str, models, batches) -> float:
    params, buffers = stack_module_state(models)  # {name: (K, *shape)}
    base = copy.deepcopy(models[0]).to("meta")
    xs = torch.stack([x for x, _ in batches])  # (K, B, 1, 28, 28)
    ys = torch.stack([y for _, y in batches])  # (K, B)
    optimizer = torch.optim.Adam(params.values(), lr=1e-3)  # one Adam on stacked weights: per member, element-wise

    def member_loss(p, b, x, y):
        return _loss(kind, lambda inputs: functional_call(base, (p, b), (inputs,)), x, y)

    began = time.perf_counter()
    grads = vmap(grad(member_loss))(params, buffers, xs, ys)
    for name, value in params.items():
        value.grad = grads[name]
    optimizer.step()
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> None:
    from playground import data

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, nargs="+", default=[8, 30])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    images, labels = data.mnist_tensors("train")
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; median of {args.repeats} rounds, alternating")
    print(f"{'network':<26} {'members':>7} {'alone s':>9} {'together s':>10} {'together / alone':>16}")
    for kind in ("seed CNN (CNN lab)", "autoencoder (Train live)"):
        for count in args.members:
            models = _models(kind, count)
            picks = [torch.randint(len(images), (64,)) for _ in range(count)]
            batches = [(images[i], labels[i]) for i in picks]
            time_alone(kind, models, batches)  # warm-up both ways
            time_together(kind, models, batches)
            alone, together = [], []
            for _ in range(args.repeats):
                alone.append(time_alone(kind, models, batches))
                together.append(time_together(kind, models, batches))
            a, t = statistics.median(alone), statistics.median(together)
            print(f"{kind:<26} {count:>7} {a:>9.3f} {t:>10.3f} {t / a:>16.2f}", flush=True)


if __name__ == "__main__":
    main()
