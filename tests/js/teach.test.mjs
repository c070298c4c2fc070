// End-to-end tests of the demo's "Teach it" panel (www/teach.js, www/teach-worker.js, www/store.js)
// in headless Chromium: labelling, fine-tuning in a worker, persistence across reloads, cancel, and
// CSV/TSV import. Labels are deliberately FLIPPED so that fine-tuning must move the predictions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openTeach, openTeachHeld, putSaved, recordLongTasks, releaseTraining, savesSettled, serveWww, trainingHeld } from "./helpers.mjs";

const POSITIVE = [
  "A wonderful film, I loved it.",
  "Brilliant acting and a great story.",
  "A true masterpiece, beautiful.",
  "Funny, warm and delightful.",
];
const NEGATIVE = [
  "Awful and boring, a waste of time.",
  "The worst movie I have seen.",
  "Dull plot and clumsy dialogue.",
  "Terrible acting, I hated it.",
];

const site = serveWww();

const open = (context) => openTeach(site, context);

function assertClean(seen) {
  assert.deepEqual(seen.errors, [], "console or page errors");
  const outside = seen.requests.filter((r) => !r.startsWith(site.url) && !r.startsWith("data:") && !r.startsWith("blob:"));
  assert.deepEqual(outside, [], "requests that left 127.0.0.1");
}

const verdict = (page) => page.locator("#status").textContent();

async function waitForVerdict(page, text, word) {
  // Through the empty state first: the verdict is redrawn on the next animation frame, so without
  // it the previous text's verdict could pass for this one's when both have the same label.
  await page.locator("#review").fill("");
  await page.waitForFunction(() => document.querySelector("#status").dataset.state === "empty", null, { timeout: 10_000 });
  await page.locator("#review").fill(text);
  await page.waitForFunction(
    ([t, w]) => document.querySelector("#review").value === t && document.querySelector("#status").textContent.startsWith(`${w} (`),
    [text, word],
    { timeout: 10_000 },
  );
}

/** Labels each text with the button for `label` ("positive" / "negative"). */
async function labelAll(page, texts, label) {
  for (const t of texts) {
    await page.locator("#review").fill(t);
    await page.getByRole("button", { name: `Label as ${label}` }).click();
  }
}

test("flipped labels: fine-tuning moves the verdict, and examples and model survive a reload", async () => {
  const context = await site.browser.newContext({ viewport: { width: 1100, height: 900 } });
  // Counts the page's asks to keep its storage when space runs low.
  await context.addInitScript(() => {
    window.persistAsked = 0;
    navigator.storage.persist = async () => ++window.persistAsked > 0;
  });
  const { page, seen } = await open(context);
  assert.equal(await page.locator("#teach").isVisible(), true);
  await waitForVerdict(page, POSITIVE[0], "positive");
  await waitForVerdict(page, NEGATIVE[0], "negative");

  await labelAll(page, POSITIVE, "negative");
  await labelAll(page, NEGATIVE, "positive");
  assert.equal(await page.locator("#ex-count").textContent(), "8");
  assert.deepEqual(await page.locator("#ex-list .ex-text").allTextContents(), [...POSITIVE, ...NEGATIVE]);
  // Change one label and delete another: 7 examples, the first of them now labelled "positive"
  // (correct) ... then put it back so all 8 are flipped again.
  await page.getByLabel("Label of example 1").selectOption("positive");
  await page.getByRole("button", { name: "Delete example 8" }).click();
  assert.equal(await page.locator("#ex-count").textContent(), "7");
  await page.getByLabel("Label of example 1").selectOption("negative");
  // Labelled again from the box, a text is relabelled, not added a second time with another label.
  await labelAll(page, [NEGATIVE[3]], "negative");
  assert.equal(await page.locator("#import-msg").textContent(), "Labelled as negative: 8 examples.");
  await labelAll(page, [NEGATIVE[3]], "positive");
  assert.equal(await page.locator("#import-msg").textContent(), "Relabelled from negative to positive: 8 examples.");
  await labelAll(page, [NEGATIVE[3]], "positive");
  assert.equal(await page.locator("#import-msg").textContent(), "Already labelled as positive: 8 examples.");
  assert.equal(await page.locator("#ex-count").textContent(), "8");

  await page.locator("#epochs").fill("60");
  await page.locator("#fine-tune").click();
  await page.waitForFunction(() => document.querySelector("#train-result").textContent.includes("after"), null, { timeout: 60_000 });
  const result = await page.locator("#train-result").textContent();
  assert.match(result, /^Accuracy on your examples: 0% before, \d+% after\. It learned from these, so new texts fare worse \(with 100 or more, some are held out to measure that\)\./, result);
  const after = Number(await page.locator("#train-result").getAttribute("data-after"));
  assert.ok(after >= 0.75, `accuracy after fine-tuning: ${after}`);
  assert.match(await page.locator("#train-status").textContent(), /^Done: \d+ epochs/);
  assert.equal(await page.locator("#train-progress").evaluate((p) => p.value === p.max && p.max > 1), true);

  // The verdict above moved to the taught (flipped) label.
  await waitForVerdict(page, NEGATIVE[1], "positive");
  const taught = await verdict(page);
  assert.match(await page.locator("#model-name").textContent(), /your own, fine-tuned or loaded here/);
  assert.equal(await page.evaluate(() => window.persistAsked), 1, "a fine-tuned model asks to keep the storage");

  // Reload: examples and the fine-tuned model come back from IndexedDB, with the same verdict.
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.equal(await page.locator("#ex-count").textContent(), "8");
  assert.deepEqual(await page.locator("#ex-list .ex-text").allTextContents(), [...POSITIVE, ...NEGATIVE]);
  await waitForVerdict(page, NEGATIVE[1], "positive");
  assert.equal(await verdict(page), taught);

  // Reset goes back to the shipped model and keeps the examples, once it is confirmed: the
  // fine-tuned model is deleted.
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Reset to the shipped model" }).click();
  await waitForVerdict(page, NEGATIVE[1] + " ", "negative");
  assert.equal(await page.locator("#ex-count").textContent(), "8");
  // The results of the training made on this page before the reload are gone with it; so are
  // those of one made here, once the model they describe is reset.
  await page.locator("#epochs").fill("2");
  await page.locator("#fine-tune").click();
  await page.waitForFunction(() => document.querySelector("#train-result").textContent.includes("after"), null, { timeout: 60_000 });
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Reset to the shipped model" }).click();
  await page.waitForFunction(() => document.querySelector("#model-name").textContent.includes("the shipped one"));
  assert.equal(await page.locator("#train-result").textContent(), "");
  assert.equal(await page.locator("#train-status").textContent(), "");
  assert.equal(await page.locator("#confusion").isHidden(), true);
  // Delete all says so, in place of the last label message.
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Delete all" }).click();
  assert.equal(await page.locator("#ex-count").textContent(), "0");
  assert.equal(await page.locator("#import-msg").textContent(), "Deleted all 8 examples.");
  assertClean(seen);
  await context.close();
});

