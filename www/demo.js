// The demo page's logic: load the wasm classifier, then classify the textarea on every edit, and
// explain it (the highlights) at once while that stays within HIGHLIGHT_BUDGET_MS (the very first
// explanation just after the first verdict's frame), else after a pause in typing; texts over LONG_TEXT are classified in a worker, without highlights. User text
// only ever reaches the DOM through textContent / text nodes, never as HTML.
import init, { Classifier } from "./pkg/polarity.js";
import { $, LONG_TEXT, formatCount, workerFailure } from "./ui.js";
import { BOX_LIMIT, announcer, isBlank, isUnsure, percent, readsNothing, shownLabel, unreadVerdict, verdict } from "./verdict.js";

// Cold-start marks (with polarity's own, polarity:file and polarity:engine): `make bench` reads them.
performance.mark("demo:script");

const review = $("review");
const status = $("status");
const meter = $("meter");
const explained = $("explained");
const announce = announcer($("verdict-live"));
// The verdict again above the box, shown on narrow screens only: there, with the on-screen keyboard
// open, the Verdict panel is below the fold while one types.
const echo = $("status-echo");
const summary = $("explained-summary");

/** The verdict line: what it shows, its state (for its colour), and, after a pause, read out. */
function setStatus(state, text) {
  status.dataset.state = echo.dataset.state = state;
  status.textContent = echo.textContent = text;
  announce(text);
}

// A file dropped beside a drop zone (or on a text box) opened in place of the page: the examples
// and model were saved, but the page was gone. A file is taken only where a control takes it.
for (const type of ["dragover", "drop"]) {
  window.addEventListener(type, (e) => {
    if (e.defaultPrevented || !e.dataTransfer?.types?.includes("Files")) return;
    e.preventDefault();
    if (type === "dragover") e.dataTransfer.dropEffect = "none";
  });
}

let clf = null;
let pending = false;
let explainTimer = 0;
// The last few warm classify times (`warmClassifyMs`): the page shows their median.
const recentMs = [];
let lastExplainMs = 0;
// Explaining and drawing the highlights, last time (layout after it not counted): past this, the
// highlights wait for a pause in typing. Drawn on every key, 6,000 characters made each key a
// frame of 60 ms.
let lastHighlightMs = 0;
const HIGHLIGHT_BUDGET_MS = 8;
// Whether anything was explained yet: the first explanation compiles code no verdict has run
// (scopes, leave-one-out), so the first verdict is painted before it, not after.
let explainedOnce = false;

