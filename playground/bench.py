"""``python -m playground.bench`` — measure every user-facing operation on this machine.

Prints one row per operation: median and max over ≥ 5 runs after warm-up, the target
beside it, and the process's peak RSS so far. Rows with a reference also print the
reference's median, measured in the same run (onnxruntime on the same network and thread
count, or the bare PyTorch loop for live training), and the ratio; ``network …`` rows cover
every shipped network's entry points (target: ≤ 1.2× onnxruntime). ``--json PATH`` also writes the rows.
``--only TEXT`` runs the rows whose name contains TEXT.

The first row is the app's cold start (a new `python app.py` process until HTTP 200),
compared with the time of `python -c "import torch, gradio"` on the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playground.bench_rows import BenchCase, BenchResult, measure
from playground.serving import free_port, start_app, stop, wait_for_http


def _import_time() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch, gradio"], check=True, env=_env())
    return time.perf_counter() - start


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", **extra}


def _cold_start() -> float:
    """Seconds from starting the app (as `python app.py` does) to the first HTTP 200."""
    port = free_port()
    start = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        process = start_app(port, log=log)
        try:
            wait_for_http(f"http://127.0.0.1:{port}/", process)
            return time.perf_counter() - start
        finally:
            stop(process, timeout=30)


def cold_start_result(runs: int) -> BenchResult:
    _import_time()  # warm the file cache so both figures are measured warm
    imports = statistics.median(_import_time() for _ in range(runs))
    starts = [_cold_start() for _ in range(runs)]
    return BenchResult(
        name=f"app cold start to HTTP 200 (s); target 1.5 × `import torch, gradio` = 1.5 × {imports:.2f} s",
        median=statistics.median(starts),
        maximum=max(starts),
        target=1.5 * imports,
        unit="s",
        higher_is_better=False,
        peak_rss_mb=float("nan"),
    )


NETWORK_RATIO_TARGET = 1.2  # every shipped network within 1.2× of onnxruntime on the same network


def network_cases() -> list[BenchCase]:
    """One row per shipped network and entry point: ``registry.get(name).<method>`` as the tabs
    call it, beside onnxruntime running the same exported network on the same inputs."""
    from playground import registry

    cases = []
    for name in registry.list_models():
        paths = registry.meta(name).get("inference")
        if registry.spec(name).weights is None or paths is None:
            continue
        cases.extend(_network_case(name, example) for example in paths.examples)
    return cases


def _network_case(name: str, example) -> BenchCase:
    import torch

    from playground import inference, registry

    inputs = example.inputs()
    reference = inference.onnxruntime_reference(name, example.method, inputs, example.options)

    def once():  # the network's call as a tab makes it, inside the tab's grad-free block
        return inference.method_of(registry.get(name), example.method)(*inputs, **example.options)

    # The grad-free block is entered once per timed run, not once per call: a tab enters it once
    # per request (around preprocessing, the network and drawing), and its cost (3–14 µs per call on
    # the digit CNNs, measured) is PyTorch's, not the network's. The end-to-end rows pay it per call.
    @torch.inference_mode()
    def setup():
        # Sub-millisecond networks are timed in runs of several calls (≥ ~3 ms per run), so
        # that timer and scheduler noise does not swamp the figure.
        once(), once(), reference()
        start = time.perf_counter()
        reference()
        case.per_run = max(1, min(200, round(0.003 / max(time.perf_counter() - start, 1e-6))))
        # Such runs are cheap (~6 ms a pair), so take more of them: the median ratio of 15 pairs read
        # 1.13-1.32 in nine runs of mnist_cnn's one digit on one host (2026-12-03).
        if case.per_run > 1:
            case.repeats = 45

    @torch.inference_mode()
    def run():
        for _ in range(case.per_run):
            once()

    @torch.inference_mode()
    def reference_run():
        for _ in range(case.per_run):
            reference()

    case = BenchCase(
        name=f"network {name}: {example.label or example.method}",
        run=run,
        setup=setup,
        reference=reference_run,
        ratio_target=NETWORK_RATIO_TARGET,
        repeats=15,
    )
    return case


FIRST_CLASSIFY = """
import json, statistics, time
t = time.perf_counter()
import playground.catalog  # every model registers itself
from playground import data, registry
from playground.classifier.predict import classify
from playground.backbone_preprocessing import BACKBONE
import torchvision.transforms.functional  # lazy imports a first classify would also pay: not this row's subject
registry.meta(BACKBONE)["labels"]()
photo = data.photo("coffee")
t = time.perf_counter(); registry.get(BACKBONE); get = time.perf_counter() - t
t = time.perf_counter(); classify(photo); first = time.perf_counter() - t
warm = []
for _ in range(15):
    t = time.perf_counter(); classify(photo); warm.append(time.perf_counter() - t)
