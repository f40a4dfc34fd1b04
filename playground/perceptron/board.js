// Draws a perceptron or a small MLP in the visitor's browser from the scene the server streams
// (playground/perceptron/scene.py): the page evaluates the network over the plane itself, so the
// server only trains. Run by Gradio as a gr.HTML's js_on_load: `element`, `props`, `trigger` and
// `watch` are Gradio's. The drawing rules are those of playground/perceptron/render.py (same
// colours, points and outlines), so the page's plane matches the server's picture.

const WHITE = [255, 255, 255];
let scene = null;

// ------------------------------------------------------------------ the network, as numbers

function erf(x) { // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): for GELU
  const sign = x < 0 ? -1 : 1;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return sign * y;
}
const softplus = (x) => (x > 20 ? x : Math.log1p(Math.exp(x))); // torch's threshold 20
const sigmoid = (x) => 1 / (1 + Math.exp(-x));
function activation(name, slope) {
  switch (name) {
    case "step": return (x) => (x > 0 ? 1 : 0);
    case "linear": return (x) => x;
    case "sigmoid": return sigmoid;
    case "tanh": return Math.tanh;
    case "relu": return (x) => (x > 0 ? x : 0);
    case "leaky_relu": return (x) => (x > 0 ? x : slope * x);
    case "elu": return (x) => (x > 0 ? x : Math.expm1(x));
    case "gelu": return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
    case "silu": return (x) => x * sigmoid(x);
    case "softplus": return softplus;
    case "mish": return (x) => x * Math.tanh(softplus(x));
    default: throw new Error("unknown activation " + name);
  }
}
const FEATURES = {
  "x1": (a, b) => a, "x2": (a, b) => b, "x1^2": (a, b) => a * a, "x2^2": (a, b) => b * b,
  "x1*x2": (a, b) => a * b, "sin(x1)": (a, b) => Math.sin(a), "sin(x2)": (a, b) => Math.sin(b),
};

// An MLP scene's forward pass at one point: {probabilities, hidden: [[per neuron] per layer]}.
function mlpForward(s, x1, x2) {
  let x = s.features.map((name) => FEATURES[name](x1, x2));
  const hidden = [];
  for (const layer of s.layers) {
    const f = activation(layer.act, s.leaky);
    x = layer.w.map((row, j) => f(row.reduce((sum, w, i) => sum + w * x[i], layer.b[j])));
    hidden.push(x);
  }
  const logits = s.output.w.map((row, j) => row.reduce((sum, w, i) => sum + w * x[i], s.output.b[j]));
  const top = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - top));
  const total = e.reduce((a, b) => a + b, 0);
  return { probabilities: e.map((v) => v / total), hidden };
}

// The centre of grid cell (row, column) on the plane; row 0 is the top (x2 = +extent).
function cellCentre(s, row, column, grid) {
  const at = (i) => ((i + 0.5) / grid) * 2 * s.extent - s.extent;
  return [at(column), at(grid - 1 - row)];
}
const toPixel = (s, x1, x2, size) => [((x1 + s.extent) / (2 * s.extent)) * size, ((s.extent - x2) / (2 * s.extent)) * size];
const toPlane = (s, column, row, size) => [(column / size) * 2 * s.extent - s.extent, s.extent - (row / size) * 2 * s.extent];

// ------------------------------------------------------------------ drawing

function paintCells(canvas, grid, colourOf, smooth) {
  // colourOf(row, column) -> [r, g, b]; the grid is scaled to the canvas (bilinear or blocky).
  const cells = document.createElement("canvas");
  cells.width = cells.height = grid;
  const image = cells.getContext("2d").createImageData(grid, grid);
  for (let row = 0; row < grid; row++) {
    for (let column = 0; column < grid; column++) {
      const [r, g, b] = colourOf(row, column);
      const k = 4 * (row * grid + column);
      image.data[k] = r; image.data[k + 1] = g; image.data[k + 2] = b; image.data[k + 3] = 255;
    }
  }
  cells.getContext("2d").putImageData(image, 0, 0);
  const context = canvas.getContext("2d");
  context.imageSmoothingEnabled = smooth;
  context.imageSmoothingQuality = "low"; // plain bilinear, as Pillow's BILINEAR upscale
  context.drawImage(cells, 0, 0, canvas.width, canvas.height);
  return context;
}

