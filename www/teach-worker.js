// The "Teach it" training worker: fine-tuning is synchronous and can take seconds, so it runs here
// and the page stays responsive. Cancel is worker.terminate(): the page's model is never touched.
// The worker holds the Web Lock the page names for as long as it lives, so the page learns at
// once when it dies (killed, crashed) instead of waiting on it forever.
import { Classifier, ready } from "./worker-package.js";

/**
 * Progress goes to the page at most this often. fineTune reports every batch, thousands a second
 * on small sets, and each message is a task on the page's main thread and a redraw of the bar.
 */
const PROGRESS_MS = 50;

/** Resolves once this worker holds `name`, which it keeps until it ends. */
function holdLock(name) {
  if (!name || !navigator.locks) return Promise.resolve();
  return new Promise((held) => navigator.locks.request(name, () => (held(), new Promise(() => {}))));
}

self.onmessage = async ({ data }) => {
  // `start`: where training begins (store.js, SHIPPED_START): the shipped model, a new classifier
  // for `labels`, or a model file's `bytes`.
  const { examples, options = {}, start = { kind: "shipped" }, lock = null } = data;
  try {
    await holdLock(lock);
    self.postMessage({ alive: true });
    await ready;
    const clf = start.kind === "new"
      ? Classifier.fromPretrained({ labels: start.labels, seed: start.seed, scopes: start.scopes })
      : start.kind === "file"
        ? Classifier.fromBytes(start.bytes)
        : new Classifier();
    // The latest step, and every epoch's end since the last message (the page plots those).
    let latest = null;
    let epochEnds = [];
    let sent = 0;
    const send = () => {
      self.postMessage({ progress: latest, epochEnds });
      epochEnds = [];
      sent = performance.now();
    };
    const report = clf.fineTune(examples, {
      ...options,
      onProgress: (p) => {
        latest = { ...p };
        if (p.step === p.steps) epochEnds.push(latest);
        if (performance.now() - sent >= PROGRESS_MS) send();
      },
    });
    if (epochEnds.length) send();
    const bytes = clf.toBytes();
    clf.free();
    self.postMessage({ report, bytes }, [bytes.buffer]);
  } catch (err) {
    self.postMessage({ error: err?.message ?? String(err) });
  }
};
