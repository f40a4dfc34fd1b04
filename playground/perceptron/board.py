"""The page side of the perceptron and MLP boards: the script that draws a scene (``board.js``)
and the HTML and CSS it draws into. Plain strings: the tab puts them in a ``gr.HTML``."""

from __future__ import annotations

import json
from pathlib import Path

from playground.perceptron.scene import page_constants

# board.js with the drawing constants written in (they never travel with a frame).
SCRIPT = (Path(__file__).with_name("board.js")).read_text(encoding="utf-8").replace(
    "__PAGE_CONSTANTS__", json.dumps(page_constants(), ensure_ascii=False))
HOVER_HINT = "Point at the plane to read ŷ there."

PERCEPTRON_TEMPLATE = f"""
<div class="board board-perceptron" data-board="perceptron">
  <canvas data-part="plane" width="300" height="300" role="img" aria-label="The neuron's output over the plane"></canvas>
  <div data-part="readout" class="board-readout">{HOVER_HINT}</div>
  <div data-part="formula" id="perceptron-formula" class="board-formula prose" aria-live="polite"></div>
</div>
"""

MLP_TEMPLATE = f"""
<div class="board board-mlp" data-board="mlp">
  <div class="board-plane">
    <div class="board-title">Decision regions (click to add a point of the chosen class)</div>
    <canvas data-part="plane" width="300" height="300" role="img" aria-label="Decision regions"></canvas>
    <div data-part="readout" class="board-readout">{HOVER_HINT}</div>
    <label class="board-toggle"><input type="checkbox" data-part="show-test" checked> show test points</label>
    <label class="board-toggle"><input type="checkbox" data-part="discrete"> discretize output</label>
  </div>
  <div class="board-curves">
    <div class="board-title">Loss per epoch</div>
    <canvas data-part="curves" width="360" height="170" role="img" aria-label="Train and test loss per epoch"></canvas>
  </div>
  <div class="board-neurons">
    <div class="board-title">What each hidden neuron computes (orange &lt; 0 &lt; blue, each on its own scale)</div>
    <canvas data-part="neurons" width="360" height="40" role="img" aria-label="Each hidden neuron's output over the plane"></canvas>
  </div>
</div>
"""

CSS = """
.board { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.board canvas { max-width: 100%; height: auto; display: block; touch-action: manipulation; }
.board [data-part=plane] { width: 300px; cursor: crosshair; }
.board-plane, .board-curves { flex: 1 1 300px; min-width: 0; }
.board-neurons { flex: 1 1 100%; min-width: 0; overflow-x: auto; }
.board-title { font-weight: 600; margin-bottom: 4px; }
.board-readout { font-size: 0.85em; min-height: 1.4em; color: var(--body-text-color-subdued); }
.board-perceptron { flex-direction: column; }
.board-toggle { margin-right: 12px; font-size: 0.9em; }
"""
