// IndexedDB persistence for the "Teach it" panel: the labelled examples, the label names of a new
// classifier, the current model bytes and where that model began, so they survive a reload. One database, one object
// store. What is read back is checked against its expected shape; a value that is wrong is set
// aside under "set-aside/<key>/<when>" (never silently deleted: the page offers it for download
// for as long as it is kept) and the panel starts clean.
import { isBlank } from "./ui.js";

const DB = "polarity-teach";
const STORE = "kv";

/**
 * A storage error in words. Chromium's QuotaExceededError from an aborted transaction has an
 * empty message: it said "Could not save ...: " and nothing more.
 */
export function storageProblem(err) {
  if (err?.name === "QuotaExceededError") {
    return "the browser's storage for this site is full (export your examples and download the model to keep them)";
  }
  return err?.message || err?.name || String(err);
}

// A storage that never answers (a wedged profile; WebKit's first open can hang) must not hold the
// page: after this long the database counts as unavailable, as when opening it fails.
const OPEN_MS = 5000;

let opening = null;
function open() {
  opening ??= new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the browser's storage did not answer in ${OPEN_MS / 1000} s`)), OPEN_MS);
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => {
      clearTimeout(timer);
      // A connection the browser closes (storage cleared, WebKit's "connection lost") is opened
      // again by the next read or save.
      req.result.onclose = () => (opening = null);
      ok(req.result);
    };
    req.onerror = () => {
      clearTimeout(timer);
      fail(req.error);
    };
  }).catch((err) => {
    // One failed open is not for good: the next read or save tries again.
    opening = null;
    throw err;
  });
  return opening;
}

/**
 * Fails `fail` when transaction `t` ends without completing. An abort without an error (the
 * browser closing the connection as site data is cleared) left a read waiting for good, and
 * "Teach it" never appeared.
 */
function failOnEnd(t, fail) {
  const ended = () => fail(t.error ?? new DOMException("the browser closed the storage", "AbortError"));
  t.onerror = ended;
  t.onabort = ended;
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((ok, fail) => {
    const t = db.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => ok(req?.result);
    failOnEnd(t, fail);
  });
}

export const get = (key) => tx("readonly", (s) => s.get(key));

/** The stored values of `keys`, read in one transaction (so one save is in all of them or none). */
export async function getAll(keys) {
  const db = await open();
  return new Promise((ok, fail) => {
    const t = db.transaction(STORE);
    const values = [];
    keys.forEach((key, i) => (t.objectStore(STORE).get(key).onsuccess = (e) => (values[i] = e.target.result)));
    t.oncomplete = () => ok(values);
    failOnEnd(t, fail);
  });
}
export const put = (key, value) => tx("readwrite", (s) => s.put(value, key));
export const del = (key) => tx("readwrite", (s) => s.delete(key));

// A text of spaces alone is no example the page makes: stored, it failed every Fine-tune ("example
// 20: the text is empty", an index into no list the page shows). Nor is a label no classifier can
// have (`isLabel`): "" or "a\nb" was listed and exported as it was.
const isExample = (e, isLabel) => e !== null && typeof e === "object" && typeof e.text === "string" &&
  !isBlank(e.text) && typeof e.label === "string" && isLabel(e.label);

/**
 * Whether one label's name passes the package's rules (`isLabels`, which checks a whole set), each
 * name asked once: tens of thousands of examples carry a few labels.
 */
function labelRule(isLabels) {
  const known = new Map();
  return (label) => {
    if (!known.has(label)) known.set(label, isLabels([label, label === "a" ? "b" : "a"]));
    return known.get(label);
  };
}

/**
 * Keeps `value` under a key of its own, "set-aside/<what>/<when>": a later one never overwrites
 * an earlier one.
 */
function keepAside(what, value) {
  const when = new Date().toISOString();
  return put(`set-aside/${what}/${when}/${Math.random().toString(36).slice(2, 8)}`, { when, value });
}

/** Moves `value` of `key` aside (with when it happened) and removes it from `key`. */
async function setAside(key, value) {
  await keepAside(key, value);
  await del(key);
}

const SET_ASIDE = IDBKeyRange.bound("set-aside/", "set-aside/\uffff");

/** Whether anything was ever set aside (the page then offers it for download, on every load). */
export const hasSetAside = () => tx("readonly", (s) => s.count(SET_ASIDE)).then((n) => n > 0);

