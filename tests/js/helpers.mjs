// Shared by the JS tests: repo paths, headless Chromium (playwright-core, the system browser, no
// downloads), a page watcher that records console errors and every request, a static server, and
// the before/after hooks that serve www/ to a test file.
import { chromium } from "playwright-core";
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../../www/serve.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PKG = join(ROOT, "pkg");
export { serve };

export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

export function launch() {
  return chromium.launch({
    executablePath: process.env.POLARITY_CHROMIUM || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/** Records console errors, page errors and every requested URL of `page`. */
export function watch(page) {
  const seen = { errors: [], requests: [] };
  page.on("console", (m) => m.type() === "error" && seen.errors.push(`console: ${m.text()}`));
  page.on("pageerror", (e) => seen.errors.push(`page: ${e.message}`));
  page.on("request", (r) => seen.requests.push(r.url()));
  return seen;
}

/** Runs a command, returning stdout; throws with its output if it fails. */
export function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...opts });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
}

/**
 * For a test file of the demo site: serves www/ and launches Chromium before its tests, closes
 * both after. The returned object's `browser` and `url` are set once the `before` hook has run.
 */
export function serveWww() {
  const site = { browser: null, server: null, url: null };
  before(async () => {
    assert.ok(existsSync(join(ROOT, "www/pkg/polarity_bg.wasm")), "www/pkg missing: run `make build`");
    ({ server: site.server, url: site.url } = await serve({ root: join(ROOT, "www"), port: 0 }));
    site.browser = await launch();
  });
  after(async () => {
    await site.browser?.close();
    site.server?.close();
  });
  return site;
}
