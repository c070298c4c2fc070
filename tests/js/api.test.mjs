// The package's API against callers that get things wrong, in Node: values that throw when read
// (a revoked Proxy, a throwing getter), calls from inside onProgress, calls on a freed classifier,
// a sparse array that claims four billion items, options and labels of the wrong kind. Each gets
// an Error that says what is wrong, and the classifier (and the module) keep working after it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";
import { PKG, ROOT } from "./helpers.mjs";

const { initSync, Classifier } = await import(join(PKG, "polarity.js"));
initSync({ module: readFileSync(join(PKG, "polarity_bg.wasm")) });

const EXAMPLES = [{ text: "great, loved it", label: 1 }, { text: "awful, hated it", label: 0 }];

function revoked(target) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

const throws = (call, type, pattern) =>
  assert.throws(call, (e) => e instanceof type && pattern.test(e.message), `expected ${type.name} ${pattern}`);

test("a value that throws when read is a TypeError, and the classifier keeps working", () => {
  const clf = Classifier.fromPretrained({ seed: 1 });
  const getter = { get text() { throw new Error("no text for you"); }, label: 1 };
  const calls = [
    () => clf.fineTune(revoked(EXAMPLES), { epochs: 1 }),
    () => clf.fineTune([EXAMPLES[0], revoked({})], { epochs: 1 }),
    () => clf.fineTune([getter, EXAMPLES[1]], { epochs: 1 }),
    () => clf.fineTune(EXAMPLES, revoked({ epochs: 1 })),
    () => clf.fineTune(EXAMPLES, { get epochs() { throw new Error("no epochs"); } }),
    () => clf.classify(revoked({})),
    () => clf.classifyBatch(revoked(["fine"])),
    () => clf.classifyBatch(["fine", revoked({})]),
    () => Classifier.toCsv(revoked([["a"]])),
    () => Classifier.toCsv([["a"], revoked(["b"])]),
    () => Classifier.checkLabels(revoked(["a", "b"])),
    () => Classifier.fromPretrained({ labels: revoked(["a", "b"]) }),
    () => Classifier.fromBytes(revoked(new Uint8Array(8))),
    () => Classifier.checkFineTuneOptions(revoked({})),
    // One level down, where serde and wasm-bindgen's messages read without catching (a leftover
    // Immer draft in an option): the first left the classifier borrowed for good.
    () => clf.fineTune(EXAMPLES, { epochs: [revoked({})] }),
    () => clf.fineTune([{ text: [revoked({})], label: 1 }, EXAMPLES[1]], { epochs: 1 }),
    () => clf.fineTune(EXAMPLES, { epochs: { get [Symbol.toStringTag]() { throw new Error("no tag"); } } }),
    () => Classifier.checkFineTuneOptions({ epochs: [revoked({})] }),
    () => Classifier.toCsv([["a"]], { escapeFormulae: [revoked({})] }),
    () => Classifier.fromPretrained({ seed: [revoked({})] }),
    // A Proxy of a Uint8Array passes instanceof, then threw at its byteLength.
    () => Classifier.fromBytes(new Proxy(new Uint8Array(8), {})),
    // Not a Classifier: "null pointer passed to rust", 48 bytes of stack lost a call.
    () => Classifier.prototype.classify.call({}, "x"),
    () => Object.create(Classifier.prototype).info(),
    () => Classifier.prototype.free.call({}),
  ];
  // Before values were read through catching calls, the first call left the classifier
  // borrowed for good, and a few thousand of them broke the module ("memory access out of
  // bounds"): a JavaScript exception unwound through it.
  for (let round = 0; round < 2000; round++) {
    for (const call of calls) throws(call, TypeError, /cannot be read|expects|must be|nested/);
  }
  assert.equal(typeof clf.classify("great").score, "number");
  assert.equal(clf.fineTune(EXAMPLES, { epochs: 1 }).epochs, 1);
  assert.equal(new Classifier().classify("I loved it").label, "positive");
  clf.free();
});

test("a model's bytes load from a Uint8Array subclass whose getters lie or throw, and a Node Buffer", () => {
  const bytes = new Classifier().toBytes();
  class Lying extends Uint8Array {
    get length() { throw new Error("no length"); }
    get byteLength() { return 3; }
  }
  const lying = new Lying(bytes.length);
  lying.set(bytes);
  const expected = new Classifier().classify("I loved it");
  for (const given of [lying, Buffer.from(bytes)]) {
    const clf = Classifier.fromBytes(given);
    assert.deepEqual(clf.classify("I loved it"), expected);
    clf.free();
  }
});