/** Everything set aside so far, as { key: { when, value } }, for the person to download. */
export async function setAsideData() {
  const db = await open();
  return new Promise((ok, fail) => {
    const out = {};
    const t = db.transaction(STORE);
    failOnEnd(t, fail);
    const req = t.objectStore(STORE).openCursor();
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor) return ok(out);
      if (String(cursor.key).startsWith("set-aside/")) out[cursor.key] = cursor.value;
      cursor.continue();
    };
    req.onerror = () => fail(req.error);
  });
}

/** Deletes everything set aside (the person kept a copy, or wants none). Other tabs are not told. */
export const deleteSetAside = () => tx("readwrite", (s) => s.delete(SET_ASIDE));

// Examples are kept in chunks of CHUNK under "examples/000000", "examples/000001", ...: a change
// rewrites the chunks it touches, not every example (one more label after 50,000 took a 150 ms
// task to save them all). "examples" (one list) is how they were kept before; it is read once
// and moved into chunks.
const CHUNK = 1000;
const chunkKey = (n) => `examples/${String(n).padStart(6, "0")}`;
const CHUNKS = IDBKeyRange.bound("examples/", "examples/\uffff");

// Each save of examples counts up "examples-version", in the transaction that writes them: a tab
// saves only onto the version it last read, so a save never overwrites another tab's that it has
// not seen (www/teach-shared.js reads that one and applies its own changes again).
const VERSION = "examples-version";

/** A stored version as a count: 0 before the first save, and for a value that is not one. */
const asVersion = (v) => (Number.isSafeInteger(v) && v >= 0 ? v : 0);

/** The version of the saved examples: 0 before their first save. */
export const examplesVersion = () => get(VERSION).then(asVersion);

/**
 * What is saved of the examples, in one transaction (so one tab's save is all in it or not at
 * all): `{ old, chunks: [[key, value], ...], version }`, where `old` is the list kept under
 * "examples" before chunks (undefined when none) and the chunks are in order.
 */
async function readChunks() {
  const db = await open();
  return new Promise((ok, fail) => {
    const chunks = [];
    const t = db.transaction(STORE);
    failOnEnd(t, fail);
    const s = t.objectStore(STORE);
    let version = 0;
    let old;
    s.get(VERSION).onsuccess = (e) => (version = asVersion(e.target.result));
    s.get("examples").onsuccess = (e) => (old = e.target.result);
    const req = s.openCursor(CHUNKS);
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor) return ok({ old, chunks, version });
      chunks.push([cursor.key, cursor.value]);
      cursor.continue();
    };
    req.onerror = () => fail(req.error);
  });
}

// Another tab of the page saving examples says so here, so that this one reads them again instead
// of writing its own older list over them (two tabs labelling in turn lost the first's examples).
const changes = typeof BroadcastChannel === "function" ? new BroadcastChannel("polarity-teach") : null;

/** Calls `listener` whenever another tab has saved examples. */
export function onExamplesSaved(listener) {
  changes?.addEventListener("message", ({ data }) => data === "examples" && listener());
}

/**
 * Calls `listener` whenever another tab has saved, reset or set aside the model, or the labels
 * of a new classifier.
 */
export function onModelSaved(listener) {
  changes?.addEventListener("message", ({ data }) => data === "model" && listener());
}

const modelChanged = () => changes?.postMessage("model");

// Each save of the model in use or of a new classifier's labels counts up "model-version", in its
// own transaction. A training's end saves only onto the version its tab last knew (`useModel`'s
// `expected`): a reset, a model loaded or labels begun in another tab while it trained are not
// written over (they were, without a word).
const MODEL_VERSION = "model-version";

/**
 * Runs `write(store)` in one transaction with a count up of the model's version, only if the
 * version is `expected` (any, when it is null or undefined). Resolves to the new version, or null
 * when it was not `expected` (nothing is written).
 */
async function saveModelState(expected, write) {
  const db = await open();
  return new Promise((ok, fail) => {
    const t = db.transaction(STORE, "readwrite");
    const s = t.objectStore(STORE);
    let version = null;
    // Read-write transactions on one store run one at a time, across tabs too.
    s.get(MODEL_VERSION).onsuccess = (e) => {
      const saved = asVersion(e.target.result);
      if (expected != null && saved !== expected) return;
      try {
        s.put(saved + 1, MODEL_VERSION);
        write(s);
        version = saved + 1;
      } catch (err) {
        // Thrown in a request's handler, it aborted the transaction as an uncaught error, and the
        // page said "AbortError" instead of why.
        fail(err);
        t.abort();
      }
    };
    t.oncomplete = () => ok(version);
    failOnEnd(t, fail);
  });
}