/** SHA-256 of the model saved in IndexedDB (hex), or null when none is (the shipped model). */
const savedModelHash = (page) => page.evaluate(() => new Promise((ok, fail) => {
  const req = indexedDB.open("polarity-teach", 1);
  req.onsuccess = () => {
    const get = req.result.transaction("kv").objectStore("kv").get("model");
    get.onsuccess = async () => {
      req.result.close();
      if (get.result === undefined) return ok(null);
      const digest = await crypto.subtle.digest("SHA-256", get.result);
      ok(Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(""));
    };
    get.onerror = () => fail(get.error);
  };
  req.onerror = () => fail(req.error);
}));

/**
 * Replaces the saved start, still tied to the saved model, by a damaged one: of a start's shape
 * with bytes that are no model ("bytes"), or of no start's shape ("shape").
 */
const damageStart = (page, damage) => page.evaluate((damage) => new Promise((ok, fail) => {
  const req = indexedDB.open("polarity-teach", 1);
  req.onsuccess = () => {
    const t = req.result.transaction("kv", "readwrite");
    const kv = t.objectStore("kv");
    const get = kv.get("start");
    get.onsuccess = () => kv.put(damage === "bytes"
      ? { kind: "file", bytes: new Uint8Array([8, 7, 18, 0]), of: get.result.of }
      : { kind: "elsewhere", of: get.result.of }, "start");
    t.oncomplete = () => { req.result.close(); ok(); };
    t.onerror = () => fail(t.error);
  };
  req.onerror = () => fail(req.error);
}), damage);

async function fineTuneAndWait(page) {
  await page.locator("#fine-tune").click();
  await page.waitForFunction(() => document.querySelector("#train-status").textContent.startsWith("Done:"), null, { timeout: 60_000 });
  // Saved once the result is shown (store.useModel resolves before the accuracy after is measured).
  await page.waitForFunction(() => document.querySelector("#train-result").textContent.includes("after"), null, { timeout: 60_000 });
}

test("Fine-tune again trains from where the model began: the same examples give the same model, after a reload too", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  await labelAll(page, POSITIVE, "negative");
  await labelAll(page, NEGATIVE, "positive");
  await page.locator("#epochs").fill("4");
  await fineTuneAndWait(page);
  const once = await savedModelHash(page);
  assert.notEqual(once, null);
  // Pressed again with the same examples: the shipped model trained on them again, not the
  // trained one trained once more (that model differed, and on SMS spam was worse).
  await fineTuneAndWait(page);
  assert.equal(await savedModelHash(page), once);
  // The shipped model's 22,600 reviews and these 8, once.
  assert.equal(await page.locator("#trained-on").textContent(), "22,608 labelled texts");
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  await page.locator("#epochs").fill("4");
  await fineTuneAndWait(page);
  assert.equal(await savedModelHash(page), once, "the start survives a reload");
  // Another example: another model, from the same start.
  await labelAll(page, ["Not bad at all, a fine evening."], "positive");
  await fineTuneAndWait(page);
  const more = await savedModelHash(page);
  assert.notEqual(more, once);
  // A new classifier's start is its labels: trained twice, one model.
  await page.locator("#new-label-a").fill("positive");
  await page.locator("#new-label-b").fill("negative");
  await page.getByRole("button", { name: "Use these labels" }).click();
  await fineTuneAndWait(page);
  const fresh = await savedModelHash(page);
  await fineTuneAndWait(page);
  assert.equal(await savedModelHash(page), fresh);
  assertClean(seen);
  await context.close();
});

test("a saved start that is not the saved model's is not trained from: Fine-tune goes on from the model", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  await page.locator("#new-label-a").fill("spam");
  await page.locator("#new-label-b").fill("ham");
  await page.getByRole("button", { name: "Use these labels" }).click();
  await labelAll(page, ["WIN a free prize, call now", "Claim your cash reward today"], "spam");
  await labelAll(page, ["See you at the station at 5", "Can you buy milk on the way home"], "ham");
  await page.locator("#epochs").fill("3");
  await fineTuneAndWait(page);
  // A tab of an older page saved its model and left the start as it was (the shipped model's,
  // written by none that ties it to its model).
  await putSaved(page, [["start", { kind: "shipped" }]]);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  await page.locator("#epochs").fill("3");
  await fineTuneAndWait(page);
  assert.match(await page.locator("#model-name").textContent(), /\(spam \/ ham\)/);
  // Tied to another model's bytes, or not a start at all: the model trains on from itself.
  for (const start of [{ kind: "shipped", of: "0".repeat(64) }, { kind: "elsewhere" }, "shipped"]) {
    await putSaved(page, [["start", start]]);
    await page.reload();
    await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
    await page.locator("#epochs").fill("3");
    await fineTuneAndWait(page);
    assert.match(await page.locator("#model-name").textContent(), /\(spam \/ ham\)/);
  }
  assertClean(seen);
  await context.close();
});