function drawPoints(context, s, flat, outline, size) {
  for (let i = 0; i + 2 < flat.length; i += 3) {
    const [column, row] = toPixel(s, flat[i], flat[i + 1], size);
    const colour = s.palette[flat[i + 2] % s.palette.length];
    context.beginPath();
    context.arc(column, row, 3.5, 0, 2 * Math.PI);
    context.fillStyle = `rgb(${colour.join(",")})`;
    context.fill();
    context.lineWidth = 1;
    context.strokeStyle = outline;
    context.stroke();
  }
}

// The network over every grid cell, once per frame: {probabilities: [per cell], hidden: [layer][neuron] maps}.
function evaluateGrid(s) {
  const grid = s.grid, probabilities = [];
  const hidden = s.layers.map((layer) => layer.b.map(() => new Float64Array(grid * grid)));
  if (!s.output) return { probabilities, hidden };
  for (let row = 0; row < grid; row++) {
    for (let column = 0; column < grid; column++) {
      const out = mlpForward(s, ...cellCentre(s, row, column, grid));
      probabilities.push(out.probabilities);
      out.hidden.forEach((layer, l) => layer.forEach((v, n) => { hidden[l][n][row * grid + column] = v; }));
    }
  }
  return { probabilities, hidden };
}

// The MLP's decision regions: each cell in its probability-weighted class colour, pale where unsure.
// The page's own toggles (as on TensorFlow Playground): they change the drawing only, never the training.
const toggled = (name, fallback) => { const box = part(name); return box ? box.checked : fallback; };

function drawMlpPlane(canvas, s, evaluated) {
  const grid = s.grid, k = s.classes, discrete = toggled("discrete", false);
  const context = paintCells(canvas, grid, (row, column) => {
    if (!s.output) return [250, 250, 250];
    let p = evaluated.probabilities[row * grid + column];
    if (discrete) { const top = p.indexOf(Math.max(...p)); p = p.map((_, c) => (c === top ? 1 : 0)); }
    const confidence = (Math.max(...p) - 1 / k) / (1 - 1 / k);
    const alpha = Math.fround(0.25 + 0.55 * confidence);
    return WHITE.map((w, c) => {
      const mix = p.reduce((sum, q, j) => sum + q * s.palette[j][c], 0);
      return Math.trunc(w + (mix - w) * alpha);
    });
  }, true);
  drawPoints(context, s, s.train, "white", canvas.width);
  if (toggled("show-test", true)) drawPoints(context, s, s.test, "black", canvas.width);
}

// One small map per hidden neuron (rows: layers), orange < 0 < blue, each on its own scale.
function drawNeurons(canvas, s, table, evaluated) {
  const cell = 50, gap = 4, label = 84, context = canvas.getContext("2d");
  const widths = s.layers.map((layer) => layer.b.length);
  canvas.width = s.layers.length ? label + Math.max(...widths) * (cell + gap) : 360;
  canvas.height = s.layers.length ? s.layers.length * (cell + gap) + gap : 40;
  context.fillStyle = "white";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = "#3c3c3c";
  context.font = "11px sans-serif";
  if (!s.layers.length) {
    context.fillText(s.output ? "No hidden layer: the inputs feed the output directly." : "", 8, 24);
    return;
  }
  const grid = s.grid, values = evaluated.hidden;
  s.layers.forEach((layer, l) => {
    const top = gap + l * (cell + gap);
    context.fillStyle = "#282828";
    context.fillText(`layer ${l + 1}`, 4, top + cell / 2 - 4);
    context.fillStyle = "#6e6e6e";
    context.fillText(s.activation_names[layer.act] || layer.act, 4, top + cell / 2 + 10);
    values[l].forEach((map, n) => {
      const scale = map.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const image = context.createImageData(grid, grid);
      map.forEach((v, i) => {
        const scaled = scale > 1e-8 ? v / scale : v;
        const colour = table[Math.max(0, Math.min(255, Math.trunc((scaled + 1) * 127.5)))];
        image.data.set([...colour, 255], 4 * i);
      });
      const tile = document.createElement("canvas");
      tile.width = tile.height = grid;
      tile.getContext("2d").putImageData(image, 0, 0);
      context.imageSmoothingEnabled = false;
      context.drawImage(tile, label + n * (cell + gap), top, cell, cell);
    });
  });
}