/**
 * Saves the examples whose index is in [from, to): the chunks holding them are rewritten, and
 * chunks past the end are removed. With no range, all of them (and the list kept before chunks,
 * which they then hold, is removed). With `expected`, only if the saved examples are still of that
 * version. Resolves to the new version, or null when another save came
 * first (nothing is written). Other tabs are told.
 */
export async function saveExamples(examples, from = 0, to = examples.length, expected = undefined) {
  const first = Math.floor(from / CHUNK);
  const last = Math.max(first, Math.ceil(Math.max(to, from + 1) / CHUNK));
  const chunks = Math.ceil(examples.length / CHUNK);
  const db = await open();
  return new Promise((ok, fail) => {
    const t = db.transaction(STORE, "readwrite");
    const store = t.objectStore(STORE);
    let version = null;
    // One chunk per task: each put (whose copy of 1,000 examples is made when it is called) is
    // asked for from the previous put's success, which keeps this one transaction (all or
    // nothing) open while the page has the main thread between chunks. 25 chunks put at once
    // were one task of 100+ ms after an import of 25,000 reviews.
    const put = (n) => {
      if (n >= Math.min(last, chunks)) {
        store.delete(IDBKeyRange.bound(chunkKey(chunks), "examples/\uffff"));
        return;
      }
      const chunk = examples.slice(n * CHUNK, (n + 1) * CHUNK).map(({ text, label }) => ({ text, label }));
      store.put(chunk, chunkKey(n)).onsuccess = () => put(n + 1);
    };
    // Read-write transactions on one store run one at a time, across tabs too: between this read
    // and the writes below, no other tab writes.
    store.get(VERSION).onsuccess = (e) => {
      const saved = asVersion(e.target.result);
      if (expected !== undefined && saved !== expected) return;
      version = saved + 1;
      store.put(version, VERSION);
      if (from === 0 && to >= examples.length) store.delete("examples");
      put(first);
    };
    t.oncomplete = () => {
      if (version !== null) changes?.postMessage("examples");
      ok(version);
    };
    failOnEnd(t, fail);
  });
}

/**
 * The saved examples and new-classifier labels, checked: `{ examples, version, pendingLabels,
 * pendingScopes, modelVersion, problems }`, where `version` is the examples' (for `saveExamples`),
 * `pendingScopes` whether the new classifier keeps the shipped model's scopes and `modelVersion`
 * the version of the model state those labels were read at (for `useModel`).
 * `isLabels(value)` says whether a value can name a classifier's labels (the package's rule).
 * Each problem is a sentence for the person; what caused it was set aside.
 */
export async function loadState(isLabels, tries = 3) {
  const problems = [];
  const stored = [];
  // Every stored value that is not a list of examples, null included, by its key.
  const unreadable = {};
  const read = await readChunks();
  const { old } = read;
  let { version } = read;
  if (Array.isArray(old)) stored.push(old);
  else if (old !== undefined) unreadable.examples = old;
  // Chunks are "examples/000000" onwards, every one but the last full: saves rewrite them by
  // position, so a chunk missing, short or long (damaged storage) made the next save drop or
  // repeat examples. Such a list is read as it is and saved again whole.
  let misplaced = false;
  read.chunks.forEach(([key, chunk], n) => {
    if (!Array.isArray(chunk)) {
      unreadable[key] = chunk;
      misplaced = true;
      return;
    }
    const last = n === read.chunks.length - 1;
    if (key !== chunkKey(n) || (!last && chunk.length !== CHUNK) || chunk.length > CHUNK) misplaced = true;
    stored.push(chunk);
  });
  const all = stored.flat();
  const isLabel = labelRule(isLabels);
  const examples = all.filter((e) => isExample(e, isLabel));
  const bad = all.filter((e) => !isExample(e, isLabel));
  const damaged = Object.keys(unreadable).length > 0;
  // A storage too full to set a value aside (or to save the list again) loses none of what was
  // read: said, and the examples read are kept. It rejected the whole load, and the page showed
  // none of them ("Saved examples could not be read ()").
  let unkept = false;
  const full = (err) => {
    unkept = true;
    return `, as the storage failed (${storageProblem(err)}); the next change to the examples saves them without it`;
  };
  if (damaged) {
    const failed = await keepAside("examples", unreadable).then(() => "", full);
    problems.push(`saved examples were unreadable and were ${failed ? "not set aside" : "set aside"}; ${examples.length} were read and are kept${failed}`);
  }
  if (bad.length > 0) {
    const failed = await keepAside("example-entries", bad).then(() => "", full);
    problems.push(`${bad.length} saved example${bad.length === 1 ? " was" : "s were"} unreadable and ${failed ? "not set aside" : "set aside"}${failed}`);
  }
  if (misplaced && !damaged) {
    problems.push(`the saved examples were not stored in order (a part missing or of the wrong size); the ${examples.length} read are kept and saved again`);
  }
  // Not rewritten while what could not be set aside is still stored: the rewrite deleted it, and
  // the message said it was kept.
  if (!unkept && (old !== undefined || damaged || misplaced || bad.length > 0)) {
    // Rewritten whole: the chunks then hold exactly what the page shows. Only onto what was read:
    // when another tab saved meanwhile, its save is read again instead of written over.
    let saved;
    try {
      saved = await saveExamples(examples, 0, examples.length, version);
    } catch (err) {
      problems.push(`the examples read could not be saved again (${storageProblem(err)}); they are kept in this page`);
      saved = version;
    }
    if (saved === null) {
      if (tries <= 1) throw new Error("other tabs kept saving examples while this one read them; reload the page");
      return loadState(isLabels, tries - 1);
    }
    version = saved;
  }
  const [labels, scopes, modelVersion] = await getAll(["pendingLabels", "pendingScopes", MODEL_VERSION]);
  let pendingLabels = labels ?? null;
  const pendingScopes = scopes === true;
  if (pendingLabels !== null && !isLabels(pendingLabels)) {
    // Guarded as the examples' are: a full storage failed the whole load here, and every change
    // after it. The stored value stays where it is (read again, and set aside, at a later load).
    const failed = await setAside("pendingLabels", pendingLabels).then(() => "", (err) => storageProblem(err));
    problems.push(failed
      ? `the saved names of a new classifier's labels were unreadable and could not be set aside (${failed}); they are left unused`
      : "the saved names of a new classifier's labels were unreadable and were set aside");
    pendingLabels = null;
  }
  return {
    examples, version, pendingLabels, pendingScopes: pendingLabels !== null && pendingScopes,
    modelVersion: asVersion(modelVersion), problems,
  };
}

