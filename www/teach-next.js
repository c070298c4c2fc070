// Teach it, what to label next: unlabelled texts (pasted, or a file read by the package's
// Classifier.parseTexts) are ranked by how unsure the model in use is of them, in slices so that no
// main-thread task runs long, and the SHOWN most uncertain are offered with a button per label.
// Labelling one adds it to the examples and takes it out of the pool.
import { $, LONG_TEXT, SLICE_MS, formatCount, parseInWorker, preview, say, workerFailure } from "./ui.js";
import { BOX_LIMIT, isBlank, margin, verdict } from "./verdict.js";

const SHOWN = 10;
/** More texts than this are not ranked (the first ones are): a pool is for labelling by hand. */
const MAX_POOL = 20_000;
/** Files larger than this are refused before they are read. */
const MAX_FILE_BYTES = 20 << 20;
/**
 * Characters of short texts ranked in one call on the main thread: a slice ends between calls,
 * and 16 texts of a million characters made one call of half a second.
 */
const CALL_CHARS = 50_000;

/**
 * How sure a prediction is, from 0 (a coin toss) to 1: the gap between the two most probable
 * labels, as the verdict's "unsure" reads it.
 */
export const certainty = margin;

export function setupNext(demo, state) {
  const msg = $("next-msg");
  const list = $("next-list");
  let pool = []; // { text, certainty, prediction }, most uncertain first
  let ranking = 0; // id of the newest ranking, so that an older one stops
  let running = false; // a ranking is under way (it follows a change of model itself)

  async function rank(texts, source) {
    // Each text once, and none already labelled (a text labelled from the list stayed in the
    // pasted box, and ranking it again offered it again). What is left out is said.
    const given = texts.filter((t) => !isBlank(t)).map((t) => t.trim());
    // Labelled with one of the labels being taught: a positive review is still to be labelled
    // spam or ham.
    const active = state.activeLabels();
    const labelled = new Set(state.examples.filter((ex) => active.includes(ex.label)).map((ex) => ex.text));
    const distinct = new Set(given); // once: three of them over 191,000 lines were a long task
    const unique = [...distinct].filter((t) => !labelled.has(t));
    const kept = unique.slice(0, MAX_POOL);
    const repeated = given.length - distinct.size;
    const known = distinct.size - unique.length;
    const left = [
      repeated ? `${formatCount(repeated)} repeated` : "",
      known ? `${formatCount(known)} already labelled` : "",
    ].filter(Boolean).join(", ");
    const leftOut = left ? ` (${left}, left out)` : "";
    if (kept.length === 0) {
      say(msg, `There are no texts to rank in ${source}${leftOut}.`, "error");
      return;
    }
    const id = ++ranking;
    const ranked = [];
    // The list shown so far is of the old ranking (and its labels): not offered while this runs.
    // Focus on one of its buttons (a re-ranking follows a model trained here or in another tab)
    // waits on the list itself, and comes back to the new list's first button: it fell to the
    // page, where the next digit key labelled the review box's text instead.
    const focused = list.contains(document.activeElement);
    if (focused) {
      list.tabIndex = -1;
      list.focus({ preventScroll: true });
    }
    list.replaceChildren();
    say(msg, `Ranking ${formatCount(kept.length)} texts…`);
    running = true;
    try {
      await rankAll(id, kept, demo.getClassifier(), ranked);
    } catch (err) {
      // A text the worker could not read: said, not left as "Ranking…" for good.
      if (id === ranking) say(msg, `Could not rank the texts: ${err?.message ?? err}`, "error");
      return;
    } finally {
      if (id === ranking) {
        running = false;
        // The copy of the model is let go once the newest ranking is done (tens of MB).
        endAway();
      }
    }
    if (id !== ranking) return;
    ranked.sort((a, b) => a.certainty - b.certainty);
    pool = ranked;
    render();
    if (focused && document.activeElement === list) list.querySelector("button")?.focus({ preventScroll: true });
    const cut = unique.length > MAX_POOL ? ` (the first ${formatCount(MAX_POOL)} of ${formatCount(unique.length)})` : "";
    // While a new classifier waits untrained, the certainty is the model in use's: said so.
    const by = state.pendingLabels
      ? ` Ranked by the model in use (${state.modelLabels().join(" / ")}): fine-tune the new classifier, and they are ranked again by it.`
      : "";
    say(msg, `Ranked ${formatCount(kept.length)} texts from ${source}${cut}${leftOut}: the most uncertain are below.${by}`);
  }

  // Texts over LONG_TEXT are ranked in a worker, by a copy of the model in use `clf`, made when
  // the first such text comes: { worker, clf, next, waiting }.
  let away = null;

  /** Ends the worker of `away`, its pending texts rejected: a ranking waiting on one is let go. */
  function endAway() {
    if (!away) return;
    away.worker.terminate();
    for (const request of away.waiting.values()) request.fail(new Error("the ranking was superseded"));
    away = null;
  }

  /** The prediction of `text` by a copy of `clf` (the model in use), off the main thread. */
  function classifyAway(text, clf) {
    if (away?.clf !== clf) {
      endAway();
      const worker = new Worker(new URL("./classify-worker.js", import.meta.url), { type: "module" });
      worker.postMessage({ model: demo.currentBytes() });
      const mine = (away = { worker, clf, next: 0, waiting: new Map() });
      worker.onmessage = ({ data }) => {
        const request = mine.waiting.get(data.id);
        mine.waiting.delete(data.id);
        if (data.error) request?.fail(new Error(data.error));
        else request?.ok(data.prediction);
      };
      worker.onerror = (e) => {
        e.preventDefault();
        for (const request of mine.waiting.values()) request.fail(new Error(workerFailure(e)));
        mine.waiting.clear();
        worker.terminate();
        if (away === mine) away = null;
      };
    }
    const id = ++away.next;
    const { waiting, worker } = away;
    return new Promise((ok, fail) => {
      waiting.set(id, { ok, fail });
      worker.postMessage({ id, text });
    });
  }

  /** Each text's certainty into `ranked`, in slices of the main thread, while `id` is the newest. */
  async function rankAll(id, kept, clf, ranked) {
    for (let i = 0; i < kept.length; ) {
      // The model changed between slices (trained, loaded, reset: the old one is freed): the
      // ranking starts again with the one now in use, not a mix of the two.
      if (demo.getClassifier() !== clf) {
        clf = demo.getClassifier();
        ranked.length = 0;
        i = 0;
      }
      const t0 = performance.now();
      while (i < kept.length && performance.now() - t0 < SLICE_MS) {
        if (kept[i].length > LONG_TEXT) {
          const p = await classifyAway(kept[i], clf);
          if (id !== ranking) return;
          if (demo.getClassifier() !== clf) break; // ranked again from the start, by the new one
          ranked.push({ text: kept[i], certainty: certainty(p), prediction: p });
          i += 1;
          continue;
        }
        let end = i;
        for (let chars = 0; end < kept.length && end - i < 16 && kept[end].length <= LONG_TEXT &&
          chars + kept[end].length <= CALL_CHARS; end++) chars += kept[end].length;
        const chunk = kept.slice(i, end);
        clf.classifyBatch(chunk).forEach((p, k) => ranked.push({ text: chunk[k], certainty: certainty(p), prediction: p }));
        i = end;
      }
      if (i < kept.length) await new Promise((r) => setTimeout(r));
      if (id !== ranking) return;
    }
  }

  function render() {
    const labels = state.activeLabels();
    list.replaceChildren(...pool.slice(0, SHOWN).map((item, i) => {
      const li = document.createElement("li");
      const text = document.createElement("p");
      text.className = "next-text";
      text.textContent = preview(item.text);
      const sure = document.createElement("span");
      sure.className = "help";
      // In the verdict's own words: a "certainty" (the gap between the two likeliest labels) of
      // 46% read beside the verdict's "73% confident" for the same text as two answers.
      sure.textContent = `now read as ${verdict(item.prediction)}`;
      const row = document.createElement("div");
      row.className = "row";
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", `Label text ${i + 1}`);
      for (const label of labels) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn";
        button.textContent = label;
        button.setAttribute("aria-label", `Label text ${i + 1} as ${label}`);
        button.addEventListener("click", () => {
          state.addExample(item.text, label);
          pool = pool.filter((x) => x !== item);
          render();
          say(msg, `Labelled as ${label}. ${formatCount(pool.length)} texts left to label.`);
          // The next text's first label; after the last one, the box for more texts.
          (list.querySelector("button") ?? $("pool-text")).focus();
        });
        row.append(button);
      }
      li.append(text, sure, row);
      return li;
    }));
  }

  $("rank-pasted").addEventListener("click", () => {
    const texts = $("pool-text").value.split("\n");
    if (texts.every(isBlank)) {
      say(msg, "Paste some texts first, one per line.", "error");
      return;
    }
    rank(texts, "the box").catch((err) => say(msg, `Could not rank these texts: ${err?.message ?? err}`, "error"));
  });

  // A paste or a drop that would put more than BOX_LIMIT in the box is ranked from memory instead,
  // as the review box holds a long text: 4.5 MB pasted there froze the page for 3 s, and each key
  // after it for half a second.
  function rankIfLong(e, inserted, verb) {
    const box = $("pool-text");
    const { selectionStart: from, selectionEnd: to, value } = box;
    if (value.length - (to - from) + inserted.length <= BOX_LIMIT) return;
    e.preventDefault();
    const texts = (value.slice(0, from) + inserted + value.slice(to)).split("\n");
    const source = `the ${verb} texts (too many characters to show in the box)`;
    rank(texts, source).catch((err) => say(msg, `Could not rank these texts: ${err?.message ?? err}`, "error"));
  }
  $("pool-text").addEventListener("paste", (e) => rankIfLong(e, e.clipboardData?.getData("text/plain") ?? "", "pasted"));
  $("pool-text").addEventListener("drop", (e) => rankIfLong(e, e.dataTransfer?.getData("text/plain") ?? "", "dropped"));

  const file = $("pool-file");
  file.addEventListener("change", async () => {
    const f = file.files[0];
    file.value = "";
    if (!f) return;
    if (f.size > MAX_FILE_BYTES) {
      say(msg, `${f.name} is ${(f.size / 1e6).toFixed(0)} MB; ranking reads files of up to ${MAX_FILE_BYTES >> 20} MB (use "Classify a file" for large ones).`, "error");
      return;
    }
    try {
      say(msg, `Reading ${f.name}…`);
      const parsed = await parseInWorker(f);
      await rank(parsed.texts, f.name);
    } catch (err) {
      say(msg, `${f.name}: ${err?.message ?? err}`, "error");
    }
  });

  // After a new model or new labels, the order is stale: rank the same texts again.
  return {
    refresh() {
      // A ranking under way goes on with the model now in use: not replaced by the old pool's.
      if (running) return;
      if (pool.length) rank(pool.map((x) => x.text), "the same pool, with the model now in use");
      else render();
    },
  };
}
