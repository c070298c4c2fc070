// Teach it, classify a file: a CSV / TSV / text file of texts goes to a worker (file-worker.js)
// with the model in use; the page shows which column the texts come from (and lets the person pick
// another), progress with Cancel, a count per label, and the results to download as CSV. The file
// is only ever read here and in the worker: nothing leaves the browser.
import { $, SAY_EVERY_MS, download, formatCount, keepFocus, say, workerFailure } from "./ui.js";
import { encodingNote } from "./read-text.js";

export function setupClassifyFile(demo) {
  const input = $("classify-file");
  const columnRow = $("column-row");
  const columnSelect = $("text-column");
  const start = $("classify-start");
  const cancel = $("classify-cancel");
  const save = $("classify-download");
  const progress = $("file-progress");
  const msg = $("file-msg");
  const summary = $("file-summary");
  let worker = null;
  let file = null; // the File picked: the worker reads it (a handle; the page never holds its text)
  let results = null; // the CSV, a Blob made in the worker
  let lastSaid = 0; // when progress was last written out
  let resultsOf = null; // the classifier the run under way, or the results shown, are of
  let classifying = false; // from a press of Classify to its results (the file is parsed first)

  function stop() {
    worker?.terminate();
    worker = null;
    classifying = false;
    cancel.hidden = true;
    input.disabled = false;
    columnSelect.disabled = false;
  }

  /** A worker holding the file and the model in use; `onParsed` gets what it found. */
  function open(onParsed) {
    stop();
    const w = (worker = new Worker(new URL("./file-worker.js", import.meta.url), { type: "module" }));
    w.onmessage = ({ data }) => {
      if (w !== worker) return;
      if (data.error) {
        stop();
        start.disabled = true;
        columnRow.hidden = true; // the columns of the file before are not this one's
        say(msg, `${file.name}: ${data.error}`, "error");
      } else if (data.parsed) onParsed(data.parsed);
      else if (data.progress) {
        progress.max = data.progress.total;
        progress.value = data.progress.done;
        // The message is a live region: said every SAY_EVERY_MS, not per batch.
        const now = performance.now();
        if (now - lastSaid > SAY_EVERY_MS) {
          lastSaid = now;
          say(msg, `Classifying: ${formatCount(data.progress.done)} of ${formatCount(data.progress.total)}…`);
        }
      } else if (data.done) finished(data.done);
    };
    w.onerror = (e) => {
      if (w !== worker) return;
      e.preventDefault();
      stop();
      say(msg, `Classifying stopped: ${workerFailure(e)}`, "error");
    };
    w.postMessage({ file, model: demo.currentBytes() });
  }

  function showParsed(p) {
    columnRow.hidden = p.columns.length === 0;
    columnSelect.replaceChildren(...p.columns.map((name, i) => {
      const option = document.createElement("option");
      option.value = String(i);
      option.textContent = name;
      return option;
    }));
    if (p.column !== null) columnSelect.value = String(p.column);
    start.disabled = p.count === 0;
    const where = p.column === null ? "one per line" : `from the column "${p.columns[p.column]}"`;
    const skipped = p.skipped ? `, ${formatCount(p.skipped)} empty left out` : "";
    if (p.count === 0) say(msg, `${file.name}: no texts to classify${p.column === null ? "" : ` in the column "${p.columns[p.column]}"`}${skipped}.`, "error");
    else say(msg, `${file.name}: ${formatCount(p.count)} texts ${where}${skipped}.${encodingNote(p.encoding)}`);
  }

  function finished(done) {
    stop();
    // Ready to run again: the same file with another model (a file picked again fires no change).
    start.disabled = false;
    results = done.csv;
    save.disabled = false;
    progress.value = progress.max;
    const body = summary.querySelector("tbody");
    body.replaceChildren(...done.labels.map((label) => {
      const tr = document.createElement("tr");
      const n = done.counts[label];
      for (const [i, value] of [label, formatCount(n), `${done.total ? Math.round((n / done.total) * 100) : 0}%`].entries()) {
        const cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) cell.scope = "row";
        cell.textContent = value;
        tr.append(cell);
      }
      return tr;
    }));
    summary.hidden = false;
    keepFocus(cancel, save);
    say(msg, `Classified ${formatCount(done.total)} texts in ${(done.millis / 1000).toFixed(1)} s.`);
    summary.dataset.millis = String(done.millis);
  }

  input.addEventListener("change", async () => {
    const f = input.files[0];
    if (!f) return;
    results = null;
    save.disabled = true;
    summary.hidden = true;
    progress.value = 0;
    // The worker reads it: decoding and copying 30 MB of text here froze the page for 220-310 ms.
    file = f;
    say(msg, `Reading ${f.name}…`);
    open(showParsed);
  });

  /** Opens a worker on the file, parsed with `column` (or its own choice when null), then `then`. */
  function openWith(column, then) {
    open((p) => (column !== null && p.column !== column ? worker.postMessage({ column }) : then(p)));
  }

  columnSelect.addEventListener("change", () => openWith(Number(columnSelect.value), showParsed));

  start.addEventListener("click", () => {
    if (!file) return;
    results = null;
    save.disabled = true;
    summary.hidden = true;
    // A fresh worker each run: it has the model now in use, and the column chosen.
    resultsOf = demo.getClassifier();
    openWith(columnRow.hidden ? null : Number(columnSelect.value), () => {
      cancel.hidden = false;
      keepFocus(start, cancel);
      input.disabled = true;
      // Another column chosen mid-run dropped the run without a word: chosen before, not during.
      columnSelect.disabled = true;
      start.disabled = true;
      worker.postMessage({ classify: true });
    });
    classifying = true; // after openWith, whose stop() ends any run before
  });

  cancel.addEventListener("click", () => {
    stop();
    start.disabled = false;
    progress.value = 0;
    say(msg, "Cancelled: nothing was classified.");
    start.focus();
  });

  save.addEventListener("click", () => {
    if (!results) return;
    const base = file.name.replace(/\.[^.]*$/, "");
    download(`${base}-classified.csv`, results);
  });

  /**
   * Once another model is in use (reset, loaded, trained, another tab's), a run under way and the
   * results shown are the model before's: the counts stayed beside a classifier of other labels,
   * and "Download results" served them.
   */
  function forgetIfStale() {
    if (resultsOf === null || resultsOf === demo.getClassifier()) return;
    resultsOf = null;
    // A run counts from the press of Classify: while the file is still parsed, its worker already
    // holds the model before.
    if (!classifying && results === null) return;
    stop();
    results = null;
    save.disabled = true;
    summary.hidden = true;
    progress.value = 0;
    start.disabled = file === null;
    say(msg, "The model in use changed: classify the file again to use it.");
    // Cancel and Download go away: the focus they had goes to Classify.
    keepFocus(cancel, start);
    keepFocus(save, start);
  }

  return { forgetIfStale };
}