test("options and examples are read by name, inherited and getter fields included, as serde read them", () => {
  const clf = Classifier.fromPretrained({ seed: 3 });
  class Options { get epochs() { return 1; } }
  class Example {
    constructor(text, label) { this.t = text; this.l = label; }
    get text() { return this.t; }
    get label() { return this.l; }
  }
  const examples = EXAMPLES.map(({ text, label }) => new Example(text, label));
  // A copy of own keys alone left these out: the options unsaid (20 epochs), the examples
  // refused ('must have a "text" field').
  assert.equal(clf.fineTune(EXAMPLES, Object.create({ epochs: 1 })).epochs, 1);
  assert.equal(clf.fineTune(examples, new Options()).epochs, 1);
  clf.free();
});

test("a call made by a getter while another method reads its arguments is refused in polarity's words", () => {
  const clf = new Classifier();
  // wasm-bindgen's "recursive use of an object detected which would lead to unsafe aliasing in
  // rust" reached the message.
  const texts = new Proxy(["fine"], {
    get(target, key) {
      if (key === "0") clf.fineTune(EXAMPLES, { epochs: 1 });
      return Reflect.get(target, key);
    },
  });
  assert.throws(() => clf.classifyBatch(texts),
    (e) => /fineTune\(\) during classifyBatch\(\) is refused/.test(e.message) && !/recursive use/.test(e.message));
  assert.equal(clf.classify("I loved it").label, "positive");
  // toCsv writes a cell as it is or not at all: a lone surrogate became U+FFFD unsaid.
  throws(() => Classifier.toCsv([["\uD800"]]), TypeError, /row 0: cell 0 holds half of a UTF-16 surrogate pair/);
  clf.free();
});

test("fromBytes: a transferred buffer is an Error, and another realm's Uint8Array loads", () => {
  const clf = new Classifier();
  const bytes = clf.toBytes();
  // Copying a transferred (detached) buffer threw inside the module, and each throw leaked some of
  // its stack: about 480 of them broke every classifier ("memory access out of bounds").
  for (let i = 0; i < 1000; i++) {
    const view = new Uint8Array(8);
    structuredClone(view.buffer, { transfer: [view.buffer] });
    assert.throws(() => Classifier.fromBytes(i % 2 ? view : view.buffer), (e) => e instanceof Error && !(e instanceof TypeError));
  }
  // Said as what it likely is (a worker's postMessage transferred it), not as a model without metadata.
  const given = clf.toBytes();
  structuredClone(given.buffer, { transfer: [given.buffer] });
  throws(() => Classifier.fromBytes(given), Error, /^Classifier\.fromBytes\(\) got no bytes: an empty file, or a buffer given away/);
  assert.equal(clf.classify("I loved it").label, "positive");
  // An ArrayBuffer (what a file's arrayBuffer() gives, and the types declare) loads as its bytes.
  assert.equal(Classifier.fromBytes(bytes.slice().buffer).classify("I loved it").score, clf.classify("I loved it").score);
  // A Uint8Array made in a vm context (as Jest's environments make them): instanceof refused it.
  const other = vm.runInNewContext("new Uint8Array(n)", { n: bytes.length });
  other.set(bytes);
  assert.equal(Classifier.fromBytes(other).classify("I loved it").label, "positive");
  // A value that only claims to be one is refused as one would expect.
  const liar = new DataView(new ArrayBuffer(8));
  Object.defineProperty(liar, Symbol.toStringTag, { value: "Uint8Array" });
  throws(() => Classifier.fromBytes(liar), TypeError, /^Classifier\.fromBytes\(\) expects a Uint8Array, got object$/);
  throws(() => Classifier.fromBytes(new Int8Array(8)), TypeError, /expects a Uint8Array/);
});

test("a sparse array claiming four billion items is refused at its first item, not a trap", () => {
  const clf = new Classifier();
  const sparse = [];
  sparse.length = 2 ** 32 - 1;
  throws(() => clf.classifyBatch(sparse), TypeError, /classifyBatch\(\) expects an array of strings; item 0 is undefined/);
  throws(() => clf.fineTune(sparse), TypeError, /example 0 must be \{ text, label \}/);
  throws(() => Classifier.toCsv(sparse), TypeError, /toCsv\(\) row 0 expects an array of strings/);
  throws(() => Classifier.checkLabels(sparse), Error, /from 2 to 32 labels, not 4294967295/);
  assert.deepEqual(clf.classifyBatch(["great"]).map((p) => p.label), ["positive"]);
  clf.free();
});

