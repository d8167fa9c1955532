// The ex4 playground's page: a WebSocket to the server at /ws carries the
// training's numbers and pictures and the drawings' answers.
"use strict";

const $ = (id) => document.getElementById(id);
const series = { iteration: [], cost: [], training: [], heldOut: [] };
let socket = null;
let state = "idle";
let heldOut = true;
let drawing = false;
let drawPending = false;
let drawAgain = false;
let drawId = 0;
let chartQueued = false;

// The token is now in the cookie: take it out of the address bar.
if (location.search.includes("token=")) window.history.replaceState(null, "", "/");

function say(text) { $("message").textContent = text || ""; }

function connect() {
  socket = new WebSocket(`ws://${location.host}/ws`);
  socket.onmessage = (event) => receive(JSON.parse(event.data));
  socket.onclose = () => { say("The connection to the playground closed: is ex4-playground still running? Reload the page after starting it."); };
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function settings() {
  return {
    lambda: Number($("lambda").value),
    hiddenLayers: $("hidden").value.split(",").map((s) => Number(s.trim())),
    iterations: Number($("iterations").value),
    optimizer: $("optimizer").value,
    heldOutPercent: Number($("held-out").value),
    seed: Number($("seed").value),
  };
}

function receive(m) {
  switch (m.type) {
    case "hello": {
      $("data-source").textContent = `Digits: ${m.data} (${m.examples} examples)` + (m.student ? " · training with your functions in exercises/student/" : "");
      const d = m.defaults;
      $("lambda").value = d.lambda; $("hidden").value = d.hiddenLayers.join(","); $("iterations").value = d.iterations;
      $("optimizer").value = d.optimizer; $("held-out").value = d.heldOutPercent; $("seed").value = d.seed;
      $("student-note").textContent = m.student ? "Training uses your sigmoidGradient, randInitializeWeights and nnCostFunction. Grade runs ex4 submit's grader on them." : $("student-note").textContent;
      break;
    }
    case "started":
      clearHistory();
      heldOut = m.heldOut > 0;
      $("accuracy-name").textContent = heldOut ? "held-out accuracy" : "training accuracy";
      say(`Training a ${m.layerSizes.join("–")} network on ${m.training} examples` + (heldOut ? `, ${m.heldOut} held out.` : "."));
      break;
    case "iteration":
      series.iteration.push(m.iteration); series.cost.push(m.cost);
      series.training.push(m.trainingAccuracy); series.heldOut.push(m.heldOutAccuracy ?? null);
      $("iteration").textContent = m.iteration;
      $("cost").textContent = m.cost === null ? "NaN" : m.cost.toExponential(6);
      const shown = heldOut ? m.heldOutAccuracy : m.trainingAccuracy;
      $("accuracy").textContent = shown === null || shown === undefined ? "–" : `${shown.toFixed(2)}%`;
      queueChart();
      break;
    case "inspect": showInside(m); break;
    case "examples": showExamples(`Examples of ${m.actual} taken for ${m.guess} (${m.count})`, m.pictures.map((p) => ({ picture: p }))); break;
    case "state":
      state = m.state; $("state").textContent = m.state;
      if (m.state === "finished") say("Training finished: draw a digit for the network.");
      break;
    case "guess": showGuess(m); drawDone(); break;
    case "guess-error": $("guess").textContent = "?"; $("guess-note").textContent = m.message; drawDone(); break;
    case "error": say(m.message); break;
  }
}

function clearHistory() {
  for (const key in series) series[key] = [];
  $("iteration").textContent = "0"; $("cost").textContent = "–"; $("accuracy").textContent = "–";
  queueChart();
}

// MARK: the chart: cost (log scale, left) and accuracies (per cent, right)

function queueChart() {
  if (chartQueued) return;
  chartQueued = true;
  requestAnimationFrame(() => { chartQueued = false; drawChart(); });
}

function drawChart() {
  const canvas = $("chart"), g = canvas.getContext("2d");
  const W = canvas.width, H = canvas.height, left = 64, right = 52, top = 16, bottom = 36;
  g.clearRect(0, 0, W, H);
  g.font = "12px system-ui, sans-serif";
  g.strokeStyle = "#999"; g.strokeRect(left, top, W - left - right, H - top - bottom);
  const n = series.iteration.length;
  const maxIteration = Math.max(Number($("iterations").value) || 1, n ? series.iteration[n - 1] : 1);
  const x = (i) => left + (W - left - right) * (i / maxIteration);
  const costs = series.cost.filter((c) => c !== null && c > 0);
  let lo = costs.length ? Math.min(...costs) : 0.1, hi = costs.length ? Math.max(...costs) : 10;
  lo = Math.pow(10, Math.floor(Math.log10(lo))); hi = Math.pow(10, Math.ceil(Math.log10(hi)));
  if (hi <= lo) hi = lo * 10;
  const yCost = (c) => top + (H - top - bottom) * (1 - (Math.log10(c) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)));
  const yAccuracy = (a) => top + (H - top - bottom) * (1 - a / 100);
  g.fillStyle = "#333"; g.textAlign = "right";
  for (let p = lo; p <= hi * 1.0001; p *= 10) { g.fillText(p.toPrecision(1), left - 6, yCost(p) + 4); }
  g.textAlign = "left";
  for (const a of [0, 50, 100]) g.fillText(`${a}%`, W - right + 6, yAccuracy(a) + 4);
  g.textAlign = "center"; g.fillText("iteration", left + (W - left - right) / 2, H - 8);
  g.fillText("0", x(0), H - bottom + 14); g.fillText(String(maxIteration), x(maxIteration), H - bottom + 14);
  g.save(); g.translate(14, top + (H - top - bottom) / 2); g.rotate(-Math.PI / 2); g.fillText("cost J", 0, 0); g.restore();
  const line = (values, y, colour, dashed) => {
    g.strokeStyle = colour; g.lineWidth = 2; g.setLineDash(dashed ? [5, 4] : []); g.beginPath();
    let started = false;
    values.forEach((v, k) => {
      if (v === null || v === undefined || !(v > 0 || y === yAccuracy)) return;
      const px = x(series.iteration[k]), py = y(v);
      if (started) g.lineTo(px, py); else { g.moveTo(px, py); started = true; }
    });
    g.stroke(); g.setLineDash([]);
  };
  line(series.cost, yCost, "#1f77b4", false);
  line(series.training, yAccuracy, "#1f77b4", true);
  line(series.heldOut, yAccuracy, "#e6550d", true);
  g.textAlign = "left"; g.fillStyle = "#1f77b4"; g.fillText("— cost   - - training accuracy", left + 8, top + 14);
  g.fillStyle = "#e6550d"; g.fillText("- - held-out accuracy", left + 200, top + 14);
}

