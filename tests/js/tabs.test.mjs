// Two tabs of the demo, one training while the other changes the model in use (a new classifier,
// a reset, a model file loaded): the end of a training never silently undoes what the other tab
// did meanwhile. The training's result is held back (helpers.mjs openTeachHeld) until the other
// tab has acted, as a longer training would be.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, openTeach, openTeachHeld, releaseTraining, savesSettled, serveWww, trainingHeld } from "./helpers.mjs";

const site = serveWww();

function assertClean(seen) {
  assert.deepEqual(seen.errors, [], "console or page errors");
  const outside = seen.requests.filter((r) => !r.startsWith(site.url) && !r.startsWith("data:") && !r.startsWith("blob:"));
  assert.deepEqual(outside, [], "requests that left 127.0.0.1");
}

/** Labels `n` texts "`prefix` i" with the label button `button` (#label-a, #label-b). */
const labelMany = (page, prefix, n, button) => page.evaluate(([prefix, n, button]) => {
  const box = document.querySelector("#review");
  for (let i = 0; i < n; i++) {
    box.value = `${prefix} ${i}`;
    box.dispatchEvent(new Event("input"));
    document.querySelector(button).click();
  }
}, [prefix, n, button]);

/** The value saved under `key` in the demo's IndexedDB (undefined when none). */
const saved = (page, key) => page.evaluate((key) => new Promise((ok, fail) => {
  const req = indexedDB.open("polarity-teach", 1);
  req.onsuccess = () => {
    const get = req.result.transaction("kv").objectStore("kv").get(key);
    get.onsuccess = () => {
      req.result.close();
      ok(get.result);
    };
    get.onerror = () => fail(get.error);
  };
  req.onerror = () => fail(req.error);
}), key);

const text = (page, selector) => page.locator(selector).textContent();

async function reload(page) {
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
}

test("a new classifier begun in one tab while another trains is kept: the training's end says its model was not kept", async () => {
  const context = await site.browser.newContext();
  const { page: a, seen } = await openTeach(site, context);
  const { page: b, seen: seenB } = await openTeachHeld(site, context);
  await labelMany(b, "I loved this film, number", 5, "#label-a");
  await labelMany(b, "I hated this film, number", 5, "#label-b");
  await a.waitForFunction(() => document.querySelector("#ex-count").textContent === "10");
  await b.locator("#fine-tune").click();
  await trainingHeld(b);
  // A renames the labels (and so the examples) and begins a new classifier with them.
  await a.locator("#new-label-a").fill("sport");
  await a.locator("#new-label-b").fill("food");
  await a.getByRole("button", { name: "Use these labels" }).click();
  await a.waitForFunction(() => document.querySelector("#label-counts").textContent === "sport: 5 · food: 5");
  await savesSettled(a);
  for (let tries = 0; !(await saved(a, "pendingLabels")); tries++) {
    assert.ok(tries < 100, "A's new labels were not saved");
    await a.waitForTimeout(50);
  }
  await releaseTraining(b);
  // B's model did not replace A's choice: the new labels are still saved, and B follows them.
  assert.deepEqual(await saved(a, "pendingLabels"), ["sport", "food"]);
  assert.equal(await saved(a, "model"), undefined);
  assert.match(await text(b, "#train-status"),
    /^Another tab changed the model while this one trained \(it began a new classifier: sport \/ food\): the model trained here was not kept\. Fine-tune again to train on it\.$/);
  assert.equal(await b.locator("#train-status").getAttribute("data-kind"), "error");
  assert.match(await text(b, "#model-name"), /^New classifier \(sport \/ food\), not trained yet/);
  assert.match(await text(a, "#model-name"), /^New classifier \(sport \/ food\), not trained yet/);
  assert.deepEqual(await a.locator("#label-editor input").evaluateAll((l) => l.map((i) => i.value)), ["sport", "food"]);
  await reload(a);
  assert.match(await text(a, "#model-name"), /^New classifier \(sport \/ food\), not trained yet/);
  assert.equal(await text(a, "#label-counts"), "sport: 5 · food: 5");
  // Fine-tune again in B trains the new classifier, and both tabs use it.
  await b.locator("#fine-tune").click();
  await trainingHeld(b);
  await releaseTraining(b);
  assert.match(await text(b, "#train-status"), /^Done: /);
  for (const page of [a, b]) {
    await page.waitForFunction(() => /^Current model: your own, fine-tuned or loaded here \(sport \/ food\)/.test(document.querySelector("#model-name").textContent), null, { timeout: 10_000 });
  }
  assertClean(seen);
  assertClean(seenB);
  await context.close();
});