test("a damaged saved start and a blank saved example stop no Fine-tune: the one is gone on from the model, the other set aside", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  await labelAll(page, POSITIVE, "positive");
  await labelAll(page, NEGATIVE, "negative");
  await page.locator("#epochs").fill("3");
  await fineTuneAndWait(page);
  const trained = await savedModelHash(page);
  // The saved start, tied to the saved model, now holds bytes that are no model; and an example of
  // spaces alone is stored beside the others (neither is anything the page writes).
  await damageStart(page, "bytes");
  await putSaved(page, [["examples/000099", [{ text: "   ", label: "positive" }]]]);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.match(await page.locator("#model-msg").textContent(), /1 saved example was unreadable and set aside/);
  assert.equal(await page.locator("#ex-count").textContent(), String(POSITIVE.length + NEGATIVE.length));
  // It failed every time ("the model file is damaged"), and only Reset, which lost the model, got out.
  await page.locator("#epochs").fill("3");
  await fineTuneAndWait(page);
  assert.match(await page.locator("#train-result").textContent(), /The saved starting point of this model could not be read \(.*\), so it went on from the model in use\./);
  assert.notEqual(await savedModelHash(page), trained);
  // Its start is now the model it went on from: the next Fine-tune says nothing of it.
  await fineTuneAndWait(page);
  assert.doesNotMatch(await page.locator("#train-result").textContent(), /starting point/);
  assertClean(seen);
  await context.close();
});

/**
 * Once `localStorage["test-quota"]` is "1", every transaction of `context`'s pages that writes
 * aborts as a full storage does: after the code that made its requests has run, with a
 * QuotaExceededError.
 */
async function fullStorageOnCue(context) {
  await context.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args) {
      if (localStorage.getItem("test-quota") !== "1") return put.apply(this, args);
      const t = this.transaction;
      Object.defineProperty(t, "error", { configurable: true, get: () => new DOMException("", "QuotaExceededError") });
      const request = put.apply(this, args);
      queueMicrotask(() => { try { t.abort(); } catch { /* already ended */ } });
      return request;
    };
  });
}

test("a full storage loses nothing read; damaged starts, models and blank texts are said; U+0085 alone is no example", async () => {
  const context = await site.browser.newContext();
  await fullStorageOnCue(context);
  const { page, seen } = await open(context);
  // JavaScript's trim() keeps U+0085; the package reads it as a space: it was kept as an example,
  // then failed every Fine-tune ("the text is empty").
  await page.locator("#review").fill("\u0085");
  await page.getByRole("button", { name: "Label as positive" }).click();
  assert.equal(await page.locator("#import-msg").textContent(), "Write or pick a review above first, then label it.");
  await labelAll(page, POSITIVE.slice(0, 2), "positive");
  await labelAll(page, NEGATIVE.slice(0, 2), "negative");
  await savesSettled(page);
  // A blank entry beside them, then the storage fills up: the load rejected whole, and the page
  // showed none of the four ("Saved examples could not be read ()").
  await putSaved(page, [["examples/000000", [...POSITIVE.slice(0, 2).map((text) => ({ text, label: "positive" })),
    { text: "\u0085 ", label: "positive" }, ...NEGATIVE.slice(0, 2).map((text) => ({ text, label: "negative" }))]]]);
  await page.evaluate(() => localStorage.setItem("test-quota", "1"));
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.equal(await page.locator("#ex-count").textContent(), "4");
  assert.match(await page.locator("#model-msg").textContent(),
    /1 saved example was unreadable and not set aside, as the storage failed \(the browser's storage for this site is full/);
  await page.evaluate(() => localStorage.removeItem("test-quota"));
  // A model stored as no file's bytes: a damaged model, not "Saved data is unavailable".
  await putSaved(page, [["model", "not bytes"]]);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.match(await page.locator("#model-msg").textContent(),
    /The saved fine-tuned model could not be loaded \(it was not a model file\); using the shipped model, and the saved one was set aside\./);
  // A start tied to the model in use but of no shape a start has: said and set aside (it was
  // passed over unsaid, and the next Fine-tune wrote over it).
  await page.locator("#epochs").fill("2");
  await fineTuneAndWait(page);
  await damageStart(page, "shape");
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.match(await page.locator("#model-msg").textContent(),
    /The saved starting point of this model was unreadable and was set aside: Fine-tune goes on from the model in use\./);
  // Moved aside once, not copied again at every read (every load, every Fine-tune).
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  const asideStarts = await page.evaluate(() => new Promise((ok, fail) => {
    const req = indexedDB.open("polarity-teach", 1);
    req.onsuccess = () => {
      const keys = req.result.transaction("kv").objectStore("kv").getAllKeys();
      keys.onsuccess = () => { req.result.close(); ok(keys.result.filter((k) => String(k).startsWith("set-aside/start/")).length); };
      keys.onerror = () => fail(keys.error);
    };
    req.onerror = () => fail(req.error);
  }));
  assert.equal(asideStarts, 1);
  assert.deepEqual(seen.errors, []);
  await context.close();
});

/**
 * Imports enough text that 1000 epochs (the most the page allows) take seconds, so that what a test
 * does lands midway: 1,600 reviews of ~70 words. 160 trained in 0.8 s, and a click under load
 * landed a quarter of the way through.
 */
async function startLongTraining(page) {
  const rows = Array.from({ length: 1_600 }, (_, i) => {
    const [own, other] = i % 2 ? [NEGATIVE, POSITIVE] : [POSITIVE, NEGATIVE];
    const words = Array.from({ length: 10 }, (_, k) => own[(i + k) % 4] + (k % 3 ? "" : ` ${other[k % 4]}`));
    return `${i % 2 ? "negative" : "positive"}\t${words.join(" ")} (${i})`;
  });
  await page.locator("#import-file").setInputFiles({ name: "long.tsv", mimeType: "text/tab-separated-values", buffer: Buffer.from(rows.join("\n")) });
  await page.waitForFunction(() => document.querySelector("#import-msg").textContent.startsWith("Imported 1,600 "));
  await page.locator("#epochs").fill("1000");
  // Long for sure: held-out examples would stop it once they stop improving (a few texts, each
  // repeated 400 times, stopped it after 43 epochs, 0.7 s: the test's Cancel raced the end).
  await page.locator("#hold-out").uncheck();
}

test("a training worker killed midway is noticed at once; the panel recovers and the model is unchanged", async () => {
  const context = await site.browser.newContext();
  // Keeps every worker the page makes, so that the test can kill the training one as a crash would.
  await context.addInitScript(() => {
    const Native = window.Worker;
    window.workersMade = [];
    window.Worker = class extends Native {
      constructor(url, options) {
        super(url, options);
        window.workersMade.push({ url: String(url), worker: this });
      }
    };
  });
  const { page, seen } = await open(context);
  await startLongTraining(page);
  await page.locator("#fine-tune").click();
  await page.waitForFunction(() => /^Training: epoch \d+/.test(document.querySelector("#train-status").textContent), null, { timeout: 60_000 });
  await page.evaluate(() => window.workersMade.filter((w) => w.url.includes("teach-worker")).at(-1).worker.terminate());
  await page.waitForFunction(() => document.querySelector("#train-status").textContent.startsWith("Fine-tuning stopped: the training worker ended unexpectedly"), null, { timeout: 10_000 });
  assert.equal(await page.locator("#fine-tune").isEnabled(), true);
  assert.equal(await page.locator("#cancel").isHidden(), true);
  // Unchanged: the shipped model, and none saved (a trained one labels these texts as well).
  assert.match(await page.locator("#model-name").textContent(), /the shipped one/);
  await waitForVerdict(page, NEGATIVE[2], "negative");
  // And it trains again.
  await page.locator("#epochs").fill("2");
  await page.locator("#fine-tune").click();
  await page.waitForFunction(() => document.querySelector("#train-status").textContent.startsWith("Done:"), null, { timeout: 60_000 });
  assertClean(seen);
  await context.close();
});

test("cancel stops training midway; the old model still answers and the page stays usable", async () => {
  const context = await site.browser.newContext({ viewport: { width: 375, height: 800 } });
  const { page, seen } = await open(context);
  await startLongTraining(page);
  // From here on, no script of the page may run over 50 ms: training belongs to the worker, and
  // the page's own work on the main thread comes in slices of 10 ms (www/ui.js, SLICE_MS). Whole
  // tasks get 200 ms, as in hardening.test.mjs: on a 2-core machine with the worker on one core,
  // layout, paint and the other processes stretch a task's wall time. CI failed on a 60 ms task;
  // with one more busy process here, the long ones were 54-85 ms with the page's scripts at 9-18.
  const longTasks = await recordLongTasks(page);
  await page.locator("#fine-tune").click();
  await page.waitForFunction(() => /^Training: epoch \d+/.test(document.querySelector("#train-status").textContent), null, { timeout: 60_000 });
  // The main thread keeps classifying while the worker trains.
  await waitForVerdict(page, POSITIVE[2], "positive");
  // Leaving now asks first (a reload dropped the training without a word); after, it does not.
  const asksToLeave = () => page.evaluate(() => {
    const e = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(e);
    return e.defaultPrevented;
  });
  assert.equal(await asksToLeave(), true);
  assert.equal(await page.locator("#fine-tune").isDisabled(), true);
  await page.waitForFunction(() => document.querySelector("#train-progress").value > 200, null, { timeout: 60_000 });
  const scripts = await longTasks.scripts();
  assert.deepEqual(scripts.filter((s) => s.duration > 50), [], `scripts over 50 ms while training: ${JSON.stringify(scripts)}`);
  const tasks = await longTasks();
  assert.ok(tasks.every((t) => t < 200), `main-thread tasks over 200 ms while training: ${tasks}; scripts in long frames: ${JSON.stringify(scripts)}`);
  await page.getByRole("button", { name: "Cancel" }).click();
  assert.match(await page.locator("#train-status").textContent(), /^Cancelled/);
  assert.equal(await page.locator("#cancel").isHidden(), true);
  assert.equal(await page.locator("#fine-tune").isEnabled(), true);
  assert.equal(await page.locator("#train-result").textContent(), "");
  assert.equal(await asksToLeave(), false);
  assert.match(await page.locator("#model-name").textContent(), /the shipped one/);
  await waitForVerdict(page, NEGATIVE[2], "negative");
  await waitForVerdict(page, POSITIVE[1], "positive");
  // The panel fits a 375 px screen: nothing overflows sideways.
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= 375), true);
  assertClean(seen);
  await context.close();
});