test("an option that holds one array many times is refused by its count of values, not read value by value", () => {
  const clf = Classifier.fromPretrained({ seed: 3 });
  const tooMany = /^fineTune\(\) option: more than 65536 values, counting those nested in its arrays and objects; polarity reads at most that many here$/;
  // 90,000 values: read, then said to be of the wrong type, they were a TypeError.
  throws(() => clf.fineTune(EXAMPLES, { epochs: Array(300).fill(Array(300).fill(0)) }), RangeError, tooMany);
  // 3.6 billion: read one array at a time, they filled Node's heap and ended the process.
  const row = Array(60000).fill("a".repeat(32));
  throws(() => Classifier.checkFineTuneOptions({ epochs: Array(60000).fill(row) }), RangeError, tooMany);
  // One array of nearly as many values as polarity reads is still only of the wrong type.
  throws(() => clf.fineTune(EXAMPLES, { epochs: Array(65000).fill(0) }), TypeError, /epochs: must be a number, got an array$/);
  assert.equal(clf.fineTune(EXAMPLES, { epochs: 20 }).epochs > 0, true);
  // What the call ignores is not read, nor counted: an unknown option (warned about by name) and
  // an example's other fields, however large.
  const rows = Array.from({ length: 30000 }, (_, i) => ({ text: `text ${i}`, label: i % 2, id: i }));
  assert.deepEqual(clf.fineTune(EXAMPLES, { epochs: 20, examples: rows }).warnings.map((w) => w.slice(0, 30)),
    ['unknown option "examples" (known'.slice(0, 30)]);
  const tagged = EXAMPLES.map((e) => ({ ...e, tags: Array(300).fill(Array(300).fill("tag")) }));
  assert.equal(clf.fineTune(tagged, { epochs: 20 }).epochs > 0, true);
  clf.free();
});

test("inside onProgress the classifier being trained refuses every call, and training goes on", () => {
  const clf = Classifier.fromPretrained({ seed: 2 });
  const other = new Classifier();
  const refused = new Set();
  const report = clf.fineTune(EXAMPLES, {
    epochs: 2,
    onProgress: () => {
      for (const [name, call] of [["classify", () => clf.classify("x")], ["toBytes", () => clf.toBytes()],
        ["fineTune", () => clf.fineTune(EXAMPLES)], ["free", () => clf.free()], ["dispose", () => clf[Symbol.dispose]()]]) {
        throws(call, Error, /during fineTune\(\) is refused/);
        refused.add(name);
      }
      // Another classifier is free to use.
      assert.equal(other.classify("great").label, "positive");
    },
  });
  assert.equal(report.epochs, 2);
  assert.deepEqual([...refused].sort(), ["classify", "dispose", "fineTune", "free", "toBytes"]);
  // Not left half-freed or refused: it classifies, trains and frees as usual.
  assert.equal(typeof clf.classify("great").score, "number");
  assert.equal(clf.fineTune(EXAMPLES, { epochs: 1 }).epochs, 1);
  clf.free();
  other.free();
});

test("a throw from onProgress stops the training: fineTune throws it, the classifier is as it was", () => {
  const clf = Classifier.fromPretrained({ seed: 3 });
  const before = clf.toBytes();
  const stop = new Error("cancelled by the user");
  let calls = 0;
  // Before, the throw was dropped: training ran its 50 epochs and changed the classifier.
  throws(() => clf.fineTune(EXAMPLES, { epochs: 50, onProgress: () => { calls++; throw stop; } }), Error, /^cancelled by the user$/);
  assert.equal(calls, 1, "no batch after the throw");
  assert.deepEqual(clf.toBytes(), before);
  // Any value thrown comes back as it was thrown.
  assert.throws(() => clf.fineTune(EXAMPLES, { onProgress: () => { throw "stop"; } }), (e) => e === "stop");
  for (let i = 0; i < 300; i++) {
    assert.throws(() => clf.fineTune(EXAMPLES, { onProgress: () => { throw stop; } }), (e) => e === stop);
  }
  assert.equal(clf.fineTune(EXAMPLES, { epochs: 1 }).epochs, 1);
  assert.notDeepEqual(clf.toBytes(), before);
  clf.free();
});

