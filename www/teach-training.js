// Teach it, training: fine-tune in a Web Worker (teach-worker.js) so the verdict stays live, with
// progress, a loss/accuracy plot, Cancel (the worker is terminated; the model in use is never
// touched) and accuracy on the examples before and after. A worker that dies (killed, crashed)
// is noticed through the Web Lock it holds, or after SILENCE_MS without a word, and the panel
// recovers. The epochs field's range and the check
// of its value are the package's (Classifier.fineTuneLimits, Classifier.checkFineTuneOptions).
import * as store from "./store.js";
import { $, SAY_EVERY_MS, formatCount, keepFocus, say, workerFailure } from "./ui.js";

/** A training worker reports every 50 ms: this long without a word and it is taken for dead. */
const SILENCE_MS = 60_000;
// A fifth is held out once that is as many as the package counts as more than a rough guide
// (`minHeldOut`, 20: from 100 examples). Fewer examples are all trained on: a fifth of 20 is 4
// held out, whose accuracy swung from 25% to 100% across draws of SMS spam, and training without
// them lost 6 points (84% -> 78%); from 50, the page held out 10 and the package warned each time.
const HOLD_OUT_SPLIT = 0.2;

export function setupTraining(demo, state, setPanelBusy) {
  const { Classifier } = demo;
  const holdOutFrom = Math.ceil(Classifier.fineTuneLimits().minHeldOut / HOLD_OUT_SPLIT);
  const trainStatus = $("train-status");
  const trainResult = $("train-result");
  const progress = $("train-progress");
  const fineTuneBtn = $("fine-tune");
  const cancelBtn = $("cancel");
  const epochsInput = $("epochs");
  const modelMsg = $("model-msg");
  const plot = $("plot");
  let worker = null;
  let finishing = false; // a training's result came in, and is being put in use

  // The status line and the results (plot, accuracy, confusion matrix) describe the classifier in
  // use and the labels being taught when they were shown; once either changes (reset, loaded,
  // another tab's, new labels), they are cleared: "100% after" stayed on screen after Reset
  // deleted the model it was about, and "Label some reviews first (as positive or negative)"
  // after the labels became spam / ham.
  const situation = (clf = demo.getClassifier()) => ({ clf, labels: state.activeLabels().join("\n") });
  let shownFor = null;
  /** Says `text` in the status line, about the classifier and labels now in use. */
  const sayTraining = (text, kind) => {
    say(trainStatus, text, kind);
    shownFor = situation();
  };
  state.forgetStaleTraining = () => {
    const now = situation();
    if (shownFor === null || worker !== null) return;
    if (shownFor.clf === now.clf && shownFor.labels === now.labels) return;
    shownFor = null;
    history.length = 0;
    drawPlot();
    progress.value = 0;
    trainResult.textContent = "";
    delete trainResult.dataset.before;
    delete trainResult.dataset.after;
    $("confusion").hidden = true;
    say(trainStatus, "");
  };

  $("hold-out-from").textContent = String(holdOutFrom);
  const limits = Classifier.fineTuneLimits().epochs;
  epochsInput.min = String(limits.min);
  epochsInput.max = String(limits.max);

  const history = [];
  // The canvas's size in CSS pixels, kept by an observer: reading it while drawing would force a
  // layout of the page in every progress message's task.
  let plotSize = { width: 300 / devicePixelRatio, height: 100 / devicePixelRatio };
  new ResizeObserver(([entry]) => {
    plotSize = entry.contentRect;
    drawPlot();
  }).observe(plot);
  function drawPlot() {
    const ctx = plot.getContext("2d");
    const w = (plot.width = Math.round(plotSize.width * devicePixelRatio) || 300);
    const h = (plot.height = Math.round(plotSize.height * devicePixelRatio) || 100);
    ctx.clearRect(0, 0, w, h);
    ctx.strokeStyle = "#d5dae3";
    ctx.strokeRect(0.5, 0.5, w - 1, h - 1);
    if (history.length < 1) return;
    const maxLoss = history.reduce((m, p) => Math.max(m, p.loss), 1e-6);
    // Each run (short texts get several, averaged at the end) is a line of its own, from its first
    // epoch: one line through them all rose at every new run, and read as noise.
    const perRun = Math.max(1, Math.round(history[0].epochs / history[0].runs));
    const x = (p) => {
      const epoch = p.epoch - (p.run - 1) * perRun;
      return perRun === 1 ? w / 2 : ((epoch - 1) / (perRun - 1)) * (w - 8) + 4;
    };
    // Thousands of epochs: one point per pixel column is all the canvas can show.
    const step = Math.max(1, Math.floor(perRun / w));
    const runs = [];
    for (const p of history) (runs[p.run - 1] ??= []).push(p);
    // Told apart by dashes as well as colour: colour alone fails a reader who cannot see it.
    const line = (color, dash, y) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2 * devicePixelRatio;
      ctx.setLineDash(dash.map((d) => d * devicePixelRatio));
      for (const points of runs) {
        if (!points) continue;
        ctx.beginPath();
        ctx.moveTo(x(points[0]), y(points[0]));
        for (let i = step; i < points.length; i += step) ctx.lineTo(x(points[i]), y(points[i]));
        ctx.lineTo(x(points.at(-1)), y(points.at(-1)));
        ctx.stroke();
      }
    };
    line("#1f5fbf", [], (p) => h - 4 - (p.loss / maxLoss) * (h - 8));
    line("#17803d", [6, 4], (p) => h - 4 - p.accuracy * (h - 8));
  }

  // Leaving while a training runs asks first: a reload dropped it without a word. Listened to
  // only meanwhile (a beforeunload listener keeps a page out of the back-forward cache).
  const leaving = (e) => e.preventDefault();
  function setBusy(busy) {
    const [from, to] = busy ? [fineTuneBtn, cancelBtn] : [cancelBtn, fineTuneBtn];
    fineTuneBtn.disabled = busy;
    cancelBtn.hidden = !busy;
    cancelBtn.disabled = !busy;
    keepFocus(from, to);
    globalThis[busy ? "addEventListener" : "removeEventListener"]("beforeunload", leaving);
  }

  let watchdog = 0;
  // One per press of Fine-tune; Cancel moves it on, so a press still measuring the accuracy
  // before (no worker yet) knows it was cancelled.
  let runs = 0;
  function stopWorker() {
    runs += 1;
    clearTimeout(watchdog);
    worker?.terminate();
    worker = null;
    setPanelBusy(false);
  }

  /** The worker `w` is gone without a result: say so, and give the panel back. */
  function workerDied(w, why) {
    if (w !== worker) return; // finished or cancelled already
    stopWorker();
    progress.value = 0;
    sayTraining(`Fine-tuning stopped: ${why}. The model in use is unchanged; press Fine-tune to try again.`, "error");
  }

  fineTuneBtn.addEventListener("click", async () => {
    const labels = state.activeLabels();
    const usable = state.examples.filter((e) => labels.includes(e.label));
    const skipped = state.examples.length - usable.length;
    if (usable.length === 0) {
      sayTraining(`Label some reviews first (as ${labels.join(" or ")}).`, "error");
      return;
    }
    // Empty: the package's default, which follows the texts' length. Text the browser cannot read
    // as a number ("1e") has an empty value too, and trained with "auto" unsaid: it goes to the
    // package as not a number, which refuses it as it does any invalid value.
    const typed = epochsInput.validity.badInput;
    const options = epochsInput.value.trim() === "" && !typed ? {} : { epochs: typed ? NaN : Number(epochsInput.value) };
    // A fifth held out: the confusion matrix is measured on texts the model did not learn from.
    const holdOut = $("hold-out").checked && usable.length >= holdOutFrom;
    if (holdOut) options.validationSplit = HOLD_OUT_SPLIT;
    try {
      Classifier.checkFineTuneOptions(options);
      epochsInput.removeAttribute("aria-invalid");
      epochsInput.setAttribute("aria-describedby", "epochs-help");
    } catch (err) {
      // The package's message names the option ("epochs must be a whole number ..."): as a sentence.
      // Text that is no number was passed on as NaN: named as what it is, not as "NaN".
      const given = String(err?.message ?? err);
      const message = typed ? given.replace(/, not NaN$/, ": what is typed there is not a number") : given;
      // About the field, not the classifier: not cleared when the model or labels change.
      say(trainStatus, message.charAt(0).toUpperCase() + message.slice(1), "error");
      // Marked, and the message read with the field the focus lands on.
      epochsInput.setAttribute("aria-invalid", "true");
      epochsInput.setAttribute("aria-describedby", "train-status epochs-help");
      epochsInput.focus();
      return;
    }
    setPanelBusy(true);
    finishing = false;
    history.length = 0;
    drawPlot();
    progress.value = 0;
    trainResult.textContent = "";
    $("confusion").hidden = true;
    const newLabels = state.pendingLabels;
    const run = ++runs;
    // Where the model in use began, if this tab could not read it before (the storage failed).
    if (!newLabels && state.start === null) {
      state.start = await store.loadStart(demo.currentBytes(), state.isLabels).catch(() => null);
    }
    if (run !== runs) return; // cancelled while the start was read: no worker is started
    const some = holdOut ? ", a fifth of them held out to measure the result on" : "";
    sayTraining(`Training on ${formatCount(usable.length)} example${usable.length === 1 ? "" : "s"}${some}…`);
    // Where it begins: a new classifier for the pending labels, else where the model in use began
    // (the shipped model, a loaded file, a new classifier), trained on all the examples. Pressed
    // again, Fine-tune gives the same model rather than training the trained one once more (SMS
    // spam, 100 messages, 6 samples: trained twice, spam F1 82.0% -> 77.0%; taught 20 then all
    // 100, 77.4%). A model whose start was not saved (by an older page) goes on from itself.
    // The model in use, in the same form: the worker measures it before (meaningless for new
    // labels), and goes on from it when the saved start cannot be read.
    const current = newLabels ? null : demo.currentBytes() ? { kind: "file", bytes: demo.currentBytes() } : store.SHIPPED_START;
    let start = newLabels
      ? { kind: "new", labels: newLabels, scopes: Boolean(state.pendingScopes) }
      : state.start ?? current;
    const w = (worker = new Worker(new URL("./teach-worker.js", import.meta.url), { type: "module" }));
    const lock = navigator.locks ? `polarity-training-${crypto.randomUUID()}` : null;
    const listen = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => workerDied(w, "the training worker stopped responding"), SILENCE_MS);
    };
    listen();
    let lastShown = 0;
    let lastSaid = 0;
    let planned = 0; // epochs a run was to take, from the progress
    w.onmessage = async ({ data }) => {
      if (w !== worker) return; // cancelled
      listen();
      if (data.alive) {
        // Granted only when the worker that holds it ends, however it ends.
        if (lock) navigator.locks.request(lock, () => workerDied(w, "the training worker ended unexpectedly"));
        return;
      }
      if (data.measuring) {
        progress.value = progress.max;
        sayTraining(`Trained: measuring the accuracy on your examples…`);
        return;
      }
      if (data.progress) {
        const p = data.progress;
        planned = Math.max(1, Math.round(p.epochs / p.runs));
        progress.max = p.epochs * p.steps;
        progress.value = (p.epoch - 1) * p.steps + p.step;
        history.push(...data.epochEnds);
        const now = performance.now();
        if (now - lastShown > 250) {
          lastShown = now;
          drawPlot();
        }
        // The status is a live region: said every SAY_EVERY_MS (the plot and the progress bar
        // show every step).
        if (now - lastSaid > SAY_EVERY_MS) {
          lastSaid = now;
          // The package counts the epochs of every run as one sequence; a run's own are shown,
          // as the Epochs field and the "Done" line count them ("epoch 210 of 5000" read oddly).
          const run = p.runs > 1 ? ` (run ${p.run} of ${p.runs})` : "";
          const epoch = p.runs > 1 ? ((p.epoch - 1) % planned) + 1 : p.epoch;
          sayTraining(`Training: epoch ${epoch} of ${planned}${run}, loss ${p.loss.toFixed(3)}, accuracy ${Math.round(p.accuracy * 100)}%`);
        }
        return;
      }
      clearTimeout(watchdog);
      worker = null;
      // The result is in: from here Cancel has nothing to cancel (pressed while the model was
      // saved and measured, it said "the model in use is unchanged" over the model just put in).
      finishing = true;
      w.terminate();
      if (data.error) {
        setPanelBusy(false);
        sayTraining(`Fine-tuning failed: ${data.error}`, "error");
        return;
      }
      drawPlot();
      let clf;
      try {
        clf = Classifier.fromBytes(data.bytes);
      } catch (err) {
        setPanelBusy(false);
        sayTraining(`The trained model could not be loaded: ${err?.message ?? err}`, "error");
        return;
      }
      // The saved start could not be read: kept aside (it was written over), and the model in use,
      // which it went on from, is its start now.
      if (data.startFailed) {
        await store.keepStartAside(start).catch(() => {});
        start = current;
      }
      // Saved only onto the model state this tab knew: while it trains, only its own saves move
      // state.modelVersion (another tab's change is followed once the training ends). A reset, a
      // model loaded, a training ended or labels begun in another tab meanwhile were written over
      // without a word; they are kept, and this tab uses them too.
      const saved = await state.modelSaved(store.useModel(data.bytes, start, state.modelVersion)).catch((err) => err);
      if (saved === null) {
        clf.free();
        setPanelBusy(false);
        progress.value = 0;
        const followed = await state.followModel();
        const what = !followed ? ""
          : state.pendingLabels ? ` (it began a new classifier: ${state.pendingLabels.join(" / ")})`
          : demo.currentBytes() ? ` (it put a model of its own in use: ${state.modelLabels().join(" / ")})`
          : " (it went back to the shipped model)";
        sayTraining(`Another tab changed the model while this one trained${what}: the model trained here was not kept. Fine-tune again to train on it.`, "error");
        return;
      }
      demo.setClassifier(clf, data.bytes);
      state.pendingLabels = null;
      state.pendingScopes = false;
      state.start = start;
      // The plot and the results to come are this classifier's.
      shownFor = situation(clf);
      // "New classifier …: label examples with these names, then fine-tune" is done with (and only
      // that: a notice about saved data stays).
      if (newLabels && modelMsg.textContent.startsWith("New classifier ")) say(modelMsg, "");
      if (saved instanceof Error) say(modelMsg, `The model works but could not be saved for next time: ${store.storageProblem(saved)}`, "error");
      else store.keepStorage();
      state.refreshLabels();
      const { before, after } = data;
      setPanelBusy(false);
      progress.value = progress.max;
      const pct = (a) => `${Math.round(a * 100)}%`;
      trainResult.textContent =
        (before === null
          ? `Accuracy on your examples: ${pct(after)} after (new labels, so no before).`
          : `Accuracy on your examples: ${pct(before)} before, ${pct(after)} after.`) +
        // Most of them taught it: the figure flatters it (95% here was 78% on new SMS messages).
        (data.report.confusion ? " It learned from most of these; the held-out ones below, from none."
          : ` It learned from these, so new texts fare worse${usable.length < holdOutFrom ? ` (with ${holdOutFrom} or more, some are held out to measure that)` : ""}.`) +
        (skipped ? ` (${skipped} example${skipped === 1 ? "" : "s"} with other labels left out.)` : "") +
        (data.startFailed ? ` The saved starting point of this model could not be read (${data.startFailed}), so it went on from the model in use.` : "") +
        (data.report.warnings?.length ? ` Note: ${data.report.warnings.join(" ")}` : "");
      if (data.report.confusion) showConfusion(data.report.confusion, clf.info().labels);
      trainResult.dataset.before = before === null ? "" : String(before);
      trainResult.dataset.after = String(after);
      const { epochs, runs, millis, loss } = data.report;
      // Held-out examples stop a run once they no longer improve: said, not left to look like a cap.
      const early = planned > epochs ? ` of ${planned} (it stopped early: the held-out examples had stopped improving)` : "";
      const what = runs > 1 ? `${epochs} epochs${early}, ${runs} runs averaged,` : `${epochs} epochs${early}`;
      const took = millis < 1000 ? `${Math.round(millis)} ms` : `${(millis / 1000).toFixed(1)} s`;
      sayTraining(`Done: ${what} in ${took}, loss ${loss.toFixed(3)}. The verdict above now uses the fine-tuned model.`);
    };
    w.onerror = (e) => {
      if (w !== worker) return;
      e.preventDefault();
      stopWorker();
      sayTraining(`Fine-tuning failed: ${workerFailure(e)}. The model in use is unchanged.`, "error");
    };
    w.postMessage({ examples: usable, options, start, current, lock });
  });

  /** Rows: the label given; columns: the label predicted, on the held-out examples. */
  function showConfusion(matrix, labels) {
    const table = $("confusion");
    const total = matrix.flat().reduce((a, b) => a + b, 0);
    const right = matrix.reduce((a, row, i) => a + row[i], 0);
    const cell = (tag, text, attrs = {}) => {
      const el = document.createElement(tag);
      el.textContent = text;
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      return el;
    };
    const caption = cell("caption", `On ${total} held-out examples: ${total ? Math.round((right / total) * 100) : 0}% right. Rows: the label given; columns: the label predicted.`);
    const head = document.createElement("tr");
    head.append(cell("td", ""), ...labels.map((l) => cell("th", l, { scope: "col" })));
    const rows = matrix.map((row, i) => {
      const tr = document.createElement("tr");
      tr.append(cell("th", labels[i], { scope: "row" }), ...row.map((n, j) => cell("td", String(n), i === j ? { class: "diag" } : {})));
      return tr;
    });
    const thead = document.createElement("thead");
    thead.append(head);
    const tbody = document.createElement("tbody");
    tbody.append(...rows);
    table.replaceChildren(caption, thead, tbody);
    table.hidden = false;
  }

  cancelBtn.addEventListener("click", () => {
    if (finishing) return;
    stopWorker();
    progress.value = 0;
    sayTraining("Cancelled: the model in use is unchanged.");
    fineTuneBtn.focus();
  });

  return { setBusy, drawPlot };
}
