// IndexedDB persistence for the "Teach it" panel: the labelled examples, the label names of a new
// classifier and the current model bytes, so they survive a reload. One database, one object
// store. What is read back is checked against its expected shape; a value that is wrong is set
// aside under "set-aside/<key>" (never silently deleted: the page offers it for download) and
// the panel starts clean.
const DB = "polarity-teach";
const STORE = "kv";

let opening = null;
function open() {
  opening ??= new Promise((ok, fail) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => ok(req.result);
    req.onerror = () => fail(req.error);
  });
  return opening;
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((ok, fail) => {
    const t = db.transaction(STORE, mode);
    const req = fn(t.objectStore(STORE));
    t.oncomplete = () => ok(req?.result);
    t.onerror = () => fail(t.error);
    t.onabort = () => fail(t.error);
  });
}

export const get = (key) => tx("readonly", (s) => s.get(key));
export const put = (key, value) => tx("readwrite", (s) => s.put(value, key));
export const del = (key) => tx("readwrite", (s) => s.delete(key));

const isExample = (e) => e !== null && typeof e === "object" && typeof e.text === "string" && typeof e.label === "string";

/** Moves `value` of `key` aside (with when it happened) and removes it from `key`. */
async function setAside(key, value) {
  await put(`set-aside/${key}`, { when: new Date().toISOString(), value });
  await del(key);
}

/** Everything set aside so far, as { key: { when, value } }, for the person to download. */
export async function setAsideData() {
  const db = await open();
  return new Promise((ok, fail) => {
    const out = {};
    const req = db.transaction(STORE).objectStore(STORE).openCursor();
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor) return ok(out);
      if (String(cursor.key).startsWith("set-aside/")) out[cursor.key] = cursor.value;
      cursor.continue();
    };
    req.onerror = () => fail(req.error);
  });
}

/**
 * The saved examples and new-classifier labels, checked: `{ examples, pendingLabels, problems }`.
 * `isLabels(value)` says whether a value can name a classifier's labels (the package's rule).
 * Each problem is a sentence for the person; what caused it was set aside.
 */
export async function loadState(isLabels) {
  const problems = [];
  let examples = [];
  const stored = await get("examples");
  if (Array.isArray(stored)) {
    examples = stored.filter(isExample);
    const bad = stored.length - examples.length;
    if (bad > 0) {
      await put("set-aside/examples", { when: new Date().toISOString(), value: stored.filter((e) => !isExample(e)) });
      await saveExamples(examples);
      problems.push(`${bad} saved example${bad === 1 ? " was" : "s were"} unreadable and set aside`);
    }
  } else if (stored !== undefined) {
    await setAside("examples", stored);
    problems.push("the saved examples were unreadable and were set aside");
  }
  let pendingLabels = (await get("pendingLabels")) ?? null;
  if (pendingLabels !== null && !isLabels(pendingLabels)) {
    await setAside("pendingLabels", pendingLabels);
    problems.push("the saved names of a new classifier's labels were unreadable and were set aside");
    pendingLabels = null;
  }
  return { examples, pendingLabels, problems };
}
export const saveExamples = (examples) => put("examples", examples.map(({ text, label }) => ({ text, label })));

/** Uint8Array of the stored model, or null when the shipped model is in use. */
export async function loadModel() {
  const v = await get("model");
  return v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : null;
}
export const saveModel = (bytes) => put("model", bytes);
export const clearModel = () => del("model");
