"""The Neurons group's first three tabs: one neuron (``explorer``), activation functions (``activations``) and
a live MLP playground (``mlp``); ``page`` holds what they share on the page. Compute lives in
``playground.perceptron``."""

from playground.bench_rows import BenchCase
from playground.perceptron.config import PlaygroundConfig, page_values
from playground.tabs.perceptron.mlp import warm_up  # noqa: F401  (the app finds a topic's warm-up here)


def bench_cases() -> list[BenchCase]:
    from playground.perceptron import (
        bench_cases as cases,  # long and UI-free: loaded only by the benchmark
    )
    from playground.tabs.perceptron.explorer import perceptron_view

    return cases.cases(perceptron_view, page_values(PlaygroundConfig(dataset="xor", hidden=(8, 8))))