for (const change of ["reset", "load"]) {
  test(`a ${change === "reset" ? "reset to the shipped model" : "model file loaded"} in another tab while this one trains is not undone by the training's end`, async () => {
    const context = await site.browser.newContext();
    const { page: a, seen } = await openTeachHeld(site, context);
    const { page: b, seen: seenB } = await openTeach(site, context);
    await labelMany(a, "I loved this film, number", 5, "#label-a");
    await labelMany(a, "I hated this film, number", 5, "#label-b");
    await b.waitForFunction(() => document.querySelector("#ex-count").textContent === "10");
    if (change === "reset") {
      // Something to reset from: a training of A's, let through, that B follows.
      await a.locator("#fine-tune").click();
      await trainingHeld(a);
      await releaseTraining(a);
      await b.waitForFunction(() => /your own/.test(document.querySelector("#model-name").textContent), null, { timeout: 10_000 });
    }
    await a.locator("#fine-tune").click();
    await trainingHeld(a);
    if (change === "reset") {
      b.once("dialog", (d) => d.accept());
      await b.getByRole("button", { name: "Reset to the shipped model" }).click();
      await b.waitForFunction(() => /^Current model: the shipped one/.test(document.querySelector("#model-name").textContent));
    } else {
      await b.locator("#load-model-file").setInputFiles(join(ROOT, "www/models/feedback.onnx"));
      await b.waitForFunction(() => /praise/.test(document.querySelector("#model-name").textContent));
    }
    // B's change is saved before A's training ends.
    for (let tries = 0; (await saved(b, "model")) !== undefined !== (change === "load"); tries++) {
      assert.ok(tries < 100, `B's ${change} was not saved`);
      await b.waitForTimeout(50);
    }
    await releaseTraining(a);
    const what = change === "reset" ? "it went back to the shipped model" : "it put a model of its own in use: praise / complaint / question";
    assert.equal(await text(a, "#train-status"),
      `Another tab changed the model while this one trained (${what}): the model trained here was not kept. Fine-tune again to train on it.`);
    const inUse = change === "reset" ? /^Current model: the shipped one \(positive \/ negative\)/
      : /^Current model: your own, fine-tuned or loaded here \(praise \/ complaint \/ question\)/;
    assert.match(await text(a, "#model-name"), inUse);
    await reload(b);
    assert.match(await text(b, "#model-name"), inUse);
    assert.equal(await text(b, "#model-msg"), "");
    assertClean(seen);
    assertClean(seenB);
    await context.close();
  });
}

test("a new classifier another tab drops (its reset) is said to be dropped; its examples keep their labels", async () => {
  const context = await site.browser.newContext();
  const { page: a, seen } = await openTeach(site, context);
  const { page: b } = await openTeach(site, context);
  await labelMany(a, "I loved this film, number", 2, "#label-a");
  await a.locator("#new-label-a").fill("sport");
  await a.locator("#new-label-b").fill("food");
  await a.getByRole("button", { name: "Use these labels" }).click();
  await b.waitForFunction(() => /^New classifier \(sport \/ food/.test(document.querySelector("#model-name").textContent), null, { timeout: 10_000 });
  await b.getByRole("button", { name: "Reset to the shipped model" }).click();
  await a.waitForFunction(() => /^Current model: the shipped one/.test(document.querySelector("#model-name").textContent), null, { timeout: 10_000 });
  assert.equal(await text(a, "#model-msg"),
    "Another tab went back to the shipped model: the new classifier sport / food (not trained yet) was dropped here too; its examples keep their labels.");
  assert.equal(await text(a, "#label-counts"), "positive: 0 · negative: 0 · other labels: 2 (left out of training)");
  assertClean(seen);
  await context.close();
});

test("of two trainings at once in two tabs, the one that ends first is kept: the other says its model was not", async () => {
  const context = await site.browser.newContext();
  const { page: a, seen } = await openTeachHeld(site, context);
  const { page: b, seen: seenB } = await openTeachHeld(site, context);
  await labelMany(a, "I loved this film, number", 5, "#label-a");
  await labelMany(a, "I hated this film, number", 5, "#label-b");
  await b.waitForFunction(() => document.querySelector("#ex-count").textContent === "10");
  // B is taught other epochs, so that its model is not A's.
  await b.locator("#epochs").fill("3");
  await a.locator("#fine-tune").click();
  await b.locator("#fine-tune").click();
  await trainingHeld(a);
  await trainingHeld(b);
  await releaseTraining(a);
  assert.match(await text(a, "#train-status"), /^Done: /);
  const kept = await saved(a, "model");
  await releaseTraining(b);
  assert.equal(await text(b, "#train-status"),
    "Another tab changed the model while this one trained (it put a model of its own in use: positive / negative): the model trained here was not kept. Fine-tune again to train on it.");
  assert.deepEqual(await saved(b, "model"), kept, "A's model is still the one saved");
  assert.equal(await b.evaluate(() => document.querySelector("#model-msg").textContent), "Another tab changed the model: this one uses it too.");
  assertClean(seen);
  assertClean(seenB);
  await context.close();
});

test("a new classifier trained in one tab is said as trained in the other, not as dropped", async () => {
  const context = await site.browser.newContext();
  const { page: a, seen } = await openTeach(site, context);
  const { page: b, seen: seenB } = await openTeach(site, context);
  await a.locator("#new-label-a").fill("sport");
  await a.locator("#new-label-b").fill("food");
  await a.getByRole("button", { name: "Use these labels" }).click();
  await b.waitForFunction(() => /^New classifier \(sport \/ food/.test(document.querySelector("#model-name").textContent), null, { timeout: 10_000 });
  await labelMany(a, "the match went to extra time", 4, "#label-a");
  await labelMany(a, "the soup was too salty", 4, "#label-b");
  await a.locator("#epochs").fill("2");
  await a.locator("#fine-tune").click();
  await a.waitForFunction(() => /^Done: /.test(document.querySelector("#train-status").textContent), null, { timeout: 60_000 });
  await b.waitForFunction(() => /^Current model: your own/.test(document.querySelector("#model-name").textContent), null, { timeout: 10_000 });
  // It said "The new classifier sport / food (not trained yet) was dropped with it".
  assert.equal(await text(b, "#model-msg"), "Another tab trained the new classifier sport / food: this one uses it too.");
  assertClean(seen);
  assertClean(seenB);
  await context.close();
});
