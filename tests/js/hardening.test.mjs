// The demo against hostile input: a 10-million-character text is read off the main thread, and
// saved state of the wrong shape is set aside on the first reload instead of breaking the panel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PKG, openTeach, putSaved, recordLongTasks, savesSettled, serveWww } from "./helpers.mjs";

const site = serveWww();

const open = (context) => openTeach(site, context);

test("a 10-million-character text: verdict from the worker, no task of the demo's over 200 ms", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  // The text goes into the box first, with its layout: Chromium's own layout of 10 million
  // characters in a textarea takes seconds whatever the page does (3.2 s here; README, Limits).
  // What is measured is the demo's work on the edit: the input event and what follows.
  await page.evaluate(() => {
    const review = document.querySelector("#review");
    const sentence = "A slow, dull and far too long film with a great cast. ";
    review.value = sentence.repeat(Math.ceil(10_000_000 / sentence.length)).slice(0, 10_000_000);
    document.body.offsetHeight;
  });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
  const longTasks = await recordLongTasks(page);
  await page.evaluate(() => document.querySelector("#review").dispatchEvent(new Event("input")));
  await page.waitForFunction(() => /^Reading a long text \(10,000,000 characters\)/.test(document.querySelector("#status").textContent));
  await page.waitForFunction(() => /^(positive|negative) \(\d+% confident\)$/.test(document.querySelector("#status").textContent), null, { timeout: 120_000 });
  assert.match(await page.locator("#explained").textContent(), /Highlights are shown for texts of up to 10,000 characters/);
  const tasks = await longTasks();
  console.log(`main-thread long tasks after the edit (ms): ${JSON.stringify(tasks.map(Math.round))}`);
  assert.ok(tasks.every((t) => t < 200), `tasks over 200 ms: ${tasks}`);
  // Back to a short text: the verdict is live again on the main thread.
  await page.locator("#review").fill("I loved it.");
  await page.waitForFunction(() => document.querySelector("#status").textContent.startsWith("positive ("));
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test("a 10-million-character paste: kept out of the box, read in the worker, no main-thread task over 200 ms", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  const longTasks = await recordLongTasks(page);
  await page.evaluate(() => {
    const sentence = "A slow, dull and far too long film with a great cast. ";
    const text = sentence.repeat(Math.ceil(10_000_000 / sentence.length)).slice(0, 10_000_000);
    const data = new DataTransfer();
    data.setData("text/plain", text);
    const review = document.querySelector("#review");
    review.focus();
    review.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => /^(positive|negative) \(\d+% confident\)$/.test(document.querySelector("#status").textContent), null, { timeout: 120_000 });
  assert.match(await page.locator("#held-note").textContent(), /^Pasted 10,000,000 characters: too many to show/);
  assert.equal(await page.locator("#review").inputValue(), "");
  const tasks = await longTasks();
  console.log(`main-thread long tasks during the paste (ms): ${JSON.stringify(tasks.map(Math.round))}`);
  assert.ok(tasks.every((t) => t < 200), `tasks over 200 ms: ${tasks}`);
  // Typing starts over with what is typed.
  await page.locator("#review").pressSequentially("Loved it");
  await page.waitForFunction(() => document.querySelector("#status").textContent.startsWith("positive ("));
  assert.equal(await page.locator("#held-note").isHidden(), true);
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test("a dropped text past the box's limit is held as a pasted one is", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  const prevented = await page.evaluate(() => {
    const data = new DataTransfer();
    data.setData("text/plain", "Wonderful, moving and beautifully acted. ".repeat(50_000));
    const review = document.querySelector("#review");
    const drop = new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true });
    review.dispatchEvent(drop);
    return drop.defaultPrevented;
  });
  // Before, a drop was let into the box: 2 MB froze the page for most of a second, then 400 ms a key.
  assert.equal(prevented, true);
  await page.waitForFunction(() => /^positive \(\d+% confident\)$/.test(document.querySelector("#status").textContent), null, { timeout: 60_000 });
  assert.match(await page.locator("#held-note").textContent(), /^Dropped 2,050,000 characters: too many to show/);
  assert.equal(await page.locator("#review").inputValue(), "");
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test("a long text's verdict that comes back after a short text was typed does not replace it", async () => {
  const context = await site.browser.newContext();
  // Counts the long-text worker's answers, so that the test looks after the stale one came.
  await context.addInitScript(() => {
    const Native = window.Worker;
    window.longAnswers = 0;
    window.Worker = class extends Native {
      constructor(url, options) {
        super(url, options);
        if (String(url).includes("classify-worker")) {
          this.addEventListener("message", ({ data }) => {
            if ("prediction" in data || "error" in data) window.longAnswers += 1;
          });
        }
      }
    };
  });
  const { page, seen } = await open(context);
  await page.evaluate(() => {
    const sentence = "A dull, boring and far too long film with an awful cast. ";
    const data = new DataTransfer();
    data.setData("text/plain", sentence.repeat(Math.ceil(2_000_000 / sentence.length)));
    const review = document.querySelector("#review");
    review.focus();
    review.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => document.querySelector("#status").textContent.startsWith("Reading a long text"));
  await page.locator("#review").fill("Loved it, wonderful!");
  await page.waitForFunction(() => document.querySelector("#status").textContent.startsWith("positive ("));
  // The worker's answer for the long text arrives meanwhile, and is not shown.
  await page.waitForFunction(() => window.longAnswers >= 1, null, { timeout: 60_000 });
  await page.evaluate(() => new Promise(requestAnimationFrame));
  assert.match(await page.locator("#status").textContent(), /^positive \(/);
  assert.deepEqual(seen.errors, []);
  await context.close();
});

/** The values set aside as `what` ("model", "examples", ...) in a set-aside download, oldest first. */
const aside = (saved, what) => Object.keys(saved).filter((k) => k.startsWith(`set-aside/${what}/`)).sort().map((k) => saved[k].value);

test("saved chunks out of order (one missing, one short) are read as they are and saved again whole", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  const chunk = (n, from) => Array.from({ length: n }, (_, i) => ({ text: `kept ${from + i}`, label: "positive" }));
  // Chunk 1 is missing and chunk 0 short: a save by position dropped or repeated examples.
  await putSaved(page, [["examples/000000", chunk(999, 0)], ["examples/000002", chunk(1000, 2000)], ["examples/000003", chunk(300, 3000)]]);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.match(await page.locator("#model-msg").textContent(), /the saved examples were not stored in order \(a part missing or of the wrong size\); the 2299 read are kept and saved again/);
  assert.equal(await page.locator("#ex-count").textContent(), "2299");
  await page.locator("#review").fill("One more.");
  await page.getByRole("button", { name: "Label as negative" }).click();
  await page.waitForFunction(() => document.querySelector("#ex-count").textContent === "2300");
  await savesSettled(page);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.equal(await page.locator("#ex-count").textContent(), "2300");
  assert.equal(await page.locator("#model-msg").textContent(), "");
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test("a Teach it module that does not load: the verdict works and the panel says why it is missing", async () => {
  const context = await site.browser.newContext();
  const page = await context.newPage();
  await page.route("**/teach-next.js", (route) => route.abort());
  await page.goto(site.url);
  await page.waitForFunction(() => !document.querySelector("#teach").hidden, null, { timeout: 60_000 });
  assert.match(await page.locator("#teach [role=alert]").textContent(), /^"Teach it" could not start \(.*\)\. Your saved examples and model are untouched: reload the page to try again\.$/);
  await page.locator("#review").fill("Loved it, wonderful!");
  await page.waitForFunction(() => document.querySelector("#status").textContent.startsWith("positive ("));
  await context.close();
});

test("a database that fails to open once is opened again by the next save", async () => {
  const context = await site.browser.newContext();
  // The first open fails, as a storage that is briefly unavailable does; the ones after work.
  await context.addInitScript(() => {
    const open = IDBFactory.prototype.open;
    let failed = false;
    IDBFactory.prototype.open = function (...args) {
      if (failed) return open.apply(this, args);
      failed = true;
      const req = open.apply(this, args);
      req.addEventListener("success", (e) => {
        e.stopImmediatePropagation();
        req.result.close();
        Object.defineProperty(req, "error", { value: new DOMException("storage busy", "UnknownError") });
        req.onerror?.(new Event("error"));
      }, { once: true });
      return req;
    };
  });
  const { page } = await open(context);
  assert.match(await page.locator("#model-msg").textContent(), /\(storage busy\)/);
  await page.locator("#review").fill("Kept after all.");
  await page.getByRole("button", { name: "Label as positive" }).click();
  await savesSettled(page);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.equal(await page.locator("#ex-count").textContent(), "1");
  await context.close();
});

test("a read the browser aborts without an error is said, and Teach it still starts", async () => {
  const context = await site.browser.newContext();
  // Each read-only transaction is aborted as the browser does when it closes the connection
  // (site data cleared): no error, only "abort". A read then waited for good, and "Teach it"
  // never appeared.
  await context.addInitScript(() => {
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (stores, mode) {
      const t = transaction.call(this, stores, mode);
      if (mode === undefined || mode === "readonly") queueMicrotask(() => t.abort());
      return t;
    };
  });
  const { page } = await open(context);
  assert.match(await page.locator("#model-msg").textContent(), /could not be read \(the browser closed the storage\)/);
  await context.close();
});

test("a saved chunk of examples that is null is set aside; the rest are kept and stay kept", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  await putSaved(page, [
    ["examples/000000", null],
    ["examples/000001", Array.from({ length: 1000 }, (_, i) => ({ text: `kept ${i}`, label: "positive" }))],
  ]);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.match(await page.locator("#model-msg").textContent(), /saved examples were unreadable and were set aside; 1000 were read and are kept/);
  assert.equal(await page.locator("#ex-count").textContent(), "1000");
  // The storage failing when the set-aside data is downloaded is said (the click did nothing).
  await page.evaluate(() => {
    const openCursor = IDBObjectStore.prototype.openCursor;
    IDBObjectStore.prototype.openCursor = function () {
      IDBObjectStore.prototype.openCursor = openCursor;
      throw new DOMException("storage busy", "UnknownError");
    };
  });
  await page.getByRole("button", { name: "Download set-aside data" }).click();
  await page.waitForFunction(() => /set-aside data could not be read \(storage busy\); it is still kept/.test(document.querySelector("#model-msg").textContent));
  await page.locator("#review").fill("One more.");
  await page.getByRole("button", { name: "Label as negative" }).click();
  await page.waitForFunction(() => document.querySelector("#ex-count").textContent === "1001");
  await savesSettled(page); // the count shows at once, the save follows
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.equal(await page.locator("#ex-count").textContent(), "1001");
  assert.equal(await page.locator("#model-msg").textContent(), "");
  assert.deepEqual(seen.errors, []);
  await context.close();
});

for (const [what, value] of [
  ["a string", "spam"],
  ["a number", 42],
  ["an object", {}],
  ["one label", ["spam"]],
  ["a label with a line break", ["sp\nam", "ham"]],
]) {
  test(`saved new-classifier labels that are ${what} are set aside on the first reload`, async () => {
    const context = await site.browser.newContext();
    const { page, seen } = await open(context);
    await putSaved(page, [["pendingLabels", value], ["examples", "not a list"]]);
    await page.reload();
    await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
    const msg = await page.locator("#model-msg").textContent();
    assert.match(msg, /Saved data was damaged: saved examples were unreadable.*labels were unreadable and were set aside/, msg);
    assert.equal(await page.locator("#download-set-aside").isVisible(), true);
    assert.match(await page.locator("#model-name").textContent(), /the shipped one/);
    assert.equal(await page.locator("#ex-count").textContent(), "0");
    const download = page.waitForEvent("download");
    await page.locator("#download-set-aside").click();
    const saved = JSON.parse(await (await (await download).createReadStream()).toArray().then((c) => Buffer.concat(c).toString()));
    assert.deepEqual(aside(saved, "pendingLabels"), [value]);
    assert.deepEqual(aside(saved, "examples"), [{ examples: "not a list" }]);
    // The next reload is clean: what was wrong is no longer in the way, and still offered.
    await page.reload();
    await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
    assert.equal(await page.locator("#model-msg").textContent(), "");
    assert.equal(await page.locator("#download-set-aside").isVisible(), true);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
}

test("a saved examples version that is no count reads as none: the list loads, and a label is saved once", async () => {
  for (const version of [NaN, {}, -3, "7"]) {
    const context = await site.browser.newContext();
    const { page, seen } = await open(context);
    // The list as pages before chunks kept it: read, then rewritten as chunks.
    await putSaved(page, [["examples-version", version], ["examples", [{ text: "Kept from before.", label: "positive" }]]]);
    await page.reload();
    await page.waitForSelector("#teach[data-ready=true]", { timeout: 20_000 });
    assert.equal(await page.locator("#ex-count").textContent(), "1", String(version));
    await page.evaluate(() => {
      window.writes = 0;
      const transaction = IDBDatabase.prototype.transaction;
      IDBDatabase.prototype.transaction = function (names, mode, ...rest) {
        if (mode === "readwrite") window.writes++;
        return transaction.call(this, names, mode, ...rest);
      };
    });
    await page.locator("#review").fill("One more.");
    await page.getByRole("button", { name: "Label as negative" }).click();
    await savesSettled(page);
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => window.writes), 1, `${String(version)}: one save, not a loop of refused ones`);
    await page.reload();
    await page.waitForSelector("#teach[data-ready=true]", { timeout: 20_000 });
    assert.deepEqual(await page.locator("#ex-list .ex-text").allTextContents(), ["Kept from before.", "One more."]);
    assert.deepEqual(seen.errors, []);
    await context.close();
  }
});

test("classifying a 40 MB file: the worker reads it and writes the CSV, no main-thread task over 200 ms", async () => {
  const context = await site.browser.newContext({ acceptDownloads: true });
  const { page, seen } = await open(context);
  // The page read the file's text and posted it to the worker, then made the CSV's Blob from a
  // string: at 32 MB, tasks of 220-310 ms at the pick, 70-90 at the end and 305-330 at the download.
  const dir = await mkdtemp(join(tmpdir(), "polarity-big-"));
  const path = join(dir, "big.txt");
  // Not all Latin-1 (a "–"): strings of two-byte characters, as reviews are, cost twice as much.
  const line = "A slow, dull and far too long film – a great cast, some fine scenes and a weak end. ".repeat(16);
  const count = 28_000;
  await writeFile(path, Array.from({ length: count }, (_, i) => `${line}(${i})`).join("\n"));
  const longTasks = await recordLongTasks(page);
  await page.locator("#classify-file").setInputFiles(path);
  await page.waitForFunction(() => document.querySelector("#file-msg").textContent.startsWith("big.txt: 28,000 texts one per line"), null, { timeout: 60_000 });
  await page.locator("#classify-start").click();
  await page.waitForFunction(() => document.querySelector("#file-msg").textContent.startsWith("Classified 28,000 texts"), null, { timeout: 120_000 });
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#classify-download").click()]);
  const csv = await readFile(await download.path(), "utf8");
  await page.waitForTimeout(300);
  const tasks = await longTasks();
  console.log(`main-thread long tasks classifying a 40 MB file (ms): ${JSON.stringify(tasks.map(Math.round))}`);
  assert.ok(tasks.every((t) => t < 200), `tasks over 200 ms: ${tasks}`);
  const lines = csv.split("\r\n");
  assert.equal(lines.length, count + 2); // header, the rows, and the last line end
  assert.equal(lines[0], "\uFEFFtext,label,positive,negative"); // the mark for Excel
  assert.match(lines[count], new RegExp(`^"A slow, dull.*\\(${count - 1}\\)",(positive|negative),`));
  await rm(dir, { recursive: true });
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test("imports read spreadsheet exports, refuse a file that is not text, and take 130,000 rows", async () => {
  const context = await site.browser.newContext();
  const { page, seen } = await open(context);
  const importFile = async (name, buffer) => {
    await page.locator("#import-msg").evaluate((el) => { el.textContent = ""; });
    await page.locator("#import-file").setInputFiles({ name, mimeType: "text/csv", buffer });
    // The file is read in a worker: "Reading ..." first, then what came of it.
    await page.waitForFunction(() => !/^(Reading .*)?$/.test(document.querySelector("#import-msg").textContent), null, { timeout: 60_000 });
    return page.locator("#import-msg").textContent();
  };
  // Text first, quoted fields with a comma, doubled quotes and a line break: as a spreadsheet saves.
  const csv = 'Review,Sentiment\r\n"Loved it, truly",positive\r\n"She said ""meh""\nand left",negative\r\n';
  assert.match(await importFile("sheet.csv", Buffer.from(csv)), /^Imported 2 examples from sheet\.csv\.$/);
  assert.deepEqual(await page.locator("#ex-list .ex-text").allTextContents(), ["Loved it, truly", 'She said "meh"\nand left']);
  // Windows-1252, as Excel on Windows saves a CSV: read as such, and said (its "£" and "é" were
  // read as "�" without a word).
  const cp1252 = Buffer.from([...Buffer.from("label,text\npositive,Won "), 0xa3, ...Buffer.from("5 at the caf"), 0xe9, 0x0a]);
  assert.match(await importFile("windows.csv", cp1252), /^Imported 1 example from windows\.csv\. It is not UTF-8: it was read as Windows-1252/);
  const won = page.locator("#ex-list li", { hasText: "Won £5 at the café" });
  assert.equal(await won.count(), 1);
  await won.getByRole("button", { name: /^Delete/ }).click();
  // UTF-16 with its byte-order mark, as Excel's "Unicode Text" saves: refused as "not text" before.
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("label\ttext\npositive\tCafé crème, lovely\n", "utf16le")]);
  assert.match(await importFile("unicode.txt", utf16), /^Imported 1 example from unicode\.txt\. It was read as UTF-16/);
  const creme = page.locator("#ex-list li", { hasText: "Café crème, lovely" });
  assert.equal(await creme.count(), 1);
  await creme.getByRole("button", { name: /^Delete/ }).click();
  await page.waitForFunction(() => document.querySelector("#ex-count").textContent === "2");
  // Semicolons, as European spreadsheets write them.
  assert.match(await importFile("semi.csv", Buffer.from("label;text\n1;Great; really\n0;Dull\n")), /^Imported 2 examples/);
  // A PNG is refused whole: nothing is added.
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]);
  assert.match(await importFile("picture.png", png), /picture\.png: this file is not text.*nothing was read from it/);
  assert.equal(await page.locator("#ex-count").textContent(), "4");
  // 130,000 short rows (the spread operator used to throw past about 125,000).
  const many = Array.from({ length: 130_000 }, (_, i) => `${i % 2}\treview number ${i}`).join("\n");
  assert.match(await importFile("many.tsv", Buffer.from(many)), /^Imported 130,000 examples/);
  assert.equal(await page.locator("#ex-count").textContent(), "130004");
  assert.ok((await page.locator("#ex-list li").count()) <= 201);
  // One more label after 130,000: saved by rewriting one chunk, no main-thread task of 200 ms.
  await page.locator("#review").fill("One more, and a good one.");
  const longTasks = await recordLongTasks(page);
  await page.locator("#label-a").click();
  await page.waitForFunction(() => document.querySelector("#ex-count").textContent === "130005");
  await page.waitForTimeout(500);
  const tasks = await longTasks();
  console.log(`long tasks labelling one more after 130,004 (ms): ${JSON.stringify(tasks.map(Math.round))}`);
  assert.ok(tasks.every((t) => t < 200), `tasks over 200 ms: ${tasks}`);
  // And all of them come back after a reload.
  await savesSettled(page);
  await page.reload();
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  assert.equal(await page.locator("#ex-count").textContent(), "130005");
  assert.equal(await page.locator("#model-msg").textContent(), "");
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test("texts to label next of a million characters each are ranked in a worker, not on the page", async () => {
  const context = await site.browser.newContext();
  // What each classify worker was sent: the structural evidence that long texts were ranked there.
  await context.addInitScript(() => {
    const Native = window.Worker;
    window.classifyWorkers = [];
    window.Worker = class extends Native {
      constructor(url, options) {
        super(url, options);
        if (String(url).includes("classify-worker")) {
          const sent = [];
          window.classifyWorkers.push(sent);
          const post = this.postMessage.bind(this);
          this.postMessage = (data, ...rest) => {
            if (typeof data?.text === "string") sent.push(data.text.length);
            return post(data, ...rest);
          };
        }
      }
    };
  });
  const { page, seen } = await openTeach(site, context);
  // And what the page's own classifier was given: the same module instance as the demo's, so
  // wrapping its prototype sees the demo's calls.
  const LONG_TEXT = await page.evaluate(async () => {
    const { Classifier } = await import("./pkg/polarity.js");
    const { LONG_TEXT } = await import("./ui.js");
    window.pageCalls = []; // the longest text of each call
    for (const name of ["classify", "classifyBatch"]) {
      const native = Classifier.prototype[name];
      Classifier.prototype[name] = function (arg, ...rest) {
        const texts = typeof arg === "string" ? [arg] : [...arg];
        window.pageCalls.push(Math.max(0, ...texts.map((t) => t.length)));
        return native.call(this, arg, ...rest);
      };
    }
    return LONG_TEXT;
  });
  const longTasks = await recordLongTasks(page);
  // 16 texts of a million characters made one call of half a second on the main thread. Pasted,
  // as a user pastes: the box would hold them for seconds of layout.
  const given = await page.locator("#pool-text").evaluate((box) => {
    const data = new DataTransfer();
    const texts = Array.from({ length: 16 }, (_, i) => `${i % 2 ? "A dull, tedious film. " : "A wonderful, moving film. "}`.repeat(40_000) + i);
    window.given = ["Great fun", ...texts, "Not good"];
    data.setData("text/plain", window.given.join("\n"));
    box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    return window.given.map((t) => t.length);
  });
  await page.waitForFunction(() => document.querySelector("#next-msg").textContent.startsWith("Ranked 18 texts"), null, { timeout: 120_000 });
  // The 16 long texts went to one classify worker, and the page's classifier saw only the two
  // short ones.
  const workers = await page.evaluate(() => window.classifyWorkers);
  assert.equal(workers.length, 1);
  assert.deepEqual(workers[0].toSorted((a, b) => a - b), given.filter((n) => n > LONG_TEXT).toSorted((a, b) => a - b));
  const calls = await page.evaluate(() => window.pageCalls);
  assert.ok(calls.length > 0, "the short texts are ranked on the page");
  assert.ok(calls.every((longest) => longest <= LONG_TEXT), `longest text of each call on the page: ${calls}`);
  // Logged, not asserted: the structure above is the evidence, and time on a shared machine is a
  // benchmark's matter. After the next frame, so that the list's layout is in it: laid out whole,
  // its million-character texts took a task of 1.5-1.7 s, now a preview of each, under 100 ms.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 100))));
  const tasks = await longTasks();
  console.log(`main-thread long tasks ranking 16 texts of a million characters (ms): ${JSON.stringify(tasks.map(Math.round))}`);
  // Each listed text is one of those given, read as the model in use (the shipped one) reads it.
  const listed = await page.evaluate(async () => {
    const { Classifier } = await import("./pkg/polarity.js");
    const { verdict } = await import("./verdict.js");
    const { preview } = await import("./ui.js");
    const clf = new Classifier();
    try {
      return [...document.querySelectorAll("#next-list li")].map((li) => {
        // Shown as a preview (laid out whole, the ten took a task of about 2 s): its start and length.
        const shownText = li.querySelector(".next-text").textContent;
        const text = window.given.find((g) => preview(g) === shownText);
        return {
          known: text !== undefined,
          short: shownText.length < 2_100,
          shown: li.querySelector(".help").textContent,
          expected: text === undefined ? "" : `now read as ${verdict(clf.classify(text))}`,
        };
      });
    } finally {
      clf.free();
    }
  });
  assert.equal(listed.length, 10);
  for (const { known, short, shown, expected } of listed) {
    assert.ok(known, "a listed text was not one of those given");
    assert.ok(short, "a listed text was laid out whole");
    assert.equal(shown, expected);
  }
  assert.deepEqual(seen.errors, []);
  await context.close();
});

/** The package in Node, once for the tests below. */
async function nodePackage() {
  const pkg = await import(join(PKG, "polarity.js"));
  const wasm = pkg.initSync({ module: readFileSync(join(PKG, "polarity_bg.wasm")) });
  return { ...pkg, wasm };
}

test("parseExamples: 330,000 rows of an unknown label, with 32 long labels, keep one short message each", async () => {
  const { Classifier } = await nodePackage();
  // Each message listed the 32 labels of 100 characters (13 KB): 1.3 MB of "x,a" asked for more
  // than the module's 4 GB, and it trapped.
  const labels = Array.from({ length: 32 }, (_, i) => String(i).padStart(2, "0") + "\u{1d538}".repeat(98));
  const rows = 330_000;
  const { rows: kept, errors, unknownLabels } = Classifier.parseExamples("x,a\n".repeat(rows), labels);
  assert.equal(kept.length, 0);
  assert.equal(errors.length, rows);
  assert.match(errors[0], /^line 1: unknown label "x"; use "00/);
  assert.equal(errors[1], "line 2: unknown label \"x\"; use one of the labels listed at line 1");
  const total = errors.reduce((n, e) => n + e.length, 0);
  assert.ok(total < errors[0].length + 80 * rows, `${total} characters of messages`);
  assert.deepEqual(unknownLabels, ["x"]);
  const clf = new Classifier();
  assert.equal(clf.classify("I loved it").label, "positive");
  clf.free();
});

test("a wrong-typed option, an unknown key or a file name of any length makes a short message", async () => {
  const { Classifier, wasm } = await nodePackage();
  const before = wasm.memory.buffer.byteLength;
  const clf = Classifier.fromPretrained({ labels: ["good", "bad"] });
  const examples = [{ text: "great fun", label: "good" }, { text: "dull", label: "bad" }];
  const huge = "\x01".repeat(5e8);
  const short = (e, type = TypeError) => e instanceof type && e.message.length < 400;
  // serde quoted the value whole ("\u{1}" a character: 3 GB), and the module trapped.
  assert.throws(() => Classifier.checkFineTuneOptions({ epochs: huge }), (e) => short(e) && /option epochs: must be a number, got a string of 500000000 characters$/.test(e.message));
  assert.throws(() => clf.fineTune(examples, { epochs: huge }), (e) => short(e) && /got a string of 500000000 characters$/.test(e.message));
  assert.throws(() => clf.fineTune(examples, { epochs: [huge] }), (e) => short(e) && /must be a number, got an array$/.test(e.message));
  assert.throws(() => clf.fineTune(examples, { epochs: { [huge.slice(0, 1e8)]: huge } }), (e) => short(e) && /must be a number, got an object$/.test(e.message));
  assert.throws(() => Classifier.fromPretrained({ seed: new String(huge) }), (e) => short(e) && /seed: must be a number, got a String object of 500000000 characters$/.test(e.message));
  const named = function () {};
  Object.defineProperty(named, "name", { value: huge });
  assert.throws(() => Classifier.checkFineTuneOptions({ runs: named }), (e) => short(e) && /runs: must be a number, got a function$/.test(e.message));
  assert.throws(() => Classifier.checkFineTuneOptions({ runs: Symbol(huge) }), (e) => short(e) && /runs: must be a number, got a symbol$/.test(e.message));
  assert.throws(() => Classifier.checkFineTuneOptions({ runs: 10n ** 100_000n }), (e) => short(e) && /runs: must be a number, got a bigint of more than 30 digits$/.test(e.message));
  assert.throws(() => clf.fineTune([{ text: "fine", label: "good", more: huge }, { text: { a: huge }, label: "bad" }]), (e) => short(e) && /^example 1 text: must be a string, got an object$/.test(e.message));
  assert.throws(() => clf.fineTune([huge.slice(0, 1.6e7)]), (e) => short(e) && /^example 0: must be an object, got a string of 16000000 characters$/.test(e.message));
  // Short values are quoted as before.
  assert.throws(() => Classifier.checkFineTuneOptions({ epochs: "10" }), (e) => e.message === 'fineTune() option epochs: must be a number, got string "10"');
  // An unknown key is named by its start.
  const key = "k".repeat(1e8);
  const warnings = Classifier.checkFineTuneOptions({ [key]: 1, epoch: 2 });
  assert.equal(warnings.length, 2);
  assert.ok(warnings.every((w) => w.length < 400), warnings.map((w) => w.length).join());
  assert.match(warnings[0], /^unknown option "k{32}"\.\.\. \(100000000 characters\) \(known: epochs/);
  assert.equal(warnings[1], 'unknown option "epoch" (did you mean "epochs"?) is ignored');
  assert.throws(() => Classifier.fromPretrained({ [key]: 1 }), (e) => short(e) && /^fromPretrained\(\) options: unknown option "k{32}"/.test(e.message));
  assert.throws(() => Classifier.toCsv([["a"]], { [key]: true }), (e) => short(e));
  // A file name is read for its extension only; a column of the wrong type is said briefly.
  const lines = "No, never again\nYes, loved it\nNo, dull plot\nYes, great fun\n".repeat(3);
  assert.equal(Classifier.parseTexts(lines, undefined, huge + ".TXT").column, null);
  assert.equal(Classifier.parseTexts(lines, undefined, huge + ".csv").column, 1);
  assert.throws(() => Classifier.parseTexts(lines, huge), (e) => short(e) && /column: must be a number, got a string of 500000000 characters$/.test(e.message));
  assert.throws(() => Classifier.parseTexts(lines, undefined, 5), (e) => e.message === "parseTexts() name: must be a string, got number 5");
  const grown = (wasm.memory.buffer.byteLength - before) / 2 ** 20;
  console.log(`wasm memory grown by ${grown.toFixed(0)} MB`);
  assert.ok(grown < 64, `${grown} MB`);
  // The classifier still trains.
  assert.equal(clf.fineTune(examples, { epochs: 1 }).epochs, 1);
  clf.free();
});
