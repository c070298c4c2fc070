// `make bench`: polarity against onnxruntime-web and TF.js in one headless Chromium, and natively,
// on the same 5,000 IMDB test reviews with the same model (the int8 file: its table re-quantized). Writes bench/results.json and
// bench/RESULTS.md (and the table between the bench markers of README.md). Every figure comes
// from this run; each is the median of BENCH_RUNS runs (cold starts: of BENCH_COLD_RUNS).
// Env: POLARITY_DATA (default ../shared/data), POLARITY_BIN, POLARITY_CHROMIUM, BENCH_RUNS,
// BENCH_ENGINES (comma-separated subset, e.g. "polarity,ort", for a quick look: then nothing is
// written, since a partial table must not replace the full one).
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { CHROMIUM_ARGS, ROOT, run, serve } from "../tools/harness.mjs";
import { BIN, DATA, readLabelled } from "../tools/data.mjs";
import { build } from "vite";
import { render } from "./report.mjs";

const TMP = join(ROOT, "bench/.tmp");
const RUNS = Number(process.env.BENCH_RUNS || 3);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS || 5);
const BATCH = 256;
// Fine-tuning: the same examples, epochs, batch size and learning rate for every engine.
const FINE_TUNE = { epochs: 5, batchSize: 16, learningRate: 0.01 };
const LATENCY_WINDOW_MS = 2;
const ALL_ENGINES = ["polarity", "ort", "ort-int8", "tfjs-wasm", "tfjs-cpu"];
const ENGINES = process.env.BENCH_ENGINES ? process.env.BENCH_ENGINES.split(",") : ALL_ENGINES;
if (!ENGINES.includes("polarity") || ENGINES.some((e) => !ALL_ENGINES.includes(e))) {
  throw new Error(`BENCH_ENGINES: polarity plus any of ${ALL_ENGINES.join(", ")}`);
}
// The page and its driver script are the harness, not something an engine needs.
const HARNESS = new Set(["/bench/page.html", "/bench/page.js"]);

/** The middle value (the mean of the two middle ones for an even count). */
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const log = (...args) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);

function requireData() {
  const files = ["imdb/test.tsv.gz", "imdb/train.tsv.gz"].map((f) => join(DATA, f));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length === 0) return files;
  const bar = "!".repeat(88);
  console.error(`${bar}\n!! make bench needs the IMDB data; missing: ${missing.join(", ")}\n` +
    `!! Set POLARITY_DATA to a folder holding imdb/. Nothing was measured.\n${bar}`);
  process.exit(1);
}

/** LABEL<TAB>TEXT lines of a .tsv.gz, blank and # lines skipped (as the CLI reads them). */
const readLines = (path) => readLabelled(path).map(({ label, text }) => `${label}\t${text}`);

/** Every `step`-th line, written as .tsv, with its ids and tract score from `polarity dump`. */
function sample(path, step, name) {
  const lines = readLines(path).filter((_, i) => i % step === 0);
  const tsv = join(TMP, `${name}.tsv`);
  writeFileSync(tsv, lines.join("\n") + "\n");
  const dumped = run(BIN, ["dump", "--data", tsv], { maxBuffer: 1 << 30 }).trim().split("\n")
    .map((l) => JSON.parse(l));
  if (dumped.length !== lines.length) throw new Error(`dump gave ${dumped.length} of ${lines.length}`);
  const reviews = lines.map((line, i) => {
    const text = line.slice(line.indexOf("\t") + 1);
    return { text, label: Number(line[0]), ids: dumped[i].ids, tract: dumped[i].score,
      words: text.split(/\s+/).filter(Boolean).length };
  });
  writeFileSync(join(TMP, `${name}.json`), JSON.stringify(reviews));
  return { tsv, reviews };
}

/** Raw, gzip -9 and brotli (quality 11) sizes of files under the repo. Brotli 11 takes a minute on
 *  a 14 MB wasm, so sizes are cached in bench/.tmp by path, size and modification time. */
