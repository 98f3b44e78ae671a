// gradnote playground page: controls -> WebSocket -> the server trains in gradnote -> frames drawn on canvases.
"use strict";
const FEATURES = [["x1", "x\u2081"], ["x2", "x\u2082"], ["x1^2", "x\u2081\u00b2"], ["x2^2", "x\u2082\u00b2"],
                  ["x1x2", "x\u2081x\u2082"], ["sin_x1", "sin x\u2081"], ["sin_x2", "sin x\u2082"]];
const NUMBERS = ["learning_rate", "regularization_rate", "noise", "n", "train_fraction", "batch_size", "seed",
                 "dropout", "lr_decay", "clip_norm"];
const CHOICES = ["dataset", "activation", "init", "optimizer", "regularization"];
const COL = 66, NODE = 30, ROW = 38, TOP = 18;  // the network drawing's grid, matching the .column width
const $ = (id) => document.getElementById(id);
let hidden = [4, 2], data = null, frame = null, history = [], socket = null;

// ----- colours: orange for -1 (class 0), white for 0, blue for +1 (class 1), as the TensorFlow Playground
function colour(v) {  // v in [-1, 1] -> [r, g, b]
  const a = Math.min(Math.abs(v), 1), to = v < 0 ? [245, 147, 34] : [8, 119, 189];
  return to.map((c) => Math.round(255 + (c - 255) * a));
}
function decode(b64) { const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i); return out; }
function heatmap(bytes, size) {  // a size x size canvas of the values
  const c = document.createElement("canvas"); c.width = c.height = size;
  const ctx = c.getContext("2d"), img = ctx.createImageData(size, size), v = decode(bytes);
  for (let i = 0; i < v.length; i++) {
    const [r, g, b] = colour(v[i] / 127.5 - 1); img.data.set([r, g, b, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0); return c;
}

// ----- controls -> settings
function buildFeatures() {
  $("features").innerHTML = "";
  for (const [name, label] of FEATURES) {
    const l = document.createElement("label");
    l.innerHTML = `<input type="checkbox" data-testid="feature-${name}" value="${name}"> ${label}`;
    l.firstChild.checked = name === "x1" || name === "x2";
    l.firstChild.addEventListener("change", send);
    $("features").appendChild(l);
  }
}
function buildLayers() {
  $("hidden-layers").value = hidden.length;
  const box = $("hidden-columns"); box.innerHTML = "";
  hidden.forEach((units, i) => {
    const col = document.createElement("div"); col.className = "column";
    col.innerHTML = `<span>layer ${i + 1}</span><span><button data-testid="remove-neuron-${i}">&minus;</button>` +
      `<button data-testid="add-neuron-${i}">+</button></span>` +
      `<input type="number" step="1" data-testid="neurons-${i}" value="${units}"> neurons`;
    const [minus, plus] = col.querySelectorAll("button"), input = col.querySelector("input");
    minus.onclick = () => { hidden[i] = Math.max(1, hidden[i] - 1); buildLayers(); send(); };
    plus.onclick = () => { hidden[i] = Math.min(8, hidden[i] + 1); buildLayers(); send(); };
    input.onchange = () => { hidden[i] = Number(input.value); send(); };
    box.appendChild(col);
  });
}
function settings() {
  const s = { hidden: hidden.slice(), batch_norm: $("batch_norm").checked,
              features: [...$("features").querySelectorAll("input:checked")].map((e) => e.value) };
  for (const id of NUMBERS) s[id] = $(id).value.trim() === "" ? null : Number($(id).value);
  for (const id of CHOICES) s[id] = $(id).value;
  return s;
}
function send() {
  if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "configure", settings: settings() }));
}
function command(type) { if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type })); }