function formatBytes(n) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} kB`;
}

/**
 * Rebuilds the highlighted copy of `text` from the explanation's UTF-16 spans, each word as
 * strong as its pull in log-odds: in probability, a review the model is sure of (0.0003) gave
 * every word a pull under 0.002, and a word against the verdict 1/18 of the strongest (1/5 in
 * log-odds).
 */
function renderHighlights(text, tokens) {
  const frag = document.createDocumentFragment();
  const max = Math.max(1e-6, ...tokens.map((t) => Math.abs(t.logOdds)));
  let at = 0;
  for (const t of tokens) {
    if (t.start > at) frag.append(document.createTextNode(text.slice(at, t.start)));
    const span = document.createElement("span");
    const strength = Math.abs(t.logOdds) / max;
    // A word that moves nothing (a mark, a link) is neither way.
    span.className = t.logOdds > 0 ? "tok pos" : t.logOdds < 0 ? "tok neg" : "tok";
    span.style.setProperty("--w", strength.toFixed(3));
    span.textContent = text.slice(t.start, t.end);
    span.title = `${t.logOdds > 0 ? "+" : ""}${t.logOdds.toFixed(2)} in log-odds`;
    frag.append(span);
    at = t.end;
  }
  if (at < text.length) frag.append(document.createTextNode(text.slice(at)));
  explained.replaceChildren(frag);
  // The highlights in words, for a screen reader: the strongest pulls each way.
  const strongest = (sign) => tokens.filter((t) => Math.sign(t.logOdds) === sign)
    .sort((a, b) => Math.abs(b.logOdds) - Math.abs(a.logOdds)).slice(0, 3)
    .map((t) => text.slice(t.start, t.end)).join(", ") || "none";
  summary.textContent = `Strongest words: ${$("legend-pos").textContent}: ${strongest(1)}; ${$("legend-neg").textContent}: ${strongest(-1)}.`;
}

/**
 * Milliseconds per classify of `text`, warm: classified back to back for 2 ms (at most 1,000
 * times). The page clock ticks in 100 µs steps and a review takes tens of µs, so one call,
 * timed alone, reads as 0 or 0.1 ms, and the first calls, still cold, as milliseconds.
 */
function warmClassifyMs(text) {
  const t0 = performance.now();
  let calls = 0;
  let t = t0;
  do {
    clf.classify(text);
    calls += 1;
    t = performance.now();
  } while (t - t0 < 2 && calls < 1000);
  return (t - t0) / calls;
}

function showTiming(classifyMs, explainMs) {
  recentMs.push(classifyMs);
  if (recentMs.length > 15) recentMs.shift();
  classifyMs = [...recentMs].sort((a, b) => a - b)[Math.floor(recentMs.length / 2)];
  const small = document.createElement("small");
  small.textContent = ` (with explanation ${explainMs.toFixed(2)} ms)`;
  const shown = classifyMs < 0.1 ? `${Math.round(classifyMs * 1000)} µs` : `${classifyMs.toFixed(2)} ms`;
  $("timing").replaceChildren(shown, small);
}


const scoresList = $("scores");

function showVerdict(p, blank) {
  // Unsure (the two likeliest labels close): said in the muted colour, not in the label's.
  const unsure = !blank && isUnsure(p);
  const state = blank ? "empty" : unsure ? "unsure" : p.label;
  setStatus(state, blank ? "Type something: the verdict appears as you write." : verdict(p));
  setMeter(blank ? null : p, unsure);
  if (!scoresList.hidden) {
    scoresList.replaceChildren(...(blank ? [] : p.scores).map((s) => {
      const item = document.createElement("li");
      item.textContent = `${shownLabel(s.label)}: ${percent(s.score)}%`;
      return item;
    }));
  }
}

/**
 * The meter for prediction `p` (null: none). Two labels: a bar from the middle towards the end of
 * the likelier label, as long as P(first label) is far from 1/2 (a bar of P(first label) from the
 * left showed "negative (99% confident)" as a red sliver, the surer the emptier). More labels:
 * P(label) from the left, the scale hidden and every label listed.
 */
function setMeter(p, unsure) {
  // Where the bar starts and ends, 0 the left end and 1 the right.
  const [from, to] = !p ? [0.5, 0.5] : p.scores ? [0, p.score] : [Math.min(p.score, 0.5), Math.max(p.score, 0.5)];
  meter.style.marginLeft = `${from * 100}%`;
  meter.style.width = `${(to - from) * 100}%`;
  meter.dataset.label = !p || unsure ? "" : p.label;
}

/** Emoji or markup alone: no word is read, and the score is the model's lean, said as such. */
function showUnread(p) {
  showHint("No word here that the model reads: the verdict is only its lean with nothing to go on.");
  setStatus("unread", unreadVerdict(p));
  setMeter(null);
  scoresList.replaceChildren(); // no scores of the text before
}

function showHint(text) {
  const hint = document.createElement("span");
  hint.className = "hint";
  hint.textContent = text;
  explained.replaceChildren(hint);
  summary.textContent = ""; // no words to sum up: none stale from a text that is gone
}

/** Verdict at once on every edit; highlights too, unless explaining has become slow (long text). */
function update() {
  pending = false;
  if (!clf) return;
  const text = held ?? review.value;
  clearTimeout(explainTimer);
  if (text.length > LONG_TEXT) {
    classifyInBackground(text);
    return;
  }
  longRequest += 1; // a long text's verdict still on its way is not this text's
  longPending = false;
  const p = clf.classify(text);
  const blank = isBlank(text);
  if (!blank && readsNothing(clf, p)) {
    showUnread(p);
    return;
  }
  showVerdict(p, blank);
  if (blank) showHint("Highlighted words appear here.");
  else if (!explainedOnce) explainTimer = setTimeout(() => explainNow(text));
  else if (lastHighlightMs < HIGHLIGHT_BUDGET_MS) explainNow(text);
  else explainTimer = setTimeout(() => explainNow(review.value), 200);
}

// The long-text worker, started on the first long text, and the newest request's id.
let longWorker = null;
let longRequest = 0;
// Whether the text shown is a long one whose verdict is still on its way.
let longPending = false;

function classifyInBackground(text) {
  if (!longWorker) {
    longWorker = new Worker(new URL("./classify-worker.js", import.meta.url), { type: "module" });
    longWorker.postMessage({ model: modelBytes });
    longWorker.onmessage = ({ data }) => {
      if (data.id !== longRequest) return; // a newer edit is on its way
      longPending = false;
      if (data.error) {
        setStatus("error", `Could not classify this text: ${data.error}`);
      } else if (readsNothing(clf, data.prediction)) showUnread(data.prediction);
      else showVerdict(data.prediction, false);
    };
    // Without this, "Reading a long text…" stayed for good when the worker could not load.
    // The next long text starts a new one; a short text typed meanwhile keeps its verdict.
    const failed = longWorker;
    longWorker.onerror = (e) => {
      e.preventDefault();
      failed.terminate();
      if (longWorker === failed) longWorker = null;
      if (longPending) setStatus("error", `Could not classify this text: ${workerFailure(e)}`);
    };
  }
  const id = ++longRequest;
  longPending = true;
  setStatus("working", `Reading a long text (${formatCount(text.length)} characters) in the background…`);
  showHint(`Highlights are shown for texts of up to ${formatCount(LONG_TEXT)} characters.`);
  longWorker.postMessage({ id, text });
}

function explainNow(text) {
  const t0 = performance.now();
  const e = clf.explain(text); // the same prediction, plus each word's leave-one-out weight
  explainedOnce = true;
  lastExplainMs = performance.now() - t0;
  const t1 = performance.now();
  // Explained later than classified (a slow text), it may be another text by now.
  if (readsNothing(clf, e)) showUnread(e);
  else renderHighlights(text, e.tokens);
  lastHighlightMs = lastExplainMs + (performance.now() - t1);
  showTiming(warmClassifyMs(text), lastExplainMs);
}

function schedule() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(update);
}

// A paste that would put more than BOX_LIMIT in the box is kept out of it, classified all the same,
// and the page says so.
let held = null; // a long pasted text, kept out of the box
const heldNote = $("held-note");

// A paste or a dropped text alike (a drop went past the limit: 2 MB in the box froze the page for
// most of a second, and each key after it for 400 ms); a drop goes where the selection is.
function holdIfLong(e, inserted, verb) {
  const { selectionStart: from, selectionEnd: to, value } = review;
  if (value.length - (to - from) + inserted.length <= BOX_LIMIT) return;
  e.preventDefault();
  held = value.slice(0, from) + inserted + value.slice(to);
  review.value = "";
  heldNote.hidden = false;
  heldNote.textContent = `${verb} ${formatCount(held.length)} characters: too many to show for editing ` +
    `(the box holds up to ${formatCount(BOX_LIMIT)}), so the verdict reads them from memory. Type to start over.`;
  schedule();
}
review.addEventListener("paste", (e) => holdIfLong(e, e.clipboardData?.getData("text/plain") ?? "", "Pasted"));
review.addEventListener("drop", (e) => holdIfLong(e, e.dataTransfer?.getData("text/plain") ?? "", "Dropped"));
review.addEventListener("input", () => {
  if (held !== null) {
    held = null;
    heldNote.hidden = true;
  }
  schedule();
});
for (const button of document.querySelectorAll("[data-example]")) {
  button.addEventListener("click", () => {
    held = null;
    heldNote.hidden = true;
    // As typing would put it in, so that Ctrl+Z brings back what was there (setting `value`
    // left no undo step: a review typed, then an example clicked, was gone for good).
    review.focus();
    review.select();
    if (!document.execCommand("insertText", false, button.dataset.example)) review.value = button.dataset.example;
    schedule();
  });
}

/** Model facts and the meter's end labels (score = P(first label), so the first is on the right). */
function showInfo() {
  const info = clf.info();
  $("model-size").textContent = formatBytes(info.modelBytes);
  $("vocab-size").textContent = `${formatCount(info.vocabularySize)} words`;
  $("dims").textContent = `${info.dimensions} dimensions, ${info.quantization}`;
  // What its head learned from (the more, the less Teach it moves it); files of releases before
  // the count do not say.
  $("trained-on").textContent = info.trainedOn > 0
    ? `${formatCount(info.trainedOn)} labelled text${info.trainedOn === 1 ? "" : "s"}`
    : "not said by its file";
  // Measured on the texts typed: said, rather than a "…" that looks like something loading.
  if (recentMs.length === 0) $("timing").textContent = "measured as you type";
  const [left, right] = document.querySelectorAll(".meter-scale span");
  const many = info.labels.length > 2;
  document.querySelector(".meter-scale").hidden = many;
  scoresList.hidden = !many;
  if (!many) [right.textContent, left.textContent] = info.labels;
  // The box asks for what the model reads: reviews for the sentiment model, any text otherwise.
  const sentiment = info.labels.join() === "positive,negative";
  document.querySelector("label[for=review]").textContent = sentiment ? "Write a movie review" : `Write a text to classify (${info.labels.join(" / ")})`;
  // Explanations weigh the first label (two labels) or the predicted one (more).
  $("legend-pos").textContent = many ? "pushes towards the verdict" : `pushes towards ${info.labels[0]}`;
  $("legend-neg").textContent = many ? "pushes away from it" : `pushes towards ${info.labels[1]}`;
}

// Bytes of the model in use, or null for the shipped one (kept by the "Teach it" panel).
let modelBytes = null;
let storedModelNotice = "";
// Whether the saved model was set aside at this load (the panel then offers it for download).
let storedModelSetAside = false;

/**
 * The model fine-tuned earlier (IndexedDB) as { clf, bytes }, or null: none saved, or unreadable
 * (then with a notice, and the shipped model is used).
 */
async function savedModel() {
  // Said as it is: "and the saved one was set aside" was said when a full storage had refused to.
  const notice = (why, setAside) => `The saved fine-tuned model could not be loaded (${why}); using the shipped model, ` +
    `${setAside ? "and the saved one was set aside" : "and the saved one could not be set aside (the storage failed): it is still stored"}. Your labelled examples are kept.`;
  let store = null;
  try {
    store = await import("./store.js");
    const saved = await store.loadModel();
    store.setModelHint(saved !== null);
    if (!saved) return null;
    try {
      return { clf: Classifier.fromBytes(saved), bytes: saved };
    } catch (err) {
      storedModelSetAside = await store.setModelAside(saved).then(() => true, () => false);
      storedModelNotice = notice(err?.message ?? err, storedModelSetAside);
    }
  } catch (err) {
    // A stored value that is no file's bytes is a damaged model, not an unavailable storage.
    if (store && err instanceof store.NotAModel) {
      storedModelSetAside = err.setAside;
      storedModelNotice = notice("it was not a model file", err.setAside);
    } else storedModelNotice = `Saved data is unavailable (${err?.message ?? err}); using the shipped model.`;
  }
  return null;
}

/** Makes `next` (with its file's bytes, or null for the shipped model) the page's classifier. */
function useClassifier(next, bytes) {
  const old = clf;
  clf = next;
  modelBytes = bytes;
  old?.free();
  longWorker?.postMessage({ model: bytes });
  // Another model: its highlights are measured again, at once rather than after a pause.
  lastHighlightMs = 0;
  showInfo();
  update();
}

// A saved model wins. It is read before the first verdict when the store notes one, else after:
// then a page without one (most visits) does not wait for the database to open.
let savedFirst = false;
try {
  const noted = import("./store.js").then((store) => store.modelHint() === true, () => true);
  [, savedFirst] = await Promise.all([init(), noted]);
  performance.mark("demo:init");
  const saved = savedFirst ? await savedModel() : null;
  clf = saved?.clf ?? new Classifier();
  modelBytes = saved?.bytes ?? null;
  showInfo();
  document.body.dataset.ready = "true";
  performance.mark("demo:ready");
  update();
} catch (err) {
  setStatus("error", `Could not start the classifier: ${err?.message ?? err}`);
  console.error(err);
}

if (clf) {
  if (!savedFirst) {
    // Saved with no note (by an older page, or with localStorage blocked): used from here on.
    const saved = await savedModel();
    if (saved) useClassifier(saved.clf, saved.bytes);
  }
  // The first explanation compiles code no verdict has run yet (scopes, leave-one-out): some
  // milliseconds, spent once the first verdict is painted, instead of in the first edit's frame.
  requestAnimationFrame(() => setTimeout(() => {
    if (review.value === "" && held === null && !explainedOnce) {
      clf.explain("Not bad at all, but the ending was terrible.");
      explainedOnce = true;
    }
  }));
  try {
    const { setupTeach } = await import("./teach.js");
    await setupTeach({
      Classifier,
      review,
      storedModelNotice,
      storedModelSetAside,
      getClassifier: () => clf,
      currentBytes: () => modelBytes,
      // A long paste kept out of the box (0 when there is none).
      heldLength: () => held?.length ?? 0,
      get fineTuned() {
        return modelBytes !== null;
      },
      setClassifier: useClassifier,
    });
  } catch (err) {
    // A module that did not load (a dropped connection) or storage the page cannot use: the
    // verdict still works, and the panel says why it is missing instead of never appearing.
    const panel = $("teach");
    const note = document.createElement("p");
    note.className = "msg";
    note.dataset.kind = "error";
    note.setAttribute("role", "alert");
    note.textContent = `"Teach it" could not start (${err?.message ?? err}). Your saved examples and model are untouched: reload the page to try again.`;
    panel.replaceChildren(panel.querySelector("h2"), note);
    panel.hidden = false;
    console.error(err);
  }
}
