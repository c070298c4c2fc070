// The package's stated limits, in Node: a text past the limit is a RangeError in words, thrown
// before the text is copied into the module, so memory stays bounded whatever is passed; texts
// just under it are read whole. (README, Limits.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PKG } from "./helpers.mjs";

test("100 MB of text: a RangeError in words, and wasm memory stays under 256 MB", async () => {
  const { initSync, Classifier } = await import(join(PKG, "polarity.js"));
  const wasm = initSync({ module: readFileSync(join(PKG, "polarity_bg.wasm")) });
  const clf = new Classifier();
  const huge = "A dull film with a great cast. ".repeat(Math.ceil(100e6 / 31));
  for (const call of [() => clf.classify(huge), () => clf.explain(huge), () => clf.classifyBatch(["fine", huge])]) {
    assert.throws(call, (e) => e instanceof RangeError && /polarity reads at most 16777216/.test(e.message));
  }
  // Under the limit: classified whole (summed in slices), explain refused past its own limit.
  // 12.4 million characters, with a link (links are merged into one token: no second list). Its
  // end turns the verdict: read up to a slice, or a run of the engine, it would be positive.
  const long = "Wonderful. ".repeat(200_000) + "Awful, dreadful. ".repeat(600_000) + "More at https://example.com/review";
  assert.equal(clf.classify(long.slice(0, 2_200_000)).label, "positive");
  assert.equal(clf.classify(long).label, "negative");
  assert.throws(() => clf.explain(long), (e) => e instanceof RangeError && /explain weighs at most 200000/.test(e.message));
  const mb = wasm.memory.buffer.byteLength / 2 ** 20;
  console.log(`wasm memory after 100 MB and 12.4 MB texts: ${mb.toFixed(0)} MB`);
  assert.ok(mb < 256, `${mb} MB`);
  // And the module still answers.
  assert.equal(clf.classify("I loved it").label, "positive");
  clf.free();
});
