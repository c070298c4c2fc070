// The 25,000 IMDB test reviews classified through the npm package in Node must score the same
// accuracy as the native CLI (`polarity eval`) on the same file, to 0.01 percentage point.
// Runs only where $POLARITY_DATA/imdb/test.tsv.gz exists; otherwise prints a loud SKIPPED banner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PKG, run } from "./helpers.mjs";
import { BIN, dataFile, readLabelled } from "../../tools/data.mjs";

const FILE = dataFile("imdb/test.tsv.gz");

/** LABEL<TAB>TEXT lines, read as the CLI reads them (blank and # lines skipped). */
function readReviews(path) {
  return readLabelled(path).map(({ label, text }) => {
    assert.ok(label === "0" || label === "1", `bad label: ${label.slice(0, 60)}`);
    return { positive: label === "1", text };
  });
}

test("IMDB test accuracy: npm package in Node == native CLI", { timeout: 30 * 60_000 }, async (t) => {
  if (!existsSync(FILE)) {
    const bar = "!".repeat(88);
    console.log(`${bar}\n!! SKIPPED: ${FILE} is absent, so the package's IMDB accuracy was NOT\n` +
      `!! compared with the native CLI. Set POLARITY_DATA to a folder holding imdb/.\n${bar}`);
    t.skip(`${FILE} absent`);
    return;
  }
  assert.ok(existsSync(BIN), `${BIN} missing: run \`make native\``);
  const cli = run(BIN, ["eval", "--data", FILE]);
  const m = cli.match(/^accuracy\s+([\d.]+)%$/m);
  assert.ok(m, `no accuracy line in:\n${cli}`);
  const native = Number(m[1]);

  const { initSync, Classifier } = await import(join(PKG, "polarity.js"));
  initSync({ module: readFileSync(join(PKG, "polarity_bg.wasm")) });
  const clf = new Classifier();
  const reviews = readReviews(FILE);
  const counted = cli.match(/^reviews\s+(\d+)$/m);
  assert.ok(counted, `no reviews line in:\n${cli}`);
  assert.equal(reviews.length, Number(counted[1]));
  let correct = 0;
  const started = performance.now();
  for (let i = 0; i < reviews.length; i += 256) {
    const chunk = reviews.slice(i, i + 256);
    const predictions = clf.classifyBatch(chunk.map((r) => r.text));
    predictions.forEach((p, j) => {
      assert.equal(p.label, p.score >= 0.5 ? "positive" : "negative");
      if ((p.score >= 0.5) === chunk[j].positive) correct += 1;
    });
  }
  const seconds = (performance.now() - started) / 1000;
  clf.free();
  const wasm = (100 * correct) / reviews.length;
  console.log(`IMDB test: ${reviews.length} reviews, native ${native.toFixed(4)}%, ` +
    `wasm in Node ${wasm.toFixed(4)}% (${(reviews.length / seconds).toFixed(0)} reviews/s)`);
  assert.ok(Math.abs(wasm - native) <= 0.01, `wasm ${wasm}% vs native ${native}%`);
});