// Train (dark grey) and test (orange) loss per epoch, on one axis from 0 to the largest loss.
function drawCurves(canvas, s) {
  const context = canvas.getContext("2d"), width = canvas.width, height = canvas.height;
  const left = 16, right = width - 8, top = 30, bottom = height - 8;
  context.fillStyle = "white";
  context.fillRect(0, 0, width, height);
  context.font = "11px sans-serif";
  const lines = [["train loss", "rgb(60,60,60)", s.loss.train], ["test loss", `rgb(${s.palette[0].join(",")})`, s.loss.test]];
  const finite = lines.flatMap(([, , c]) => c.values.filter((v) => isFinite(v)));
  if (!finite.length) {
    context.fillStyle = "#666";
    context.fillText("press play or step to train", left, 20);
    return;
  }
  const high = Math.max(...finite, 1e-3);
  let x = left;
  for (const [name, colour] of lines) {
    context.fillStyle = colour;
    context.fillRect(x, 6, 14, 3);
    context.fillStyle = "#333";
    context.fillText(name, x + 18, 11);
    x += 90;
  }
  context.fillStyle = "#666";
  context.fillText(`axis: 0 to ${high.toPrecision(3)}`, left + 8, 25);
  context.strokeStyle = "#ccc";
  context.beginPath(); context.moveTo(left, top); context.lineTo(left, bottom); context.lineTo(right, bottom); context.stroke();
  const longest = Math.max(2, ...lines.map(([, , c]) => c.count));
  for (const [, colour, c] of lines) {
    context.strokeStyle = colour;
    context.lineWidth = 2;
    context.beginPath();
    let started = false;
    c.values.forEach((v, i) => {
      if (!isFinite(v)) return;
      const px = left + ((i * c.stride) / (longest - 1)) * (right - left), py = bottom - (v / high) * (bottom - top);
      if (started) context.lineTo(px, py); else { context.moveTo(px, py); started = true; }
    });
    context.stroke();
  }
}

// ------------------------------------------------------------------ the single perceptron

// Its settings as the page shows them now: the sliders are read straight from the page, so a drag
// redraws at display rate; the server hears the values once the slider is released.
function perceptronSettings(s) {
  const number = (id, fallback) => {
    const input = document.querySelector(`#${id} input[type=range]`);
    const value = input ? parseFloat(input.value) : NaN;
    return isFinite(value) ? value : fallback;
  };
  const shown = document.querySelector("#perceptron-activation input");
  const byLabel = Object.entries(s.activation_names).find(([, label]) => shown && label === shown.value);
  return { w1: number("perceptron-w1", s.w1), w2: number("perceptron-w2", s.w2), b: number("perceptron-b", s.b),
           act: byLabel ? byLabel[0] : s.act, leaky: number("perceptron-slope", s.leaky) };
}

function perceptronValues(s, p) {
  const f = activation(p.act, p.leaky), grid = s.grid, values = new Float64Array(grid * grid);
  for (let row = 0; row < grid; row++) {
    for (let column = 0; column < grid; column++) {
      const [x1, x2] = cellCentre(s, row, column, grid);
      values[row * grid + column] = f(Math.fround(Math.fround(x1 * p.w1) + Math.fround(x2 * p.w2)) + p.b);
    }
  }
  return values;
}

