"""Sequences › Memory race: the TDNN, the Elman network, the LSTM and the GRU race to remember, trained live."""

from __future__ import annotations

import gradio as gr

from playground import live_ui
from playground.sequence.tasks import TASKS
from playground.tabs.sequence import run_race, sweep_delays
from playground.ui import SafeNumber

TITLE = "Memory race"


def build() -> None:
    gr.Markdown(
        "Four memories race on the same batches. **remember-k**: a symbol, then k noise symbols, then *which "
        "symbol came first?* **adding**: add the two marked numbers, k steps apart (right = within 0.1). **delayed copy**: echo three "
        "symbols after k blanks (choosing *adding* sets a larger learning rate and budget: it learns slower). The TDNN only sees its window: it wins when k < w and cannot when k ≥ w. "
        "The Elman RNN sees everything but its gradient fades; the LSTM and GRU carry it. "
        "Then sweep k for the picture that explains the notes."
    )
    with gr.Row():
        task = gr.Dropdown(list(TASKS), value="remember-k", label="Task")
        delay = gr.Slider(1, 60, value=20, step=1, label="Delay k", elem_id="seq-race-delay")
        window = gr.Slider(1, 40, value=10, step=1, label="TDNN window w")
        hidden = gr.Slider(4, 128, value=32, step=4, label="Hidden units (every model)")
    with gr.Row():
        learning_rate = SafeNumber(0.003, label="Learning rate (Adam)")
        gate_bias = gr.Slider(-2.0, 6.0, value=3.0, step=0.5, label="LSTM/GRU gate bias")
        seed = SafeNumber(0, label="Seed", precision=0)
        steps = gr.Slider(50, 3000, value=400, step=50, label="Training steps")
    with gr.Row():
        start = gr.Button("Start race", variant="primary", elem_id="seq-race-start")
        stop = gr.Button("Stop", elem_id="seq-race-stop")
    status = gr.Markdown("Press **Start race**.", elem_id="seq-race-status")
    figure = gr.Plot(label="Race", elem_id="seq-race-plot")
    with gr.Row():
        delays = gr.Textbox("2, 5, 10, 15, 20, 30", label="Delays k to sweep", scale=2)
        steps_per_delay = gr.Slider(50, 2000, value=300, step=50, label="Training steps per k")
        sweep = gr.Button("Sweep accuracy vs k", elem_id="seq-race-sweep")
    sweep_status = gr.Markdown(elem_id="seq-sweep-status")
    sweep_figure = gr.Plot(label="Accuracy against the delay", elem_id="seq-sweep-plot")
    common = [task, delay, window, hidden, learning_rate, gate_bias, seed]
    # The race and the sweep share one panel (and its Stop): starting one replaces the other.
    live_ui.play(start, run_race, common + [steps], [figure, status], panel="memory_race", status=status,
                 heavy=True, api_name="memory_race", show_progress="minimal")
    live_ui.play(sweep, sweep_delays, [task, delays, window, hidden, learning_rate, gate_bias, seed, steps_per_delay],
                 [sweep_figure, sweep_status], panel="memory_race", status=sweep_status, heavy=True,
                 api_name="accuracy_vs_delay", show_progress="minimal")
    live_ui.stop(stop, panel="memory_race", api_name="memory_race_stop")
    # the adding problem (a regression) learns slower: it gets a larger step and budget by default
    task.change(
        lambda name: (0.01, 1000) if name == "adding" else (0.003, 400),
        [task], [learning_rate, steps], api_visibility="private", queue=False,
    )
