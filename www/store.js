// IndexedDB persistence for the "Teach it" panel: the labelled examples and the current model
// bytes, so both survive a reload. One database, one object store, two keys.
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

/** [{ text, label }] or [] */
export async function loadExamples() {
  const v = await get("examples");
  return Array.isArray(v) ? v.filter((e) => e && typeof e.text === "string" && typeof e.label === "string") : [];
}
export const saveExamples = (examples) => put("examples", examples.map(({ text, label }) => ({ text, label })));

/** Uint8Array of the stored model, or null when the shipped model is in use. */
export async function loadModel() {
  const v = await get("model");
  return v instanceof Uint8Array ? v : v instanceof ArrayBuffer ? new Uint8Array(v) : null;
}
export const saveModel = (bytes) => put("model", bytes);
export const clearModel = () => del("model");
