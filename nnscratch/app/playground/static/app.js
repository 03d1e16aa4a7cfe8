// The playground page: settings in, pictures out.  All the learning happens on the server in
// nnscratch; this file only sends settings, asks for training steps and draws the answers.
"use strict";

const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const DATASET_NAMES = {circle: "Circle", xor: "XOR", gauss: "Gaussian", spiral: "Spiral",
                       plane: "Plane (regression)", multigauss: "Multi-Gaussian (regression)"};
const FEATURE_NAMES = {"x1": "x\u2081", "x2": "x\u2082", "x1^2": "x\u2081\u00b2",
                       "x2^2": "x\u2082\u00b2", "x1*x2": "x\u2081x\u2082",
                       "sin(x1)": "sin(x\u2081)", "sin(x2)": "sin(x\u2082)"};
const LAYER_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
                       "#a6761d"];
const HALF = 6;                    // the plane is [-6, 6]^2
const STEPS_PER_REQUEST = 100;     // mini-batch updates asked for per request while playing

let options = null;                // /api/options
let settings = null;               // what the page asks for
let sessionId = null;
let state = null;                  // the last answer
let points = null;                 // {train, test}: [x1, x2, label]
let playing = false;
let queue = Promise.resolve();     // every request waits for the one before

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- talking to the server
async function api(method, path, body) {
  const init = {method, headers: {}};
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const type = r.headers.get("Content-Type") || "";
  const answer = type.startsWith("application/json") ? await r.json() : await r.text();
  if (!r.ok) {
    const e = new Error(answer.error || String(answer));
    e.field = answer.field;
    throw e;
  }
  return answer;
}

function enqueue(job) {
  queue = queue.then(job).then(clearError, showError);
  return queue;
}

function showError(e) {
  const box = $("error");
  box.textContent = e.message;       // the server's message starts with the field
  box.hidden = false;
  setPlaying(false);
  // a refused change is not applied: put every control back to what the server trains, so
  // the page never shows one thing while another is trained
  if (state) {
    settings = JSON.parse(JSON.stringify(state.settings));
    writeControls();
  }
}

function clearError() { $("error").hidden = true; }

async function newSession() {
  const answer = await api("POST", "/api/sessions", settings);
  sessionId = answer.id;
  receive(answer.state);
}

async function applySettings(wanted = settings) {
  if (sessionId === null) return newSession();
  try {
    receive(await api("POST", `/api/sessions/${sessionId}/settings`, wanted));
  } catch (e) {
    if (e.field !== "session") throw e;
    await newSession();            // it expired while the tab slept: start again
  }
}

async function step(epochs) {
  receive(await api("POST", `/api/sessions/${sessionId}/step`, {epochs}));
}

function epochsPerRequest() {
  if (!state) return 1;
  const max = Math.floor(options.max_steps_per_request / state.steps_per_epoch);
  return Math.max(1, Math.min(max, Math.floor(STEPS_PER_REQUEST / state.steps_per_epoch)));
}

function changed() {
  readControls();
  const wanted = JSON.parse(JSON.stringify(settings));   // as they are now, not when sent
  enqueue(() => applySettings(wanted));
}

// ---------------------------------------------------------------- play loop
function setPlaying(on) {
  playing = on;
  const b = $("play");
  b.classList.toggle("playing", on);
  b.innerHTML = on ? "&#x275a;&#x275a; pause" : "&#x25b6; play";
  if (on) loop();
}

function loop() {
  if (!playing) return;
  enqueue(() => step(epochsPerRequest())).then(() => {
    if (playing) requestAnimationFrame(loop);
  });
}

// ---------------------------------------------------------------- controls
function fillSelect(id, values, label) {
  const sel = $(id);
  sel.innerHTML = "";
  for (const v of values) {
    const o = document.createElement("option");
    o.value = String(v);
    o.textContent = label ? label(v) : String(v);
    sel.appendChild(o);
  }
}

