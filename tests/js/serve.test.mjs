// www/serve.mjs, the demo's and the tests' static server: compressed as a static host would be.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { serve } from "../../www/serve.mjs";

const WWW = fileURLToPath(new URL("../../www/", import.meta.url));

/** Raw response (no automatic decoding) of GET `path` with an Accept-Encoding header. */
function get(url, path, encoding) {
  return new Promise((ok, fail) => {
    const headers = encoding === undefined ? {} : { "accept-encoding": encoding };
    request(new URL(path, url), { headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on("error", fail).end();
  });
}

test("serve sends gzip to clients that accept it and the file itself to others", async () => {
  const { server, url } = await serve({ root: WWW, port: 0 });
  try {
    const file = readFileSync(join(WWW, "demo.js"));
    const zipped = await get(url, "demo.js", "gzip, deflate, br");
    assert.equal(zipped.headers["content-encoding"], "gzip");
    assert.equal(Number(zipped.headers["content-length"]), zipped.body.length);
    assert.ok(zipped.body.length < file.length);
    assert.deepEqual(gunzipSync(zipped.body), file);
    for (const encoding of [undefined, "identity", "br", "gzip;q=0"]) {
      const plain = await get(url, "demo.js", encoding);
      assert.equal(plain.headers["content-encoding"], undefined, String(encoding));
      assert.deepEqual(plain.body, file, String(encoding));
    }
    assert.equal((await get(url, "nope.js", "gzip")).status, 404);
    // Images are sent as they are.
    const png = await get(url, "screenshot.png", "gzip");
    assert.equal(png.status, 200);
    assert.equal(png.headers["content-encoding"], undefined);
    assert.deepEqual(png.body, readFileSync(join(WWW, "screenshot.png")));
  } finally {
    server.close();
  }
});

test("serve answers GET and HEAD only, says each file's type for good, and serves nothing a link inside its root points out to", async () => {
  const { mkdirSync, mkdtempSync, writeFileSync, symlinkSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const root = mkdtempSync(join(tmpdir(), "polarity-serve-"));
  const outside = mkdtempSync(join(tmpdir(), "polarity-outside-"));
  writeFileSync(join(root, "page.html"), "<p>here</p>");
  writeFileSync(join(outside, "secret.txt"), "not for the web");
  symlinkSync(join(outside, "secret.txt"), join(root, "secret.txt"));
  // A folder's index.html is served for the folder: checked as the file it is.
  mkdirSync(join(root, "sub"));
  symlinkSync(join(outside, "secret.txt"), join(root, "sub", "index.html"));
  const { server, url } = await serve({ root, port: 0 });
  const send = (method, path) => new Promise((ok, fail) => {
    request(new URL(path, url), { method }, (res) => {
      res.resume();
      res.on("end", () => ok(res));
    }).on("error", fail).end();
  });
  try {
    const page = await get(url, "page.html");
    assert.equal(page.status, 200);
    assert.equal(page.headers["x-content-type-options"], "nosniff");
    // It served /etc/passwd through such a link.
    assert.equal((await get(url, "secret.txt")).status, 403);
    assert.equal((await get(url, "sub/")).status, 403);
    assert.equal((await get(url, "sub")).status, 403);
    // A POST or DELETE was answered as a GET.
    for (const method of ["POST", "DELETE", "PUT"]) {
      const res = await send(method, "page.html");
      assert.equal(res.statusCode, 405, method);
      assert.equal(res.headers.allow, "GET, HEAD");
    }
    assert.equal((await send("HEAD", "page.html")).statusCode, 200);
  } finally {
    server.close();
    rmSync(root, { recursive: true });
    rmSync(outside, { recursive: true });
  }
});
