// Small DOM helpers shared by the demo's modules.

/**
 * How long a slice of work may run on the main thread before it yields: well under the 50 ms
 * of a long task, so that a shared, busy machine (a training worker on the other core) does not
 * stretch a slice past it.
 */
export const SLICE_MS = 10;

/**
 * Texts longer than this are classified in a worker (the review box, without word-by-word
 * highlights, and the texts to label next): the main thread never reads a novel. Explaining and
 * laying out one highlight per word took 200 ms of the main thread per edit at 15,000 characters
 * (50,000: 330 ms); at 10,000 it stays near 130, and IMDB's longest reviews are under 14,000.
 */
export const LONG_TEXT = 10_000;

/**
 * Characters of a text a list shows (labelled examples, texts to label next); the whole text is
 * kept. Laid out whole, ten texts of a million characters in the list took one main-thread task
 * of about 2 s.
 */
export const PREVIEW_CHARS = 2_000;

/** `text` as a list shows it: its first PREVIEW_CHARS, then how long it is in all. */
export function preview(text) {
  if (text.length <= PREVIEW_CHARS) return text;
  // Not between the two halves of a surrogate pair (an emoji shown as "\uFFFD").
  const high = text.charCodeAt(PREVIEW_CHARS - 1);
  const end = high >= 0xd800 && high <= 0xdbff ? PREVIEW_CHARS - 1 : PREVIEW_CHARS;
  return `${text.slice(0, end)}… (${formatCount(text.length)} characters in all)`;
}

// Whether a text is blank as the package reads it: in verdict.js, which <polarity-review> carries
// without this module.
export { isBlank } from "./verdict.js";

/**
 * How often a live region reports progress (training, a file being classified): rewritten per
 * step, it was read out 4 and 164 times a second, each line cutting the one before short; the
 * progress bars show every step.
 */
export const SAY_EVERY_MS = 2000;

export const $ = (id) => document.getElementById(id);

/**
 * `n` with its thousands grouped ("40,123"), as `n.toLocaleString("en")` writes an integer, without
 * Intl: a page's first Intl call loads its locale data, 15-30 ms on the main thread, and the demo
 * shows a count (the vocabulary's) before its first verdict.
 */
export function formatCount(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Shows `text` in a message element; `kind` "error" styles it as one. */
export function say(el, text, kind = "info") {
  el.textContent = text;
  el.dataset.kind = kind;
}

/**
 * Gives the focus to `to` when a control that had it was hidden or disabled (the focus then falls
 * to the page's body, and a keyboard or screen-reader user is sent back to the page's start), or
 * is still on `from`, about to be. Without scrolling: the control is beside the one it replaces.
 */
export function keepFocus(from, to) {
  const at = document.activeElement;
  if (at === from || at === document.body || at === null) to.focus({ preventScroll: true });
}

/** Offers `blob` as a file download named `name`. */
export function download(name, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Not at once: a browser that asks before a page's second download starts it later, from here.
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}

/**
 * Why a worker failed, from its `error` event: an error in its script has a message; a script
 * that could not be loaded has none (the workers load when first used, and the page may have
 * gone offline since it opened).
 */
export function workerFailure(e) {
  return e.message || "a part of the page could not be loaded from the site (is it offline?)";
}

/**
 * A file read by the package in a worker (www/import-worker.js): its labelled rows for `labels`
 * (Classifier.parseExamples), or without them its texts (Classifier.parseTexts). Reading a 33 MB
 * file of 25,000 reviews took 770 ms of the main thread in one task. Rejects with the package's
 * message for a file it refuses.
 */
export function parseInWorker(file, labels = null) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./import-worker.js", import.meta.url), { type: "module" });
    const done = (settle, value) => {
      worker.terminate();
      settle(value);
    };
    // Labelled rows, or texts, come in parts before the rest of the result.
    const rows = [];
    const texts = [];
    worker.onmessage = ({ data }) => {
      if (data.rows) for (const row of data.rows) rows.push(row);
      else if (data.texts) for (const text of data.texts) texts.push(text);
      else if (data.error !== undefined) done(reject, new Error(data.error));
      else done(resolve, labels ? { ...data.parsed, rows } : { ...data.parsed, texts });
    };
    worker.onerror = (e) => {
      e.preventDefault();
      done(reject, new Error(workerFailure(e)));
    };
    worker.postMessage({ file, labels });
  });
}
