// Unit tests of the demo's DOM-free helpers (www/ui.js), in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { formatCount } from "../../www/ui.js";

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