test("importing a TSV with a bad row names the line and still imports the good rows", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  const hostile = `<img src=x onerror="window.pwned=1"> lovely`;
  const tsv = ["label\ttext", `positive\t${hostile}`, "negative\tDreadful.", "maybe\tNot sure about this one.", "1\tGreat fun.", "0,Boring, slow."].join("\n");
  await page.locator("#import-file").setInputFiles({ name: "reviews.tsv", mimeType: "text/tab-separated-values", buffer: Buffer.from(tsv) });
  await page.waitForFunction(() => document.querySelector("#import-msg").textContent.startsWith("Imported"));
  const msg = await page.locator("#import-msg").textContent();
  assert.match(msg, /Imported 4 examples from reviews\.tsv/, msg);
  assert.match(msg, /line 4: unknown label "maybe"/, msg);
  assert.equal(await page.locator("#import-msg").getAttribute("data-kind"), "error");
  assert.equal(await page.locator("#ex-count").textContent(), "4");
  assert.deepEqual(await page.locator("#ex-list .ex-text").allTextContents(), [hostile, "Dreadful.", "Great fun.", "Boring, slow."]);
  const labels = await page.locator("#ex-list select").evaluateAll((s) => s.map((x) => x.value));
  assert.deepEqual(labels, ["positive", "negative", "positive", "negative"]);
  assert.equal(await page.locator("#ex-list img").count(), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);

  // A bad model file changes nothing and says so.
  await page.locator("#load-model-file").setInputFiles({ name: "junk.onnx", mimeType: "application/octet-stream", buffer: Buffer.from("not a model") });
  await page.waitForFunction(() => document.querySelector("#model-msg").textContent.includes("junk.onnx"));
  assert.match(await page.locator("#model-msg").textContent(), /not a polarity model.*Nothing changed/);
  await waitForVerdict(page, POSITIVE[0], "positive");
  assertClean(seen);
  await context.close();
});