function sizes(paths) {
  const cacheFile = join(TMP, "sizes.json");
  const cache = existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, "utf8")) : {};
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const path of paths) {
    const file = join(ROOT, path);
    const { size, mtimeMs } = statSync(file);
    const key = `${path} ${size} ${mtimeMs}`;
    if (!cache[key]) {
      const bytes = readFileSync(file);
      cache[key] = {
        raw: bytes.length,
        gzip: gzipSync(bytes, { level: 9 }).length,
        brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length,
      };
    }
    for (const k of Object.keys(total)) total[k] += cache[key][k];
  }
  writeFileSync(cacheFile, JSON.stringify(cache));
  return { ...total, files: paths };
}

/** TF.js for the page, one ES module per backend, as an app would bundle it (Vite, minified). */
async function bundleTfjs() {
  log("bundling TF.js (bench/tfjs/*.js)");
  await build({
    configFile: false, logLevel: "warn", root: ROOT,
    // Not lib mode: Vite keeps the whitespace of ES libraries; an app's bundle is fully minified.
    build: {
      outDir: join(TMP, "tfjs"), emptyOutDir: true, minify: true, target: "es2020",
      rollupOptions: {
        input: { cpu: join(ROOT, "bench/tfjs/cpu.js"), wasm: join(ROOT, "bench/tfjs/wasm.js") },
        preserveEntrySignatures: "strict",
        output: { entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js" },
      },
    },
  });
}

function native(sampleTsv, trainTsv, first) {
  log("native: polarity bench");
  const out = JSON.parse(run(BIN, ["bench", "--data", sampleTsv, "--train", trainTsv,
    "--runs", String(Math.max(RUNS, 3)), "--batch-size", String(BATCH),
    "--epochs", String(FINE_TUNE.epochs), "--train-batch-size", String(FINE_TUNE.batchSize),
    "--learning-rate", String(FINE_TUNE.learningRate)]));
  // Cold start natively: process start -> model loaded -> first answer printed.
  const cold = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const started = performance.now();
    run(BIN, ["classify", first.text]);
    cold.push(performance.now() - started);
  }
  return { ...out, coldMs: median(cold), coldRuns: cold };
}

// Before any page script: remember every wasm memory (created in JS or exported by an instance),
// so memory is measured the same way for every engine; and hand the page its first review.
function initScript(first) {
  const Memory = WebAssembly.Memory;
  const Instance = WebAssembly.Instance;
  const memories = new Set();
  const keep = (instance) => {
    if (!(instance instanceof Instance)) return;
    for (const value of Object.values(instance.exports)) if (value instanceof Memory) memories.add(value);
  };
  WebAssembly.Memory = function (...args) {
    const memory = new Memory(...args);
    memories.add(memory);
    return memory;
  };
  WebAssembly.Memory.prototype = Memory.prototype;
  WebAssembly.Instance = function (...args) {
    const instance = new Instance(...args);
    keep(instance);
    return instance;
  };
  WebAssembly.Instance.prototype = Instance.prototype;
  for (const name of ["instantiate", "instantiateStreaming"]) {
    const original = WebAssembly[name];
    WebAssembly[name] = (...args) => original(...args).then((result) => {
      keep(result.instance ?? result);
      return result;
    });
  }
  window.__wasmMemoryBytes = () => [...memories].reduce((sum, m) => sum + m.buffer.byteLength, 0);
  window.BENCH_FIRST = first;
}

async function openPage(browser, url, engine, first) {
  const context = await browser.newContext(); // empty cache: a first visit
  await context.addInitScript(initScript, first);
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("response", (r) => r.ok() && requests.push(r.url())); // not the favicon's 404
  await page.goto(`${url}bench/page.html?engine=${engine}`);
  const ready = await page.evaluate(() => window.bench.ready).catch((e) => {
    throw new Error(`${engine}: ${e.message}\n${errors.join("\n")}`);
  });
  return { context, page, ready, requests, errors };
}

/**
 * An engine's cold starts, then a warm page with the sample loaded and one warm-up pass: the page
 * stays open so that its timed runs can alternate with the other engines' (`timedRun`).
 */
