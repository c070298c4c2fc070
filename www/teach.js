// The "Teach it" panel: label reviews, import/export them, fine-tune in a Web Worker (the page keeps
// classifying meanwhile), and keep examples and model in IndexedDB. User text only ever reaches the
// DOM through textContent / option values, never as HTML.
import * as store from "./store.js";

const $ = (id) => document.getElementById(id);

/**
 * Wires the panel. `demo` gives access to the page's classifier:
 *   getClassifier(), setClassifier(clf) (refreshes the verdict), Classifier, review (textarea),
 *   storedModelNotice (a string to show, if the stored model could not be loaded).
 */
export async function setupTeach(demo) {
  const { Classifier, review } = demo;
  const panel = $("teach");
  const list = $("ex-list");
  const count = $("ex-count");
  const labelA = $("label-a");
  const labelB = $("label-b");
  const importMsg = $("import-msg");
  const trainStatus = $("train-status");
  const trainResult = $("train-result");
  const progress = $("train-progress");
  const fineTuneBtn = $("fine-tune");
  const cancelBtn = $("cancel");
  const epochsInput = $("epochs");
  const modelMsg = $("model-msg");
  const modelName = $("model-name");
  const plot = $("plot");

  let examples = [];
  // Label names chosen for a new classifier, used until its first fine-tune succeeds.
  let pendingLabels = null;
  let worker = null;

  const modelLabels = () => demo.getClassifier().info().labels;
  const activeLabels = () => pendingLabels ?? modelLabels();

  function say(el, text, kind = "info") {
    el.textContent = text;
    el.dataset.kind = kind;
  }

  try {
    examples = await store.loadExamples();
    pendingLabels = (await store.get("pendingLabels")) ?? null;
  } catch (err) {
    say(modelMsg, `Saved examples could not be read (${err?.message ?? err}); they will not be kept.`, "error");
  }
  if (demo.storedModelNotice) say(modelMsg, demo.storedModelNotice, "error");

  const persist = () =>
    store.saveExamples(examples).catch((err) => say(importMsg, `Could not save the examples: ${err?.message ?? err}`, "error"));

  // --- labelling -------------------------------------------------------------------------------

  function refreshLabels() {
    const [a, b] = activeLabels();
    labelA.textContent = `Label as ${a}`;
    labelB.textContent = `Label as ${b}`;
    labelA.dataset.label = a;
    labelB.dataset.label = b;
    const shipped = !demo.fineTuned;
    modelName.textContent = pendingLabels
      ? `New classifier (${pendingLabels.join(" / ")}), not trained yet: the verdict still uses the current model.`
      : `Current model: ${shipped ? "the shipped one" : "fine-tuned here"} (${modelLabels().join(" / ")}).`;
    renderList();
  }

  function addExample(text, label) {
    examples.push({ text, label });
    renderList();
    persist();
  }

  for (const button of [labelA, labelB]) {
    button.addEventListener("click", () => {
      const text = review.value.trim();
      if (!text) {
        say(importMsg, "Write or pick a review above first, then label it.", "error");
        review.focus();
        return;
      }
      addExample(text, button.dataset.label);
      say(importMsg, `Labelled as ${button.dataset.label}: ${examples.length} example${examples.length === 1 ? "" : "s"}.`);
    });
  }

  function renderList() {
    const labels = activeLabels();
    count.textContent = String(examples.length);
    const frag = document.createDocumentFragment();
    examples.forEach((ex, i) => {
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
        persist();
      });
      const del = document.createElement("button");
      del.type = "button";
      del.className = "ex-delete";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `Delete example ${i + 1}`);
      del.addEventListener("click", () => {
        examples.splice(i, 1);
        renderList();
        persist();
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
    if (!confirm(`Delete all ${examples.length} labelled examples?`)) return;
    examples = [];
    renderList();
    persist();
  });

  // --- import / export -------------------------------------------------------------------------

  /** Parses `label<TAB>text` or `label,text` lines; returns { rows, errors } with 1-based line numbers. */
  function parseLabelled(content) {
    const labels = activeLabels();
    const rows = [];
    const errors = [];
    content.split(/\r\n|\n|\r/).forEach((line, i) => {
      if (line.trim() === "") return;
      const cut = line.includes("\t") ? line.indexOf("\t") : line.indexOf(",");
      const head = cut < 0 ? line.trim() : line.slice(0, cut).trim();
      let text = cut < 0 ? "" : line.slice(cut + 1).trim();
      // A CSV text field may be quoted, with "" for a quote inside.
      if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1).replace(/""/g, '"');
      const name = head.replace(/^"(.*)"$/, "$1");
      if (i === 0 && /^(label|sentiment|class)$/i.test(name)) return; // optional header line
      let label = null;
      if (labels.includes(name)) label = name;
      else if (name === "1") label = labels[0];
      else if (name === "0") label = labels[1];
      if (cut < 0) errors.push(`line ${i + 1}: expected "label<TAB>text" or "label,text"`);
      else if (label === null) errors.push(`line ${i + 1}: unknown label "${name.slice(0, 40)}" (use ${labels.join(", ")}, 1 or 0)`);
      else if (!text) errors.push(`line ${i + 1}: the text is empty`);
      else rows.push({ text, label });
    });
    return { rows, errors };
  }

  async function importFile(file) {
    if (!file) return;
    let content;
    try {
      content = await file.text();
    } catch (err) {
      say(importMsg, `Could not read ${file.name}: ${err?.message ?? err}`, "error");
      return;
    }
    const { rows, errors } = parseLabelled(content);
    examples.push(...rows);
    renderList();
    persist();
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

  function download(name, blob) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  $("export").addEventListener("click", () => {
    // Tabs and newlines inside a text would break the one-row-per-line format.
    const tsv = examples.map((e) => `${e.label}\t${e.text.replace(/[\t\r\n]+/g, " ")}`).join("\n") + "\n";
    download("polarity-examples.tsv", new Blob([tsv], { type: "text/tab-separated-values" }));
  });

  // --- fine-tuning -----------------------------------------------------------------------------

  /** Share of `items` that `clf` gets right, in slices so no main-thread task runs long. */
  async function accuracyOf(clf, items) {
    let right = 0;
    for (let i = 0; i < items.length; ) {
      const t0 = performance.now();
      while (i < items.length && performance.now() - t0 < 20) {
        if (clf.classify(items[i].text).label === items[i].label) right++;
        i++;
      }
      if (i < items.length) await new Promise((r) => setTimeout(r));
    }
    return items.length ? right / items.length : 0;
  }

  const history = [];
  function drawPlot() {
    const ctx = plot.getContext("2d");
    const w = (plot.width = plot.clientWidth * devicePixelRatio || 300);
    const h = (plot.height = plot.clientHeight * devicePixelRatio || 100);
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = "#d5dae3";
    ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
    if (history.length < 1) return;
    const maxLoss = Math.max(1e-6, ...history.map((p) => p.loss));
    const x = (i) => (history.length === 1 ? w / 2 : (i / (history.length - 1)) * (w - 8) + 4);
    const line = (color, y) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.beginPath();
      history.forEach((p, i) => (i ? ctx.lineTo(x(i), y(p)) : ctx.moveTo(x(i), y(p))));
      ctx.stroke();
    };
    line("#1f5fbf", (p) => h - 4 - (p.loss / maxLoss) * (h - 8));
    line("#17803d", (p) => h - 4 - p.accuracy * (h - 8));
  }

  function setBusy(busy) {
    fineTuneBtn.disabled = busy;
    cancelBtn.hidden = !busy;
    cancelBtn.disabled = !busy;
    for (const id of ["new-classifier", "reset-model", "load-model-file"]) $(id).disabled = busy;
    panel.dataset.training = busy ? "true" : "false";
  }

  function stopWorker() {
    worker?.terminate();
    worker = null;
    setBusy(false);
  }

  fineTuneBtn.addEventListener("click", async () => {
    const labels = activeLabels();
    const usable = examples.filter((e) => labels.includes(e.label));
    const skipped = examples.length - usable.length;
    if (usable.length === 0) {
      say(trainStatus, `Label some reviews first (as ${labels.join(" or ")}).`, "error");
      return;
    }
    const epochs = Math.round(Number(epochsInput.value));
    if (!(epochs >= 1 && epochs <= 10000)) {
      say(trainStatus, "Epochs must be a whole number from 1 to 10000.", "error");
      epochsInput.focus();
      return;
    }
    setBusy(true);
    history.length = 0;
    drawPlot();
    progress.value = 0;
    trainResult.textContent = "";
    const newLabels = pendingLabels;
    // Accuracy before, on the main thread with the model in use (meaningless for new labels).
    const before = newLabels ? null : await accuracyOf(demo.getClassifier(), usable);
    say(trainStatus, `Training on ${usable.length} example${usable.length === 1 ? "" : "s"}…`);
    const startBytes = newLabels ? null : demo.currentBytes();
    const w = (worker = new Worker(new URL("./teach-worker.js", import.meta.url), { type: "module" }));
    let lastShown = 0;
    w.onmessage = async ({ data }) => {
      if (w !== worker) return; // cancelled
      if (data.progress) {
        const p = data.progress;
        progress.max = p.epochs * p.steps;
        progress.value = (p.epoch - 1) * p.steps + p.step;
        if (p.step === p.steps) history.push(p);
        const now = performance.now();
        if (now - lastShown > 250) {
          // Throttled: a live region that changes every few ms would be unreadable.
          lastShown = now;
          say(trainStatus, `Training: epoch ${p.epoch} of ${p.epochs}, loss ${p.loss.toFixed(3)}, accuracy ${Math.round(p.accuracy * 100)}%`);
          drawPlot();
        }
        return;
      }
      worker = null;
      w.terminate();
      if (data.error) {
        setBusy(false);
        say(trainStatus, `Fine-tuning failed: ${data.error}`, "error");
        return;
      }
      drawPlot();
      let clf;
      try {
        clf = Classifier.fromBytes(data.bytes);
      } catch (err) {
        setBusy(false);
        say(trainStatus, `The trained model could not be loaded: ${err?.message ?? err}`, "error");
        return;
      }
      demo.setClassifier(clf, data.bytes);
      pendingLabels = null;
      store.del("pendingLabels").catch(() => {});
      await store.saveModel(data.bytes).catch((err) =>
        say(modelMsg, `The model works but could not be saved for next time: ${err?.message ?? err}`, "error"));
      refreshLabels();
      const after = await accuracyOf(clf, usable);
      setBusy(false);
      progress.value = progress.max;
      const pct = (a) => `${Math.round(a * 100)}%`;
      trainResult.textContent =
        `Accuracy on your examples: ${before === null ? "new classifier" : pct(before)} before, ${pct(after)} after.` +
        (skipped ? ` (${skipped} example${skipped === 1 ? "" : "s"} with other labels left out.)` : "") +
        (data.report.warnings?.length ? ` Note: ${data.report.warnings.join(" ")}` : "");
      trainResult.dataset.before = before === null ? "" : String(before);
      trainResult.dataset.after = String(after);
      say(trainStatus, `Done: ${data.report.epochs} epochs in ${(data.report.millis / 1000).toFixed(1)} s, loss ${data.report.loss.toFixed(3)}. The verdict above now uses the fine-tuned model.`);
    };
    w.onerror = (e) => {
      if (w !== worker) return;
      e.preventDefault();
      stopWorker();
      say(trainStatus, `Fine-tuning failed: ${e.message || "the worker stopped"}`, "error");
    };
    w.postMessage({ examples: usable, options: { epochs }, modelBytes: startBytes, labels: newLabels });
  });

  cancelBtn.addEventListener("click", () => {
    stopWorker();
    progress.value = 0;
    say(trainStatus, "Cancelled: the model in use is unchanged.");
    fineTuneBtn.focus();
  });

  // --- model management ------------------------------------------------------------------------

  $("new-classifier").addEventListener("click", () => {
    const a = $("new-label-a").value.trim();
    const b = $("new-label-b").value.trim();
    if (!a || !b || a === b) {
      say(modelMsg, "Give the new classifier two different label names.", "error");
      return;
    }
    pendingLabels = [a, b];
    store.put("pendingLabels", pendingLabels).catch(() => {});
    refreshLabels();
    say(modelMsg, `New classifier "${a}" / "${b}": label examples with these names, then fine-tune.`);
  });

  $("reset-model").addEventListener("click", async () => {
    pendingLabels = null;
    demo.setClassifier(new Classifier(), null);
    await Promise.all([store.clearModel(), store.del("pendingLabels")]).catch(() => {});
    refreshLabels();
    say(modelMsg, "Back to the shipped model. Your labelled examples are kept.");
  });

  $("download-model").addEventListener("click", () => {
    const bytes = demo.getClassifier().toBytes();
    download("polarity-model.onnx", new Blob([bytes], { type: "application/octet-stream" }));
  });

  const modelFile = $("load-model-file");
  modelFile.addEventListener("change", async () => {
    const file = modelFile.files[0];
    modelFile.value = "";
    if (!file) return;
    let clf, bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
      clf = Classifier.fromBytes(bytes);
    } catch (err) {
      say(modelMsg, `${file.name} is not a polarity model: ${err?.message ?? err}. Nothing changed.`, "error");
      return;
    }
    pendingLabels = null;
    demo.setClassifier(clf, bytes);
    await Promise.all([store.saveModel(bytes), store.del("pendingLabels")]).catch(() => {});
    refreshLabels();
    say(modelMsg, `Loaded ${file.name} (${modelLabels().join(" / ")}).`);
  });

  setBusy(false);
  refreshLabels();
  drawPlot();
  panel.hidden = false;
  panel.dataset.ready = "true";
}