/**
 * Uint8Array of the stored model, or null when the shipped model is in use. A stored value that
 * is not a file's bytes is set aside, and the Error thrown says so.
 */
export const loadModel = () => get("model").then(asModel);

/** What `loadModel` throws for a stored model that is not a file's bytes (`setAside`: whether it was). */
export class NotAModel extends Error {
  constructor(setAside) {
    super(setAside ? "the saved model was not a model file, and was set aside"
      : "the saved model was not a model file, and could not be set aside (the storage failed)");
    this.setAside = setAside;
  }
}

async function asModel(v) {
  if (v === undefined) return null;
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw new NotAModel(await setModelAside(v).then(() => true, () => false));
}

/**
 * The model in use and what goes with it, read in one transaction: `{ bytes, pendingLabels,
 * pendingScopes, start, version }`, the model checked as `loadModel` checks it and the start as
 * `loadStart` does, `version` as `useModel` counts it. `pendingLabels` is undefined when none is
 * saved; `isLabels` is the package's rule.
 */
export async function loadModelState(isLabels) {
  const [model, pendingLabels, pendingScopes, start, version] =
    await getAll(["model", "pendingLabels", "pendingScopes", "start", MODEL_VERSION]);
  const bytes = await asModel(model);
  // Said once, where the page loads (loadStart): here a start set aside is none.
  const checked = await asStart(start, bytes, isLabels).catch((err) => {
    if (err instanceof UnreadableStart) return null;
    throw err;
  });
  return { bytes, pendingLabels, pendingScopes, start: checked, version: asVersion(version) };
}

/** Moves the saved model aside (it could not be loaded), so that no later save overwrites it. */
export const setModelAside = (value) => setAside("model", value).then(() => setModelHint(false)).then(modelChanged);
/**
 * Where the classifier in use began, which every Fine-tune trains from on all the examples (so
 * that pressing it twice gives one model, not one trained twice): the shipped model, a new
 * classifier for `labels` (`Classifier.fromPretrained`'s `labels`, `scopes`, `seed`), or a model
 * file loaded here (`bytes`).
 */
export const SHIPPED_START = Object.freeze({ kind: "shipped" });

/**
 * The saved start of the model `bytes` (the model in use: null for the shipped one), checked, or
 * null: none saved, not one, or another model's (a tab of an older page saves a model and leaves
 * the start as it was). The model's next training then goes on from it, as before starts were
 * kept, and its start is the model as it was.
 */
export const loadStart = (bytes, isLabels) => get("start").then((v) => asStart(v, bytes, isLabels));