// ----- drawing
function drawBoundary() {
  const c = $("boundary"), ctx = c.getContext("2d");
  if (!frame || !data) return;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(heatmap(frame.boundary, frame.boundary_size), 0, 0, c.width, c.height);
  const sets = [[data.train, "#fff"]].concat($("show-test").checked ? [[data.test, "#000"]] : []);
  const px = (v) => (v + data.limit) / (2 * data.limit) * c.width;
  for (const [points, edge] of sets) {
    for (const [x1, x2, y] of points) {
      const v = data.task === "classification" ? 2 * y - 1 : y, [r, g, b] = colour(v);
      ctx.beginPath(); ctx.arc(px(x1), c.height - px(x2), 3, 0, 2 * Math.PI);
      ctx.fillStyle = `rgb(${r},${g},${b})`; ctx.fill(); ctx.strokeStyle = edge; ctx.lineWidth = 1; ctx.stroke();
    }
  }
}
function drawNetwork() {
  const c = $("network"), ctx = c.getContext("2d");
  ctx.clearRect(0, 0, c.width, c.height);
  if (!frame || !data) return;
  const maps = [data.inputs].concat(frame.neurons).concat([[frame.boundary]]);
  const sizes = maps.map((m, i) => (i === maps.length - 1 ? frame.boundary_size : frame.neuron_size));
  const colX = (i) => (i === maps.length - 1 ? (maps.length - 1) * COL + 20 : i * COL) + COL / 2;
  const nodeY = (j) => TOP + j * ROW + NODE / 2;
  frame.weights.forEach((w, l) => w.forEach((row, j) => row.forEach((v, k) => {
    const [r, g, b] = colour(Math.max(-1, Math.min(1, v)));
    ctx.strokeStyle = `rgb(${r},${g},${b})`; ctx.lineWidth = Math.min(0.5 + 2 * Math.abs(v), 5);
    ctx.beginPath(); ctx.moveTo(colX(l) + NODE / 2, nodeY(k)); ctx.lineTo(colX(l + 1) - NODE / 2, nodeY(j)); ctx.stroke();
  })));
  maps.forEach((col, i) => col.forEach((m, j) => {
    ctx.drawImage(heatmap(m, sizes[i]), colX(i) - NODE / 2, nodeY(j) - NODE / 2, NODE, NODE);
    ctx.strokeStyle = "#555"; ctx.lineWidth = 1; ctx.strokeRect(colX(i) - NODE / 2, nodeY(j) - NODE / 2, NODE, NODE);
  }));
  ctx.fillStyle = "#444"; ctx.font = "10px system-ui";
  data.features.forEach((f, j) => ctx.fillText(FEATURES.find((e) => e[0] === f)[1], colX(0) - NODE / 2 - 2, nodeY(j) + NODE / 2 + 9));
}
function drawLosses() {
  const c = $("loss-curve"), ctx = c.getContext("2d");
  ctx.clearRect(0, 0, c.width, c.height);
  if (history.length < 2) return;
  const top = Math.max(...history.map((h) => Math.max(h[1], h[2])), 1e-9);
  for (const [k, col] of [[1, "#333"], [2, "#999"]]) {
    ctx.strokeStyle = col; ctx.lineWidth = 1.5; ctx.beginPath();
    history.forEach((h, i) => {
      const x = i / (history.length - 1) * c.width, y = c.height - h[k] / top * (c.height - 4);
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.stroke();
  }
  ctx.fillStyle = "#333"; ctx.fillText("train", 4, 10); ctx.fillStyle = "#999"; ctx.fillText("test", 34, 10);
}
function drawGradients() {
  const c = $("gradient-flow"), ctx = c.getContext("2d"), g = frame ? frame.gradients : [];
  ctx.clearRect(0, 0, c.width, c.height);
  const w = c.width / Math.max(g.length, 1), h = c.height - 14;
  g.forEach((v, i) => {  // log10 from 1e-8 (empty) to 1 (full)
    const frac = v > 0 ? Math.max(0, Math.min(1, (Math.log10(v) + 8) / 8)) : 0;
    ctx.fillStyle = "#0877bd"; ctx.fillRect(i * w + 3, h - frac * h, w - 6, frac * h);
    ctx.fillStyle = "#333"; ctx.font = "10px system-ui";
    ctx.fillText(i < g.length - 1 ? `L${i + 1}` : "out", i * w + 4, c.height - 2);
  });
}
function draw() { drawBoundary(); drawNetwork(); drawLosses(); drawGradients(); }

// ----- messages from the server
function showSettings(s) {
  for (const id of NUMBERS.concat(CHOICES)) if (document.activeElement !== $(id)) $(id).value = s[id];
  $("batch_norm").checked = s.batch_norm;
  for (const box of $("features").querySelectorAll("input")) box.checked = s.features.includes(box.value);
  if (JSON.stringify(hidden) !== JSON.stringify(s.hidden)) { hidden = s.hidden.slice(); buildLayers(); }
}
function clearErrors() {
  $("message").textContent = "";
  for (const e of document.querySelectorAll(".invalid")) e.classList.remove("invalid");
}
function receive(event) {
  const m = JSON.parse(event.data);
  if (m.type === "frame") {
    if (m.reset) history = [];
    frame = m; history.push([m.epoch, m.train_loss, m.test_loss]);
    if (history.length > 600) history = history.filter((_, i) => i % 2 === 0);
    $("epoch").textContent = m.epoch;
    $("train-loss").textContent = m.train_loss.toFixed(4);
    $("test-loss").textContent = m.test_loss.toFixed(4);
    document.body.dataset.playing = m.playing;
    draw();
  } else if (m.type === "data") {
    data = m; history = []; showSettings(m.settings);
  } else if (m.type === "settings") {
    clearErrors(); showSettings(m.settings);
  } else if (m.type === "error") {
    $("message").textContent = m.message;
    const bad = document.querySelector(`[data-testid="${m.field}"]`);
    if (bad) bad.classList.add("invalid");
  } else if (m.type === "code") {
    $("code-pytorch").textContent = m.pytorch; $("code-keras").textContent = m.keras;
    $("code-panel").showModal();
  }
}
function connect() {
  socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  socket.onmessage = receive;
  socket.onclose = () => { $("message").textContent = "The playground server has stopped; start it again and reload."; };
}

// ----- wiring
buildFeatures(); buildLayers();
for (const id of NUMBERS.concat(CHOICES, ["batch_norm"])) $(id).addEventListener("change", send);
$("hidden-layers").onchange = () => {
  const k = Number($("hidden-layers").value);
  if (Number.isInteger(k) && k >= 0 && k <= 10) { while (hidden.length < k) hidden.push(hidden.length ? hidden[hidden.length - 1] : 4);
    hidden.length = k; buildLayers(); send(); }
  else { $("message").textContent = `hidden layers must be a whole number from 0 to 10, got ${$("hidden-layers").value}`;
    $("hidden-layers").classList.add("invalid"); }
};
$("add-layer").onclick = () => { if (hidden.length < 10) { hidden.push(hidden.length ? hidden[hidden.length - 1] : 4); buildLayers(); send(); } };
$("remove-layer").onclick = () => { if (hidden.length) { hidden.pop(); buildLayers(); send(); } };
for (const b of ["play", "pause", "step", "reset"]) $(b).onclick = () => command(b);
$("show-code").onclick = () => command("code");
$("show-test").onchange = drawBoundary;
$("close-code").onclick = () => $("code-panel").close();
for (const which of ["pytorch", "keras"]) $(`tab-${which}`).onclick = () => {
  for (const w of ["pytorch", "keras"]) { $(`code-${w}`).hidden = w !== which; $(`tab-${w}`).classList.toggle("active", w === which); }
};
$("copy-code").onclick = () => {
  const shown = $("code-pytorch").hidden ? $("code-keras") : $("code-pytorch");
  if (navigator.clipboard) navigator.clipboard.writeText(shown.textContent);
};
connect();