function buildControls() {
  fillSelect("learning_rate", LEARNING_RATES);
  fillSelect("activation", options.activations, (a) => a === "relu" ? "ReLU" : a);
  fillSelect("optimizer", options.optimizers,
             (o) => ({sgd: "SGD", momentum: "SGD + momentum 0.9", adam: "Adam"})[o]);
  fillSelect("regularization", options.regularizations, (r) => r === "none" ? "none" :
             r.toUpperCase());
  fillSelect("reg_rate", REG_RATES);
  const box = $("datasets");
  for (const name of options.datasets) {
    const b = document.createElement("button");
    b.dataset.dataset = name;
    b.append(thumbnail(options.thumbnails[name], options.regression.includes(name)),
             DATASET_NAMES[name] || name);
    b.addEventListener("click", () => { settings.dataset = name; writeControls(); changed(); });
    box.appendChild(b);
  }
  for (const id of ["learning_rate", "activation", "optimizer", "regularization", "reg_rate",
                    "seed"]) {
    $(id).addEventListener("change", changed);
  }
  for (const id of ["train_ratio", "noise", "batch_size"]) {
    $(id).addEventListener("input", () => { $(id + "-out").textContent = $(id).value; });
    $(id).addEventListener("change", changed);
  }
  $("play").addEventListener("click", () => setPlaying(!playing));
  $("step").addEventListener("click", () => { setPlaying(false); enqueue(() => step(1)); });
  $("reset").addEventListener("click", () => { setPlaying(false); changed(); });
  // the points come from the seed, so new points are the next seed (kept in the URL as well)
  $("regenerate").addEventListener("click", () => {
    setPlaying(false);
    $("seed").value = String(Math.max(0, Number(settings.seed) || 0) + 1);
    changed();
  });
  $("add-layer").addEventListener("click", () => {
    if (settings.hidden.length < options.max_layers) { settings.hidden.push(2); changed(); }
  });
  $("remove-layer").addEventListener("click", () => {
    if (settings.hidden.length > 0) { settings.hidden.pop(); changed(); }
  });
  $("show-test").addEventListener("change", drawBoundary);
  $("discretize").addEventListener("change", drawBoundary);
  $("show-code").addEventListener("click", toggleCode);
  const ed = $("weight-editor");
  ed.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") sendWeight();
    if (ev.key === "Escape") ed.hidden = true;
  });
  ed.addEventListener("blur", () => { ed.hidden = true; });
}

function thumbnail(rows, regression) {
  // the data set's points at seed 0, in the colours of the main picture
  const c = document.createElement("canvas");
  c.className = "thumb";
  c.width = c.height = 36;
  const ctx = c.getContext("2d");
  for (const [x1, x2, y] of rows) {
    const [r, g, b] = colour(regression ? y : 2 * y - 1);
    ctx.fillStyle = `rgb(${r},${g},${b})`;
    ctx.fillRect((x1 + HALF) / (2 * HALF) * 36 - 1, (HALF - x2) / (2 * HALF) * 36 - 1, 2.2, 2.2);
  }
  return c;
}

function writeControls() {
  for (const id of ["learning_rate", "activation", "optimizer", "regularization", "reg_rate",
                    "seed", "train_ratio", "noise", "batch_size"]) {
    $(id).value = String(settings[id]);
  }
  for (const id of ["train_ratio", "noise", "batch_size"]) {
    $(id + "-out").textContent = settings[id];
  }
  for (const b of $("datasets").children) {
    b.classList.toggle("selected", b.dataset.dataset === settings.dataset);
  }
  $("problem").textContent = options.regression.includes(settings.dataset) ?
    "regression" : "classification";
  const n = settings.hidden.length;
  $("layer-count").textContent = `${n} hidden layer${n === 1 ? "" : "s"}`;
}

function readControls() {
  for (const id of ["learning_rate", "reg_rate", "train_ratio", "noise"]) {
    settings[id] = Number($(id).value);
  }
  settings.batch_size = Number($("batch_size").value);
  // the seed goes as typed: the server checks it and says what is wrong
  const seed = $("seed").value.trim();
  settings.seed = /^-?\d+$/.test(seed) ? Number(seed) : seed;
  for (const id of ["activation", "optimizer", "regularization"]) settings[id] = $(id).value;
  writeControls();
}

// ---------------------------------------------------------------- drawing
function colour(v) {
  // -1 orange, 0 light grey, +1 blue (TensorFlow Playground's scale)
  const t = Math.max(-1, Math.min(1, v));
  const lo = [245, 147, 34], mid = [232, 234, 235], hi = [8, 119, 189];
  const [a, b, u] = t < 0 ? [mid, lo, -t] : [mid, hi, t];
  return a.map((c, i) => Math.round(c + (b[i] - c) * u));
}

function heatmap(canvas, values, resolution, discretize) {
  const off = document.createElement("canvas");
  off.width = off.height = resolution;
  const ctx = off.getContext("2d");
  const img = ctx.createImageData(resolution, resolution);
  values.forEach((v, k) => {
    const [r, g, b] = colour(discretize ? Math.sign(v) : v);
    img.data.set([r, g, b, 255], 4 * k);
  });
  ctx.putImageData(img, 0, 0);
  const c = canvas.getContext("2d");
  c.imageSmoothingEnabled = !discretize;
  c.drawImage(off, 0, 0, canvas.width, canvas.height);
}