// The line w1·x1 + w2·x2 + b = 0 between the two points where it crosses the border of the plane.
function lineEnds(s, w1, w2, b) {
  const e = s.extent, ends = [];
  if (Math.abs(w2) > 1e-12) for (const x1 of [-e, e]) { const x2 = -(w1 * x1 + b) / w2; if (x2 >= -e && x2 <= e) ends.push([x1, x2]); }
  if (Math.abs(w1) > 1e-12) for (const x2 of [-e, e]) { const x1 = -(w2 * x2 + b) / w1; if (x1 >= -e && x1 <= e) ends.push([x1, x2]); }
  const unique = [...new Map(ends.map((p) => [p.map((v) => v.toFixed(9)).join(), p])).values()];
  return unique.length >= 2 ? unique.slice(0, 2) : null;
}

function drawPerceptron(canvas, s, p, table) {
  const values = perceptronValues(s, p);
  let [low, high] = s.bounded[p.act] || [Math.min(...values), Math.max(...values)];
  const span = high - low > 1e-12 ? high - low : 1;
  const context = paintCells(canvas, s.grid, (row, column) => {
    const v = values[row * s.grid + column];
    return table[Math.max(0, Math.min(255, Math.trunc(Math.fround((v - low) / span) * 255)))];
  }, false);
  drawPoints(context, s, s.train, "white", canvas.width);
  const ends = lineEnds(s, p.w1, p.w2, p.b);
  if (ends) {
    context.strokeStyle = "black";
    context.lineWidth = 2;
    context.beginPath();
    context.moveTo(...toPixel(s, ...ends[0], canvas.width));
    context.lineTo(...toPixel(s, ...ends[1], canvas.width));
    context.stroke();
  }
}

const signed = (v) => (v >= 0 ? `+ ${v.toFixed(2)}` : `− ${Math.abs(v).toFixed(2)}`);

// The share of the points on their class's side of the line z = 0, in % (rounded).
function perceptronAccuracy(s, p) {
  let right = 0;
  for (let i = 0; i + 2 < s.train.length; i += 3) right += ((p.w1 * s.train[i] + p.w2 * s.train[i + 1] + p.b > 0) ? 1 : 0) === s.train[i + 2];
  return Math.round((100 * right) / (s.train.length / 3));
}

// The formula with the current numbers, the first point worked through and the accuracy.
function perceptronFormula(s, p) {
  const name = (s.activation_names[p.act] || p.act) + (p.act === "leaky_relu" ? ` (slope ${p.leaky})` : "");
  const [x1, x2, label] = s.train.slice(0, 3), f = activation(p.act, p.leaky);
  const z = p.w1 * x1 + p.w2 * x2 + p.b;
  const accuracy = perceptronAccuracy(s, p);
  return `<p><strong>ŷ = σ(${p.w1.toFixed(2)}·x₁ ${signed(p.w2)}·x₂ ${signed(p.b)})</strong>, σ = ${name}</p>` +
    `<p>First point (${x1.toFixed(2)}, ${x2.toFixed(2)}), class ${label}: z = ${z.toFixed(3)}, ŷ = σ(z) = ${f(z).toFixed(3)} → ` +
    `predicted class ${z > 0 ? 1 : 0}.</p><p>Decision line z = 0 (black). Accuracy on these ${s.train.length / 3} points: ` +
    `<strong>${accuracy}%</strong></p>`;
}

// ------------------------------------------------------------------ the board

const part = (name) => element.querySelector(`[data-part=${name}]`);
let table = null, lastDrawn = "";  // table: render.DIVERGING, 256 colours orange → white → blue

// A canvas's text alternative (role="img"): set only when it says something new, so a screen reader
// is not handed a changed name on every drawn state (aria-label is read on focus, never announced).
function describe(name, text) {
  const canvas = part(name);
  if (canvas && text && canvas.getAttribute("aria-label") !== text) canvas.setAttribute("aria-label", text);
}

