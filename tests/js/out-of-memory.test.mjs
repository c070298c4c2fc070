// Work that needs more memory than the module can still get, in Node: a RangeError in words, not
// a trap (`RuntimeError: unreachable`, after which the next `new Classifier()` trapped too), and
// every classifier is left as it was. In a file of its own: the module keeps its 4 GB after.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PKG } from "./helpers.mjs";

const { initSync, Classifier } = await import(join(PKG, "polarity.js"));
const wasm = initSync({ module: readFileSync(join(PKG, "polarity_bg.wasm")) });

test("with the module's 4 GB taken: loading, a new classifier and fine-tuning are RangeErrors in words; classifying goes on", () => {
  const classifier = new Classifier();
  const bytes = classifier.toBytes();
  const text = "I loved this film, and the ending was not bad at all.";
  const verdict = classifier.classify(text);
  // Every page a 32-bit module can have: what the allocator holds free inside (a few MB, left by
  // the load) is all there is.
  wasm.memory.grow(65536 - wasm.memory.buffer.byteLength / 65536);
  assert.equal(wasm.memory.buffer.byteLength, 2 ** 32);
  const outOfMemory = (what) => (e) =>
    e instanceof RangeError && e.message.startsWith(`not enough memory to ${what}: it needs about `) && /free\(\) the classifiers no longer in use$/.test(e.message);
  assert.throws(() => Classifier.fromBytes(bytes), outOfMemory("load this model"));
  // A file that is no model is said to be so before any memory is reserved for it (a 60 MB page
  // named as a model grew the module to 986 MB, and here was "not enough memory").
  const page = new TextEncoder().encode(`<!doctype html><title>Not found</title>${" ".repeat(500_000)}`);
  assert.throws(() => Classifier.fromBytes(page), (e) => /the file is a web page or XML/.test(e.message));
  assert.throws(() => Classifier.fromPretrained({ labels: ["spam", "ham"] }), outOfMemory("make a new classifier"));
  const examples = Array.from({ length: 40 }, (_, i) => ({ text: `message ${i} ${i % 2 ? "win a prize now" : "see you at lunch"}`, label: i % 2 ? "negative" : "positive" }));
  assert.throws(() => classifier.fineTune(examples), outOfMemory("fine-tune on these examples"));
  // Long texts are copied in and read only with room for them, their tokens and ids; short ones
  // always. (What the allocator holds free is the same from run to run: the same allocations.)
  assert.throws(() => classifier.classify("a b ".repeat(500_000)), outOfMemory("copy the text in"));
  assert.throws(() => classifier.classify("a b ".repeat(75_000)), outOfMemory("read texts this long"));
  assert.throws(() => classifier.classifyBatch([text, "a b ".repeat(75_000)]), outOfMemory("read texts this long"));
  assert.throws(() => classifier.classifyBatch(Array(10_000).fill(text.repeat(3))), outOfMemory("copy the text in"));
  assert.throws(() => Classifier.parseTexts("a b\n".repeat(500_000)), outOfMemory("copy the text in"));
  // toCsv reads its rows and writes the file only with room for them: half a million short rows
  // trapped ("unreachable") where every other call said this.
  const rows = Array.from({ length: 500_000 }, () => ["a", "b c, d"]);
  assert.throws(() => Classifier.toCsv(rows), (e) => e instanceof RangeError &&
    /^not enough memory to (read toCsv\(\)'s items|copy the rows in|write the CSV): it needs about /.test(e.message));
  assert.equal(Classifier.toCsv([["a", "b c, d"]]), 'a,"b c, d"\r\n');
  // Nothing changed, and what needs no new model goes on.
  assert.deepEqual(classifier.classify(text), verdict);
  assert.deepEqual(Array.from(classifier.toBytes()), Array.from(bytes));
  assert.equal(classifier.explain(text).tokens.length, 12);
  assert.equal(classifier.classifyBatch(Array(200).fill(text)).length, 200);
  // The bundled model is shared: another classifier of it costs nothing.
  const another = new Classifier();
  assert.deepEqual(another.classify(text), verdict);
  another.free();
  classifier.free();
});