async function prepareEngine(browser, url, engine, first) {
  const cold = [];
  const marks = [];
  let bytes;
  // An untimed first visit: the server compresses each file on its first request (www/serve.mjs).
  await (await openPage(browser, url, engine, first)).context.close();
  for (let i = 0; i < COLD_RUNS; i++) {
    const { context, ready, requests } = await openPage(browser, url, engine, first);
    cold.push(ready.coldMs);
    marks.push({ ...ready.marks, "first score": ready.coldMs });
    // What the engine fetched (same origin; data files are fetched later, not counted).
    bytes ??= sizes([...new Set(requests.map((r) => new URL(r).pathname))]
      .filter((p) => !HARNESS.has(p)).map((p) => p.slice(1)));
    await context.close();
  }
  const { context, page, ready, errors } = await openPage(browser, url, engine, first);
  const loaded = await page.evaluate(() => window.bench.memory());
  await page.evaluate(() => window.bench.loadSample());
  log(`${engine}: warm-up`);
  const single = await page.evaluate(() => window.bench.oneAtATime());
  // Batches warmed too: the first timed batch run of every engine was the slowest of its three.
  await page.evaluate((n) => window.bench.batches(n), BATCH);
  return { engine, cold, marks, bytes, context, page, ready, errors, loaded, single, runs: [] };
}

/** What a visitor types first in the demo's cold starts (`demoColdStarts`): a sentence or two. */
const DEMO_FIRST_TEXT = "I loved this movie. The acting was wonderful, and the ending was not bad at all.";

/**
 * Before the demo page's scripts: at body[data-ready] (the classifier is loaded), type
 * `text` into the review box (its value and an input event, as a keystroke gives) and record when
 * the status line turns to a verdict, with every performance mark the page left.
 */
function demoInitScript(text) {
  new MutationObserver((_, ready) => {
    if (document.body?.dataset.ready !== "true") return;
    ready.disconnect();
    const status = document.getElementById("status");
    new MutationObserver((__, shown) => {
      const state = status.dataset.state;
      if (state === "empty" || state === "working") return;
      shown.disconnect();
      const at = performance.now();
      const marks = Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime]));
      // The wasm's download (Resource Timing), as bench/page.js marks it.
      const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/polarity_bg.wasm"));
      if (wasm) Object.assign(marks, { "wasm:requested": wasm.requestStart, "wasm:downloaded": wasm.responseEnd });
      window.__demoFirstVerdict = { ...marks, "first verdict": at, state, text: status.textContent };
    }).observe(status, { attributes: true, childList: true, subtree: true, characterData: true });
    const review = document.getElementById("review");
    review.value = text;
    review.dispatchEvent(new Event("input", { bubbles: true }));
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-ready"] });
}

/**
 * The demo page's cold starts (www/index.html as `make demo` serves it, a fresh context each):
 * navigation to the first verdict on screen for a visitor who starts typing as soon as the page
 * can answer, step by step.
 */
