// Unit tests of the examples every tab shares (www/teach-shared.js), in Node, against a store that
// behaves as store.js does with IndexedDB: chunks of examples (3 here, to make ranges matter), a
// version that each save counts up, a save refused when the version moved on, and a message to
// every other tab after a save. Each store call takes a random number of event-loop turns, so
// tabs interleave differently from seed to seed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { apply, shareExamples } from "../../www/teach-shared.js";

const CHUNK = 3;

/** A seeded generator of numbers in [0, 1) (mulberry32). */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The database, and a store.js for each tab on it. */
function database(rand) {
  const db = { chunks: [], version: 0 };
  const tabs = [];
  const turns = async () => {
    for (let n = Math.floor(rand() * 4); n > 0; n--) await new Promise((ok) => setImmediate(ok));
  };
  const read = () => db.chunks.flat().map((e) => ({ ...e }));
  const tab = () => {
    const listeners = [];
    const me = {
      examplesVersion: async () => (await turns(), db.version),
      loadState: async () => (await turns(), { examples: read(), version: db.version, pendingLabels: null, problems: [] }),
      // store.saveExamples: checked and written in one step, as in one read-write transaction.
      saveExamples: async (examples, from = 0, to = examples.length, expected = undefined) => {
        await turns();
        if (expected !== undefined && db.version !== expected) return null;
        const first = Math.floor(from / CHUNK);
        const last = Math.max(first, Math.ceil(Math.max(to, from + 1) / CHUNK));
        const chunks = Math.ceil(examples.length / CHUNK);
        const kept = db.chunks.slice(0, chunks);
        for (let n = first; n < Math.min(last, chunks); n++) kept[n] = examples.slice(n * CHUNK, (n + 1) * CHUNK).map((e) => ({ ...e }));
        assert.ok(!kept.includes(undefined) && kept.length === chunks, "a chunk left unwritten");
        db.chunks = kept;
        db.version += 1;
        for (const other of tabs) if (other !== me) setImmediate(() => other.listeners.forEach((l) => l()));
        return db.version;
      },
      onExamplesSaved: (listener) => listeners.push(listener),
      listeners,
    };
    tabs.push(me);
    return me;
  };
  return { tab, read };
}

function openTab(db) {
  const state = { examples: [] };
  const change = shareExamples(db.tab(), state, 0, {
    isLabels: () => true,
    onMerged: () => {},
    onError: (err) => assert.fail(err),
  });
  return { state, change };
}

/** Waits until no tab has anything left to do (a save may send the other tab to read again). */
async function settle(tabs) {
  for (let quiet = 0; quiet < 20; ) {
    await Promise.all(tabs.map((t) => t.change.settled()));
    await new Promise((ok) => setImmediate(ok));
    quiet++;
  }
}

test("apply: each operation, and an example found again where another tab moved it", () => {
  const list = [{ text: "a", label: "x" }, { text: "b", label: "y" }];
  assert.deepEqual(apply(list, { kind: "append", rows: [{ text: "c", label: "x" }] }), [2, 3]);
  assert.deepEqual(apply(list, { kind: "relabel", at: 0, text: "b", label: "y", to: "x" }), [1, 2], "found at 1, not at 0");
  assert.deepEqual(list.map((e) => e.label), ["x", "x", "x"]);
  // Many relabels as one change (an import): each found as a relabel is, the range they touched.
  const batch = [{ text: "p", label: "x" }, { text: "q", label: "x" }, { text: "r", label: "x" }];
  assert.deepEqual(apply(batch, { kind: "relabels", changes: [
    { at: 2, text: "r", label: "x", to: "y" },
    { at: 0, text: "q", label: "x", to: "y" }, // moved to 1 in this list
    { at: 0, text: "gone", label: "x", to: "y" },
  ] }), [1, 3]);
  assert.deepEqual(batch.map((e) => e.label), ["x", "y", "y"]);
  assert.equal(apply(batch, { kind: "relabels", changes: [] }), null);
  assert.equal(apply(list, { kind: "remove", at: 1, text: "gone", label: "x" }), null, "nothing to remove");
  assert.deepEqual(apply(list, { kind: "remove", at: 5, text: "a", label: "x" }), [0, Infinity]);
  assert.deepEqual(apply(list, { kind: "rename", names: new Map([["x", "z"]]) }), [0, 2]);
  assert.deepEqual(list, [{ text: "b", label: "z" }, { text: "c", label: "z" }]);
  assert.equal(apply(list, { kind: "append", rows: [] }), null);
  const many = Array.from({ length: 200_000 }, (_, i) => ({ text: String(i), label: "x" }));
  assert.deepEqual(apply(list, { kind: "append", rows: many }), [2, 200_002], "a large import does not overflow the stack");
  const twice = [{ text: "a", label: "x" }, { text: "b", label: "x" }, { text: "a", label: "x" }, { text: "a", label: "y" }];
  assert.deepEqual(apply(twice, { kind: "clear", rows: [{ text: "a", label: "x" }, { text: "a", label: "y" }] }), [0, Infinity]);
  assert.deepEqual(twice, [{ text: "b", label: "x" }, { text: "a", label: "x" }], "each cleared row removes one example of its kind");
  assert.equal(apply(twice, { kind: "clear", rows: [{ text: "c", label: "x" }] }), null, "nothing to clear");
  assert.deepEqual(apply(list, { kind: "clear", rows: list.slice() }), [0, Infinity]);
  assert.equal(list.length, 0);
});