function redraw(force) {
  const s = scene;
  if (!s || !part("plane")) return;
  table = pageConstants().diverging;
  if (s.kind === "perceptron") {
    const p = perceptronSettings(s), key = JSON.stringify(p);
    if (!force && key === lastDrawn) return;
    lastDrawn = key;
    drawPerceptron(part("plane"), s, p, table);
    part("formula").innerHTML = perceptronFormula(s, p);
    const name = s.activation_names[p.act] || p.act;
    describe("plane", `The neuron's output over the plane: w1 ${p.w1}, w2 ${p.w2}, b ${p.b}, σ ${name}, ` +
      `the decision line classifies ${perceptronAccuracy(s, p)} % of the ${s.train.length / 3} points correctly`);
    return;
  }
  const evaluated = evaluateGrid(s);
  drawMlpPlane(part("plane"), s, evaluated);
  describe("plane", s.summary);
  if (part("curves")) { drawCurves(part("curves"), s); describe("curves", s.curves_summary); }
  if (part("neurons")) { drawNeurons(part("neurons"), s, table, evaluated); describe("neurons", s.neurons_summary); }
}

// Hover: ŷ at the pointer (and which point is under it).
function readout(event) {
  const s = scene, canvas = part("plane");
  if (!s || !canvas) return;
  const box = canvas.getBoundingClientRect();
  const column = ((event.clientX - box.left) / box.width) * canvas.width, row = ((event.clientY - box.top) / box.height) * canvas.height;
  const [x1, x2] = toPlane(s, column, row, canvas.width);
  let text = `x₁ = ${x1.toFixed(2)}, x₂ = ${x2.toFixed(2)}: `;
  if (s.kind === "perceptron") {
    const p = perceptronSettings(s), z = p.w1 * x1 + p.w2 * x2 + p.b;
    text += `z = ${z.toFixed(3)}, ŷ = ${activation(p.act, p.leaky)(z).toFixed(3)} (class ${z > 0 ? 1 : 0})`;
  } else if (s.output) {
    const p = mlpForward(s, x1, x2).probabilities;
    text += "ŷ = " + p.map((q, c) => `class ${c} ${(100 * q).toFixed(0)} %`).join(", ");
  }
  for (const [flat, kind] of [[s.train, "training"], [s.test, "test"]]) {
    for (let i = 0; i + 2 < flat.length; i += 3) {
      const [pc, pr] = toPixel(s, flat[i], flat[i + 1], canvas.width);
      if (Math.hypot(pc - column, pr - row) <= 4.5) { text += ` · a ${kind} point of class ${flat[i + 2]}`; i = flat.length; }
    }
  }
  part("readout").textContent = text;
}

element.addEventListener("change", (event) => { if (event.target.type === "checkbox") redraw(true); });
element.addEventListener("pointermove", (event) => { if (event.target === part("plane")) readout(event); });
element.addEventListener("pointerleave", () => { if (part("readout")) part("readout").textContent = "Point at the plane to read ŷ there."; });
// A click on the plane adds a point (the MLP): its pixel in the plane's own coordinates, whatever size it is shown at.
element.addEventListener("click", (event) => {
  const canvas = part("plane");
  if (!canvas || event.target !== canvas || !scene || scene.kind !== "mlp") return;
  const box = canvas.getBoundingClientRect();
  trigger("click", { column: ((event.clientX - box.left) / box.width) * canvas.width,
                     row: ((event.clientY - box.top) / box.height) * canvas.height });
});

// A new scene is drawn at the next animation frame: frames that arrive faster than the screen can show
// them replace each other unseen (a slow phone keeps up, and a hidden tab draws nothing).
let drawPending = false;
// ------------------------------------------------------------------ the streamed scene → numbers to draw

// Long lists travel as "0.5 -1.25 …" text (cheap for the page to copy every frame); a text that repeats
// frame after frame (the points) is read once.
const numbers = (text) => (text ? text.split(" ").map(Number) : []);
let lastRead = { text: null, values: [] }, lastReadTest = { text: null, values: [] };
function readPoints(text, cache) {
  if (cache.text !== text) { cache.text = text; cache.values = numbers(text); }
  return cache.values;
}
function matrix(text, rows) { // row-major (rows × columns) text → [[…], …]
  const flat = numbers(text), columns = rows ? flat.length / rows : 0;
  return Array.from({ length: rows }, (_, r) => flat.slice(r * columns, (r + 1) * columns));
}

