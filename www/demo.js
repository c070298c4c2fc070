// The demo page's logic: load the wasm classifier, then classify and explain the textarea on every
// edit. User text only ever reaches the DOM through textContent / text nodes, never as HTML.
import init, { Classifier } from "./pkg/polarity.js";
import { verdict } from "./verdict.js";

const $ = (id) => document.getElementById(id);
const review = $("review");
const status = $("status");
const meter = $("meter");
const explained = $("explained");

let clf = null;
let pending = false;
let explainTimer = 0;
let lastClassifyMs = 0;
let lastExplainMs = 0;

function formatBytes(n) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} kB`;
}

/** Rebuilds the highlighted copy of `text` from the explanation's UTF-16 spans. */
function renderHighlights(text, tokens) {
  const frag = document.createDocumentFragment();
  const max = Math.max(1e-6, ...tokens.map((t) => Math.abs(t.weight)));
  let at = 0;
  for (const t of tokens) {
    if (t.start > at) frag.append(document.createTextNode(text.slice(at, t.start)));
    const span = document.createElement("span");
    const strength = Math.abs(t.weight) / max;
    span.className = t.weight >= 0 ? "tok pos" : "tok neg";
    span.style.setProperty("--w", strength.toFixed(3));
    span.textContent = text.slice(t.start, t.end);
    span.title = `${t.weight >= 0 ? "+" : ""}${t.weight.toFixed(3)}`;
    frag.append(span);
    at = t.end;
  }
  if (at < text.length) frag.append(document.createTextNode(text.slice(at)));
  explained.replaceChildren(frag);
}

function showTiming(classifyMs, explainMs) {
  const small = document.createElement("small");
  small.textContent = ` (with explanation ${explainMs.toFixed(2)} ms)`;
  $("timing").replaceChildren(`${classifyMs.toFixed(2)} ms`, small);
}

/** Verdict at once on every edit; highlights too, unless explaining has become slow (long text). */
function update() {
  pending = false;
  if (!clf) return;
  const text = review.value;
  const t0 = performance.now();
  const p = clf.classify(text);
  lastClassifyMs = performance.now() - t0;
  const blank = text.trim() === "";
  status.dataset.state = blank ? "empty" : p.label;
  status.textContent = blank ? "Type something: the verdict appears as you write." : verdict(p);
  meter.style.width = `${blank ? 50 : p.score * 100}%`;
  meter.dataset.label = blank ? "" : p.label;
  clearTimeout(explainTimer);
  if (blank) {
    const hint = document.createElement("span");
    hint.className = "hint";
    hint.textContent = "Highlighted words appear here.";
    explained.replaceChildren(hint);
  } else if (lastExplainMs < 30) {
    explainNow(text);
  } else {
    explainTimer = setTimeout(() => explainNow(review.value), 200);
  }
}

function explainNow(text) {
  const t0 = performance.now();
  const e = clf.explain(text); // the same prediction, plus each word's leave-one-out weight
  lastExplainMs = performance.now() - t0;
  showTiming(lastClassifyMs, lastExplainMs);
  renderHighlights(text, e.tokens);
}

function schedule() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(update);
}

review.addEventListener("input", schedule);
for (const button of document.querySelectorAll("[data-example]")) {
  button.addEventListener("click", () => {
    review.value = button.dataset.example;
    review.focus();
    schedule();
  });
}

/** Model facts and the meter's end labels (score = P(first label), so the first is on the right). */
function showInfo() {
  const info = clf.info();
  $("model-size").textContent = formatBytes(info.modelBytes);
  $("vocab-size").textContent = `${info.vocabularySize.toLocaleString("en")} words`;
  $("dims").textContent = `${info.dimensions} dimensions, ${info.quantization}`;
  const [left, right] = document.querySelectorAll(".meter-scale span");
  [right.textContent, left.textContent] = info.labels;
}

// Bytes of the model in use, or null for the shipped one (kept by the "Teach it" panel).
let modelBytes = null;
let storedModelNotice = "";

try {
  await init();
  // A model fine-tuned earlier (IndexedDB) wins; if it is unreadable, the shipped one, with a notice.
  try {
    const { loadModel } = await import("./store.js");
    const saved = await loadModel();
    if (saved) {
      try {
        clf = Classifier.fromBytes(saved);
        modelBytes = saved;
      } catch (err) {
        storedModelNotice = `The saved fine-tuned model could not be loaded (${err?.message ?? err}); using the shipped model. Your labelled examples are kept.`;
      }
    }
  } catch (err) {
    storedModelNotice = `Saved data is unavailable (${err?.message ?? err}); using the shipped model.`;
  }
  clf ??= new Classifier();
  showInfo();
  document.body.dataset.ready = "true";
  update();
} catch (err) {
  status.dataset.state = "error";
  status.textContent = `Could not start the classifier: ${err?.message ?? err}`;
  console.error(err);
}

if (clf) {
  const { setupTeach } = await import("./teach.js");
  await setupTeach({
    Classifier,
    review,
    storedModelNotice,
    getClassifier: () => clf,
    currentBytes: () => modelBytes,
    get fineTuned() {
      return modelBytes !== null;
    },
    setClassifier(next, bytes) {
      const old = clf;
      clf = next;
      modelBytes = bytes;
      old?.free();
      lastExplainMs = 0;
      showInfo();
      update();
    },
  });
}