test("an async onProgress is a TypeError at its first call: nothing trained, no unhandled rejection", async () => {
  const clf = Classifier.fromPretrained({ seed: 3 });
  const before = clf.toBytes();
  const unhandled = [];
  const note = (e) => unhandled.push(e);
  process.on("unhandledRejection", note);
  try {
    let calls = 0;
    // Before, each call's throw became an unhandled rejection (ending a Node process), and the
    // training ran on and changed the classifier.
    throws(() => clf.fineTune(EXAMPLES, { epochs: 5, onProgress: async () => { calls++; throw new Error("stop"); } }),
      TypeError, /onProgress returned a promise/);
    assert.equal(calls, 1);
    throws(() => clf.fineTune(EXAMPLES, { onProgress: () => Promise.resolve() }), TypeError, /onProgress returned a promise/);
    // Any thenable, as `await` would take it.
    throws(() => clf.fineTune(EXAMPLES, { onProgress: () => ({ then() {} }) }), TypeError, /onProgress returned a promise/);
    assert.deepEqual(clf.toBytes(), before);
    // Other values returned are ignored, as before.
    assert.equal(clf.fineTune(EXAMPLES, { epochs: 1, onProgress: () => ({ then: 1 }) }).epochs, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", note);
    clf.free();
  }
});

test("a freed classifier says so; free() twice does nothing", () => {
  const clf = new Classifier();
  clf.free();
  throws(() => clf.classify("great"), Error, /classify\(\) on a freed Classifier/);
  throws(() => clf.info(), Error, /info\(\) on a freed Classifier/);
  clf.free();
  clf[Symbol.dispose]();
});

test("options and labels of the wrong kind are named", () => {
  const clf = Classifier.fromPretrained({ seed: 3 });
  throws(() => clf.fineTune(EXAMPLES, { onProgress: "not a function" }), TypeError, /onProgress must be a function, got string/);
  throws(() => Classifier.checkFineTuneOptions({ onProgress: 5 }), TypeError, /onProgress must be a function, got number/);
  throws(() => clf.classifyBatch(["ok", null]), TypeError, /^classifyBatch\(\) expects an array of strings; item 1 is null$/);
  throws(() => clf.classifyBatch(["ok", "a".repeat(2 ** 24 + 1)]), RangeError, /^classifyBatch\(\): text 1 has 16777217 characters/);
  // Texts trained on as texts classified (there was no limit), and many texts together as much as
  // a file read: checked before any is copied in (nine at 15 M characters asked for 400 MB).
  throws(() => clf.fineTune([{ text: "a ".repeat(2 ** 23 + 1), label: 1 }, EXAMPLES[1]]), RangeError,
    /^fineTune\(\): example 0's text has 16777218 characters; polarity reads at most 16777216/);
  const big = "a ".repeat(7_500_000);
  throws(() => clf.classifyBatch(Array(9).fill(big)), RangeError, /^classifyBatch\(\): the batch has 135000000 characters; polarity reads at most 134217728/);
  throws(() => clf.fineTune(Array.from({ length: 9 }, (_, i) => ({ text: big, label: i % 2 }))), RangeError, /^fineTune\(\): the set of examples has 135000000 characters/);
  throws(() => Classifier.checkLabels("spam"), TypeError, /checkLabels\(\) expects an array of label names, got string/);
  // Labels that would look alike, or read backwards.
  throws(() => Classifier.checkLabels(["a", "a\u200b"]), Error, /invisible or direction-changing character \(U\+200B in label 2\)/);
  throws(() => Classifier.fromPretrained({ labels: ["pos\u202e", "neg"] }), Error, /U\+202E in label 1/);
  throws(() => Classifier.toCsv(null), TypeError, /toCsv\(\) expects an array of rows, got null/);
  throws(() => Classifier.checkLabels(["spam ", "ham"]), Error, /cannot begin or end with a space: "spam "/);
  throws(() => Classifier.fromPretrained({ labels: ["\ud800x", "b"] }), TypeError, /a label holds half of a UTF-16 surrogate pair \(label 1\)$/);
  throws(() => Classifier.parseTexts("id,review\n1,great\n", 5), Error, /column 5 does not exist: the file has 2 \(columns count from 0\)/);
  // Named, a .txt file's commas are prose: "No, never again" is one text, not "never again".
  const yesNo = "Yes, I liked it a lot\nNo, it was bad\nYes, great fun\nNo, never again\nWell, okay I guess\n" +
    "No, not good\nYes, superb acting\nNo, dull plot\nSure, why not\nNo, awful\n";
  assert.equal(Classifier.parseTexts(yesNo).column, 1);
  const named = Classifier.parseTexts(yesNo, undefined, "notes.txt");
  assert.deepEqual([named.column, named.texts[3]], [null, "No, never again"]);
  // checkFineTuneOptions warns of what fineTune will clamp, as fineTune does.
  assert.deepEqual(Classifier.checkFineTuneOptions({ batchSize: 200000 }), ["batchSize 200000 was clamped to 100000"]);
  // (Epochs enough to learn both labels: one epoch of a fresh head gave both texts one label,
  // which is warned about too.)
  assert.deepEqual(clf.fineTune(EXAMPLES, { batchSize: 200000, epochs: 20 }).warnings, ["batchSize 200000 was clamped to 100000"]);
  // A label with a handful of examples against many is said (weighed alike or not).
  const rare = [{ text: "Loved it.", label: "positive" }, ...["Dull.", "Awful.", "Bad plot.", "Boring.", "Weak cast."].map((text) => ({ text, label: "negative" }))];
  for (const balanceLabels of [true, false, undefined]) {
    assert.deepEqual(clf.fineTune(rare, { epochs: 20, balanceLabels }).warnings,
      ['only 1 example is labelled "positive", against 5 of another label: label a few more of it for it to be learned']);
  }
  assert.deepEqual(clf.fineTune(EXAMPLES, { epochs: 1e12 }).warnings, ["epochs 1000000000000 was clamped to 1000"]);
  // A misspelt option is said, not silently ignored: a warning where the call reports warnings,
  // a TypeError where it has none (a misspelt labels made a positive / negative classifier, a
  // misspelt escapeFormulae left formulas live); an array is no options object.
  assert.deepEqual(Classifier.checkFineTuneOptions({ epoch: 3, learning_rate: 0.1 }),
    ['unknown option "epoch" (did you mean "epochs"?) is ignored', 'unknown option "learning_rate" (did you mean "learningRate"?) is ignored']);
  assert.deepEqual(clf.fineTune(EXAMPLES, { epochs: 20, colour: "red" }).warnings,
    [`unknown option "colour" (known: epochs, learningRate, batchSize, trainEmbedding, seed, validationSplit, embeddingLearningRateScale, runs, balanceLabels, onProgress) was ignored`]);
  throws(() => Classifier.fromPretrained({ label: ["spam", "ham"] }), TypeError, /^fromPretrained\(\) options: unknown option "label" \(did you mean "labels"\?\)$/);
  throws(() => Classifier.fromPretrained(["spam", "ham"]), TypeError, /^fromPretrained\(\) options must be an object, got an array$/);
  throws(() => Classifier.toCsv([["=1"]], { escapeFormula: true }), TypeError, /did you mean "escapeFormulae"/);
  throws(() => Classifier.checkFineTuneOptions([3]), TypeError, /must be an object, got an array/);
  // Every option the types declare is known (a key whose value is undefined is still a key).
  const dts = readFileSync(join(PKG, "polarity.d.ts"), "utf8");
  const declared = dts.slice(dts.indexOf("export interface FineTuneOptions"));
  const keys = [...declared.slice(0, declared.indexOf("\n}")).matchAll(/^ {4}(\w+)\?:/gm)].map((m) => m[1]);
  assert.ok(keys.length >= 9, `read ${keys}`);
  assert.deepEqual(Classifier.checkFineTuneOptions(Object.fromEntries(keys.map((k) => [k, undefined]))), []);
  // Defaults as written, not as float32 rounds them.
  const limits = Classifier.fineTuneLimits();
  assert.equal(limits.learningRate.default, 0.0075);
  assert.equal(limits.embeddingLearningRateScale.default, 0.15);
  clf.free();
});

test("fromPretrained({ scopes: true }) keeps the bundled model's negation; scopes of the wrong kind are named", () => {
  const examples = [];
  for (const [label, words] of [["happy", ["good", "great", "lovely", "nice", "fine"]], ["unhappy", ["bad", "awful", "poor", "dull", "nasty"]]]) {
    for (const w of words) examples.push(...[w, `it was ${w}`, `so ${w}`].map((text) => ({ text, label })));
  }
  const taught = (scopes) => {
    const clf = Classifier.fromPretrained({ labels: ["happy", "unhappy"], seed: 5, scopes });
    clf.fineTune(examples, { seed: 5 });
    return clf;
  };
  // "not" is in no example: only the kept scopes turn "good" round.
  const withScopes = taught(true);
  assert.equal(withScopes.classify("it was not good").label, "unhappy");
  assert.equal(Classifier.fromBytes(withScopes.toBytes()).classify("it was not good").label, "unhappy");
  const without = taught(undefined);
  assert.equal(without.classify("it was not good").label, "happy");
  throws(() => Classifier.fromPretrained({ scopes: "yes" }), TypeError, /^fromPretrained\(\) options scopes: must be true or false, got string "yes"$/);
  // In JavaScript's words, not serde's ("Error: invalid type: string \"3\", expected f64").
  throws(() => Classifier.checkFineTuneOptions({ epochs: "3" }), TypeError, /^fineTune\(\) option epochs: must be a number, got string "3"$/);
  // A number out of range is a RangeError, and says the number as JavaScript writes it.
  throws(() => Classifier.checkFineTuneOptions({ epochs: Infinity }), RangeError, /^epochs must be a whole number of at least 1, not Infinity$/);
  throws(() => Classifier.checkFineTuneOptions({ learningRate: -1e300 }), RangeError, /, not -1e\+300$/);
  throws(() => Classifier.checkFineTuneOptions({ embeddingLearningRateScale: 100 }), RangeError, /^embeddingLearningRateScale must be between 0 and 10, not 100$/);
  // serde reads null as undefined; the message says which was given.
  const nullLabel = new Classifier();
  throws(() => nullLabel.fineTune([{ text: "fine", label: null }]), TypeError, /^example 0 label: .*, got null$/);
  throws(() => nullLabel.fineTune([{ text: "fine" }]), TypeError, /^example 0: must have a "label" field$/);
  throws(() => nullLabel.fineTune([{ text: null, label: 1 }]), TypeError, /got null/);
  nullLabel.free();
  // The label rule checkLabels applies, as numbers a page can show.
  const { min, max, maxChars } = Classifier.labelLimits();
  assert.deepEqual([min, max, maxChars], [2, 32, 100]);
  Classifier.checkLabels(Array.from({ length: max }, (_, i) => `${"x".repeat(maxChars - 3)}${i}`));
  throws(() => Classifier.checkLabels(Array.from({ length: max + 1 }, (_, i) => `l${i}`)), Error, /from 2 to 32 labels/);
  const clf = new Classifier();
  const two = [{ text: "good", label: 1 }, { text: "bad", label: 0 }];
  for (const [call, message] of [
    [() => clf.fineTune(two, 5), /^fineTune\(\) options must be an object, got number$/],
    [() => Classifier.fromPretrained("fast"), /^fromPretrained\(\) options must be an object, got string$/],
    [() => clf.fineTune(two, { epochs: 3n }), /^fineTune\(\) option epochs: must be a number, got bigint 3n$/],
    [() => clf.fineTune(two, { trainEmbedding: 1 }), /^fineTune\(\) option trainEmbedding: must be true or false, got number 1$/],
    [() => clf.fineTune(two, { balanceLabels: "yes" }), /^fineTune\(\) option balanceLabels: must be true or false, got string "yes"$/],
    [() => clf.fineTune([{ text: 1, label: 1 }, two[1]]), /^example 0 text: must be a string, got number 1$/],
    [() => clf.fineTune([{ text: new String("a"), label: 1 }, two[1]]), /^example 0 text: must be a string, got a String object$/],
    [() => clf.fineTune([["good", 1], two[1]]), /^example 0: must have a "text" field$/],
    [() => clf.fineTune(two, { epochs: Symbol("s") }), /^fineTune\(\) option epochs: must be a number, got a symbol$/],
    [() => clf.fineTune(two, { epochs: { a: 1 } }), /^fineTune\(\) option epochs: must be a number, got an object$/],
    [() => clf.fineTune(two, { epochs: () => 3 }), /^fineTune\(\) option epochs: must be a number, got a function$/],
  ]) throws(call, TypeError, message);
  clf.free();
  // undefined is a missing option, here as in toCsv's escapeFormulae.
  assert.equal(Classifier.toCsv([["=1"]], { escapeFormulae: undefined }), Classifier.toCsv([["=1"]]));
  withScopes.free();
  without.free();
});

test("parseExamples reads this repository's own fixture: comment lines are skipped", () => {
  const fixture = readFileSync(join(ROOT, "tests/fixtures/feedback.tsv"), "utf8");
  const parsed = Classifier.parseExamples(fixture, ["praise", "complaint", "question"]);
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.rows.length, fixture.split("\n").filter((l) => l && !l.startsWith("#")).length);
});

test("options given as a Map, new Classifier(bytes) and a Blob for fromBytes are TypeErrors that say what to do", async () => {
  // A Map has no keys of its own: every option in it was ignored, escapeFormulae included.
  throws(() => Classifier.toCsv([["=1"]], new Map([["escapeFormulae", true]])), TypeError,
    /^toCsv\(\) options must be a plain object, not a Map \(Object\.fromEntries\(map\) makes one\)$/);
  throws(() => Classifier.fromPretrained(new Map([["labels", ["spam", "ham"]]])), TypeError, /^fromPretrained\(\) options must be a plain object, not a Map/);
  const clf = Classifier.fromPretrained({ seed: 5 });
  throws(() => clf.fineTune(EXAMPLES, new Map([["epochs", 3]])), TypeError, /^fineTune\(\) options must be a plain object, not a Map/);
  throws(() => Classifier.checkFineTuneOptions(new Map()), TypeError, /options must be a plain object, not a Map/);
  // new Classifier() is the bundled model; given a model file or labels, it gave that model unsaid.
  const bytes = clf.toBytes();
  throws(() => new Classifier(bytes), TypeError, /^new Classifier\(\) takes no arguments: .*Classifier\.fromBytes\(bytes\) loads a model file, Classifier\.fromPretrained\(\{ labels \}\)/);
  throws(() => new Classifier({ labels: ["spam", "ham"] }), TypeError, /^new Classifier\(\) takes no arguments/);
  // As before: no argument at all, undefined or null, and a subclass's constructor with its own.
  assert.deepEqual(new Classifier(undefined).info().labels, ["positive", "negative"]);
  assert.deepEqual(new Classifier(null).info().labels, ["positive", "negative"]);
  class Named extends Classifier {}
  assert.deepEqual(new Named({ name: "mine" }).info().labels, ["positive", "negative"]);
  // A file as the browser gives it is read first: the message says how.
  throws(() => Classifier.fromBytes(new Blob([bytes])), TypeError,
    /^Classifier\.fromBytes\(\) expects a Uint8Array, got object: read a Blob, File or Response first \(new Uint8Array\(await file\.arrayBuffer\(\)\)\)$/);
  assert.deepEqual(Classifier.fromBytes(new Uint8Array(await new Blob([bytes]).arrayBuffer())).info().labels, clf.info().labels);
  clf.free();
});

test("toCsv escapes what a spreadsheet would run, only when asked", () => {
  const rows = [["text", "label"], ['=HYPERLINK("http://x","click")', "negative"], ["-2 stars", "@bad"], ["fine", "+1"]];
  assert.equal(Classifier.toCsv(rows), 'text,label\r\n"=HYPERLINK(""http://x"",""click"")",negative\r\n-2 stars,@bad\r\nfine,+1\r\n');
  assert.equal(
    Classifier.toCsv(rows, { escapeFormulae: true }),
    'text,label\r\n"\'=HYPERLINK(""http://x"",""click"")",negative\r\n\'-2 stars,\'@bad\r\nfine,+1\r\n',
  );
  throws(() => Classifier.toCsv(rows, { escapeFormulae: "yes" }), TypeError, /toCsv\(\) options escapeFormulae/);
  // A file with a NUL in it is binary to every reader, parseTexts included: it is not written.
  throws(() => Classifier.toCsv([["text"], ["a\0b"]]), TypeError, /^toCsv\(\) row 1: cell 0 holds a NUL character \(U\+0000\)/);
  assert.deepEqual(Classifier.parseTexts(Classifier.toCsv([["text"], ["a, \"b\"\nc"]])).texts, ["a, \"b\"\nc"]);
});

test("explain gives each word's pull in log-odds too: the same leave-one-out, which does not fade where the score is near 0 or 1", () => {
  const clf = new Classifier();
  const logit = (p) => Math.log(p / (1 - p));
  const sure = "Worst movie ever. Waste of time, awful acting and a dreadful plot.";
  for (const text of [sure, "Loved it! Wonderful acting, a brilliant and moving story.", "Not bad at all.", "I didn't like it."]) {
    const { score, tokens } = clf.explain(text);
    for (const t of tokens) {
      // Both are the score with the word minus without it: the probability without it is
      // score - weight, and its log-odds give logOdds.
      assert.ok(Math.abs(t.logOdds - (logit(score) - logit(score - t.weight))) < 0.01, `${text}: ${t.text} ${t.weight} ${t.logOdds}`);
    }
  }
  // Sure of its verdict (P(positive) 0.0003), in probability every word weighs under 0.003 and
  // "acting", against the verdict, 1/18 of the strongest ("worst"); in log-odds, 1/5.
  const { score, tokens } = clf.explain(sure);
  assert.ok(score < 0.001, `${score}`);
  const acting = tokens.find((t) => t.text === "acting");
  const strongest = (key) => Math.max(...tokens.map((t) => Math.abs(t[key])));
  assert.ok(tokens.every((t) => Math.abs(t.weight) < 0.003));
  assert.ok(acting.weight > 0 && acting.weight / strongest("weight") < 0.1, `${acting.weight}`);
  assert.ok(acting.logOdds / strongest("logOdds") > 0.15, `${acting.logOdds}`);
  clf.free();
});

test("a text reaches the package as it was given, short or long (a long one goes to TextEncoder whole)", () => {
  // Lengths about the point where the copy changes hands (256 UTF-16 units), then a long one
  // (its own buffer) and short ones again (the kept buffer, holding older bytes past the new end).
  const prose = "Café naïve 😀 great xy ";
  for (const n of [1, 255, 256, 257, 1000, 400000, 300, 257, 5]) {
    const text = prose.repeat(Math.ceil(n / prose.length) + 1).slice(0, n).replace(/[\uD800-\uDBFF]$/, "a");
    const [read] = Classifier.parseTexts(text, undefined, "reviews.txt").texts;
    assert.equal(read, text.trim(), `${n} units`);
  }
  // A lone surrogate is read as U+FFFD (one unit, three bytes), as before: the words after it keep
  // their places in the text.
  const clf = new Classifier();
  const lone = "Naïve \uD800 x\uDC00y 😀 good. ".repeat(40);
  const { tokens } = clf.explain(lone);
  assert.equal(tokens.length, 40 * 4);
  for (const t of tokens) assert.equal(lone.slice(t.start, t.end).toLowerCase(), t.text);
  assert.equal(clf.classify(lone).score, clf.classify(lone.toWellFormed()).score);
  clf.free();
});

test("loading marks the page's performance timeline once, not at every classifier", () => {
  for (let i = 0; i < 50; i++) {
    new Classifier().free();
    Classifier.fromPretrained().free();
  }
  const marks = performance.getEntriesByType("mark").filter((m) => m.name.startsWith("polarity:"));
  assert.deepEqual(marks.map((m) => m.name).sort(), ["polarity:engine", "polarity:file"]);
});

test("a long text whose copy the JavaScript heap refuses is read another way, and the classifier stays usable", () => {
  // new Uint8Array(n) for the copy of a long text threw through the module: the classify failed,
  // and the classifier stayed borrowed for good (every fineTune "recursive use of an object").
  const clf = new Classifier();
  const text = "a fine film ".repeat(100_000);
  const expected = clf.classify(text).score;
  const Native = globalThis.Uint8Array;
  globalThis.Uint8Array = new Proxy(Native, {
    construct(target, args, newTarget) {
      if (typeof args[0] === "number" && args[0] > 1e6) throw new RangeError("Array buffer allocation failed");
      return Reflect.construct(target, args, newTarget);
    },
  });
  let score;
  try {
    score = new Classifier().classify(text).score;
  } finally {
    globalThis.Uint8Array = Native;
  }
  assert.equal(score, expected);
  const tuned = Classifier.fromPretrained({ seed: 1 });
  globalThis.Uint8Array = new Proxy(Native, {
    construct(target, args, newTarget) {
      if (typeof args[0] === "number" && args[0] > 1e6) throw new RangeError("Array buffer allocation failed");
      return Reflect.construct(target, args, newTarget);
    },
  });
  try {
    tuned.classify(text + "!");
  } finally {
    globalThis.Uint8Array = Native;
  }
  tuned.fineTune(EXAMPLES, { epochs: 1 });
  tuned.free();
  clf.free();
});

test("initSync() while init() loads leaves one instance: a classifier made in between keeps working", async () => {
  // A module instance of its own (another URL), not yet loaded; last in this file, as its
  // classifiers mark the timeline too.
  const fresh = await import(`${pathToFileURL(join(PKG, "polarity.js")).href}?race`);
  const bytes = readFileSync(join(PKG, "polarity_bg.wasm"));
  // Without the wasm, the browser's entry says what to pass (it said "Argument 0 must be a buffer source").
  throws(() => fresh.initSync(), TypeError, /^initSync\(\) needs the wasm: initSync\(\{ module \}\) with the bytes of polarity_bg\.wasm/);
  // null too (it read null's prototype: "Cannot convert undefined or null to object").
  throws(() => fresh.initSync(null), TypeError, /^initSync\(\) needs the wasm/);
  const loading = fresh.default({ module_or_path: bytes });
  const made = fresh.initSync({ module: bytes });
  const clf = new fresh.Classifier();
  // The pending init() made an instance of its own and put it in place of the first: clf then
  // read another module's memory ("memory access out of bounds").
  assert.equal(await loading, made);
  assert.equal(clf.classify("I loved it").label, "positive");
  assert.equal(new fresh.Classifier().classify("Terrible acting.").label, "negative");
  clf.free();
  // A load that fails after an initSync() that worked is no failure: the module is loaded.
  const other = await import(`${pathToFileURL(join(PKG, "polarity.js")).href}?race-failing`);
  const failing = other.default({ module_or_path: new Uint8Array([0, 97, 115]) });
  const loaded = other.initSync({ module: bytes });
  assert.equal(await failing, loaded);
});
