// The "Teach it" panel: label reviews, import/export them, fine-tune in a Web Worker (the page keeps
// classifying meanwhile), and keep examples and model in IndexedDB. Each concern has its module:
// teach-examples.js (labelling, import, export), teach-training.js (the worker, progress, plot),
// teach-model.js (new classifier, reset, download, load). The rules (what a label means, which
// options are valid, how a file reads) are the package's: this code asks it and shows the answer.
// User text only ever reaches the DOM through textContent / option values, never as HTML.
import * as store from "./store.js";
import { setupExamples } from "./teach-examples.js";
import { setupTraining } from "./teach-training.js";
import { setupModel } from "./teach-model.js";
import { $, say } from "./ui.js";

/**
 * Wires the panel. `demo` gives access to the page's classifier:
 *   getClassifier(), setClassifier(clf, bytes) (refreshes the verdict), currentBytes(), fineTuned,
 *   Classifier, review (textarea), storedModelNotice (a string to show, if the stored model could
 *   not be loaded).
 */
export async function setupTeach(demo) {
  const panel = $("teach");
  const modelMsg = $("model-msg");
  const modelName = $("model-name");

  // What the modules share: the examples, and the label names of a new classifier (used until its
  // first fine-tune succeeds).
  const state = {
    examples: [],
    pendingLabels: null,
    modelLabels: () => demo.getClassifier().info().labels,
    activeLabels: () => state.pendingLabels ?? state.modelLabels(),
    refreshLabels: () => {},
  };

  try {
    state.examples = await store.loadExamples();
    state.pendingLabels = (await store.get("pendingLabels")) ?? null;
  } catch (err) {
    say(modelMsg, `Saved examples could not be read (${err?.message ?? err}); they will not be kept.`, "error");
  }
  if (demo.storedModelNotice) say(modelMsg, demo.storedModelNotice, "error");

  const examples = setupExamples(demo, state);
  state.refreshLabels = () => {
    const shipped = !demo.fineTuned;
    modelName.textContent = state.pendingLabels
      ? `New classifier (${state.pendingLabels.join(" / ")}), not trained yet: the verdict still uses the current model.`
      : `Current model: ${shipped ? "the shipped one" : "fine-tuned here"} (${state.modelLabels().join(" / ")}).`;
    examples.refresh();
  };
  const setBusy = (busy) => {
    training.setBusy(busy);
    for (const id of ["new-classifier", "reset-model", "load-model-file"]) $(id).disabled = busy;
    panel.dataset.training = busy ? "true" : "false";
  };
  const training = setupTraining(demo, state, setBusy);
  setupModel(demo, state);

  setBusy(false);
  state.refreshLabels();
  training.drawPlot();
  panel.hidden = false;
  panel.dataset.ready = "true";
}
