// Teach it, the examples: label the review in the box with one click, edit or delete labelled
// examples, import a labelled file (the package reads CSV, TSV or ;-separated files:
// Classifier.parseExamples) and export them as TSV. Every change is saved to IndexedDB. The list
// shows the newest SHOWN examples, so that tens of thousands never become as many DOM nodes.
import * as store from "./store.js";
import { $, download, say } from "./ui.js";

const SHOWN = 200;

export function setupExamples(demo, state) {
  const { Classifier, review } = demo;
  const list = $("ex-list");
  const count = $("ex-count");
  const labelA = $("label-a");
  const labelB = $("label-b");
  const importMsg = $("import-msg");

  /** Saves the examples from index `from` (to `to`): only the chunks holding them are written. */
  const persist = (from = 0, to = state.examples.length) =>
    store.saveExamples(state.examples, from, to).catch((err) => say(importMsg, `Could not save the examples: ${err?.message ?? err}`, "error"));

  function refresh() {
    const [a, b] = state.activeLabels();
    labelA.textContent = `Label as ${a}`;
    labelB.textContent = `Label as ${b}`;
    labelA.dataset.label = a;
    labelB.dataset.label = b;
    renderList();
  }

  for (const button of [labelA, labelB]) {
    button.addEventListener("click", () => {
      const text = review.value.trim();
      if (!text) {
        say(importMsg, "Write or pick a review above first, then label it.", "error");
        review.focus();
        return;
      }
      state.examples.push({ text, label: button.dataset.label });
      renderList();
      persist(state.examples.length - 1);
      const n = state.examples.length;
      say(importMsg, `Labelled as ${button.dataset.label}: ${n} example${n === 1 ? "" : "s"}.`);
    });
  }

  function renderList() {
    const labels = state.activeLabels();
    const { examples } = state;
    count.textContent = String(examples.length);
    const frag = document.createDocumentFragment();
    const from = Math.max(0, examples.length - SHOWN);
    if (from > 0) {
      const li = document.createElement("li");
      li.className = "ex-more";
      li.textContent = `${from.toLocaleString("en")} earlier examples are kept but not listed; the newest ${SHOWN} are below.`;
      frag.append(li);
    }
    examples.slice(from).forEach((ex, k) => {
      const i = from + k;
      const li = document.createElement("li");
      const text = document.createElement("span");
      text.className = "ex-text";
      text.textContent = ex.text;
      const select = document.createElement("select");
      select.setAttribute("aria-label", `Label of example ${i + 1}`);
      for (const name of labels.includes(ex.label) ? labels : [...labels, ex.label]) {
        const opt = document.createElement("option");
        opt.value = name;
        opt.textContent = name;
        select.append(opt);
      }
      select.value = ex.label;
      select.addEventListener("change", () => {
        ex.label = select.value;
        persist(i, i + 1);
      });
      const del = document.createElement("button");
      del.type = "button";
      del.className = "ex-delete";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `Delete example ${i + 1}`);
      del.addEventListener("click", () => {
        examples.splice(i, 1);
        renderList();
        persist(i);
        (list.querySelectorAll(".ex-delete")[Math.min(i, examples.length - 1)] ?? labelA).focus();
      });
      li.append(text, select, del);
      frag.append(li);
    });
    list.replaceChildren(frag);
    $("export").disabled = examples.length === 0;
    $("clear-examples").disabled = examples.length === 0;
  }

  $("clear-examples").addEventListener("click", () => {
    if (!confirm(`Delete all ${state.examples.length} labelled examples?`)) return;
    state.examples = [];
    renderList();
    persist();
  });

  async function importFile(file) {
    if (!file) return;
    let content;
    try {
      content = await file.text();
    } catch (err) {
      say(importMsg, `Could not read ${file.name}: ${err?.message ?? err}`, "error");
      return;
    }
    let parsed;
    try {
      parsed = Classifier.parseExamples(content, state.activeLabels());
    } catch (err) {
      say(importMsg, `${file.name}: ${err?.message ?? err}`, "error");
      return;
    }
    const { rows, errors } = parsed;
    const before = state.examples.length;
    for (const row of rows) state.examples.push(row);
    renderList();
    persist(before);
    const done = `Imported ${rows.length} example${rows.length === 1 ? "" : "s"} from ${file.name}.`;
    if (errors.length === 0) say(importMsg, done);
    else {
      const shown = errors.slice(0, 5).join("; ") + (errors.length > 5 ? `; and ${errors.length - 5} more` : "");
      say(importMsg, `${done} Skipped ${errors.length} bad row${errors.length === 1 ? "" : "s"}: ${shown}.`, "error");
    }
  }

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

  $("export").addEventListener("click", () => {
    // Tabs and newlines inside a text would break the one-row-per-line format.
    const tsv = state.examples.map((e) => `${e.label}\t${e.text.replace(/[\t\r\n]+/g, " ")}`).join("\n") + "\n";
    download("polarity-examples.tsv", new Blob([tsv], { type: "text/tab-separated-values" }));
  });

  return { refresh };
}
