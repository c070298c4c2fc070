// The "Teach it" training worker: fine-tuning is synchronous and can take seconds, so it runs here
// and the page stays responsive. Cancel is worker.terminate(): the page's model is never touched.
import init, { Classifier } from "./pkg/polarity.js";

const ready = init();

self.onmessage = async ({ data }) => {
  const { examples, options = {}, modelBytes = null, labels = null } = data;
  try {
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