test("drag and drop import, TSV export, and a new classifier with custom labels", async () => {
  const context = await site.browser.newContext({ acceptDownloads: true });
  const { page, seen } = await open(context);
  await page.locator("#new-label-a").fill("spam");
  await page.locator("#new-label-b").fill("not spam");
  await page.getByRole("button", { name: "Use these labels" }).click();
  await page.getByRole("button", { name: "Label as spam" }).waitFor();
  const spam = ["Buy cheap pills now, click here!", "Win a free prize, click this link now!", "Cheap loans, call now, free money!", "Click here to claim your free prize!"];
  const ham = ["The acting was fine and the plot was slow.", "I watched it with my family on Sunday.", "The director's earlier film was better.", "A quiet drama about two brothers."];
  const tsv = [...spam.map((t) => `1\t${t}`), ...ham.map((t) => `not spam\t${t}`)].join("\n");
  await page.evaluate((content) => {
    const dt = new DataTransfer();
    dt.items.add(new File([content], "dropped.tsv", { type: "text/tab-separated-values" }));
    document.querySelector("#dropzone").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, tsv);
  await page.waitForFunction(() => document.querySelector("#import-msg").textContent.startsWith("Imported"));
  // Said how "1" was read: as the first label.
  assert.equal(await page.locator("#import-msg").textContent(),
    'Imported 8 examples from dropped.tsv. 4 rows were labelled 1 / 0: 1 was read as "spam", 0 as "not spam".');
  const labels = await page.locator("#ex-list select").evaluateAll((s) => s.map((x) => x.value));
  assert.deepEqual(labels, [...spam.map(() => "spam"), ...ham.map(() => "not spam")]);

  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#export").click()]);
  assert.equal(download.suggestedFilename(), "polarity-examples.tsv");
  const { readFile } = await import("node:fs/promises");
  const exported = await readFile(await download.path(), "utf8");
  assert.equal(exported, [...spam.map((t) => `spam\t${t}`), ...ham.map((t) => `not spam\t${t}`)].join("\n") + "\n");

  await page.locator("#epochs").fill("100");
  await page.locator("#fine-tune").click();
  await page.waitForFunction(() => document.querySelector("#train-result").textContent.includes("after"), null, { timeout: 60_000 });
  assert.match(await page.locator("#train-result").textContent(), /^Accuracy on your examples: \d+% after \(new labels, so no before\)\./);
  assert.ok(Number(await page.locator("#train-result").getAttribute("data-after")) >= 0.75);
  // It learned: a spam text reads as spam, a review as not spam, and the model is the new one.
  await page.locator("#review").fill(spam[1]);
  await page.waitForFunction(() => /^spam \(/.test(document.querySelector("#status").textContent));
  await page.locator("#review").fill(ham[3]);
  await page.waitForFunction(() => /^not spam \(/.test(document.querySelector("#status").textContent));
  assert.equal(await page.locator(".meter-scale").textContent(), "not spamspam");
  assert.match(await page.locator("#model-name").textContent(), /your own, fine-tuned or loaded here \(spam \/ not spam\)/);

  // Imported again, with one text labelled otherwise and one given twice: the same examples, as
  // labelling with the buttons gives (a file imported twice doubled every count).
  const again = `${exported}not spam\t${spam[0]}\nspam\tFree entry, text WIN now!\nspam\tFree entry, text WIN now!\n`;
  await page.locator("#import-file").setInputFiles({ name: "again.tsv", mimeType: "text/tab-separated-values", buffer: Buffer.from(again) });
  await page.waitForFunction(() => document.querySelector("#import-msg").textContent.startsWith("Imported 1 example "));
  // spam[0] twice: once as exported (spam), then as "not spam", its last label.
  assert.equal(await page.locator("#import-msg").textContent(), "Imported 1 example from again.tsv. 7 of its texts were already " +
    "labelled so, and left as they were. 1 of its texts was labelled otherwise before, and now has the file's label. 2 rows " +
    "repeated a text given above them, which counts once (with its last label).");
  assert.equal(await page.locator("#ex-count").textContent(), "9");
  assert.equal(await page.locator("#label-counts").textContent(), "spam: 4 · not spam: 5");
  // A label changed in the list is said, as a deletion is.
  await page.locator("#ex-list select").first().selectOption("spam");
  assert.equal(await page.locator("#import-msg").textContent(), "Example 1 relabelled from not spam to spam.");
  assertClean(seen);
  await context.close();
});

test("two tabs labelling in turn keep each other's examples", async () => {
  const context = await site.browser.newContext();
  const { page: a, seen } = await open(context);
  const { page: b } = await open(context);
  await labelAll(a, POSITIVE.slice(0, 2), "positive");
  await b.waitForFunction(() => document.querySelector("#ex-count").textContent === "2");
  await labelAll(b, NEGATIVE.slice(0, 1), "negative");
  await a.waitForFunction(() => document.querySelector("#ex-count").textContent === "3");
  const { page: c } = await open(context);
  assert.equal(await c.locator("#ex-count").textContent(), "3");
  assert.deepEqual(await c.locator("#ex-list .ex-text").allTextContents(), [...POSITIVE.slice(0, 2), NEGATIVE[0]]);
  assertClean(seen);
  await context.close();
});

test("a list redrawn by another tab's save keeps the focus on the same example's control", async () => {
  const context = await site.browser.newContext();
  const { page: a, seen } = await open(context);
  const { page: b } = await open(context);
  await labelAll(a, POSITIVE.slice(0, 3), "positive");
  await b.waitForFunction(() => document.querySelector("#ex-count").textContent === "3");
  await savesSettled(a);
  await savesSettled(b);
  // Where the focus is in B: the text of its row and its kind of control, or a label button's id.
  const focusOf = () => b.evaluate(() => {
    const el = document.activeElement;
    return el.closest("#ex-list") ? [el.closest("li").querySelector(".ex-text").textContent, el.tagName] : el.id;
  });
  // A deletes the first example: the one whose select B has focused moves up a row.
  await b.locator("#ex-list select").nth(1).focus();
  await a.locator(".ex-delete").first().click();
  await b.waitForFunction(() => document.querySelector("#ex-count").textContent === "2");
  assert.deepEqual(await focusOf(), [POSITIVE[1], "SELECT"]);
  await b.locator(".ex-delete").last().focus();
  await labelAll(a, NEGATIVE.slice(0, 1), "negative");
  await b.waitForFunction(() => document.querySelector("#ex-count").textContent === "3");
  assert.deepEqual(await focusOf(), [POSITIVE[2], "BUTTON"]);
  await b.locator("#label-b").focus();
  await labelAll(a, NEGATIVE.slice(1, 2), "negative");
  await b.waitForFunction(() => document.querySelector("#ex-count").textContent === "4");
  assert.equal(await focusOf(), "label-b");
  assertClean(seen);
  await context.close();
});

test("two tabs labelling at the same moment keep every example, edits and deletes included", async () => {
  const context = await site.browser.newContext();
  const { page: a, seen } = await open(context);
  const { page: b } = await open(context);
  // Each tab labels its own texts as fast as a person with two windows could, interleaved: each
  // label lands while the other tab's save, or its reading of that save, may be under way.
  const labelMany = (page, prefix, n) => page.evaluate(async ([prefix, n]) => {
    const box = document.querySelector("#review");
    for (let i = 0; i < n; i++) {
      box.value = `${prefix} review number ${i}`;
      box.dispatchEvent(new Event("input"));
      document.querySelector("#label-a").click();
      await new Promise((ok) => setTimeout(ok, (i * 7) % 5));
    }
  }, [prefix, n]);
  await Promise.all([labelMany(a, "Tab A", 25), labelMany(b, "Tab B", 25)]);
  const expected = [...Array.from({ length: 25 }, (_, i) => `Tab A review number ${i}`), ...Array.from({ length: 25 }, (_, i) => `Tab B review number ${i}`)].sort();
  for (const page of [a, b]) {
    await page.waitForFunction(() => document.querySelector("#ex-count").textContent === "50", null, { timeout: 10_000 });
  }
  // Both saved what they show, so that no merge redraws a list under the clicks below.
  await savesSettled(a);
  await savesSettled(b);
  // An edit in one tab and a delete in the other, at once, on lists that both hold 50.
  const lastOfA = await a.locator("#ex-list .ex-text").last().textContent();
  const firstOfB = await b.locator("#ex-list .ex-text").first().textContent();
  const other = await a.locator("#label-b").getAttribute("data-label");
  await Promise.all([
    a.locator("#ex-list select").last().selectOption(other),
    b.locator(".ex-delete").first().click(),
  ]);
  for (const page of [a, b]) {
    await page.waitForFunction(() => document.querySelector("#ex-count").textContent === "49", null, { timeout: 10_000 });
    await savesSettled(page);
  }
  const { page: c } = await open(context);
  const texts = await c.locator("#ex-list .ex-text").allTextContents();
  const labels = await c.locator("#ex-list select").evaluateAll((s) => s.map((e) => e.value));
  assert.equal(texts.length, 49);
  assert.deepEqual([...texts, firstOfB].sort(), expected, "every example but the deleted one");
  assert.equal(labels[texts.indexOf(lastOfA)], other, "the edit is kept");
  assert.equal(labels.filter((l) => l === other).length, 1);
  for (const page of [a, b]) {
    assert.deepEqual(await page.locator("#ex-list .ex-text").allTextContents(), texts, "each tab shows the saved list");
  }
  assertClean(seen);
  await context.close();
});

test("a row relabelled twice keeps its last label, and one relabelled then deleted is deleted", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  await labelAll(page, POSITIVE.slice(0, 2), "positive");
  const select = page.locator("#ex-list select").first();
  await select.selectOption("negative");
  await select.selectOption("positive");
  assert.equal(await page.locator("#label-counts").textContent(), "positive: 2 · negative: 0");
  const second = page.locator("#ex-list select").last();
  await second.selectOption("negative");
  await page.locator(".ex-delete").last().click();
  assert.equal(await page.locator("#ex-count").textContent(), "1");
  await savesSettled(page);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.deepEqual(await page.locator("#ex-list .ex-text").allTextContents(), [POSITIVE[0]]);
  assert.equal(await page.locator("#ex-list select").first().inputValue(), "positive");
  assertClean(seen);
  await context.close();
});

test("a corrupt stored model falls back to the shipped one with a notice; the examples are kept", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  await labelAll(page, POSITIVE.slice(0, 2), "positive");
  await putSaved(page, [["model", new Uint8Array([1, 2, 3, 4])]]);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.match(await page.locator("#model-msg").textContent(), /saved fine-tuned model could not be loaded.*shipped model, and the saved one was set aside/);
  assert.equal(await page.locator("#ex-count").textContent(), "2");
  await waitForVerdict(page, NEGATIVE[0], "negative");
  assert.match(await page.locator("#model-name").textContent(), /the shipped one/);
  // Set aside, not left for the next fine-tune to overwrite: offered for download, as the model
  // file it was (a JSON array of its bytes was 6 MB, written in a 300 ms task).
  const saved = await downloadSetAside(page, 1);
  assert.deepEqual(saved.map(([name, bytes]) => [name.endsWith(".onnx"), [...bytes]]), [[true, [1, 2, 3, 4]]]);
  // A second damaged model is kept beside the first, not over it.
  await putSaved(page, [["model", new Uint8Array([5, 6])]]);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  const both = await downloadSetAside(page, 2);
  assert.deepEqual(both.map(([, bytes]) => [...bytes]).sort(), [[1, 2, 3, 4], [5, 6]]);
  assert.equal(new Set(both.map(([name]) => name)).size, 2, "each model file has a name of its own");
  assertClean(seen);
  await context.close();
});

/**
 * Clicks "Download set-aside data" and waits for `n` downloads: `[[name, Buffer], ...]` in the
 * order they came.
 */
async function downloadSetAside(page, n) {
  const files = [];
  const done = new Promise((ok) => {
    const take = async (d) => {
      files.push([d.suggestedFilename(), Buffer.concat(await (await d.createReadStream()).toArray())]);
      if (files.length === n) {
        page.off("download", take);
        ok();
      }
    };
    page.on("download", take);
  });
  await page.locator("#download-set-aside").click();
  let timer;
  const late = new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(`${files.length} of ${n} set-aside files downloaded in 20 s`)), 20_000)));
  await Promise.race([done, late]).finally(() => clearTimeout(timer));
  return files;
}

