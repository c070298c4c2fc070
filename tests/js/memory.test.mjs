// Classifiers of the bundled model share one copy of it, in Node: a page that makes a
// `new Classifier()` per call and never frees them no longer fills the module's 4 GB (753 did,
// and the next allocation trapped). (README, Limits.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PKG } from "./helpers.mjs";

const { initSync, Classifier } = await import(join(PKG, "polarity.js"));
const wasm = initSync({ module: readFileSync(join(PKG, "polarity_bg.wasm")) });
const MB = 2 ** 20;

test("3,000 new Classifier() never freed hold one model: the module grows by less than 16 MB", () => {
  const first = new Classifier();
  const before = wasm.memory.buffer.byteLength;
  const many = Array.from({ length: 3000 }, () => new Classifier());
  const grown = (wasm.memory.buffer.byteLength - before) / MB;
  console.log(`wasm memory grown by 3,000 classifiers of the bundled model: ${grown.toFixed(1)} MB`);
  assert.ok(grown < 16, `${grown} MB`);
  const text = "I loved this film, and the ending was not bad at all.";
  assert.deepEqual(many[2999].classify(text), first.classify(text));
  for (const classifier of many) classifier.free();
  assert.equal(first.classify(text).label, "positive");
  first.free();
});
