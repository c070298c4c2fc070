// Teach it, the model: start a new classifier with two label names (checked by the package:
// Classifier.checkLabels), reset to the shipped model, download the model in use as .onnx, or load
// one. The model in use is kept in IndexedDB.
import * as store from "./store.js";
import { $, download, say } from "./ui.js";

export function setupModel(demo, state) {
  const { Classifier } = demo;
  const modelMsg = $("model-msg");

  $("new-classifier").addEventListener("click", () => {
    const labels = [$("new-label-a").value.trim(), $("new-label-b").value.trim()];
    try {
      Classifier.checkLabels(labels);
    } catch (err) {
      say(modelMsg, `Give the new classifier two label names: ${err?.message ?? err}.`, "error");
      return;
    }
    state.pendingLabels = labels;
    store.put("pendingLabels", labels).catch(() => {});
    state.refreshLabels();
    say(modelMsg, `New classifier "${labels[0]}" / "${labels[1]}": label examples with these names, then fine-tune.`);
  });

  $("reset-model").addEventListener("click", async () => {
    state.pendingLabels = null;
    demo.setClassifier(new Classifier(), null);
    await Promise.all([store.clearModel(), store.del("pendingLabels")]).catch(() => {});
    state.refreshLabels();
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
    state.pendingLabels = null;
    demo.setClassifier(clf, bytes);
    await Promise.all([store.saveModel(bytes), store.del("pendingLabels")]).catch(() => {});
    state.refreshLabels();
    say(modelMsg, `Loaded ${file.name} (${state.modelLabels().join(" / ")}).`);
  });
}