test("'Delete all' in one tab keeps what another tab labelled that it never showed", async () => {
  for (let seed = 1; seed <= 20; seed++) {
    const db = database(random(seed));
    const [a, b] = [openTab(db), openTab(db)];
    a.change({ kind: "append", rows: [{ text: "old 1", label: "pos" }, { text: "old 2", label: "neg" }] });
    await settle([a, b]);
    // B labels one more; A deletes all it shows before B's save reaches it.
    b.change({ kind: "append", rows: [{ text: "new in B", label: "pos" }] });
    a.change({ kind: "clear", rows: a.state.examples.slice() });
    await settle([a, b]);
    assert.deepEqual(db.read(), [{ text: "new in B", label: "pos" }], `seed ${seed}`);
    for (const tab of [a, b]) assert.deepEqual(tab.state.examples, db.read(), `seed ${seed}: each tab shows it`);
  }
});

test("two tabs labelling, relabelling and deleting at the same moments keep what each did", async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const rand = random(seed);
    const db = database(rand);
    const tabs = [openTab(db), openTab(db)];
    // What each tab did to its own examples, as text -> label (deleted ones gone).
    const expected = new Map();
    const steps = tabs.map(async (tab, t) => {
      for (let i = 0; i < 12; i++) {
        const mine = tab.state.examples.map((e, at) => ({ ...e, at })).filter((e) => e.text.startsWith(`tab ${t}`));
        const r = rand();
        if (r < 0.6 || mine.length === 0) {
          const rows = Array.from({ length: 1 + Math.floor(rand() * 4) }, (_, k) => ({ text: `tab ${t} #${i}.${k}`, label: "pos" }));
          rows.forEach((row) => expected.set(row.text, row.label));
          tab.change({ kind: "append", rows });
        } else {
          const ex = mine[Math.floor(rand() * mine.length)];
          if (r < 0.8) {
            const to = ex.label === "pos" ? "neg" : "pos";
            expected.set(ex.text, to);
            tab.change({ kind: "relabel", at: ex.at, text: ex.text, label: ex.label, to });
          } else {
            expected.delete(ex.text);
            tab.change({ kind: "remove", at: ex.at, text: ex.text, label: ex.label });
          }
        }
        for (let n = Math.floor(rand() * 6); n > 0; n--) await new Promise((ok) => setImmediate(ok));
      }
    });
    await Promise.all(steps);
    await settle(tabs);
    const saved = db.read();
    assert.deepEqual(new Map(saved.map((e) => [e.text, e.label])), expected, `seed ${seed}: the saved examples`);
    assert.equal(saved.length, expected.size, `seed ${seed}: no example saved twice`);
    for (const tab of tabs) assert.deepEqual(tab.state.examples, saved, `seed ${seed}: each tab shows the saved list`);
  }
});

test("a save made while a tab was reading the list, before it listened, reaches that tab", async () => {
  const db = database(random(7));
  // Tab A has read the list (empty, version 0) but does not listen yet; tab B labels meanwhile.
  const b = openTab(db);
  b.change({ kind: "append", rows: [{ text: "from B", label: "pos" }] });
  await b.change.settled();
  const a = { state: { examples: [] } };
  a.change = shareExamples(db.tab(), a.state, 0, { isLabels: () => true, onMerged: () => {}, onError: (err) => assert.fail(err) });
  await settle([a, b]);
  assert.deepEqual(a.state.examples, [{ text: "from B", label: "pos" }]);
});