// MARK: pictures

function paint(canvas, picture) {
  canvas.width = picture.columns; canvas.height = picture.rows;
  const g = canvas.getContext("2d"), image = g.createImageData(picture.columns, picture.rows);
  const grey = atob(picture.grey);
  for (let k = 0; k < grey.length; k++) {
    const v = grey.charCodeAt(k);
    image.data[4 * k] = v; image.data[4 * k + 1] = v; image.data[4 * k + 2] = v; image.data[4 * k + 3] = 255;
  }
  g.putImageData(image, 0, 0);
}

function showInside(m) {
  paint($("hidden-units"), m.hidden);
  const table = $("confusion");
  table.textContent = "";
  const header = table.insertRow();
  header.appendChild(document.createElement("th")).textContent = "true \\ guess";
  for (let p = 0; p < 10; p++) header.appendChild(document.createElement("th")).textContent = p;
  m.confusion.forEach((row, t) => {
    const tr = table.insertRow();
    tr.appendChild(document.createElement("th")).textContent = t;
    row.forEach((count, p) => {
      const cell = tr.insertCell();
      cell.textContent = count;
      cell.className = t === p ? "diagonal" : count > 0 ? "wrong" : "";
      cell.title = `${count} examples of ${t} taken for ${p}`;
      cell.onclick = () => send({ type: "examples", actual: t, guess: p });
    });
  });
  showExamples(`Misclassified examples (${m.wrong} of ${m.examples}; the true digit → the guess)`,
    m.misclassified.map((e) => ({ picture: e.picture, caption: `${e.label}→${e.guess}` })));
}

function showExamples(title, items) {
  $("examples-title").textContent = title;
  const gallery = $("examples");
  gallery.textContent = "";
  for (const item of items) {
    const figure = document.createElement("figure"), canvas = document.createElement("canvas");
    canvas.className = "pixels"; paint(canvas, item.picture); figure.appendChild(canvas);
    if (item.caption) figure.appendChild(document.createElement("figcaption")).textContent = item.caption;
    gallery.appendChild(figure);
  }
}

