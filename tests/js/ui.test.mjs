// Unit tests of the demo's DOM-free helpers (www/ui.js), in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { PREVIEW_CHARS, formatCount, preview } from "../../www/ui.js";
import { isUnsure, shownLabel, verdict } from "../../www/verdict.js";

test("formatCount groups thousands as toLocaleString('en') does, without Intl", () => {
  const values = [0, 7, 42, 999, 1000, 1234, 40123, 100000, 999999, 1000000, 1234567890, -1, -1234, -1234567];
  for (let k = 1; k < 1e15; k = k * 7 + 3) values.push(k);
  for (const n of values) assert.equal(formatCount(n), n.toLocaleString("en"), String(n));
});

test("www/vendor/fflate.js is the locked npm package's own ES module, as it was copied", () => {
  const vendored = readFileSync(new URL("../../www/vendor/fflate.js", import.meta.url));
  const locked = readFileSync(new URL("../../node_modules/fflate/esm/browser.js", import.meta.url));
  assert.ok(vendored.equals(locked), "copy node_modules/fflate/esm/browser.js to www/vendor/fflate.js");
});

test("a verdict whose two likeliest labels are close says it is unsure, and which way it leans", () => {
  // Two labels: score is P(first label), the label the likelier one.
  // A lean the whole percent would hide keeps its tenth: "(50%)" read as no lean at all.
  assert.equal(verdict({ label: "positive", score: 0.5075 }), "unsure, leaning positive (50.7%)");
  assert.equal(verdict({ label: "negative", score: 0.41 }), "unsure, leaning negative (59%)");
  assert.equal(verdict({ label: "negative", score: 0.39 }), "negative (61% confident)");
  assert.equal(verdict({ label: "positive", score: 0.61 }), "positive (61% confident)");
  assert.equal(verdict({ label: "positive", score: 0.997 }), "positive (99% confident)");
  // More: score is P(label), and the gap is to the runner-up, whatever the order of `scores`.
  const three = (a, b, c) => ({
    label: "praise",
    score: a,
    scores: [{ label: "question", score: b }, { label: "praise", score: a }, { label: "complaint", score: c }],
  });
  assert.ok(isUnsure(three(0.45, 0.4, 0.15)));
  assert.equal(verdict(three(0.45, 0.4, 0.15)), "unsure, leaning praise (45%)");
  assert.ok(isUnsure(three(0.45, 0.2, 0.35))); // 0.45 - 0.35 < 0.2
  assert.ok(!isUnsure(three(0.6, 0.3, 0.1)));
  assert.equal(verdict(three(0.6, 0.3, 0.1)), "praise (60% confident)");
  // A runner-up of the same whole percent: the tenth tells them apart.
  assert.equal(verdict(three(0.405, 0.401, 0.194)), "unsure, leaning praise (40.5%)");
});

test("a label in a right-to-left script is isolated from the sentence around it; others are left alone", () => {
  // Without isolates "unsure, leaning שלילי (55%)" showed as "unsure, leaning (55%) שלילי".
  assert.equal(verdict({ label: "שלילי", score: 0.45 }), "unsure, leaning \u2068שלילי\u2069 (55%)");
  assert.equal(verdict({ label: "سلبي", score: 0.1 }), "\u2068سلبي\u2069 (90% confident)");
  assert.equal(shownLabel("positive"), "positive");
  assert.equal(shownLabel("👍 praise"), "👍 praise");
});

test("a list shows a long text's start and its length, never half of a surrogate pair", () => {
  assert.equal(preview("Great fun."), "Great fun.");
  const exact = "x".repeat(PREVIEW_CHARS);
  assert.equal(preview(exact), exact);
  const long = "y".repeat(1_000_000);
  assert.equal(preview(long), `${"y".repeat(PREVIEW_CHARS)}… (1,000,000 characters in all)`);
  // An emoji across the cut is left out whole, not shown as U+FFFD.
  const emoji = `${"z".repeat(PREVIEW_CHARS - 1)}😀${"z".repeat(10)}`;
  const shown = preview(emoji);
  assert.ok(shown.startsWith(`${"z".repeat(PREVIEW_CHARS - 1)}…`), shown.slice(PREVIEW_CHARS - 3, PREVIEW_CHARS + 3));
  assert.ok(shown.isWellFormed());
});
