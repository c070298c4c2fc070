// The demo, fine-tuning in its worker, classifying a file in its worker, and the embed examples
// (the bundled model and a model file of one's own) under a strict Content-Security-Policy (sent as
// a header with every file, the workers' included): no violation, no console error.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, launch, serve, watch } from "./helpers.mjs";

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const site = {};

before(async () => {
  ({ server: site.server, url: site.url } = await serve({
    root: join(ROOT, "www"),
    port: 0,
    headers: { "content-security-policy": CSP },
  }));
  site.browser = await launch();
});
after(async () => {
  await site.browser?.close();
  site.server?.close();
});

async function open(path) {
  const context = await site.browser.newContext();
  const page = await context.newPage();
  const seen = watch(page);
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(site.url + path);
  return { context, page, seen };
}

test("the demo classifies and fine-tunes under a strict CSP with no violation", async () => {
  const { context, page, seen } = await open("");
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  for (const [text, button] of [
    ["A wonderful film, I loved every minute.", "#label-a"],
    ["Dreadful, boring and far too long.", "#label-b"],
    ["Great acting and a moving story.", "#label-a"],
    ["The worst film I have seen this year.", "#label-b"],
  ]) {
    await page.locator("#review").fill(text);
    await page.locator(button).click();
  }
  await page.waitForFunction(() => document.querySelector("#explained .tok") !== null);
  await page.locator("#epochs").fill("5");
  await page.locator("#fine-tune").click();
  await page.waitForFunction(() => /^Done: /.test(document.querySelector("#train-status").textContent), null, { timeout: 60_000 });
  await page.locator("#classify-file").setInputFiles({ name: "texts.txt", mimeType: "text/plain", buffer: Buffer.from("Loved it.\nHated it.\n") });
  await page.waitForFunction(() => document.querySelector("#file-msg").textContent.startsWith("texts.txt: 2 texts"));
  await page.locator("#classify-start").click();
  await page.waitForFunction(() => document.querySelector("#file-msg").textContent.startsWith("Classified 2 texts"), null, { timeout: 60_000 });
  // The site download loads its zip writer as a module of the page's own.
  await page.locator("#download-site").click();
  await page.waitForFunction(() => /^(Downloaded|Could not)/.test(document.querySelector("#model-msg").textContent), null, { timeout: 60_000 });
  assert.match(await page.locator("#model-msg").textContent(), /^Downloaded polarity-site\.zip/);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(seen.errors, [], "console or page errors");
  await context.close();
});

for (const file of ["embed-example.html", "embed-custom.html"]) {
  test(`${file} is styled and live under a strict CSP with no violation`, async () => {
    const { context, page, seen } = await open(file);
    await checkEmbed(page, seen);
    await context.close();
  });
}

async function checkEmbed(page, seen) {
  const box = page.locator("polarity-review textarea");
  await box.fill("An absolute delight from start to finish.");
  await page.waitForFunction(() => {
    const out = document.querySelector("polarity-review").shadowRoot.querySelector("[role=status]");
    return /confident/.test(out.textContent);
  }, null, { timeout: 60_000 });
  const barHeight = await page.evaluate(() =>
    getComputedStyle(document.querySelector("polarity-review").shadowRoot.querySelector(".bar")).height);
  assert.equal(barHeight, "8px", "the element's stylesheet applies");
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.deepEqual(seen.errors, [], "console or page errors");
}
