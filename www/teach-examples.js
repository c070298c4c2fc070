// Teach it, the examples: label the review in the box with one click (a button per label) or a key
// (1-9; Alt+1-9 while typing), see a count per label, edit or delete labelled examples, import a
// labelled file (the package reads CSV, TSV or ;-separated files: Classifier.parseExamples) and
// export them as TSV. Every change goes through state.changeExamples, which saves it to IndexedDB
// (teach-shared.js). The list shows the newest SHOWN
// examples, so that tens of thousands never become as many DOM nodes.
import { $, SLICE_MS, download, formatCount, isBlank, keepFocus, parseInWorker, preview, say } from "./ui.js";
import { encodingNote } from "./read-text.js";

const SHOWN = 200;

export function setupExamples(demo, state) {
  const { review } = demo;
  const list = $("ex-list");
  const count = $("ex-count");
  const buttons = $("label-buttons");
  const counts = $("label-counts");
  const importMsg = $("import-msg");

  /** One "Label as ..." button per label; the first two keep the ids label-a and label-b. */
  function renderButtons() {
    const labels = state.activeLabels();
    const focused = buttons.contains(document.activeElement) ? document.activeElement.dataset.label : null;
    buttons.replaceChildren(...labels.map((label, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn";
      if (i < 2) button.id = i === 0 ? "label-a" : "label-b";
      button.dataset.label = label;
      button.textContent = `Label as ${label}`;
      if (i < 9) {
        button.setAttribute("aria-keyshortcuts", `${i + 1} Alt+${i + 1}`);
        const key = document.createElement("kbd");
        key.textContent = String(i + 1);
        key.setAttribute("aria-hidden", "true");
        button.append(" ", key); // its name stays "Label as ...": the key is aria-hidden
      }
      button.addEventListener("click", () => labelReview(label));
      return button;
    }));
    // Redrawn (another tab saved, the labels changed): the focus stays on its label's button.
    if (focused !== null) [...buttons.children].find((b) => b.dataset.label === focused)?.focus();
  }

  /** Adds the review in the box as an example of `label`. */
  function labelReview(label) {
    // Blank as the package reads it: U+0085 alone was kept, then failed every Fine-tune.
    const text = isBlank(review.value) ? "" : review.value.trim();
    if (!text && demo.heldLength() > 0) {
      say(importMsg, `A pasted text of ${formatCount(demo.heldLength())} characters is read but not kept in the box, so it cannot be labelled here: import it in a file instead.`, "error");
      return;
    }
    if (!text) {
      say(importMsg, "Write or pick a review above first, then label it.", "error");
      review.focus();
      return;
    }
    // The same text again is the same example: pressing another label changes its label (three
    // presses made three examples that disagree, and training could never fit them all).
    const at = state.examples.findIndex((ex) => ex.text === text);
    const n = state.examples.length + (at < 0 ? 1 : 0);
    const count = `${formatCount(n)} example${n === 1 ? "" : "s"}`;
    if (at < 0) {
      addExample(text, label);
      // The new row is the list's last: shown, as the list does not follow its end by itself.
      list.scrollTop = list.scrollHeight;
      say(importMsg, `Labelled as ${label}: ${count}.`);
    } else if (state.examples[at].label === label) {
      say(importMsg, `Already labelled as ${label}: ${count}.`);
    } else {
      const from = state.examples[at].label;
      state.changeExamples({ kind: "relabel", at, text, label: from, to: label });
      renderList();
      say(importMsg, `Relabelled from ${from} to ${label}: ${count}.`);
    }
  }

  /** Adds one example and saves it (one chunk written). */
  function addExample(text, label) {
    state.changeExamples({ kind: "append", rows: [{ text, label }] });
    renderList();
  }

  function refresh() {
    renderButtons();
    renderList();
  }

  // Keys 1-9 label the review: a plain key only when no control has the focus (or a label button
  // has it), so that a key pressed on another control never adds an example unasked (WCAG 2.1.4);
  // Alt+1-9 from anywhere, the review box included, where typing digits stays typing. Only when
  // Alt made no character of the key: on a Mac, Option+digit types one ("€", "™", "#"), and
  // labelling the review there took the character away from the text being typed.
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.repeat || !/^Digit[1-9]$/.test(e.code)) return;
    const onPage = e.target === document.body || e.target === document.documentElement;
    const onButtons = e.target instanceof Node && buttons.contains(e.target);
    const altShortcut = e.altKey && /^[1-9]$/.test(e.key) && !e.getModifierState?.("AltGraph");
    if (!altShortcut && !onPage && !onButtons) return;
    const label = state.activeLabels()[Number(e.code.slice(5)) - 1];
    if (!label) return;
    e.preventDefault();
    labelReview(label);
  });

  /** The number of examples, and of each label's. */
  function renderCounts() {
    const labels = state.activeLabels();
    const { examples } = state;
    count.textContent = String(examples.length);
    const perLabel = new Map(labels.map((l) => [l, 0]));
    let others = 0;
    for (const ex of examples) {
      if (perLabel.has(ex.label)) perLabel.set(ex.label, perLabel.get(ex.label) + 1);
      else others++;
    }
    counts.textContent = [...perLabel].map(([l, n]) => `${l}: ${n}`).join(" · ") +
      (others ? ` · other labels: ${others} (left out of training)` : "");
  }

  // The example each drawn row shows, so that a redraw can put the focus back on its row.
  const drawn = new WeakMap();

  function renderList() {
    const labels = state.activeLabels();
    const { examples } = state;
    renderCounts();
    const focused = list.contains(document.activeElement) ? document.activeElement : null;
    const row = focused?.closest("li");
    // Its label as the row's select shows it now (a relabel here does not redraw the row).
    const was = row && drawn.has(row) && { ...drawn.get(row), label: row.querySelector("select").value };
    const frag = document.createDocumentFragment();
    const from = Math.max(0, examples.length - SHOWN);
    if (from > 0) {
      const li = document.createElement("li");
      li.className = "ex-more";
      li.textContent = `${formatCount(from)} earlier examples are kept but not listed; the newest ${SHOWN} are below.`;
      frag.append(li);
    }
    examples.slice(from).forEach((ex, k) => {
      const i = from + k;
      const li = document.createElement("li");
      const text = document.createElement("span");
      text.className = "ex-text";
      text.textContent = preview(ex.text);
      const select = document.createElement("select");
      select.setAttribute("aria-label", `Label of example ${i + 1}`);
      for (const name of labels.includes(ex.label) ? labels : [...labels, ex.label]) {
        const opt = document.createElement("option");
        opt.value = name;
        opt.textContent = name;
        select.append(opt);
      }
      select.value = ex.label;
      // The example as the list holds it now: a relabel puts a new one in its place, and a
      // second change of this row must name that one (the one drawn here is the first).
      const current = () => state.examples[i] ?? ex;
      select.addEventListener("change", () => {
        const { text, label } = current();
        state.changeExamples({ kind: "relabel", at: i, text, label, to: select.value });
        renderCounts();
        // Said, as a deletion is: the last message ("Imported 40 examples…") stayed.
        say(importMsg, `Example ${formatCount(i + 1)} relabelled from ${label} to ${select.value}.`);
      });
      const del = document.createElement("button");
      del.type = "button";
      del.className = "ex-delete";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `Delete example ${i + 1}`);
      del.addEventListener("click", () => {
        const { text, label } = current();
        state.changeExamples({ kind: "remove", at: i, text, label });
        renderList();
        // Said, as labelling is: the counts line below the label buttons is not a live region.
        const n = state.examples.length;
        say(importMsg, `Deleted example ${i + 1}: ${formatCount(n)} example${n === 1 ? "" : "s"}.`);
        // The row now at this place (rows are the newest SHOWN only), else the last, else a label button.
        const rows = list.querySelectorAll(".ex-delete");
        const shownFrom = Math.max(0, state.examples.length - SHOWN);
        (rows[Math.min(i - shownFrom, rows.length - 1)] ?? buttons.querySelector("button"))?.focus();
      });
      li.append(text, select, del);
      drawn.set(li, { i, text: ex.text });
      frag.append(li);
    });
    list.replaceChildren(frag);
    // Redrawn while a row's control had the focus (another tab's save was merged, a label was
    // renamed): the same example's control gets it back, wherever the example now is.
    if (was) {
      const same = (ex) => ex?.text === was.text && ex?.label === was.label;
      const at = same(examples[was.i]) ? was.i : examples.findIndex(same);
      const li = at >= from ? list.children[at - from + (from > 0 ? 1 : 0)] : undefined;
      li?.querySelector(focused.tagName === "SELECT" ? "select" : ".ex-delete")?.focus();
    }
    $("export").disabled = examples.length === 0;
    $("clear-examples").disabled = examples.length === 0;
  }

  $("clear-examples").addEventListener("click", () => {
    const count = state.examples.length;
    if (!confirm(`Delete all ${count} labelled examples?`)) return;
    state.changeExamples({ kind: "clear", rows: state.examples.slice() });
    renderList();
    // In place of the last message ("Labelled as negative: 9 examples." stayed under a list of 0).
    say(importMsg, `Deleted all ${formatCount(count)} examples.`);
    // The button is disabled now that there is nothing to delete: the focus goes to labelling.
    keepFocus($("clear-examples"), document.querySelector("#label-buttons button") ?? $("review"));
  });

  /**
   * Adds imported `rows` as labelling each with its button would: a text already labelled is the
   * same example (the first of its text, as the buttons find it), left as it is when the label is
   * the same, relabelled when it is another. A text the file gives twice counts once, with its last
   * label. A file imported twice doubled every count and trained each text twice, and the same
   * text in a file twice was two examples.
   */
  function mergeImport(rows) {
    const last = new Map(); // each text of the file, once, with its last label
    for (const row of rows) last.set(row.text, row);
    const repeated = rows.length - last.size;
    const first = new Map();
    state.examples.forEach((ex, i) => {
      if (!first.has(ex.text)) first.set(ex.text, i);
    });
    const fresh = [];
    const changes = [];
    let same = 0;
    for (const row of last.values()) {
      const i = first.get(row.text);
      if (i === undefined) fresh.push(row);
      else if (state.examples[i].label === row.label) same += 1;
      else changes.push({ at: i, text: row.text, label: state.examples[i].label, to: row.label });
    }
    // One change for them all: one save, one message to other tabs (a relabel each queued as
    // many saves, each reading the saved list again).
    if (changes.length) state.changeExamples({ kind: "relabels", changes });
    state.changeExamples({ kind: "append", rows: fresh });
    return { added: fresh.length, same, relabelled: changes.length, repeated };
  }

  async function importFile(file) {
    if (!file) return;
    offerFileLabels(null, []);
    // The labels the file is read for, in their order: "1" and "0" are the first and the second.
    const labels = state.activeLabels();
    let parsed;
    try {
      say(importMsg, `Reading ${file.name}…`);
      parsed = await parseInWorker(file, labels);
    } catch (err) {
      say(importMsg, `${file.name}: ${err?.message ?? err}`, "error");
      return;
    }
    const { rows, errors, encoding, unknownLabels, numbered = 0 } = parsed;
    // An empty or header-only file read as "Imported 0 examples", a success.
    if (rows.length === 0 && errors.length === 0) {
      say(importMsg, `${file.name} has no labelled rows: each row needs a label (${labels.join(" / ")}) and a text, ` +
        "in two columns (a first row such as label,text may name them).", "error");
      return;
    }
    const { added, same, relabelled, repeated } = mergeImport(rows);
    renderList();
    const were = (n) => `${formatCount(n)} of its texts ${n === 1 ? "was" : "were"}`;
    const done = `Imported ${formatCount(added)} example${added === 1 ? "" : "s"} from ${file.name}.` +
      (same ? ` ${were(same)} already labelled so, and left as ${same === 1 ? "it was" : "they were"}.` : "") +
      (relabelled ? ` ${were(relabelled)} labelled otherwise before, and now ${relabelled === 1 ? "has" : "have"} the file's label.` : "") +
      (repeated ? ` ${formatCount(repeated)} row${repeated === 1 ? "" : "s"} repeated a text given above ${repeated === 1 ? "it" : "them"}, which counts once (with its last label).` : "") +
      // Which label "1" names is the label order's: said, as a 0 / 1 spam file read its spam as ham.
      (numbered ? ` ${formatCount(numbered)} row${numbered === 1 ? " was" : "s were"} labelled 1 / 0: 1 was read as "${labels[0]}", 0 as "${labels[1]}".` : "") +
      encodingNote(encoding);
    const offer = rows.length === 0 ? unknownLabels : [];
    offerFileLabels(file, offer);
    if (errors.length === 0) say(importMsg, done);
    else if (offered) {
      // Not bad rows: a file for other labels. Said as such, with the way out (the button below),
      // rather than the same "unknown label" five times over.
      say(importMsg, `${done} Its labels (${offer.join(" / ")}) are not this classifier's (${state.activeLabels().join(" / ")}): ` +
        "the button below starts a classifier with the file's labels and imports it again.", "error");
    } else {
      const shown = errors.slice(0, 5).join("; ") + (errors.length > 5 ? `; and ${errors.length - 5} more` : "");
      say(importMsg, `${done} Skipped ${formatCount(errors.length)} bad row${errors.length === 1 ? "" : "s"}: ${shown}.`, "error");
    }
  }

  // A file written for other labels (none of its rows has one of the classifier's): one click
  // starts a classifier with the file's labels and imports it again.
  const withLabels = $("import-with-labels");
  let offered = null;
  function offerFileLabels(file, labels) {
    let valid = labels.length > 0;
    try {
      if (valid) demo.Classifier.checkLabels(labels);
    } catch {
      valid = false;
    }
    offered = valid ? { file, labels } : null;
    withLabels.hidden = !valid;
    if (valid) withLabels.textContent = `Use the file's labels (${labels.join(" / ")}) and import it again`;
  }
  withLabels.addEventListener("click", async () => {
    if ($("teach").dataset.training === "true") return; // disabled meanwhile; said by the panel
    const { file, labels } = offered ?? {};
    // The button goes away: the focus goes to the file picker beside it, not to the page's start.
    $("import-file").focus();
    offerFileLabels(null, []);
    if (file && state.useLabels(labels)) await importFile(file);
  });

  const fileInput = $("import-file");
  fileInput.addEventListener("change", async () => {
    await importFile(fileInput.files[0]);
    fileInput.value = "";
  });
  const drop = $("dropzone");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    importFile(e.dataTransfer?.files?.[0]);
  });

  // A field that holds a tab, a line break or a quote is quoted, its quotes doubled (as CSV does):
  // the import reads it back as it was.
  const tsvField = (s) => (/[\t\r\n"]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  $("export").addEventListener("click", async () => {
    // In slices of the main thread: 37,000 examples in one go took a 370 ms task.
    // Each slice's lines become a Blob of their own (encoded then), so the file is joined from
    // Blobs at the end, not encoded whole.
    const examples = state.examples.slice();
    const parts = [];
    for (let i = 0; i < examples.length; ) {
      const t0 = performance.now();
      const lines = [];
      for (; i < examples.length && performance.now() - t0 < SLICE_MS; i++) {
        lines.push(`${tsvField(examples[i].label)}\t${tsvField(examples[i].text)}\n`);
      }
      parts.push(new Blob(lines));
      if (i < examples.length) await new Promise((r) => setTimeout(r));
    }
    download("polarity-examples.tsv", new Blob(parts, { type: "text/tab-separated-values" }));
  });

  return { refresh, addExample };
}
