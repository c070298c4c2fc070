// Teach it, the examples every open tab of the page shares. A tab changes its list in memory at
// once (the page shows it) and keeps the change as an operation until it is saved. A save is made
// only onto the saved version the tab last read (store.saveExamples); when another tab saved first,
// the tab reads the saved list again and applies its unsaved operations to it, so that two tabs
// labelling, editing or deleting at the same moment both keep what they did. (Before, a tab
// replaced its list with the one saved by another tab, and an example labelled meanwhile was lost.)

/**
 * Applies `op` to `list` in place. The range of indices it touched, `[from, to)` (`to` may be
 * Infinity: every index from `from` on moved), or null when it changed nothing. Operations:
 *   { kind: "append", rows }                     rows of { text, label } at the end
 *   { kind: "relabel", at, text, label, to }     the example (text, label) near index `at` becomes `to`
 *   { kind: "relabels", changes }                each of `changes` ({ at, text, label, to }) as a relabel
 *   { kind: "remove", at, text, label }          the example (text, label) near index `at` is removed
 *   { kind: "rename", names }                    a Map: every example of label `old` becomes `new`
 *   { kind: "clear", rows }                      the examples `rows` (all the tab showed) are removed
 * An example is found by its text and label, at `at` or else first of its kind: in another tab's
 * list it may have moved, and it may be gone (then nothing changes).
 */
export function apply(list, op) {
  switch (op.kind) {
    case "append": {
      const from = list.length;
      for (const row of op.rows) list.push(row); // not push(...rows): 100,000 arguments overflow the stack
      return op.rows.length ? [from, list.length] : null;
    }
    case "relabel": {
      const i = locate(list, op);
      if (i < 0) return null;
      list[i] = { text: op.text, label: op.to };
      return [i, i + 1];
    }
    case "relabels": {
      let touched = null;
      for (const change of op.changes) touched = union(touched, apply(list, { kind: "relabel", ...change }));
      return touched;
    }
    case "remove": {
      const i = locate(list, op);
      if (i < 0) return null;
      list.splice(i, 1);
      return [i, Infinity];
    }
    case "rename": {
      let touched = null;
      list.forEach((ex, i) => {
        if (!op.names.has(ex.label)) return;
        list[i] = { text: ex.text, label: op.names.get(ex.label) };
        touched = union(touched, [i, i + 1]);
      });
      return touched;
    }
    case "clear": {
      // Only the examples the tab showed when "Delete all" was pressed: replayed on another tab's
      // list, those it added meanwhile (never shown here) stay. Each row removes one of its kind.
      const key = (ex) => `${ex.label}\u0000${ex.text}`;
      const left = new Map();
      for (const row of op.rows) left.set(key(row), (left.get(key(row)) ?? 0) + 1);
      const before = list.length;
      let kept = 0;
      for (const ex of list) {
        const n = left.get(key(ex));
        if (n) left.set(key(ex), n - 1);
        else list[kept++] = ex;
      }
      list.length = kept;
      return kept < before ? [0, Infinity] : null;
    }
    default:
      throw new Error(`unknown change of examples: ${op.kind}`);
  }
}

function locate(list, { at, text, label }) {
  const same = (ex) => ex.text === text && ex.label === label;
  return list[at] && same(list[at]) ? at : list.findIndex(same);
}

const union = (a, b) => (a && b ? [Math.min(a[0], b[0]), Math.max(a[1], b[1])] : a ?? b);

/**
 * Keeps `state.examples` and the examples saved in `store` (store.js: examplesVersion, loadState,
 * saveExamples, onExamplesSaved) in step. `version` is the saved version `state.examples` was
 * read at; `isLabels` is store.loadState's; `onMerged(problems)` is called when
 * the list was replaced by the saved one (with this tab's unsaved changes applied; `problems` as
 * store.loadState gives them); `onError(err)`
 * when a save failed (its changes are kept and tried again with the next one). Returns
 * `change(op)`: applies `op` (see `apply`) to the list now and saves it; `change.settled()`
 * resolves once what was asked of the store so far is done.
 */
export function shareExamples(store, state, version, { isLabels, onMerged, onError }) {
  let unsaved = []; // operations applied to state.examples, not saved yet
  let dirty = null; // the range of state.examples they touched
  let queue = Promise.resolve();
  // Leaving while a change is still being written would lose it (an import of 25,000 reviews
  // takes seconds to save): the browser asks first.
  let writing = false;
  // Listened to only while there is something to write: a page with a beforeunload listener is
  // kept out of Firefox's back-forward cache.
  const leaving = (e) => {
    if (unsaved.length > 0 || writing) e.preventDefault();
  };
  const guard = (on) => globalThis[on ? "addEventListener" : "removeEventListener"]?.("beforeunload", leaving);
  const schedule = () => {
    queue = queue.then(sync).catch(onError).finally(() => guard(unsaved.length > 0));
  };

  async function sync() {
    // With changes to save, the save itself checks the version (and is refused if it moved on):
    // no read first, so that the save's transaction is asked for at once, in the task of the change.
    let stale = !dirty && (await store.examplesVersion()) !== version;
    for (;;) {
      if (stale) {
        const saved = await store.loadState(isLabels);
        dirty = null;
        for (const op of unsaved) dirty = union(dirty, apply(saved.examples, op));
        if (!dirty) unsaved = []; // each was undone or overtaken in the other tab: nothing to save
        state.examples = saved.examples;
        version = saved.version;
        onMerged(saved.problems);
      }
      if (!dirty) return;
      const [from, to] = dirty;
      const ops = unsaved;
      unsaved = [];
      dirty = null;
      let saved;
      writing = true;
      try {
        // A copy: a change made while the chunks are written must not shift the ones still to write.
        saved = await store.saveExamples(state.examples.slice(), from, to, version);
      } catch (err) {
        unsaved = ops.concat(unsaved);
        dirty = union([from, to], dirty);
        throw err;
      } finally {
        writing = false;
      }
      if (saved !== null) {
        version = saved;
        return;
      }
      // Another tab saved first: its list is read, and these changes applied to it, on the next turn.
      unsaved = ops.concat(unsaved);
      dirty = union([from, to], dirty);
      stale = true;
    }
  }

  // Another tab saved: read its list (unless this tab's own save already did). Once now too: a
  // save made while this tab read the list, before it listened, sent a message no one heard.
  store.onExamplesSaved(schedule);
  schedule();

  function change(op) {
    const touched = apply(state.examples, op);
    if (!touched) return;
    unsaved.push(op);
    dirty = union(dirty, touched);
    guard(true);
    schedule();
  }
  change.settled = () => queue;
  return change;
}