// The board's constants (scene.page_constants(): palette, render.DIVERGING, the plane's extent, the
// activations' names), written into this script by board.py when the app starts: never sent per frame.
const CONSTANTS = __PAGE_CONSTANTS__;
const pageConstants = () => CONSTANTS;

function unpack(raw) {
  const c = pageConstants();
  const s = { kind: raw.kind, grid: raw.grid, size: raw.size, epoch: raw.epoch, summary: raw.summary || "",
              palette: c.palette, extent: c.extent, activation_names: c.activation_names,
              train: readPoints(raw.train, lastRead), test: readPoints(raw.test, lastReadTest) };
  if (raw.kind === "perceptron") {
    return Object.assign(s, { w1: raw.w1, w2: raw.w2, b: raw.b, act: raw.act, leaky: raw.leaky,
                              bounded: JSON.parse(raw.bounded || "{}") });
  }
  const net = raw.network ? JSON.parse(raw.network) : null;
  const layer = (l) => ({ b: numbers(l.b), w: matrix(l.w, numbers(l.b).length), act: l.act });
  return Object.assign(s, {
    features: net ? net.features : [], classes: net ? net.classes : 2, leaky: net ? net.leaky : 0.01,
    layers: net ? net.layers.map(layer) : [], output: net ? layer(net.output) : null,
    loss: { train: { stride: raw.loss_stride, count: raw.loss_count, values: numbers(raw.train_loss) },
            test: { stride: raw.loss_stride, count: raw.loss_count, values: numbers(raw.test_loss) } },
  });
}

// A scene may carry a film: the states the network passed through since the previous message, oldest
// first. They are played in turn, spread over the time one message takes, then the scene itself.
let film = [], filmTimer = null, lastArrival = 0, messageGap = 100;
function take(value) {
  if (typeof value === "string") value = value ? JSON.parse(value) : null;
  const now = performance.now();
  if (lastArrival) messageGap = 0.8 * messageGap + 0.2 * Math.min(500, now - lastArrival);
  lastArrival = now;
  clearTimeout(filmTimer);
  const states = value && value.film && value.film.length ? [...value.film, value.network] : [];
  if (states.length && value.kind === "mlp") {
    film = states.map((network) => Object.assign({}, value, { network }));
    playFilm();
    return;
  }
  film = [];
  show(value);
}
function playFilm() {
  show(film.shift());
  if (film.length) filmTimer = setTimeout(playFilm, messageGap / (film.length + 1));
}
function show(value) {
  scene = value && typeof value === "object" && value.kind ? unpack(value) : null;
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(flush);
}
let drawnStates = 0;  // network states drawn so far (the board's updates: the tests and load read it)
function flush() {
  if (!drawPending) return;
  drawPending = false;
  redraw(true);
  drawnStates += 1;
}
watch("value", () => take(props.value));
take(props.value);

// The single perceptron follows its sliders at display rate while its tab is shown.
// (Whether it is shown comes from an IntersectionObserver: asking the layout every frame would cost more
// than the drawing.)
let shown = false;
new IntersectionObserver((entries) => { shown = entries[entries.length - 1].isIntersecting; }).observe(element);
function follow() {
  if (!element.isConnected) return;
  if (shown && scene && scene.kind === "perceptron") redraw(false);
  requestAnimationFrame(follow);
}
requestAnimationFrame(follow);

// For the benchmark and the tests: time `count` redraws of what is shown (ms each).
element.dataset.board = "ready";
element.playgroundBoard = {
  scene: () => scene,
  settings: () => (scene && scene.kind === "perceptron" ? perceptronSettings(scene) : null),
  redrawMilliseconds(count) {
    const start = performance.now();
    for (let i = 0; i < count; i++) redraw(true);
    return (performance.now() - start) / count;
  },
  states: () => drawnStates,
  planePixels() {
    clearTimeout(filmTimer);  // the latest scene, not a state of the film on its way
    if (film.length) show(film[film.length - 1]);
    film = [];
    flush();
    const canvas = part("plane");
    return Array.from(canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data);
  },
};