print(json.dumps({"get": get, "first": first, "warm": statistics.median(warm)}))
"""


def first_classify_result(runs: int) -> BenchResult:
    """A fresh process (the exported graph already cached, as after any earlier start): the
    first classify after ``registry.get`` loaded the model, over the median warm classify."""
    ratios, loads = [], []
    for _ in range(runs + 1):
        output = subprocess.run([sys.executable, "-c", FIRST_CLASSIFY], check=True, env=_env(),
                                capture_output=True, text=True).stdout
        figures = json.loads(output.strip().splitlines()[-1])
        ratios.append(figures["first"] / figures["warm"])
        loads.append(figures["get"])
    ratios, loads = ratios[1:], loads[1:]  # the first process may have exported the graph
    return BenchResult(
        name=f"first classify after start / warm classify (registry.get {statistics.median(loads):.2f} s)",
        median=statistics.median(ratios), maximum=max(ratios), target=2.0, unit="×",
        higher_is_better=False, peak_rss_mb=float("nan"),
    )


def all_cases() -> list[BenchCase]:
    from playground.device import device_info
    from playground.tabs import load_topics

    device_info()  # sets the thread count the app would use
    cases: list[BenchCase] = []
    for topic in load_topics():
        if hasattr(topic, "bench_cases"):
            cases.extend(topic.bench_cases())
    return cases + network_cases()


def format_table(results: list[BenchResult]) -> str:
    header = (f"{'operation':70s} {'median':>10s} {'max':>10s} {'target':>10s} {'reference':>16s} "
              f"{'ratio':>6s} {'≤':>4s} {'ok':>4s} {'peak RSS':>9s}")
    lines = [header, "-" * len(header)]
    for row in results:
        target = "—" if row.target is None else f"{'≥' if row.higher_is_better else '≤'}{row.target:.4g}"
        verdict = {None: "", True: "yes", False: "NO"}[row.meets_target]
        if row.reference is None:
            reference = ratio = ratio_target = ""
        else:
            label = {"onnxruntime": "ort", "bare PyTorch loop": "bare"}.get(row.reference_label, row.reference_label)
            reference = f"{label} {row.reference:.4g}{row.unit}"
            ratio = f"{row.ratio:.2f}"
            ratio_target = "" if row.ratio_target is None else f"{row.ratio_target:g}"
        lines.append(
            f"{row.name[:70]:70s} {row.median:>8.4g}{row.unit:>2s} {row.maximum:>8.4g}{row.unit:>2s} "
            f"{target:>10s} {reference:>16s} {ratio:>6s} {ratio_target:>4s} {verdict:>4s} {row.peak_rss_mb:>7.0f}MB"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    parser.add_argument("--only", metavar="TEXT", help="run only rows whose name contains TEXT")
    parser.add_argument("--no-cold-start", action="store_true", help="skip the (slow) cold-start row")
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args(argv)

    from playground.device import device_info

    print(f"device: {device_info().description}; python {sys.version.split()[0]}", flush=True)
    results: list[BenchResult] = []
    if not args.no_cold_start and (not args.only or args.only in "app cold start"):
        results.append(cold_start_result(args.cold_runs))
        print(format_table(results[-1:]).splitlines()[-1], flush=True)
    if not args.no_cold_start and (not args.only or args.only in "first classify"):
        results.append(first_classify_result(max(1, args.cold_runs // 2 + 1)))
        print(format_table(results[-1:]).splitlines()[-1], flush=True)
    for case in all_cases():
        if args.only and args.only.lower() not in case.name.lower():
            continue
        results.append(measure(case))
        print(format_table(results[-1:]).splitlines()[-1], flush=True)
    print()
    print(format_table(results))
    if args.json:
        Path(args.json).write_text(
            json.dumps([{**row.__dict__, "meets_target": row.meets_target} for row in results], indent=2,
                       default=str)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
