// Accessibility of the demo page and the embed, in headless Chromium: axe-core finds no serious or
// critical violation (WCAG 2.1 A/AA rules) in the states a visitor sees; the verdict is read out
// once the typing pauses, not on every keystroke; word highlights carry more than colour; a digit
// key pressed on another control adds no example; on a phone with its keyboard open the verdict
// shows above the box; forced colours keep the meter. The verdict is not left in its live region to
// be read twice, and the embed's box is described by it; a labelling is read out once; the focus
// stays where it was, or goes where the person is, through a site's build, a label refused or
// removed; controls that are alike have names apart.
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

test("the verdict's live region is emptied once heard, and the same verdict again is not read out", async () => {
  const context = await site.browser.newContext();
  const { page } = await openTeach(site, context);
  await page.locator("#review").fill("What a wonderful, moving film");
  await page.waitForFunction(() => /^(positive|negative) \(/.test(document.querySelector("#verdict-live").textContent), null, { timeout: 5_000 });
  // Kept, reading through the page read the verdict twice: the status, then this region.
  await page.waitForFunction(() => document.querySelector("#verdict-live").textContent === "", null, { timeout: 10_000 });
  assert.match(await page.locator("#status").textContent(), /^(positive|negative) \(/, "the visible verdict stays");
  // A letter typed and taken back: the same verdict, not read out a second time.
  const said = await countAnnouncements(page, "#verdict-live", false);
  await typeInPage(page, false, "!");
  await page.locator("#review").fill("What a wonderful, moving film");
  await page.waitForTimeout(2500);
  assert.deepEqual(await said(), []);
  await context.close();
});

test("back in the embed's box, a screen reader gets its verdict as the box's description", async () => {
  const context = await site.browser.newContext();
  const page = await context.newPage();
  await page.goto(site.url + "embed-example.html");
  await page.waitForFunction(() => /Start typing/.test(document.querySelector("polarity-review").shadowRoot?.querySelector("[role=status]")?.textContent), null, { timeout: 60_000 });
  await page.locator("polarity-review textarea").fill("Awful, I hated it");
  const status = page.locator("polarity-review [role=status]");
  await page.waitForFunction(() => /^negative/.test(document.querySelector("polarity-review").shadowRoot.querySelector("[role=status]").textContent));
  // What a screen reader gets back in the box: its verdict, as the description.
  const cdp = await context.newCDPSession(page);
  const { nodes } = await cdp.send("Accessibility.getFullAXTree");
  const box = nodes.find((n) => n.role?.value === "textbox");
  assert.equal(box?.description?.value, await status.textContent());
  await context.close();
});

test("a label click is read out once, by the import message; a deleted example is said too", async () => {
  const context = await site.browser.newContext();
  const { page } = await openTeach(site, context);
  await page.waitForTimeout(1500); // the empty box's prompt, read out after a pause
  const said = await countAnnouncements(page, "[aria-live=polite], [aria-live=assertive], [role=status]:not([aria-live=off])", false);
  await page.locator("#review").fill("A wonderful film, I loved it.");
  await page.locator("#label-a").click();
  await page.locator("#review").fill("Dull and far too long.");
  await page.locator("#label-b").click();
  // Let the verdict's region speak, then count what the labelling said.
  await page.waitForTimeout(1500);
  const labelling = (await said()).filter((t) => /example/.test(t) || /: \d/.test(t));
  assert.deepEqual(labelling, ["Labelled as positive: 1 example.", "Labelled as negative: 2 examples."]);
  // The counts line is still on the page, for a person reading it.
  assert.equal(await page.locator("#label-counts").textContent(), "positive: 1 · negative: 1");
  await page.getByRole("button", { name: "Delete example 1" }).click();
  assert.equal(await page.locator("#import-msg").textContent(), "Deleted example 1: 1 example.");
  await context.close();
});

test("the focus stays on Download a site while it builds; a press meanwhile does nothing", async () => {
  const context = await site.browser.newContext();
  const { page } = await openTeach(site, context);
  // The zip writer held back: the build waits on it.
  let release;
  const held = new Promise((ok) => { release = ok; });
  await context.route("**/vendor/fflate.js", async (route) => {
    await held;
    await route.continue();
  });
  const downloads = [];
  page.on("download", (d) => downloads.push(d.suggestedFilename()));
  const button = page.locator("#download-site");
  await button.focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => /^Building/.test(document.querySelector("#model-msg").textContent));
  assert.equal(await page.evaluate(() => document.activeElement?.id), "download-site", "the focus stays on the button");
  assert.equal(await button.getAttribute("aria-disabled"), "true");
  await page.keyboard.press("Enter");
  release();
  await page.waitForFunction(() => /^Downloaded/.test(document.querySelector("#model-msg").textContent), null, { timeout: 60_000 });
  await page.waitForTimeout(500);
  assert.deepEqual(downloads, ["polarity-site.zip"], "one build, one download");
  assert.equal(await button.getAttribute("aria-disabled"), null);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "download-site");
  await context.close();
});