test("set-aside data downloads as model files and compact JSON, and can be deleted", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  await putSaved(page, [["model", new Uint8Array([1, 2, 3, 4])], ["pendingLabels", { a: 1 }]]);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  const files = await downloadSetAside(page, 2);
  const model = files.find(([name]) => name.endsWith(".onnx"));
  assert.deepEqual([...model[1]], [1, 2, 3, 4]);
  const [name, json] = files.find(([name]) => name.endsWith(".json"));
  assert.equal(name, "polarity-set-aside.json");
  // Compact: indented, a model's bytes took 6 MB and a 300 ms task to write.
  assert.doesNotMatch(json.toString(), /\n/);
  const data = JSON.parse(json.toString());
  assert.deepEqual(Object.keys(data).map((k) => k.split("/")[1]), ["pendingLabels"]);
  assert.deepEqual(Object.values(data)[0].value, { a: 1 });
  assert.match(await page.locator("#model-msg").textContent(), /^Offered the set-aside data as 2 files: polarity-set-aside-model-.*\.onnx, polarity-set-aside\.json \(the browser may ask first/);
  // Deleted once confirmed (nothing else deletes it: it was offered on every load for good).
  page.once("dialog", (d) => d.dismiss());
  await page.getByRole("button", { name: "Delete set-aside data" }).click();
  assert.equal(await page.locator("#download-set-aside").isVisible(), true);
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Delete set-aside data" }).click();
  await page.waitForFunction(() => document.querySelector("#model-msg").textContent === "Deleted the set-aside data.");
  assert.equal(await page.locator("#download-set-aside").isHidden(), true);
  assert.equal(await page.locator("#delete-set-aside").isHidden(), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), "download-model");
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.equal(await page.locator("#download-set-aside").isHidden(), true);
  assert.equal(await page.locator("#model-msg").textContent(), "");
  assertClean(seen);
  await context.close();
});

