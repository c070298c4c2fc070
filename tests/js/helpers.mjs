// For the JS test files: the shared harness (tools/harness.mjs), and the before/after hooks that
// serve www/ to a test file.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, launch, serve, watch } from "../../tools/harness.mjs";

export { CHROMIUM_ARGS, PKG, ROOT, launch, run, serve, watch } from "../../tools/harness.mjs";

/**
 * For a test file of the demo site: serves www/ and launches Chromium before its tests, closes
 * both after. The returned object's `browser` and `url` are set once the `before` hook has run.
 */
export function serveWww() {
  const site = { browser: null, server: null, url: null };
  before(async () => {
    assert.ok(existsSync(join(ROOT, "www/pkg/polarity_bg.wasm")), "www/pkg missing: run `make build`");
    ({ server: site.server, url: site.url } = await serve({ root: join(ROOT, "www"), port: 0 }));
    site.browser = await launch();
  });
  after(async () => {
    await site.browser?.close();
    site.server?.close();
  });
  return site;
}

/** Opens the demo in a new page of `context`, once "Teach it" is ready: `{ page, seen }`. */
export async function openTeach(site, context) {
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(site.url);
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  return { page, seen };
}

/**
 * As `openTeach`, with the training worker's result (the trained model, or its error) held back
 * until `releaseTraining(page)`: a training that simply takes longer, so that a test can act in
 * another tab while it runs. `window.resultHeld` turns true once a result is held.
 */
export async function openTeachHeld(site, context) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    const Native = window.Worker;
    const held = [];
    window.resultHeld = false;
    window.releaseTraining = () => {
      window.resultHeld = false;
      for (const deliver of held.splice(0)) deliver();
    };
    window.Worker = class extends Native {
      constructor(url, options) {
        super(url, options);
        if (!String(url).includes("teach-worker")) return;
        let handler = null;
        super.onmessage = (e) => {
          if (e.data?.bytes || e.data?.error) {
            window.resultHeld = true;
            held.push(() => handler?.(e));
          } else handler?.(e);
        };
        Object.defineProperty(this, "onmessage", { set: (h) => (handler = h), get: () => handler });
      }
    };
  });
  const seen = watch(page);
  await page.goto(site.url);
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  return { page, seen };
}

/** Waits until the training in `page` (opened with `openTeachHeld`) has its result, held. */
export const trainingHeld = (page) => page.waitForFunction(() => window.resultHeld === true, null, { timeout: 60_000 });

/**
 * Lets the held result of `page`'s training through, and waits until the training has ended and
 * its status says how.
 */
export async function releaseTraining(page) {
  await page.evaluate(() => window.releaseTraining());
  await page.waitForFunction(() => document.querySelector("#teach").dataset.training === "false" &&
    !/^Train(ing|ed)\b/.test(document.querySelector("#train-status").textContent), null, { timeout: 60_000 });
}

/**
 * Records `page`'s main-thread long tasks (over 50 ms) from now on; the returned function gives
 * their durations so far. Its `scripts()` gives each script (an event handler, timer, message or
 * animation-frame callback) that ran in a long animation frame of the same span, by name, with
 * its duration: what the page itself did in a long task, apart from rendering and from time the
 * machine gave to other threads.
 */
export async function recordLongTasks(page) {
  await page.evaluate(() => {
    window.longTasks = [];
    window.longScripts = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration)))
      .observe({ type: "longtask" });
    new PerformanceObserver((list) => {
      for (const frame of list.getEntries()) {
        for (const s of frame.scripts) {
          const where = `${s.sourceURL.split("/").pop()}:${s.sourceCharPosition}`;
          window.longScripts.push({ name: `${s.invoker} ${s.sourceFunctionName || ""}@${where}`, duration: Math.round(s.duration) });
        }
      }
    }).observe({ type: "long-animation-frame" });
  });
  const durations = () => page.evaluate(() => window.longTasks);
  durations.scripts = () => page.evaluate(() => window.longScripts);
  return durations;
}

/**
 * Waits until the page's saves to IndexedDB are written: the examples saved are those the page
 * shows (as many, and the listed ones the same texts and labels). For a test that reloads right
 * after a label or an import, whose save is still under way.
 */
export async function savesSettled(page) {
  const settled = () => page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const req = indexedDB.open("polarity-teach", 1);
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    try {
      const saved = await new Promise((ok, fail) => {
        const out = [];
        const req = db.transaction("kv").objectStore("kv").openCursor(IDBKeyRange.bound("examples/", "examples/\uffff"));
        req.onsuccess = () => {
          const cursor = req.result;
          if (!cursor) return ok(out);
          for (const e of cursor.value) out.push(e);
          cursor.continue();
        };
        req.onerror = () => fail(req.error);
      });
      const texts = [...document.querySelectorAll("#ex-list .ex-text")].map((e) => e.textContent);
      const labels = [...document.querySelectorAll("#ex-list select")].map((e) => e.value);
      if (saved.length !== Number(document.querySelector("#ex-count").textContent)) return false;
      const listed = saved.slice(saved.length - texts.length);
      return listed.every((e, i) => e.text === texts[i] && e.label === labels[i]);
    } finally {
      db.close();
    }
  });
  // Polled from here: waitForFunction takes an async predicate's promise itself for "true".
  for (const end = Date.now() + 30_000; !(await settled()); ) {
    if (Date.now() > end) throw new Error("the page's examples were not saved within 30 s");
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/**
 * Writes `entries` ([[key, value], ...]) into the demo's saved state (IndexedDB "polarity-teach",
 * store "kv") in one transaction, as a damaged or older page would have left them.
 */
export async function putSaved(page, entries) {
  await page.evaluate((entries) => new Promise((ok, fail) => {
    const req = indexedDB.open("polarity-teach", 1);
    req.onsuccess = () => {
      const t = req.result.transaction("kv", "readwrite");
      for (const [key, value] of entries) t.objectStore("kv").put(value, key);
      t.oncomplete = () => { req.result.close(); ok(); };
      t.onerror = () => fail(t.error);
    };
    req.onerror = () => fail(req.error);
  }), entries);
}