function showGuess(m) {
  $("guess").textContent = m.digit;
  $("confidence").textContent = `(${Math.round(100 * m.confidence)}%)`;
  $("guess-note").textContent = (m.warnings || []).join("; ");
  const bars = $("bars");
  bars.textContent = "";
  m.outputs.forEach((output, d) => {
    bars.appendChild(document.createElement("span")).textContent = d;
    const track = bars.appendChild(document.createElement("div")), bar = track.appendChild(document.createElement("div"));
    bar.className = "bar"; bar.style.width = `${Math.round(160 * (output ?? 0))}px`;
    bars.appendChild(document.createElement("span")).textContent = (output ?? 0).toFixed(3);
  });
  paint($("input-picture"), m.input);
  const side = Math.ceil(Math.sqrt(m.hidden.length));
  const grey = m.hidden.map((a) => String.fromCharCode(Math.round(255 * (a ?? 0))));
  while (grey.length < side * side) grey.push(String.fromCharCode(0));
  paint($("activations"), { rows: side, columns: side, grey: btoa(grey.join("")) });
}

// MARK: drawing

const pad = $("draw"), pen = pad.getContext("2d");
function clearPad() { pen.fillStyle = "#fff"; pen.fillRect(0, 0, pad.width, pad.height); }
clearPad();

function point(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) * pad.width / box.width, (event.clientY - box.top) * pad.height / box.height];
}

pad.addEventListener("pointerdown", (event) => {
  drawing = true; pad.setPointerCapture(event.pointerId);
  const [x, y] = point(event);
  pen.strokeStyle = "#000"; pen.lineWidth = 20; pen.lineCap = "round"; pen.lineJoin = "round";
  pen.beginPath(); pen.moveTo(x, y); pen.lineTo(x, y); pen.stroke();
  sendDrawing();
});
pad.addEventListener("pointermove", (event) => {
  if (!drawing) return;
  const [x, y] = point(event);
  pen.lineTo(x, y); pen.stroke();
  sendDrawing();
});
for (const name of ["pointerup", "pointercancel"]) pad.addEventListener(name, () => { if (drawing) { drawing = false; sendDrawing(); } });
$("clear").onclick = () => { clearPad(); $("guess").textContent = "–"; $("confidence").textContent = ""; $("bars").textContent = ""; };

// One drawing in flight at a time; the latest is sent when the answer comes.
function sendDrawing() {
  if (drawPending) { drawAgain = true; return; }
  drawPending = true;
  const side = 140, small = document.createElement("canvas");
  small.width = side; small.height = side;
  const g = small.getContext("2d");
  g.drawImage(pad, 0, 0, side, side);
  const rgba = g.getImageData(0, 0, side, side).data;
  let grey = "";
  for (let k = 0; k < side * side; k++) grey += String.fromCharCode(rgba[4 * k]);
  send({ type: "draw", id: ++drawId, width: side, height: side, grey: btoa(grey) });
}
function drawDone() {
  drawPending = false;
  if (drawAgain) { drawAgain = false; sendDrawing(); }
}

// A photo dropped on the Draw panel.
const panel = $("draw-panel");
panel.addEventListener("dragover", (event) => { event.preventDefault(); panel.classList.add("dropping"); });
panel.addEventListener("dragleave", () => panel.classList.remove("dropping"));
panel.addEventListener("drop", async (event) => {
  event.preventDefault(); panel.classList.remove("dropping");
  const file = event.dataTransfer.files[0];
  if (!file) return;
  const answer = await (await fetch("/photo", { method: "POST", body: file })).json();
  if (answer.type === "guess") showGuess(answer); else { $("guess").textContent = "?"; $("guess-note").textContent = answer.message; }
});

// MARK: buttons

$("train").onclick = () => send({ type: "train", settings: settings() });
$("pause").onclick = () => send({ type: "pause" });
$("step").onclick = () => send({ type: "step", settings: settings() });
$("reset").onclick = () => { send({ type: "reset" }); clearHistory(); say(""); };
$("save").onclick = async () => { const answer = await (await fetch("/save", { method: "POST" })).json(); say(answer.message); };
$("grade").onclick = async () => {
  $("grade-table").textContent = "Grading…";
  const answer = await (await fetch("/grade", { method: "POST" })).json();
  if (answer.type === "grade") { $("grade-table").textContent = answer.table; $("grade-total").textContent = answer.total; }
  else { $("grade-table").textContent = answer.message; }
};

drawChart();
connect();
