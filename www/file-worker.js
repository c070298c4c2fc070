// The "Classify a file" worker: reads a file of texts with the package (Classifier.parseTexts),
// classifies them in batches with the model it is given, reports progress, and writes the results
// as CSV (Classifier.toCsv, formulae escaped: the texts come from anywhere and the file is opened
// in spreadsheets). The file comes in as a handle and the CSV goes out as a Blob: text of tens of
// megabytes decoded, copied or encoded on the page's main thread froze it for 70-330 ms a step.
// The page's Cancel is worker.terminate().
import { Classifier, ready } from "./worker-package.js";
import { readText } from "./read-text.js";

const BATCH = 256;
let content = "";
let name = "";
let encoding = "utf-8";
let model = null;
let parsed = null;

function parse(column) {
  // With its name: a .txt file's commas are prose, not columns.
  parsed = Classifier.parseTexts(content, column ?? undefined, name);
  const { columns, column: chosen, header, skipped } = parsed;
  self.postMessage({ parsed: { columns, column: chosen, header, skipped, count: parsed.texts.length, encoding } });
}

function classify() {
  const clf = model ? Classifier.fromBytes(model) : new Classifier();
  const labels = clf.info().labels;
  const { texts } = parsed;
  const rows = [["text", "label", ...labels]];
  const counts = Object.fromEntries(labels.map((l) => [l, 0]));
  const started = performance.now();
  for (let i = 0; i < texts.length; i += BATCH) {
    const chunk = texts.slice(i, i + BATCH);
    clf.classifyBatch(chunk).forEach((p, k) => {
      counts[p.label]++;
      // Every label's probability, in the model's label order (two labels: P(first), 1 - P(first)).
      const probability = p.scores
        ? Object.fromEntries(p.scores.map((s) => [s.label, s.score]))
        : { [labels[0]]: p.score, [labels[1]]: 1 - p.score };
      rows.push([chunk[k], p.label, ...labels.map((l) => probability[l].toFixed(4))]);
    });
    self.postMessage({ progress: { done: Math.min(i + BATCH, texts.length), total: texts.length } });
  }
  const millis = performance.now() - started;
  clf.free();
  // With a UTF-8 byte-order mark: Excel, opening a CSV by a double click, reads one without it in
  // the local code page ("Café" became "CafÃ©"); the page's own import drops the mark.
  const csv = new Blob(["\uFEFF", Classifier.toCsv(rows, { escapeFormulae: true })], { type: "text/csv" });
  self.postMessage({ done: { csv, counts, labels, total: texts.length, millis } });
}

self.onmessage = async ({ data }) => {
  try {
    await ready;
    if ("file" in data) {
      ({ text: content, encoding } = await readText(data.file));
      name = data.file.name ?? "";
      model = data.model ?? null;
      parse();
    } else if ("column" in data) parse(data.column);
    else if (data.classify) classify();
  } catch (err) {
    self.postMessage({ error: err?.message ?? String(err) });
  }
};
