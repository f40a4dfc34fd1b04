"""``python -m playground.train NAME`` — produce pretrained/NAME.safetensors and its card.

    python -m playground.train --list
    python -m playground.train mnist_cnn --seed 0 [--epochs N] [--set key=value ...]
    python -m playground.train pix2pix_emoji --remeasure   # new metrics for the shipped weights, no training
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time

import torch

from playground import recipes
from playground.recipes import RecipeArgs
from playground.weights import PRETRAINED_DIR, read_card, save_pretrained, update_card


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name(0)} GPU, {os.cpu_count()} CPU cores ({cpu})"
    return f"CPU only, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads ({cpu})"


def _parse_value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", nargs="?", help="recipe name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the recipes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="tiny smoke run (the output is not for shipping)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="recipe-specific setting")
    parser.add_argument("--remeasure", action="store_true",
                        help="measure the shipped weights again (the recipe's @remeasure) and refresh the card")
    args = parser.parse_args(argv)
    if args.remeasure:
        return remeasure(args.name)

    available = recipes.load_all()
    if args.list or not args.name:
        for name in sorted(available):
            doc = (available[name].__doc__ or "").strip().splitlines()
            print(f"{name:28s} {doc[0] if doc else ''}")
        return 0
    if args.name not in available:
        print(f"unknown recipe {args.name!r}; known: {sorted(available)}", file=sys.stderr)
        return 2

    extra = dict(item.split("=", 1) for item in args.set)
    recipe_args = RecipeArgs(
        seed=args.seed, epochs=args.epochs, quick=args.quick, extra={k: _parse_value(v) for k, v in extra.items()}
    )
    started = time.perf_counter()
    output = available[args.name](recipe_args)
    wall = time.perf_counter() - started
    card = {
        "recipe": f"python -m playground.train {args.name} --seed {args.seed}"
        + (f" --epochs {args.epochs}" if args.epochs else "")
        + "".join(f" --set {item}" for item in args.set),
        "dataset": output.dataset,
        "data_licence": output.data_licence,
        "arguments": output.arguments,
        "seed": args.seed,
        "epochs": output.epochs,
        "wall_time_s": round(wall, 1),
        "machine": machine_description(),
        "torch": torch.__version__,
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "metrics": output.metrics,
        "parameters": sum(v.numel() for k, v in output.state_dict.items() if v.is_floating_point()),
        "notes": output.notes,
    }
    if args.quick:
        print(json.dumps({**card, "state_dict": f"{len(output.state_dict)} tensors (quick run: not saved)"}, indent=2))
        return 0
    if output.heldout_grid is not None:
        grid_path = PRETRAINED_DIR / f"{args.name}_heldout.jpg"
        output.heldout_grid.convert("RGB").save(grid_path, quality=90)  # a look for people, not a measurement
        card["heldout_grid"] = grid_path.name
        print(f"wrote {grid_path} ({grid_path.stat().st_size / 1e3:.0f} kB)")
    path = save_pretrained(args.name, output.state_dict, card)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) in {wall:.1f} s")
    print(json.dumps(output.metrics, indent=2))
    return 0


def remeasure(name: str) -> int:
    measures = recipes.load_remeasures()
    if name not in measures:
        print(f"recipe {name!r} has no @remeasure; these do: {sorted(measures)}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    result = measures[name]()
    card = read_card(name)
    card["metrics"] = result.metrics
    if result.notes:
        card["notes"] = result.notes
    card["remeasured"] = {
        "command": f"python -m playground.train {name} --remeasure",
        "why": result.why,
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wall_time_s": round(time.perf_counter() - started, 1),
        "machine": machine_description(),
        "torch": torch.__version__,
    }
    if result.heldout_grid is not None:
        grid_path = PRETRAINED_DIR / f"{name}_heldout.jpg"
        result.heldout_grid.convert("RGB").save(grid_path, quality=90)
        card["heldout_grid"] = grid_path.name
    print(f"rewrote {update_card(name, card)}")
    print(json.dumps(result.metrics, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