test("a two-label 1 / 0 import says which label 1 and 0 were read as; the help says so too", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  assert.match((await page.locator("#import-help").textContent()).replace(/\s+/g, " "),
    /for two labels, 1 for the first label \(in the Labels list below\) and 0 for the second/);
  await page.locator("#new-label-a").fill("ham");
  await page.locator("#new-label-b").fill("spam");
  await page.getByRole("button", { name: "Use these labels" }).click();
  // A 1 / 0 spam file, whose 1 is spam: read as the first label, ham, it was imported reversed unsaid.
  const tsv = "label\ttext\n1\tWIN a FREE prize now, call 0800 123\n0\tsee you at lunch tomorrow\nspam\tClaim your cash now\n";
  await page.locator("#import-file").setInputFiles({ name: "sms01.tsv", mimeType: "text/tab-separated-values", buffer: Buffer.from(tsv) });
  await page.waitForFunction(() => document.querySelector("#import-msg").textContent.startsWith("Imported"));
  assert.equal(await page.locator("#import-msg").textContent(),
    'Imported 3 examples from sms01.tsv. 2 rows were labelled 1 / 0: 1 was read as "ham", 0 as "spam".');
  // Names only: none of 1 / 0 is said.
  await page.locator("#import-file").setInputFiles({ name: "named.tsv", mimeType: "text/tab-separated-values", buffer: Buffer.from("spam\tFree entry now\n") });
  await page.waitForFunction(() => /^Imported .* from named\.tsv/.test(document.querySelector("#import-msg").textContent));
  assert.equal(await page.locator("#import-msg").textContent(), "Imported 1 example from named.tsv.");
  assertClean(seen);
  await context.close();
});

test("an empty or header-only file is said as an error, not as 0 examples imported", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  for (const [name, content] of [["empty.csv", ""], ["header.csv", "label,text\n"]]) {
    await page.locator("#import-file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(content) });
    await page.waitForFunction((name) => document.querySelector("#import-msg").textContent.startsWith(name), name);
    assert.equal(await page.locator("#import-msg").textContent(), `${name} has no labelled rows: each row needs a label ` +
      "(positive / negative) and a text, in two columns (a first row such as label,text may name them).");
    assert.equal(await page.locator("#import-msg").getAttribute("data-kind"), "error");
  }
  assert.equal(await page.locator("#ex-count").textContent(), "0");
  assertClean(seen);
  await context.close();
});

test("Epochs that are no number (\"1e\") are refused as an invalid value, not trained as auto", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  await labelAll(page, POSITIVE.slice(0, 2), "positive");
  await labelAll(page, NEGATIVE.slice(0, 2), "negative");
  await page.locator("#epochs").click();
  await page.keyboard.type("1e");
  assert.equal(await page.locator("#epochs").evaluate((e) => e.validity.badInput), true);
  await page.locator("#fine-tune").click();
  assert.equal(await page.locator("#train-status").textContent(),
    "Epochs must be a whole number of at least 1: what is typed there is not a number");
  assert.equal(await page.locator("#train-status").getAttribute("data-kind"), "error");
  assert.equal(await page.locator("#epochs").getAttribute("aria-invalid"), "true");
  assert.equal(await page.evaluate(() => document.activeElement.id), "epochs");
  // No training was started.
  await page.waitForTimeout(500);
  assert.equal(await page.locator("#teach").getAttribute("data-training"), "false");
  assert.match(await page.locator("#model-name").textContent(), /the shipped one/);
  // A number then trains, and the mark goes.
  await page.locator("#epochs").fill("2");
  await fineTuneAndWait(page);
  assert.equal(await page.locator("#epochs").getAttribute("aria-invalid"), null);
  assertClean(seen);
  await context.close();
});

test("\"These labels follow sentiment\" cannot be ticked while a training runs", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await openTeachHeld(site, context);
  await labelAll(page, POSITIVE.slice(0, 2), "positive");
  await labelAll(page, NEGATIVE.slice(0, 2), "negative");
  await page.locator("#epochs").fill("2");
  await page.locator("#fine-tune").click();
  await trainingHeld(page);
  // A tick made meanwhile was dropped unsaid by the training's end.
  assert.equal(await page.locator("#new-scopes").isDisabled(), true);
  await releaseTraining(page);
  assert.equal(await page.locator("#new-scopes").isEnabled(), true);
  assertClean(seen);
  await context.close();
});

