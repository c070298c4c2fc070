// The "Teach it" panel: label reviews with any set of labels, import/export them, fine-tune in a
// Web Worker (the page keeps classifying meanwhile), and keep examples and model in IndexedDB. Each
// concern has its module: teach-examples.js (labelling, counts, import, export), teach-training.js
// (the worker, progress, plot, confusion matrix), teach-shared.js (the examples every open tab
// shares, saved), teach-model.js (label editor, reset, download, load), teach-next.js (what to
// label next), classify-file.js (a file of texts, in a worker). The rules (what a label means,
// which options are valid, how a file reads) are the package's: this code asks it and shows the
// answer.
// User text only ever reaches the DOM through textContent / option values, never as HTML.
import * as store from "./store.js";
import { shareExamples } from "./teach-shared.js";
import { setupExamples } from "./teach-examples.js";
import { setupTraining } from "./teach-training.js";
import { setupModel } from "./teach-model.js";
import { setupNext } from "./teach-next.js";
import { setupClassifyFile } from "./classify-file.js";
import { $, download, keepFocus, say } from "./ui.js";

/**
 * Wires the panel. `demo` gives access to the page's classifier:
 *   getClassifier(), setClassifier(clf, bytes) (refreshes the verdict), currentBytes(), fineTuned,
 *   Classifier, review (textarea), storedModelNotice (a string to show, if the stored model could
 *   not be loaded), storedModelSetAside (it was set aside at this load).
 */
