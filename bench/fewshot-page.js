// Browser half of the few-shot bench (driven by bench/fewshot.mjs): every figure is measured here,
// through the public JS API of the package, exactly as an application would call it.
import init, { Classifier } from "../pkg/polarity.js";

const ready = init();
const bytesCache = new Map();
let data;

async function modelBytes(path) {
  if (!bytesCache.has(path)) {
    const response = await fetch(path);
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    bytesCache.set(path, new Uint8Array(await response.arrayBuffer()));
  }
  return bytesCache.get(path);
}

/** Share of `texts` whose predicted score agrees with `labels` (1 = positive). */
function accuracy(clf, texts, labels) {
  let right = 0;
  for (let i = 0; i < texts.length; i += 1000) {
    const predictions = clf.classifyBatch(texts.slice(i, i + 1000));
    predictions.forEach((p, j) => { right += Number((p.score >= 0.5) === (labels[i + j] === 1)); });
  }
  return right / texts.length;
}

/** Fine-tunes `model` (a path, or null for the shipped model) on `examples`, default options. */
async function fineTuned(model, examples, seed) {
  await ready;
  const clf = model ? Classifier.fromBytes(await modelBytes(model)) : new Classifier();
  const started = performance.now();
  const report = clf.fineTune(examples, seed === undefined ? {} : { seed });
  return { clf, report, millis: performance.now() - started };
}

window.bench = {
  async load(url) {
    await ready;
    data = await (await fetch(url)).json();
    return { train: data.train.length, test: data.test.texts.length };
  },

  /** One few-shot run: fine-tune on train[indices], then accuracy on all of IMDB test. */
  async fewshot(model, indices, seed) {
    const examples = indices.map((i) => data.train[i]);
    const { clf, report, millis } = await fineTuned(model, examples, seed);
    const testAccuracy = accuracy(clf, data.test.texts, data.test.labels);
    clf.free();
    return { millis, epochs: report.epochs, trainAccuracy: report.accuracy, testAccuracy };
  },

  /** Flipped labels on the shipped model: agreement before/after, and the bytes round trip. */
  async flipped(indices) {
    const examples = indices.map((i) => ({ ...data.train[i], label: 1 - data.train[i].label }));
    const texts = examples.map((e) => e.text);
    const labels = examples.map((e) => e.label);
    await ready;
    const shipped = new Classifier();
    const before = accuracy(shipped, texts, labels);
    shipped.free();
    const { clf, millis } = await fineTuned(null, examples);
    const after = accuracy(clf, texts, labels);
    const again = Classifier.fromBytes(clf.toBytes());
    const a = clf.classifyBatch(texts), b = again.classifyBatch(texts);
    const identical = a.every((p, i) => p.score === b[i].score && p.label === b[i].label);
    clf.free();
    again.free();
    return { millis, before, after, identical };
  },
};
window.benchReady = true;
