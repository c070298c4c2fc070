// The Teach panel's imports, read off the main thread: a file of labelled texts
// (Classifier.parseExamples) or of texts to rank (Classifier.parseTexts). The file itself comes
// in (a handle, not its text), so the page neither decodes nor copies megabytes; the rows go back.
import { Classifier, ready } from "./worker-package.js";
import { readText } from "./read-text.js";

const ROWS_PER_MESSAGE = 1000;

self.onmessage = async ({ data: { file, labels } }) => {
  try {
    await ready;
    const { text: content, encoding } = await readText(file);
    if (!labels) {
      // With its name: a .txt file's commas are prose, not columns. The texts in parts, as rows
      // are: 191,000 lines in one message took the page 250-630 ms to receive and rank.
      const { texts, ...parsed } = Classifier.parseTexts(content, undefined, file.name ?? "");
      for (let i = 0; i < texts.length; i += ROWS_PER_MESSAGE) {
        self.postMessage({ texts: texts.slice(i, i + ROWS_PER_MESSAGE) });
      }
      self.postMessage({ parsed: { ...parsed, texts: [], encoding } });
      return;
    }
    // Rows in parts: the page takes each part in a task of its own (25,000 reviews as one
    // message took 200 ms of its main thread to receive).
    const { rows, errors, unknownLabels, numbered } = Classifier.parseExamples(content, labels);
    for (let i = 0; i < rows.length; i += ROWS_PER_MESSAGE) {
      self.postMessage({ rows: rows.slice(i, i + ROWS_PER_MESSAGE) });
    }
    // Rows labelled 1 / 0, which the page says how it read (a package without the count: none).
    self.postMessage({ parsed: { rows: [], errors, unknownLabels, numbered: numbered ?? 0, encoding } });
  } catch (err) {
    self.postMessage({ error: err?.message ?? String(err) });
  }
};