export async function setupTeach(demo) {
  const panel = $("teach");
  const modelMsg = $("model-msg");
  const modelName = $("model-name");

  // What the modules share: the examples (changed through changeExamples, which saves them), the
  // label names of a new classifier (used until its first fine-tune succeeds), and where the
  // model in use began (store.SHIPPED_START and the like; null: not known, so the next training
  // goes on from the model in use).
  const state = {
    examples: [],
    changeExamples: () => {},
    pendingLabels: null,
    pendingScopes: false,
    // The shipped model began as itself; a saved one's start is read below (not known until then).
    start: demo.currentBytes() ? null : store.SHIPPED_START,
    modelLabels: () => demo.getClassifier().info().labels,
    activeLabels: () => state.pendingLabels ?? state.modelLabels(),
    refreshLabels: () => {},
    // The saved model state's version (store.useModel) that what this tab uses was read or saved
    // at; null when not known (a training's end then saves whatever the version).
    modelVersion: null,
  };

  const notices = demo.storedModelNotice ? [demo.storedModelNotice] : [];
  const isLabels = (value) => {
    try {
      demo.Classifier.checkLabels(value);
      return true;
    } catch {
      return false;
    }
  };
  // The saved version the list was read at; null when it could not be read (the first change
  // then reads it again rather than saving over it).
  let version = null;
  try {
    const saved = await store.loadState(isLabels);
    state.examples = saved.examples;
    version = saved.version;
    state.pendingLabels = saved.pendingLabels;
    state.pendingScopes = saved.pendingScopes;
    state.modelVersion = saved.modelVersion;
    if (saved.problems.length) {
      notices.push(`Saved data was damaged: ${saved.problems.join("; ")}.`);
    }
    // Offered on every load while something is set aside, not only on the load that set it aside.
    if (await store.hasSetAside().catch(() => false)) {
      if (saved.problems.length || demo.storedModelSetAside) {
        notices.push(`"Download set-aside data" keeps a copy of what was set aside.`);
      }
      const button = $("download-set-aside");
      const remove = $("delete-set-aside");
      button.hidden = false;
      remove.hidden = false;
      button.addEventListener("click", async () => {
        try {
          const files = setAsideFiles(await store.setAsideData());
          for (const [name, blob] of files) download(name, blob);
          // Not "downloaded": a browser may ask before a page's second download, and the person
          // should see every file arrive before deleting what they hold. A set-aside model is the
          // file as it was stored (one the package refused, most often: kept for a look, or help).
          say(modelMsg, files.length === 1
            ? `Offered the set-aside data as ${files[0][0]}.`
            : `Offered the set-aside data as ${files.length} files: ${files.map(([name]) => name).join(", ")} ` +
              "(the browser may ask first whether this page may download several files).");
        } catch (err) {
          // A storage that fails here said nothing before: the click seemed to do nothing.
          say(modelMsg, `The set-aside data could not be read (${err?.message ?? err}); it is still kept.`, "error");
        }
      });
      // Nothing else ever deletes it: kept for good, it was offered on every load.
      remove.addEventListener("click", async () => {
        if (!confirm("Delete the set-aside data from this browser? To keep a copy, download it first and check that every file arrived.")) return;
        try {
          await store.deleteSetAside();
        } catch (err) {
          say(modelMsg, `The set-aside data could not be deleted (${store.storageProblem(err)}); it is still kept.`, "error");
          return;
        }
        // The buttons go: the focus goes to the model's buttons above them, not to the page's start.
        keepFocus(remove, $("download-model"));
        button.hidden = true;
        remove.hidden = true;
        say(modelMsg, "Deleted the set-aside data.");
      });
    }
  } catch (err) {
    // The first change reads them again before it saves (teach-shared.js): nothing is saved over.
    notices.push(`Saved examples could not be read (${err?.message ?? err}); they are read again before anything is saved.`);
  }
  // Where a saved model began (store.loadStart; null: unknown, and its next training goes on from
  // it, as before starts were kept). Read again before training while unknown.
  state.isLabels = isLabels;
  state.start = await store.loadStart(demo.currentBytes(), isLabels).catch((err) => {
    if (err instanceof store.UnreadableStart) notices.push(err.message);
    return null;
  });
  if (notices.length) say(modelMsg, notices.join(" "), "error");

  const examples = setupExamples(demo, state);
  state.addExample = examples.addExample;
  state.changeExamples = shareExamples(store, state, version, {
    isLabels,
    onMerged: (problems) => {
      examples.refresh();
      if (problems.length) say(modelMsg, `Saved data was damaged: ${problems.join("; ")}.`, "error");
    },
    onError: (err) => say($("import-msg"), `Could not save or read the saved examples: ${store.storageProblem(err)}`, "error"),
  });
  let model = null;
  let next = null;
  let fileResults = null;
  state.refreshLabels = () => {
    const shipped = !demo.fineTuned;
    modelName.textContent = state.pendingLabels
      ? `New classifier (${state.pendingLabels.join(" / ")}${state.pendingScopes ? ", reading negation" : ""}), not trained yet: the verdict still uses the current model.`
      : `Current model: ${shipped ? "the shipped one" : "your own, fine-tuned or loaded here"} (${state.modelLabels().join(" / ")}).`;
    examples.refresh();
    $("new-scopes").checked = state.pendingScopes;
    model?.showLabels();
    next?.refresh();
    state.forgetStaleTraining?.();
    state.forgetStaleSnippet?.();
    fileResults?.forgetIfStale();
  };
  // Another tab fine-tuned, loaded or reset the model, or began a new classifier: this one
  // follows, so that both show what a reload would (it kept the model it had before). Not while
  // this one trains: a message then is followed when the training ends (one that ends well has
  // saved its own model by then, and that is what is read). `missed` starts as "start": a save
  // made before this listened (the page read the model long before) is looked for once, and an
  // unreadable store then says nothing more than the page already did.
  // Resolves to whether this tab now uses what is saved (false: it trains, the storage failed, or
  // what it read was overtaken).
  let following = 0;
  let missed = "start";
  async function followModel({ quiet = false } = {}) {
    const turn = ++following;
    // While this tab trains, the message is kept for when the training ends.
    const training = () => {
      if (panel.dataset.training !== "true") return false;
      missed ||= "message";
      return true;
    };
    if (training()) return false;
    // What this tab uses now: if it changes its model or labels itself while the saved ones are
    // read, what is read is older than its own save, which follows.
    const before = [demo.currentBytes(), state.pendingLabels];
    try {
      const { bytes, pendingLabels: labels, pendingScopes: scopes, start, version } = await store.loadModelState(isLabels);
      if (turn !== following || training()) return false;
      if (demo.currentBytes() !== before[0] || state.pendingLabels !== before[1]) return false;
      state.modelVersion = version;
      const changed = !sameBytes(bytes, demo.currentBytes());
      const pending = labels !== undefined && isLabels(labels) ? labels : null;
      const news = [];
      let clf = null;
      if (changed) {
        clf = bytes ? demo.Classifier.fromBytes(bytes) : new demo.Classifier();
        demo.setClassifier(clf, bytes);
      }
      // The new classifier this tab shows was trained in the other tab: that is no drop.
      const trainedThere = changed && state.pendingLabels !== null && pending === null &&
        JSON.stringify(clf.info().labels) === JSON.stringify(state.pendingLabels);
      if (trainedThere) {
        news.push(`Another tab trained the new classifier ${state.pendingLabels.join(" / ")}: this one uses it too.`);
      } else if (changed) {
        news.push(`Another tab ${bytes ? "changed the model" : "went back to the shipped model"}: this one uses it too.`);
      }
      // A new classifier this tab was to train is gone with the other tab's change: said, as
      // its editor goes back to the labels in use (it went without a word).
      if (!trainedThere && state.pendingLabels && JSON.stringify(pending) !== JSON.stringify(state.pendingLabels)) {
        const names = `${state.pendingLabels.join(" / ")} (not trained yet)`;
        const dropped = changed ? `The new classifier ${names} was dropped with it`
          : pending ? `Another tab began a new classifier (${pending.join(" / ")}) in place of ${names}`
          : `Another tab ${bytes ? "put its model in use" : "went back to the shipped model"}: the new classifier ${names} was dropped here too`;
        news.push(`${dropped}; its examples keep their labels.`);
      }
      if (news.length) say(modelMsg, news.join(" "));
      state.start = start;
      // Redrawn only when something changed: a redraw resets the label editor being typed in.
      const pendingScopes = pending !== null && scopes === true;
      if (changed || JSON.stringify(pending) !== JSON.stringify(state.pendingLabels) || pendingScopes !== state.pendingScopes) {
        state.pendingLabels = pending;
        state.pendingScopes = pendingScopes;
        state.refreshLabels();
      }
      return true;
    } catch (err) {
      if (!quiet) say(modelMsg, `The model saved in another tab could not be loaded (${err?.message ?? err}); this tab keeps its own.`, "error");
      return false;
    }
  }
  state.followModel = followModel;
  /**
   * Notes this tab's own save of the model state (`saving`, store.useModel or
   * savePendingLabels): resolves as it does.
   */
  state.modelSaved = (saving) => saving.then((version) => {
    if (version === null) return version;
    if (state.modelVersion === null || version === state.modelVersion + 1) state.modelVersion = version;
    // Another tab saved between what this one last read and its own save (its message is on the
    // way, or was dropped for this tab's own change): read what is saved now, and its version.
    else followModel({ quiet: true });
    return version;
  });
  const setBusy = (busy) => {
    training.setBusy(busy);
    // The import's offer begins a classifier too: while training, the training's end dropped it.
    // So did a tick of "These labels follow sentiment" made meanwhile.
    for (const id of ["new-classifier", "add-label", "reset-model", "load-model-file", "import-with-labels", "new-scopes"]) $(id).disabled = busy;
    panel.dataset.training = busy ? "true" : "false";
    if (!busy && missed) {
      const quiet = missed === "start";
      missed = null;
      followModel({ quiet });
    }
  };
  const training = setupTraining(demo, state, setBusy);
  model = setupModel(demo, state);
  next = setupNext(demo, state);
  fileResults = setupClassifyFile(demo);

  // Listening first: setBusy(false) then looks once for a save made before.
  store.onModelSaved(() => followModel());
  setBusy(false);
  state.refreshLabels();
  training.drawPlot();
  panel.hidden = false;
  panel.dataset.ready = "true";
}