async function demoColdStarts(browser, url) {
  const runs = [];
  // One more visit than counted, first: the server compresses each file on its first request.
  for (let i = -1; i < COLD_RUNS; i++) {
    const context = await browser.newContext();
    await context.addInitScript(demoInitScript, DEMO_FIRST_TEXT);
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${url}www/index.html`);
    const seen = await page.waitForFunction(() => window.__demoFirstVerdict, null, { timeout: 60_000 })
      .then((h) => h.jsonValue())
      .catch((e) => { throw new Error(`demo page: ${e.message}\n${errors.join("\n")}`); });
    await context.close();
    if (errors.length || seen.state === "error") throw new Error(`demo page: ${seen.text} ${errors.join("\n")}`);
    const { state, text, ...marks } = seen;
    if (i >= 0) runs.push(marks);
  }
  const verdicts = runs.map((m) => m["first verdict"]);
  return { text: DEMO_FIRST_TEXT, firstVerdictMs: median(verdicts), runs: verdicts, steps: coldSteps(runs) };
}

/** One timed run of a prepared engine: one at a time, batches, latency. */
/**
 * Run `i` of every engine, measurement by measurement: one at a time for each engine, then
 * batches for each, then latency for each, in the engines' order on even runs and the reverse on
 * odd ones (A B B A), so that the two sides of a ratio are measured seconds apart and a drift of
 * the shared machine's load falls on both. (Each engine's whole run, latency included, came one
 * after another: polarity's and onnxruntime-web's one-at-a-time passes were 25 s apart.)
 */
async function timedRun(engines, i) {
  const order = i % 2 ? [...engines].reverse() : engines;
  for (const e of engines) e.runs[i] = {};
  for (const e of order) e.runs[i].one = (await e.page.evaluate(() => window.bench.oneAtATime())).perSecond;
  for (const e of order) {
    const batch = await e.page.evaluate((n) => window.bench.batches(n), BATCH);
    Object.assign(e.runs[i], { batch: batch.perSecond, batchScores: batch.scores });
  }
  for (const e of order) Object.assign(e.runs[i], await e.page.evaluate((ms) => window.bench.latency(ms), LATENCY_WINDOW_MS));
}

/** Fine-tuning runs, the memory at the end, and the engine's result; closes its page. */
async function finishEngine(e) {
  const { page, runs, ready } = e;
  const fineTune = [];
  let fineTuneError = null;
  for (let i = 0; i < RUNS && !fineTuneError; i++) {
    const r = await page.evaluate((o) => window.bench.fineTune(o), FINE_TUNE);
    if (r?.error) fineTuneError = r.error;
    else if (r) fineTune.push(r);
  }
  const end = await page.evaluate(() => window.bench.memory());
  await e.context.close();
  if (e.errors.length) throw new Error(`${e.engine}: ${e.errors.join("\n")}`);
  const pick = (key) => median(runs.map((r) => r[key]));
  return {
    coldMs: median(e.cold), coldRuns: e.cold, coldSteps: coldSteps(e.marks), firstScore: ready.score,
    bytes: e.bytes,
    oneAtATimePerSecond: pick("one"), batchPerSecond: pick("batch"),
    p50Micros: pick("p50"), p99Micros: pick("p99"), p50TypicalMicros: pick("p50Typical"),
    typicalReviews: runs[0].typicalReviews,
    runs: runs.map(({ one, batch }) => ({ oneAtATimePerSecond: one, batchPerSecond: batch })),
    fineTunePerSecond: fineTune.length ? median(fineTune.map((r) => r.perSecond)) : null,
    fineTuneEpochs: fineTune[0]?.epochs ?? null, fineTuneError,
    memory: { jsHeapAfterLoadBytes: e.loaded.jsHeapBytes, jsHeapPeakBytes: end.peakJsHeapBytes,
      wasmPeakBytes: end.wasmBytes },
    scores: { one: e.single.scores, batch: runs[0].batchScores },
  };
}

/**
 * polarity's throughput over `baseline`'s (an onnxruntime-web engine), run by run: in run i the
 * two were measured seconds apart ([`timedRun`]), so a slow spell of the shared machine weighs on
 * both. The median and the spread of the ratios.
 */
function pairedRatios(results, baseline) {
  const p = results.polarity?.runs;
  const o = results[baseline]?.runs;
  if (!p || !o) return null;
  const ratios = (key) => {
    const xs = p.map((run, i) => run[key] / o[i][key]);
    return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs };
  };
  return { baseline, oneAtATime: ratios("oneAtATimePerSecond"), batches: ratios("batchPerSecond") };
}

/** Max |difference| and label flips of each engine's probabilities against polarity's classify. */
function agreement(results, reviews) {
  const reference = results.polarity.scores.one;
  const compare = (scores) => ({
    maxAbsDiff: Math.max(...scores.map((s, i) => Math.abs(s - reference[i]))),
    labelsDiffer: scores.filter((s, i) => (s >= 0.5) !== (reference[i] >= 0.5)).length,
  });
  const rows = { "native (tract, CLI)": compare(reviews.map((r) => r.tract)) };
  for (const engine of ENGINES) {
    if (engine !== "polarity") rows[`${engine} (one at a time)`] = compare(results[engine].scores.one);
    rows[`${engine} (batches of ${BATCH})`] = compare(results[engine].scores.batch);
  }
  const accuracy = (scores) => scores.filter((s, i) => (s >= 0.5) === (reviews[i].label === 1)).length /
    reviews.length;
  // A speed counts only for an engine that computed the same thing: a NaN (which no comparison
  // flags) or a score off by more than the int8 table's rounding fails the run instead of being
  // timed and put in the table.
  for (const [name, row] of Object.entries(rows)) {
    if (!(row.maxAbsDiff <= MAX_DISAGREEMENT)) {
      throw new Error(`${name} disagrees with polarity: max |Δ probability| ${row.maxAbsDiff} (at most ${MAX_DISAGREEMENT})`);
    }
  }
  return { rows, polarityAccuracy: accuracy(reference) };
}

/** The most any engine's probability may differ from polarity's: the int8 table's rounding gave 0.0123. */
const MAX_DISAGREEMENT = 0.05;

function versions(browserVersion) {
  const pkgVersion = (p) => JSON.parse(readFileSync(join(ROOT, p, "package.json"), "utf8")).version;
  const git = (...args) => run("git", args, { cwd: ROOT }).trim();
  return {
    polarity: pkgVersion("pkg"),
    commit: git("rev-parse", "--short", "HEAD") + (git("status", "--porcelain", "--untracked-files=no") ? "+dirty" : ""),
    "onnxruntime-web": pkgVersion("node_modules/onnxruntime-web"),
    "@tensorflow/tfjs-core": pkgVersion("node_modules/@tensorflow/tfjs-core"),
    "@tensorflow/tfjs-backend-wasm": pkgVersion("node_modules/@tensorflow/tfjs-backend-wasm"),
    "@tensorflow/tfjs-backend-cpu": pkgVersion("node_modules/@tensorflow/tfjs-backend-cpu"),
    chromium: browserVersion,
    node: process.version,
    rustc: run("rustc", ["--version"]).trim(),
  };
}

/** The demo page's gzip size as `make sizes` reports it (its file list lives in the Makefile). */
function demoPageGzip() {
  const out = run("make", ["--no-print-directory", "-s", "sizes"], { cwd: ROOT });
  const m = out.match(/demo page[^:]*: (\d+) raw, (\d+) gzip/);
  return m ? { raw: Number(m[1]), gzip: Number(m[2]) } : null;
}

async function main() {
  const [testFile, trainFile] = requireData();
  mkdirSync(TMP, { recursive: true });
  const started = performance.now();
  const loadAtStart = loadavg()[0];
  log("sampling: every 5th review of IMDB test, every 125th of IMDB train");
  const test = sample(testFile, 5, "sample");
  const train = sample(trainFile, 125, "train");
  const first = { text: test.reviews[0].text, ids: test.reviews[0].ids };
  const nativeResult = native(test.tsv, train.tsv, first);
  // The shipped weights as an int8 file: onnxruntime-web runs the int4 file's unpacking ops per
  // token, so the int8 one is its faster baseline, and the budgets compare against that.
  if (ENGINES.includes("ort-int8")) {
    run(BIN, ["convert", "--to", "int8", "--out", join(TMP, "polarity-int8.onnx")]);
  }
  if (ENGINES.some((e) => e.startsWith("tfjs"))) await bundleTfjs();

  const { server, url } = await serve({ root: ROOT, port: 0 });
  const browser = await chromium.launch({
    executablePath: process.env.POLARITY_CHROMIUM || "/usr/bin/chromium",
    args: [...CHROMIUM_ARGS, "--enable-precise-memory-info", "--js-flags=--expose-gc"],
    headless: true,
  });
  const browserVersion = browser.version();
  const results = {};
  let demo = null;
  try {
    log("demo page: cold starts");
    demo = await demoColdStarts(browser, url);
    const prepared = [];
    for (const engine of ENGINES) {
      log(`${engine}: cold starts`);
      prepared.push(await prepareEngine(browser, url, engine, first));
    }
    for (let i = 0; i < RUNS; i++) {
      log(`run ${i + 1}/${RUNS}: every engine, measurement by measurement`);
      await timedRun(prepared, i);
    }
    for (const e of prepared) results[e.engine] = await finishEngine(e);
  } finally {
    await browser.close().catch(() => {});
    server.close();
  }
  const report = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryBytes: totalmem(),
      os: `${process.platform} ${release()}`, loadAverage: [loadAtStart, loadavg()[0]] },
    versions: versions(browserVersion),
    config: { reviews: test.reviews.length, sample: "every 5th line of imdb/test.tsv.gz",
      trainExamples: train.reviews.length, trainSample: "every 125th line of imdb/train.tsv.gz",
      runs: RUNS, coldRuns: COLD_RUNS, batchSize: BATCH, latencyWindowMs: LATENCY_WINDOW_MS,
      fineTune: FINE_TUNE },
    agreement: agreement(results, test.reviews),
    vsOrt: pairedRatios(results, "ort-int8") ?? pairedRatios(results, "ort"),
    vsOrtShippedFile: pairedRatios(results, "ort"),
    demoPage: { ...demoPageGzip(), coldStart: demo },
    engines: Object.fromEntries(Object.entries(results).map(([k, { scores, ...v }]) => [k, v])),
    native: nativeResult,
    fewshot: fewshot()?.json ?? null,
    custom: custom()?.json ?? null,
  };
  report.seconds = (performance.now() - started) / 1000;
  if (ENGINES.length < ALL_ENGINES.length) {
    console.log(JSON.stringify({ agreement: report.agreement, vsOrt: report.vsOrt, demoPage: report.demoPage,
      engines: report.engines }, null, 2));
    log(`BENCH_ENGINES=${ENGINES}: printed, nothing written`);
    return;
  }
  writeFileSync(join(ROOT, "bench/results.json"), JSON.stringify(report, null, 2) + "\n");
  const { markdown, readmeTable } = render(report, fewshot(), custom());
  writeFileSync(join(ROOT, "bench/RESULTS.md"), markdown);
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const marked = /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/;
  if (marked.test(readme)) writeFileSync(join(ROOT, "README.md"), readme.replace(marked, `$1${readmeTable}$2`));
  log(`wrote bench/RESULTS.md and bench/results.json in ${report.seconds.toFixed(0)} s`);
}

/**
 * A cold start step by step: each mark, in the order of their median times, with the median time
 * since navigation at which it was reached and the median time since the page's mark before it.
 * The wasm's download (Resource Timing) runs beside the page's steps, not after one: its request
 * has no "took", and its last byte's "took" is the download, since the request.
 */
function coldSteps(runs) {
  if (!runs.length || Object.keys(runs[0]).length < 2) return null;
  const at = (name) => median(runs.map((r) => r[name]));
  const names = Object.keys(runs[0]).sort((a, b) => at(a) - at(b));
  const steps = names.filter((n) => !n.startsWith("wasm:"));
  const took = (name) => {
    if (name === "wasm:requested") return null;
    if (name === "wasm:downloaded") return median(runs.map((r) => r[name] - r["wasm:requested"]));
    const i = steps.indexOf(name);
    return median(runs.map((r) => r[name] - (i ? r[steps[i - 1]] : 0)));
  };
  return names.map((name) => ({ step: name, atMs: at(name), tookMs: took(name) }));
}

/** The few-shot results bench/fewshot.mjs wrote (it runs first in `make bench`). */
function fewshot() {
  const md = join(ROOT, "bench/fewshot.md");
  const json = join(ROOT, "bench/fewshot.json");
  if (!existsSync(md) || !existsSync(json)) return null;
  return { markdown: readFileSync(md, "utf8"), json: JSON.parse(readFileSync(json, "utf8")) };
}

/** The custom-classifier results bench/custom.mjs wrote (it runs before this in `make bench`). */
function custom() {
  const md = join(ROOT, "bench/custom.md");
  const json = join(ROOT, "bench/custom.json");
  if (!existsSync(md) || !existsSync(json)) return null;
  return { markdown: readFileSync(md, "utf8"), json: JSON.parse(readFileSync(json, "utf8")) };
}

await main();
