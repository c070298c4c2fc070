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

/** The classifier `start` (store.js, SHIPPED_START) names. */
function open(start) {
  return start.kind === "new"
    ? Classifier.fromPretrained({ labels: start.labels, seed: start.seed, scopes: start.scopes })
    : start.kind === "file"
      ? Classifier.fromBytes(start.bytes)
      : new Classifier();
}

/**
 * Share of `examples` that `clf` labels as they are labelled. Here, not on the page: one long
 * text takes a second to classify, and the page froze for it.
 */
function accuracy(clf, examples) {
  let right = 0;
  let said = performance.now();
  for (const { text, label } of examples) {
    if (clf.classify(text).label === label) right++;
    // A word to the page every second: its watchdog took a long measure for a dead worker.
    if (performance.now() - said > 1000) {
      self.postMessage({ measuring: true });
      said = performance.now();
    }
  }
  return examples.length ? right / examples.length : 0;
}

self.onmessage = async ({ data }) => {
  // `start`: where training begins (store.js, SHIPPED_START): the shipped model, a new classifier
  // for `labels`, or a model file's `bytes`. `current`: the model in use, in the same form (none
  // for new labels), measured before and gone on from when a saved start cannot be read.
  const { examples, options = {}, start = { kind: "shipped" }, current = null, lock = null } = data;
  try {
    await holdLock(lock);
    self.postMessage({ alive: true });
    await ready;
    let clf;
    let startFailed = null;
    try {
      clf = open(start);
    } catch (err) {
      // A damaged saved start made every Fine-tune fail, with a message about a file never loaded.
      if (!current) throw err;
      startFailed = err?.message ?? String(err);
      clf = open(current);
    }
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
    // Trained: the page says what takes the time now (long texts take seconds to classify).
    self.postMessage({ measuring: true });
    const after = accuracy(clf, examples);
    let before = null;
    if (current) {
      const inUse = open(current);
      try {
        before = accuracy(inUse, examples);
      } finally {
        inUse.free();
      }
    }
    const bytes = clf.toBytes();
    clf.free();
    self.postMessage({ report, bytes, before, after, startFailed }, [bytes.buffer]);
  } catch (err) {
    self.postMessage({ error: err?.message ?? String(err) });
  }
};