test("saved examples whose label no classifier can have are set aside, not listed", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  await putSaved(page, [["examples/000000", [{ text: "Kept.", label: "positive" }, { text: "Empty label.", label: "" },
    { text: "Broken label.", label: "a\nb" }, { text: "Also kept.", label: "other" }]]]);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.match(await page.locator("#model-msg").textContent(), /Saved data was damaged: 2 saved examples were unreadable and set aside/);
  assert.deepEqual(await page.locator("#ex-list .ex-text").allTextContents(), ["Kept.", "Also kept."]);
  assert.equal(await page.locator("#download-set-aside").isVisible(), true);
  await savesSettled(page);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.equal(await page.locator("#model-msg").textContent(), "");
  assert.equal(await page.locator("#ex-count").textContent(), "2");
  assertClean(seen);
  await context.close();
});

test("saved labels of a new classifier that cannot be set aside (a full storage) fail no load", async () => {
  const context = await site.browser.newContext();
  await fullStorageOnCue(context);
  const { page, seen } = await open(context);
  await labelAll(page, POSITIVE.slice(0, 2), "positive");
  await savesSettled(page);
  await putSaved(page, [["pendingLabels", ["one label"]]]);
  await page.evaluate(() => localStorage.setItem("test-quota", "1"));
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  // The whole load failed: no examples shown, and every change after it failed too.
  assert.equal(await page.locator("#ex-count").textContent(), "2");
  assert.match(await page.locator("#model-msg").textContent(),
    /the saved names of a new classifier's labels were unreadable and could not be set aside \(the browser's storage for this site is full.*\); they are left unused/);
  assert.match(await page.locator("#model-name").textContent(), /the shipped one/);
  await page.evaluate(() => localStorage.removeItem("test-quota"));
  await labelAll(page, NEGATIVE.slice(0, 1), "negative");
  await savesSettled(page);
  // Left where it was, and set aside at the next load.
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.equal(await page.locator("#ex-count").textContent(), "3");
  assert.match(await page.locator("#model-msg").textContent(), /labels were unreadable and were set aside/);
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test("Cancel as soon as Fine-tune is pressed leaves the model as it was; an export imports back as it was", async () => {
  const context = await site.browser.newContext({ acceptDownloads: true });
  // Each training worker the page starts, and whether it was ended: Cancel must end training,
  // not merely say so.
  await context.addInitScript(() => {
    const Native = window.Worker;
    window.teachWorkers = [];
    window.Worker = class extends Native {
      constructor(url, options) {
        super(url, options);
        if (!String(url).includes("teach-worker")) return;
        const made = { terminated: false };
        window.teachWorkers.push(made);
        const terminate = this.terminate.bind(this);
        this.terminate = () => {
          made.terminated = true;
          terminate();
        };
      }
    };
  });
  const { page, seen } = await open(context);
  // Enough examples that training and measuring take a while: Cancel lands in them.
  const rows = Array.from({ length: 20_000 }, (_, i) => `${i % 2 ? "negative" : "positive"}\t${(i % 2 ? NEGATIVE : POSITIVE)[i % 4]} ${i}`);
  await page.locator("#import-file").setInputFiles({ name: "many.tsv", mimeType: "text/tab-separated-values", buffer: Buffer.from(rows.join("\n")) });
  await page.waitForFunction(() => document.querySelector("#import-msg").textContent.startsWith("Imported 20,000"), null, { timeout: 60_000 });
  await page.locator("#epochs").fill("1");
  await page.locator("#fine-tune").click();
  await page.getByRole("button", { name: "Cancel" }).click();
  assert.match(await page.locator("#train-status").textContent(), /^Cancelled/);
  // A worker started before Cancel is ended by it.
  const atCancel = await page.evaluate(() => window.teachWorkers);
  assert.ok(atCancel.every((w) => w.terminated), `training workers at Cancel: ${JSON.stringify(atCancel)}`);
  // And none is started after it (a Fine-tune still reading its start when Cancel came): the
  // wait gives such a start time to come, and the panel time to change its mind.
  await page.waitForTimeout(3000);
  assert.deepEqual(await page.evaluate(() => window.teachWorkers), atCancel);
  assert.match(await page.locator("#train-status").textContent(), /^Cancelled/);
  assert.match(await page.locator("#model-name").textContent(), /the shipped one/);
  assert.equal(await page.locator("#fine-tune").isEnabled(), true);

  // Texts with quotes, tabs and line breaks go out and come back unchanged.
  page.on("dialog", (d) => d.accept());
  await page.locator("#clear-examples").click();
  await page.waitForFunction(() => document.querySelector("#ex-count").textContent === "0");
  const texts = ['"Titanic" is a masterpiece, truly.', '"Meh."', "Two lines:\nboth dull", "a\ttab and a \"quote\""];
  const tsv = texts.map((t, i) => `${i % 2 ? "negative" : "positive"}\t"${t.replaceAll('"', '""')}"`).join("\n");
  await page.locator("#import-file").setInputFiles({ name: "quoted.tsv", mimeType: "text/tab-separated-values", buffer: Buffer.from(tsv) });
  await page.waitForFunction(() => document.querySelector("#import-msg").textContent.startsWith("Imported 4"));
  assert.deepEqual(await page.locator("#ex-list .ex-text").allTextContents(), texts);
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#export").click()]);
  const { readFile } = await import("node:fs/promises");
  const exported = await readFile(await download.path());
  await page.locator("#clear-examples").click();
  await page.waitForFunction(() => document.querySelector("#ex-count").textContent === "0");
  await page.locator("#import-file").setInputFiles({ name: "exported.tsv", mimeType: "text/tab-separated-values", buffer: exported });
  await page.waitForFunction(() => document.querySelector("#import-msg").textContent.startsWith("Imported"));
  assert.equal(await page.locator("#import-msg").textContent(), "Imported 4 examples from exported.tsv.");
  assert.deepEqual(await page.locator("#ex-list .ex-text").allTextContents(), texts);
  // A label changed in the list is counted at once.
  assert.equal(await page.locator("#label-counts").textContent(), "positive: 2 · negative: 2");
  await page.locator("#ex-list select").first().selectOption("negative");
  assert.equal(await page.locator("#label-counts").textContent(), "positive: 1 · negative: 3");
  assertClean(seen);
  await context.close();
});