test("a label the package refuses is named by its place, marked and given the focus", async () => {
  const context = await site.browser.newContext();
  const { page } = await openTeach(site, context);
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
  const label = (n) => page.getByRole("textbox", { name: `Label ${n}`, exact: true });
  await page.getByRole("button", { name: "Add a label" }).click();
  await label(3).fill("meh");
  await label(1).fill("");
  await page.getByRole("button", { name: "Use these labels" }).click();
  assert.equal(await page.locator("#model-msg").textContent(), "These labels cannot name a classifier: a label cannot be empty (label 1).");
  assert.equal(await focused(), "Label 1");
  assert.equal(await label(1).getAttribute("aria-invalid"), "true");
  assert.equal(await label(1).getAttribute("aria-describedby"), "model-msg");
  // Fixed, but label 3 now repeats label 2: the mark moves to it.
  await label(1).fill("good");
  await label(3).fill("negative");
  await page.getByRole("button", { name: "Use these labels" }).click();
  assert.match(await page.locator("#model-msg").textContent(), /is given twice \(label 3\)\.$/);
  assert.equal(await focused(), "Label 3");
  assert.equal(await label(1).getAttribute("aria-invalid"), null);
  assert.equal(await label(1).getAttribute("aria-describedby"), null);
  assert.equal(await label(3).getAttribute("aria-invalid"), "true");
  // A label whose own text reads like a place ("fine label 1)") is not taken for one.
  await label(2).fill("fine label 1)");
  await label(3).fill("fine label 1)");
  await page.getByRole("button", { name: "Use these labels" }).click();
  assert.match(await page.locator("#model-msg").textContent(), /is given twice \(label 3\)\.$/);
  assert.equal(await focused(), "Label 3");
  assert.equal(await label(1).getAttribute("aria-invalid"), null);
  // Nor one that reads like a place before a colon: the last place the message gives is the one.
  await label(2).fill("x (label 1): y");
  await label(3).fill("x (label 1): y");
  await page.getByRole("button", { name: "Use these labels" }).click();
  assert.match(await page.locator("#model-msg").textContent(), /is given twice \(label 3\)\.$/);
  assert.equal(await focused(), "Label 3");
  assert.equal(await label(1).getAttribute("aria-invalid"), null);
  await label(2).fill("negative");
  await label(3).fill("meh");
  await page.getByRole("button", { name: "Use these labels" }).click();
  assert.match(await page.locator("#model-msg").textContent(), /^New classifier "good" \/ "negative" \/ "meh"/);
  assert.equal(await page.locator("#label-editor [aria-invalid]").count(), 0);
  await context.close();
});

test("a removed label hands the focus to the label now in its place, or to the one before", async () => {
  const context = await site.browser.newContext();
  const { page } = await openTeach(site, context);
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
  const label = (n) => page.getByRole("textbox", { name: `Label ${n}`, exact: true });
  await page.getByRole("button", { name: "Add a label" }).click();
  await label(3).fill("meh");
  await page.getByRole("button", { name: "Add a label" }).click();
  await label(4).fill("other");
  await page.getByRole("button", { name: "Remove label 2" }).click();
  assert.equal(await focused(), "Label 2");
  assert.equal(await label(2).inputValue(), "meh");
  await page.getByRole("button", { name: "Remove label 3" }).click();
  assert.equal(await focused(), "Label 2");
  assert.equal(await label(2).inputValue(), "meh");
  await context.close();
});

test("the two progress bars and the two Cancel buttons have names of their own", async () => {
  const context = await site.browser.newContext();
  const { page } = await openTeach(site, context);
  const cdp = await context.newCDPSession(page);
  const { nodes } = await cdp.send("Accessibility.getFullAXTree");
  const names = (role) => nodes.filter((n) => n.role?.value === role).map((n) => n.name?.value);
  assert.deepEqual(names("progressbar"), ["Training progress", "Classifying progress"]);
  // Hidden until used; each begins with its visible word, which tests and voice control say.
  for (const [name, id] of [["Cancel training", "cancel"], ["Cancel classifying", "classify-cancel"]]) {
    assert.equal(await page.getByRole("button", { name, exact: true, includeHidden: true }).getAttribute("id"), id);
  }
  await context.close();
});
