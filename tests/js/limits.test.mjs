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

test("more rows, items, label characters or model bytes than polarity reads: a RangeError, before they are copied in", async () => {
  const { initSync, Classifier } = await import(join(PKG, "polarity.js"));
  const wasm = initSync({ module: readFileSync(join(PKG, "polarity_bg.wasm")) });
  const { maxChars } = Classifier.labelLimits();
  const rows = 8_388_608;
  const tooMany = /polarity reads at most 8388608 in one call \(split it\)/;
  const clf = new Classifier();
  // 30 million empty texts took more than the module's 4 GB; each item is counted as it is read.
  const empty = new Array(rows + 1).fill("");
  assert.throws(() => clf.classifyBatch(empty), (e) => e instanceof RangeError && /classifyBatch\(\) got 8388609 items/.test(e.message) && tooMany.test(e.message));
  assert.throws(() => Classifier.toCsv(new Array(rows + 1).fill([])), (e) => e instanceof RangeError && tooMany.test(e.message));
  // A file of more rows than that: said, not read until the module runs out of memory.
  assert.throws(() => Classifier.parseTexts("a\n".repeat(rows + 1)), (e) => e instanceof RangeError && /the file has more than 8388608 rows/.test(e.message));
  // Labels of 50 million characters each: refused before a copy is made.
  const long = "a".repeat(50_000_000);
  const labelError = (e) => /a label has at most 100 characters; one has 50000000 UTF-16 units/.test(e.message);
  assert.throws(() => Classifier.checkLabels([long, long, long, long]), labelError);
  assert.throws(() => Classifier.fromPretrained({ labels: ["spam", long] }), labelError);
  assert.throws(() => clf.fineTune([{ text: "fine", label: long }]), (e) => /^example 0: unknown label "a{40}"; use /.test(e.message));
  assert.equal(maxChars, 100);
  // toCsv reads as much text as a file, and no more.
  assert.throws(() => Classifier.toCsv([[long], [long], [long]]), (e) => e instanceof RangeError && /^toCsv\(\): the cells hold more than 134217728 characters/.test(e.message));
  // A model file larger than any polarity reads is refused by its size, not copied in.
  const before = wasm.memory.buffer.byteLength;
  assert.throws(() => Classifier.fromBytes(new Uint8Array(3 * 2 ** 26 + 1)), (e) => e instanceof RangeError && /the file is 201326593 bytes/.test(e.message));
  assert.equal(wasm.memory.buffer.byteLength, before, "no copy was made");
  const mb = wasm.memory.buffer.byteLength / 2 ** 20;
  console.log(`wasm memory after these: ${mb.toFixed(0)} MB`);
  assert.ok(mb < 1024, `${mb} MB`);
  assert.equal(clf.classify("I loved it").label, "positive");
  clf.free();
});
