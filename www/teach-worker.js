// The "Teach it" training worker: fine-tuning is synchronous and can take seconds, so it runs here
// and the page stays responsive. Cancel is worker.terminate(): the page's model is never touched.
// The worker holds the Web Lock the page names for as long as it lives, so the page learns at
// once when it dies (killed, crashed) instead of waiting on it forever.
import init, { Classifier } from "./pkg/polarity.js";

const ready = init();

/** Resolves once this worker holds `name`, which it keeps until it ends. */
function holdLock(name) {
  if (!name || !navigator.locks) return Promise.resolve();
  return new Promise((held) => navigator.locks.request(name, () => (held(), new Promise(() => {}))));
}

self.onmessage = async ({ data }) => {
  const { examples, options = {}, modelBytes = null, labels = null, lock = null } = data;
  try {
    await holdLock(lock);
    self.postMessage({ alive: true });
    await ready;
    const clf = labels
      ? Classifier.fromPretrained({ labels, seed: options.seed })
      : modelBytes
        ? Classifier.fromBytes(modelBytes)
        : new Classifier();
    const report = clf.fineTune(examples, {
      ...options,
      onProgress: (p) => self.postMessage({ progress: { ...p } }),
    });
    const bytes = clf.toBytes();
    clf.free();
    self.postMessage({ report, bytes }, [bytes.buffer]);
  } catch (err) {
    self.postMessage({ error: err?.message ?? String(err) });
  }
};