/**
 * SHA-256 of a model's bytes, hex: what ties a saved start to its model. A page served over plain
 * http (not localhost) has no `crypto.subtle`, and every save of a model failed there ("Cannot
 * read properties of undefined"): it ties them with two 32-bit FNV-1a hashes and the length
 * instead, which tell one model of this site from another (an origin is secure or not for good,
 * so one database never holds both kinds).
 */
async function digest(bytes) {
  if (globalThis.crypto?.subtle) {
    const hash = await crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
  }
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (const byte of bytes) {
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x5bd1e995);
  }
  const hex = (h) => (h >>> 0).toString(16).padStart(8, "0");
  return `fnv1a:${bytes.length}:${hex(a)}${hex(b)}`;
}

/** What `loadStart` throws when the start saved for the model in use is of no shape a start has. */
export class UnreadableStart extends Error {}

async function asStart(v, bytes, isLabels) {
  if (bytes === null) return SHIPPED_START; // the shipped model in use began as itself
  if (typeof v?.of !== "string" || v.of !== (await digest(bytes))) return null;
  if (v.kind === "shipped") return SHIPPED_START;
  if (v.kind === "file" && v.bytes instanceof Uint8Array) return { kind: "file", bytes: v.bytes };
  if (v.kind === "new" && isLabels(v.labels) && typeof v.scopes === "boolean" &&
    (v.seed === undefined || Number.isSafeInteger(v.seed))) {
    return { kind: "new", labels: v.labels, scopes: v.scopes, seed: v.seed };
  }
  // This model's, but damaged: set aside and said, as other damaged values are (it was passed
  // over unsaid, and the next Fine-tune wrote over it).
  // Moved, not copied: read again (each Fine-tune, each tab), it was set aside again each time.
  const moved = await setAside("start", v).then(() => true, () => false);
  throw new UnreadableStart(`The saved starting point of this model was unreadable${moved ? " and was set aside" : ""}: Fine-tune goes on from the model in use.`);
}

/** Keeps a saved start that could not be trained from (set aside, for download). */
export const keepStartAside = (value) => keepAside("start", value);

/**
 * Makes `bytes` (a model file, or null for the shipped model) the model in use, begun at `start`
 * (SHIPPED_START and the like), with no new classifier pending: one transaction and one message,
 * so that another tab never reads the new model beside the old pending labels or start (two
 * saves, it could), and a failed save changes none. With `expected` (not null), only if the
 * model's version is still that one. Resolves to the new version, or null when another save came
 * first (nothing is written).
 */
export const useModel = async (bytes, start, expected = null) => {
  // Tied to the model's bytes: a start saved beside another model is not read as this one's.
  const of = bytes === null ? null : await digest(bytes);
  const version = await saveModelState(expected, (s) => {
    if (bytes === null) s.delete("model");
    else s.put(bytes, "model");
    s.put({ ...start, of }, "start");
    s.delete("pendingLabels");
    s.delete("pendingScopes");
  });
  if (version === null) return null;
  setModelHint(bytes !== null);
  modelChanged();
  return version;
};

/**
 * Saves the label names of a new classifier, not trained yet (null: none), and whether it keeps
 * the shipped model's scopes (`Classifier.fromPretrained`'s `scopes`). Resolves to the model's new
 * version.
 */
export const savePendingLabels = (labels, scopes = false) =>
  saveModelState(null, (s) => {
    if (labels === null) {
      s.delete("pendingLabels");
      s.delete("pendingScopes");
    } else {
      s.put(labels, "pendingLabels");
      s.put(scopes === true, "pendingScopes");
    }
  }).then((version) => {
    modelChanged();
    return version;
  });

/**
 * Asks the browser to keep this site's storage when space runs low (without it, an evicted
 * origin loses its examples and model). Chromium grants or refuses without asking; Firefox asks
 * the person. Called once there is work worth keeping: a model fine-tuned here.
 */
export function keepStorage() {
  navigator.storage?.persist?.().catch(() => {});
}

// Whether the database holds a model, noted in localStorage (read synchronously, no database
// opened): the page reads the model before its first verdict only when there is one. Opening
// IndexedDB while the page loads took 70-190 ms in fresh Chromium contexts. Only a hint: the page
// reads the database after its first verdict whatever it says.
const MODEL_HINT = "polarity-teach:has-model";

/** true or false as last noted, null when never noted or localStorage is unavailable. */
export function modelHint() {
  try {
    const v = localStorage.getItem(MODEL_HINT);
    return v === "yes" ? true : v === "no" ? false : null;
  } catch {
    return null;
  }
}

export function setModelHint(has) {
  try {
    localStorage.setItem(MODEL_HINT, has ? "yes" : "no");
  } catch {
    // No localStorage (blocked storage): the page reads the database after its first verdict.
  }
}