/**
 * The set-aside data (store.setAsideData) as files to download: `[[name, blob], ...]`. A model's
 * bytes are a .onnx file of their own, as "Download model" gives (as a JSON array of numbers, a
 * model was 6 MB of text that "Load model…" refused, written in one 300 ms task); the rest is one
 * compact JSON file of `{ key: { when, value } }`, bytes inside a value named by their file.
 */
function setAsideFiles(data) {
  const files = [];
  // Named by when it was set aside (a name of its own each: the browser renamed a second
  // "polarity-model.onnx" to "polarity-model (1).onnx").
  const asFile = (bytes, when) => {
    const stamp = typeof when === "string" ? `${when.replace(/[^0-9A-Za-z]+/g, "-")}-` : "";
    const name = `polarity-set-aside-model-${stamp}${files.length + 1}.onnx`;
    files.push([name, new Blob([bytes], { type: "application/octet-stream" })]);
    return name;
  };
  const rest = {};
  for (const [key, entry] of Object.entries(data)) {
    const value = entry?.value;
    if (key.startsWith("set-aside/model/") && (value instanceof Uint8Array || value instanceof ArrayBuffer)) {
      asFile(value, entry.when);
    } else {
      rest[key] = entry;
    }
  }
  if (Object.keys(rest).length > 0) {
    let when;
    const json = JSON.stringify(rest, function (key, v) {
      if (this === rest) when = v?.when;
      // A start's model (kind "file") is a model file too: named here, kept beside.
      return v instanceof Uint8Array || v instanceof ArrayBuffer ? { file: asFile(v, when) } : v;
    });
    files.push(["polarity-set-aside.json", new Blob([json], { type: "application/json" })]);
  }
  return files;
}

/** Whether two model files (Uint8Array, or null for the shipped model) are the same bytes. */
function sameBytes(a, b) {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
