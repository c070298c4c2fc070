// Shared by the JS tests and the bench: repo paths, headless Chromium (playwright-core, the system
// browser, no downloads), a page watcher that records console errors and every request, a static
// server, and a command runner.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
export { serve } from "../www/serve.mjs";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const PKG = join(ROOT, "pkg");

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
