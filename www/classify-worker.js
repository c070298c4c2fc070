// Classifies long texts for the demo off the main thread (a novel takes longer than a frame).
// Messages in: { model: Uint8Array | null } to switch model (null: the shipped one), or
// { id, text }. Out: { id, prediction } or { id, error }.
import { Classifier, ready } from "./worker-package.js";

let clf = null;

self.onmessage = async ({ data }) => {
  try {
    // Inside the try: a module that could not be fetched is said, not left unanswered.
    await ready;
    if ("model" in data) {
      clf?.free();
      clf = data.model ? Classifier.fromBytes(data.model) : new Classifier();
      return;
    }
    clf ??= new Classifier();
    self.postMessage({ id: data.id, prediction: clf.classify(data.text) });
  } catch (err) {
    self.postMessage({ id: data.id, error: err?.message ?? String(err) });
  }
};