function labelValue(y) {
  // classes 0/1 are drawn at -1/+1; regression targets are already in [-1, 1]
  return options.regression.includes(settings.dataset) ? y : 2 * y - 1;
}

function drawBoundary() {
  if (!state) return;
  const canvas = $("boundary");
  heatmap(canvas, state.boundary, state.resolution, $("discretize").checked);
  const ctx = canvas.getContext("2d");
  const px = (v) => (v + HALF) / (2 * HALF) * canvas.width;
  const py = (v) => (HALF - v) / (2 * HALF) * canvas.height;
  const sets = [["train", "white"]].concat($("show-test").checked ? [["test", "black"]] : []);
  for (const [which, stroke] of sets) {
    for (const [x1, x2, y] of points[which]) {
      const [r, g, b] = colour(labelValue(y));
      ctx.beginPath();
      ctx.arc(px(x1), py(x2), 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = stroke;
      ctx.stroke();
    }
  }
}

function chart(canvas, series, {log = false} = {}) {
  // series: [{values, colour, dash}] over a shared x index
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const f = log ? (v) => Math.log10(Math.max(v, 1e-12)) : (v) => v;
  const finite = (v) => v !== null && Number.isFinite(v);    // null: NaN/inf from the server
  let lo = Infinity, hi = -Infinity, n = 0;
  for (const s of series) {
    for (const v of s.values.filter(finite)) { lo = Math.min(lo, f(v)); hi = Math.max(hi, f(v)); }
    n = Math.max(n, s.values.length);
  }
  if (lo === Infinity) {             // nothing to plot yet (before the first epoch)
    ctx.fillStyle = "#777";
    ctx.font = "11px sans-serif";
    ctx.fillText("no data yet: press play or step", 8, canvas.height / 2);
    return;
  }
  if (!(hi > lo)) { hi = lo + 1; }
  if (!log) lo = Math.min(lo, 0);
  const pad = 4, w = canvas.width - 2 * pad, h = canvas.height - 2 * pad;
  for (const s of series) {
    ctx.beginPath();
    let pen = false;
    s.values.forEach((v, i) => {
      if (!finite(v)) { pen = false; return; }
      const x = pad + (n > 1 ? i / (n - 1) : 0) * w;
      const y = pad + h - (f(v) - lo) / (hi - lo) * h;
      if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      pen = true;
    });
    ctx.strokeStyle = s.colour;
    ctx.setLineDash(s.dash || []);
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
  ctx.setLineDash([]);
  if (log) {
    ctx.fillStyle = "#777";
    ctx.font = "10px sans-serif";
    ctx.fillText(`${(10 ** hi).toPrecision(2)} (log scale)`, pad + 2, pad + 9);
    ctx.fillText((10 ** lo).toPrecision(2), pad + 2, canvas.height - pad - 2);
  }
}

function drawCharts() {
  const h = state.history;
  chart($("loss-chart"), [{values: h.test_loss, colour: "#222"},
                          {values: h.train_loss, colour: "#999", dash: [4, 3]}]);
  const layers = state.weights.length;
  const series = [];
  for (let k = 0; k < layers; k++) {
    // epoch 0 has no gradient yet: its norms are 0, left out of the log plot
    series.push({values: h.grad_norm.slice(1).map((g) => g[k]), colour: LAYER_COLOURS[k]});
  }
  chart($("grad-chart"), series, {log: true});
  $("grad-legend").innerHTML = series.map((s, k) =>
    `<span><i style="background:${s.colour}"></i>` +
    `${k === layers - 1 ? "output" : "hidden " + (k + 1)}</span>`).join("");
}

// The network diagram: one column per layer, a small heat map per neuron, a line per weight.
const NODE = 36, COL_GAP = 110, ROW_GAP = 48, TOP = 40, LEFT = 70;

function nodePos(col, row) { return [LEFT + col * COL_GAP, TOP + row * ROW_GAP]; }

function drawNetwork() {
  const net = $("network");
  for (const el of [...net.querySelectorAll(".node, .column")]) el.remove();
  const svg = $("links");
  svg.innerHTML = "";
  const sizes = [options.features.length, ...state.settings.hidden, 1];
  const inputRow = {};              // active feature -> its row in the input column
  options.features.forEach((f, row) => { inputRow[f] = row; });
  // rows of the neurons that carry values: all features' rows are fixed, active ones feed
  const rowsOf = (col) => col === 0 ? state.settings.features.map((f) => inputRow[f]) :
    [...Array(sizes[col]).keys()];
  const lastCol = sizes.length - 1;
  let width = LEFT + lastCol * COL_GAP + NODE + 10;
  let height = TOP + Math.max(...sizes) * ROW_GAP;
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  net.style.minHeight = `${height + 10}px`;

  // weights first, so the nodes sit on top of them
  state.weights.forEach((W, l) => {
    const from = rowsOf(l), to = rowsOf(l + 1);
    W.forEach((row, j) => row.forEach((w, i) => {
      const [x0, y0] = nodePos(l, from[i]), [x1, y1] = nodePos(l + 1, to[j]);
      const line = document.createElementNS("http://www.w3.org/2000/svg", "path");
      const ax = x0 + NODE, ay = y0 + NODE / 2, bx = x1, by = y1 + NODE / 2;
      const mx = (ax + bx) / 2;
      line.setAttribute("d", `M${ax},${ay} C${mx},${ay} ${mx},${by} ${bx},${by}`);
      line.setAttribute("stroke", w >= 0 ? "#0877bd" : "#f59322");
      line.setAttribute("stroke-width", Math.min(8, 0.5 + 2 * Math.abs(w)).toFixed(2));
      line.setAttribute("stroke-opacity", Math.min(1, 0.25 + Math.abs(w)).toFixed(2));
      line.setAttribute("fill", "none");
      line.classList.add("weight");
      Object.assign(line.dataset, {layer: l, row: j, column: i});
      line.addEventListener("click", (ev) => openWeightEditor(ev, l, j, i, w));
      const t = document.createElementNS("http://www.w3.org/2000/svg", "title");
      t.textContent = `weight ${w == null ? "NaN" : w.toFixed(3)} (click to edit)`;
      line.appendChild(t);
      svg.appendChild(line);
    }));
  });

  for (let col = 0; col <= lastCol; col++) {
    const [cx] = nodePos(col, 0);
    const head = document.createElement("div");
    head.className = "column";
    head.style.left = `${cx - 30}px`;
    head.style.width = `${NODE + 60}px`;
    const title = document.createElement("div");
    title.className = "title";
    if (col === 0) title.textContent = "features";
    else if (col === lastCol) title.textContent = "output";
    else {
      title.textContent = `${sizes[col]} neuron${sizes[col] === 1 ? "" : "s"}`;
      const bar = document.createElement("div");
      bar.className = "neuron-buttons";
      for (const [text, delta] of [["+", 1], ["\u2212", -1]]) {
        const b = document.createElement("button");
        b.textContent = text;
        b.className = delta > 0 ? "add-neuron" : "remove-neuron";
        b.title = delta > 0 ? "add a neuron" : "remove a neuron";
        b.addEventListener("click", () => {
          const n = settings.hidden[col - 1] + delta;
          if (n >= 1 && n <= options.max_neurons) { settings.hidden[col - 1] = n; changed(); }
        });
        bar.appendChild(b);
      }
      title.appendChild(bar);
    }
    head.appendChild(title);
    head.style.top = "0px";
    net.appendChild(head);
  }

  options.features.forEach((f, row) => {
    const k = state.settings.features.indexOf(f);
    // an inactive feature shows its preview (faded): what switching it on would feed in
    const node = addNode(net, 0, row, k >= 0 ? state.neurons[0][k] : options.feature_previews[f]);
    node.classList.add("feature");
    node.classList.toggle("off", k < 0);
    node.title = k >= 0 ? `${FEATURE_NAMES[f]} (click to switch off)` : "click to use it";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = FEATURE_NAMES[f];
    node.appendChild(name);
    node.addEventListener("click", () => {
      const on = new Set(settings.features);
      if (on.has(f)) { if (on.size > 1) on.delete(f); } else on.add(f);
      settings.features = options.features.filter((g) => on.has(g));
      changed();
    });
    node.dataset.feature = f;
  });
  for (let col = 1; col < lastCol; col++) {
    state.neurons[col].forEach((grid, row) => addNode(net, col, row, grid));
  }
  const out = addNode(net, lastCol, 0, null);
  heatmap(out.querySelector("canvas"), state.boundary, state.resolution, false);
}

function addNode(net, col, row, grid) {
  const [x, y] = nodePos(col, row);
  const node = document.createElement("div");
  node.className = "node";
  node.style.left = `${x}px`;
  node.style.top = `${y}px`;
  const c = document.createElement("canvas");
  c.width = c.height = state.neuron_resolution;
  node.appendChild(c);
  if (grid) heatmap(c, grid, state.neuron_resolution, false);
  net.appendChild(node);
  return node;
}

function receive(s) {
  state = s;
  if (s.points) {                   // a new network: its settings are now the page's
    points = s.points;
    settings = JSON.parse(JSON.stringify(s.settings));
    writeControls();
  }
  $("epoch").textContent = String(s.epoch).padStart(6, "0");
  for (const [id, v] of [["test-loss", s.test_loss], ["train-loss", s.train_loss]]) {
    $(id).textContent = v == null ? "diverged" : v.toFixed(3);   // null: NaN/inf, not JSON
    $(id).dataset.value = String(v);
  }
  $("diverged").hidden = !s.diverged;
  if (s.diverged) setPlaying(false);  // the server trains no further: say so, offer a reset
  if (s.points) writeUrl();
  drawBoundary();
  drawNetwork();
  drawCharts();
  if (!$("code").hidden && s.points) loadCode();
  // what the page shows, for scripts and tests that drive it
  Object.assign(document.body.dataset, {dataset: s.settings.dataset, epoch: String(s.epoch),
                                        hidden: JSON.stringify(s.settings.hidden),
                                        seed: String(s.settings.seed),
                                        diverged: String(Boolean(s.diverged))});
}

// ---------------------------------------------------------------- editing a weight
// a click on a weight's line opens a box at the click; Enter sends the value to the server,
// which sets it (training goes on from there) or refuses it (nothing changes); Escape or
// leaving the box cancels
function openWeightEditor(ev, layer, row, column, w) {
  setPlaying(false);
  const ed = $("weight-editor"), box = $("network").getBoundingClientRect();
  ed.style.left = `${ev.clientX - box.left}px`;
  ed.style.top = `${ev.clientY - box.top}px`;
  ed.value = w == null ? "" : String(w);
  ed.dataset.target = JSON.stringify([layer, row, column]);
  ed.hidden = false;
  ed.focus();
  ed.select();
}

function sendWeight() {
  const ed = $("weight-editor");
  if (ed.hidden) return;
  ed.hidden = true;
  const [layer, row, column] = JSON.parse(ed.dataset.target);
  const typed = ed.value.trim();     // as typed: the server checks it and says what is wrong
  const value = typed !== "" && Number.isFinite(Number(typed)) ? Number(typed) : typed;
  enqueue(async () => receive(await api("POST", `/api/sessions/${sessionId}/weight`,
                                        {layer, row, column, value})));
}

// ---------------------------------------------------------------- show the code
async function loadCode() {
  $("code").textContent = await api("GET", `/api/sessions/${sessionId}/code`);
}

function toggleCode() {
  const pre = $("code");
  pre.hidden = !pre.hidden;
  $("show-code").textContent = pre.hidden ? "show the code" : "hide the code";
  if (!pre.hidden) enqueue(loadCode);
}

// ---------------------------------------------------------------- settings in the URL
// the page's address carries the trained network's settings (#dataset=xor&hidden=4,2&...), so
// a link reproduces a picture: same data, network, optimizer and seed
function writeUrl() {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(state.settings)) {
    q.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  history.replaceState(null, "", "#" + q.toString());
}

function readUrl(defaults) {
  const wanted = JSON.parse(JSON.stringify(defaults));
  for (const [k, v] of new URLSearchParams(location.hash.slice(1))) {
    if (!(k in defaults)) continue;
    if (Array.isArray(defaults[k])) wanted[k] = v === "" ? [] : v.split(",");
    else if (typeof defaults[k] === "number") wanted[k] = Number(v);
    else wanted[k] = v;
  }
  wanted.hidden = wanted.hidden.map(Number);
  return wanted;
}

// ---------------------------------------------------------------- start
async function start() {
  options = await api("GET", "/api/options");
  settings = readUrl(options.defaults);
  buildControls();
  writeControls();
  let refused = null;
  try {
    await newSession();
  } catch (e) {                      // a link with settings the server refuses: the defaults
    refused = e;
    settings = JSON.parse(JSON.stringify(options.defaults));
    writeControls();
    await newSession();
  }
  window.addEventListener("pagehide", () => {
    if (sessionId) navigator.sendBeacon(`/api/sessions/${sessionId}/close`, "{}");
  });
  document.body.dataset.ready = "true";
  if (refused) showError(refused);   // and say what was wrong with the link
}

enqueue(start);
