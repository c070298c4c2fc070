// Accessibility of the demo page and the embed, in headless Chromium: axe-core finds no serious or
// critical violation (WCAG 2.1 A/AA rules) in the states a visitor sees; the verdict is read out
// once the typing pauses, not on every keystroke; word highlights carry more than colour; a digit
// key pressed on another control adds no example; on a phone with its keyboard open the verdict
// shows above the box; forced colours keep the meter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { openTeach, serveWww } from "./helpers.mjs";

const site = serveWww();
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** Serious and critical axe violations of `page` (its shadow roots included), as readable lines. */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const results = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

test("axe finds no serious violation on the demo (typed, labelled) and the embed pages", async () => {
  const context = await site.browser.newContext();
  const { page } = await openTeach(site, context);
  assert.deepEqual(await axeViolations(page), [], "demo, as opened");
  await page.locator("#review").fill("A wonderful film, I loved it.");
  await page.locator("#label-a").click();
  await page.locator("#review").fill("Dull and far too long.");
  await page.locator("#label-b").click();
  assert.deepEqual(await axeViolations(page), [], "demo, typed and labelled");
  for (const path of ["embed-example.html", "embed-custom.html"]) {
    await page.goto(site.url + path);
    await page.waitForFunction(() => !/Loading/.test(document.querySelector("polarity-review").shadowRoot?.querySelector("[role=status]")?.textContent ?? "Loading"), null, { timeout: 60_000 });
    await page.locator("polarity-review textarea").fill("Great service, thank you");
    assert.deepEqual(await axeViolations(page), [], path);
  }
  await context.close();
});

/**
 * Types `text` into the review box (or the embed's, `inShadow`) one character every 40 ms, timed in
 * the page itself (key presses sent one by one from here can stall past the pause that announces).
 */
async function typeInPage(page, inShadow, text) {
  await page.evaluate(async ([inShadow, text]) => {
    const box = inShadow
      ? document.querySelector("polarity-review").shadowRoot.querySelector("textarea")
      : document.querySelector("#review");
    for (const c of text) {
      box.value += c;
      box.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((ok) => setTimeout(ok, 40));
    }
  }, [inShadow, text]);
}

/** Counts the changes of the live regions `selector` finds (in the page, or in the embed's shadow root). */
async function countAnnouncements(page, selector, inShadow) {
  await page.evaluate(([selector, inShadow]) => {
    const root = inShadow ? document.querySelector("polarity-review").shadowRoot : document;
    window.said = [];
    for (const el of root.querySelectorAll(selector)) {
      new MutationObserver(() => window.said.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
    }
  }, [selector, inShadow]);
  return () => page.evaluate(() => window.said);
}

test("the verdict is read out once the typing pauses, not on every keystroke", async () => {
  const context = await site.browser.newContext();
  const { page } = await openTeach(site, context);
  // The visible verdict is a status that is not live; a hidden region speaks for it.
  assert.equal(await page.locator("#status").getAttribute("aria-live"), "off");
  // The empty box's prompt is read out a pause (1 s) after the page is ready: let it be said before
  // counting, or it lands among what typing said.
  await page.waitForFunction(() => document.querySelector("#verdict-live").textContent.startsWith("Type something"), null, { timeout: 5_000 });
  const said = await countAnnouncements(page, "[aria-live=polite], [aria-live=assertive]", false);
  await typeInPage(page, false, "What a wonderful, moving film");
  assert.deepEqual(await said(), [], "nothing read out while typing");
  await page.waitForFunction(() => /^(positive|negative) \(/.test(document.querySelector("#verdict-live").textContent), null, { timeout: 5_000 });
  assert.deepEqual(await said(), [await page.locator("#status").textContent()], "one announcement: the verdict");

  await page.goto(site.url + "embed-example.html");
  await page.waitForFunction(() => /Start typing/.test(document.querySelector("polarity-review").shadowRoot?.querySelector("[role=status]")?.textContent), null, { timeout: 60_000 });
  const status = page.locator("polarity-review [role=status]");
  assert.equal(await status.getAttribute("aria-live"), "off");
  // A box that loads says nothing (a page of several boxes read out each one's "Start typing…").
  await page.waitForTimeout(1500);
  assert.equal(await page.evaluate(() => document.querySelector("polarity-review").shadowRoot.querySelector("[aria-live=polite]").textContent), "");
  const saidInBox = await countAnnouncements(page, "[aria-live=polite]", true);
  await typeInPage(page, true, "Awful, I hated it");
  assert.deepEqual(await saidInBox(), []);
  await page.waitForFunction(() => window.said.length > 0, null, { timeout: 5_000 });
  assert.deepEqual(await saidInBox(), [await status.textContent()]);
  await context.close();
});

test("highlights carry a cue beside colour, and a summary in words", async () => {
  const context = await site.browser.newContext();
  const { page } = await openTeach(site, context);
  await page.locator("#review").fill("Superb acting, but the plot was a dull mess.");
  await page.waitForSelector("#explained .tok.neg");
  const style = (sel) => page.locator(sel).first().evaluate((el) => getComputedStyle(el).textDecorationStyle);
  assert.equal(await style("#explained .tok.pos"), "solid");
  assert.equal(await style("#explained .tok.neg"), "dotted");
  assert.match(await page.locator("#explained-summary").textContent(),
    /^Strongest words: pushes towards positive: .*superb.*; pushes towards negative: .*(dull|mess).*\.$/i);
  await context.close();
});

test("a digit key pressed on another control adds no example; on the page it labels", async () => {
  const context = await site.browser.newContext();
  const { page } = await openTeach(site, context);
  await page.locator("#review").fill("A fine film.");
  await page.locator(".examples button").first().focus();
  await page.keyboard.press("Digit1");
  assert.equal(await page.locator("#ex-count").textContent(), "0");
  await page.locator("#teach-heading").click(); // nothing focusable: the page has the focus
  await page.keyboard.press("Digit1");
  assert.equal(await page.locator("#ex-count").textContent(), "1");
  await context.close();
});

test("on a phone with its keyboard open the verdict shows above the box; forced colours keep the meter", async () => {
  const context = await site.browser.newContext({ viewport: { width: 375, height: 377 } });
  const { page } = await openTeach(site, context);
  await page.locator("#review").click();
  await page.keyboard.type("What a wonderful film, I loved it");
  await page.waitForFunction(() => document.querySelector("#status-echo").textContent.startsWith("positive"));
  const echo = await page.locator("#status-echo").boundingBox();
  assert.ok(echo && echo.y >= 0 && echo.y + echo.height <= 377, `the verdict under the label is in view: ${JSON.stringify(echo)}`);
  assert.equal(await page.locator("#status-echo").textContent(), await page.locator("#status").textContent());
  await page.emulateMedia({ forcedColors: "active" });
  const fill = await page.locator("#meter").evaluate((el) => getComputedStyle(el).backgroundColor);
  const track = await page.locator(".meter").evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.notEqual(fill, track, "the meter's fill stands out from its track");
  await context.close();
});
