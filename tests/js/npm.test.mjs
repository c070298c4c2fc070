// The npm package (pkg/) as its users get it: packed with `npm pack`, installed into a scratch
// project under tests/npm/.tmp, then used from (a) a Vite app built with `vite build`, (b) a plain
// <script type="module"> page, both loaded in headless Chromium, and (c) Node, with initSync and with
// a plain `await init()`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync, readFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT, PKG, launch, run, serve, watch } from "./helpers.mjs";

const TMP = join(ROOT, "tests/npm/.tmp");
const APP = join(TMP, "consumer");
const NPM = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];
let browser;

before(async () => {
  assert.ok(existsSync(join(PKG, "package.json")), "pkg/ missing: run `make build`");
  rmSync(TMP, { recursive: true, force: true });
  mkdirSync(APP, { recursive: true });
  run("npm", ["pack", PKG, "--pack-destination", TMP, "--loglevel=error"]);
  const tgz = readdirSync(TMP).find((f) => f.endsWith(".tgz"));
  assert.ok(tgz, "npm pack made no tarball");
  writeFileSync(join(APP, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  run("npm", ["install", ...NPM, join(TMP, tgz)], { cwd: APP });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test("the package metadata is complete", () => {
  const meta = JSON.parse(readFileSync(join(APP, "node_modules/polarity/package.json"), "utf8"));
  const cargo = readFileSync(join(ROOT, "Cargo.toml"), "utf8");
  assert.equal(meta.name, "polarity");
  assert.equal(meta.version, cargo.match(/^version = "(.+)"$/m)[1]);
  assert.equal(meta.license, "(MIT OR Apache-2.0) AND Apache-2.0 AND CC-BY-SA-4.0");
  assert.equal(meta.type, "module");
  assert.equal(meta.exports["."].types, "./polarity.d.ts");
  // The licence texts and notices travel with the package (the wasm holds the model and crates).
  for (const f of ["polarity.js", "polarity_bg.wasm", "polarity.d.ts", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "NOTICE.md", "THIRD-PARTY.md"]) {
    assert.ok(existsSync(join(APP, "node_modules/polarity", f)), `${f} not in the installed package`);
  }
  const crates = readFileSync(join(APP, "node_modules/polarity/THIRD-PARTY.md"), "utf8");
  for (const c of ["tract-core", "tract-onnx-opl", "wasm-bindgen", "serde"]) {
    assert.match(crates, new RegExp(`^\\| ${c} \\| \\d+\\.\\d+\\.\\d+[^|]* \\| [^|]*(MIT|Apache-2\\.0)[^|]* \\|`, "m"), `THIRD-PARTY.md lacks ${c}`);
  }
  assert.doesNotMatch(crates, /^\| clap \|/m, "the command line's crates are not in the wasm");
  // The licence texts themselves, as MIT asks them kept with copies, and the copyright lines.
  assert.match(crates, /^## Licence texts$/m);
  assert.match(crates, /Permission is hereby granted, free of charge/);
  assert.match(crates, /Apache License\s+Version 2\.0/);
  assert.match(crates, /^\| wasm-bindgen \| [^|]+ \| [^|]+ \| Copyright [^|]+ \| texts [\d, ]+ \|$/m);
  const dts = readFileSync(join(APP, "node_modules/polarity/polarity.d.ts"), "utf8");
  for (const t of ["classify(text: string): Prediction;", "classifyBatch(texts: readonly string[]): Prediction[];",
    "explain(text: string): Explanation;", "info(): ModelInfo;", "export interface ExplainedToken"]) {
    assert.ok(dts.includes(t), `polarity.d.ts lacks ${t}`);
  }
});

test("the package's README names every call and fineTune option its types declare", () => {
  const dir = join(APP, "node_modules/polarity");
  const dts = readFileSync(join(dir, "polarity.d.ts"), "utf8");
  const readme = readFileSync(join(dir, "README.md"), "utf8");
  const body = (start) => dts.slice(dts.indexOf(start), dts.indexOf("\n}", dts.indexOf(start)));
  const methods = [...body("export class Classifier").matchAll(/^ {4}(?:static )?(\w+)\(/gm)].map((m) => m[1]);
  const options = [...body("export interface FineTuneOptions").matchAll(/^ {4}(\w+)\?:/gm)].map((m) => m[1]);
  assert.ok(methods.length >= 15 && options.length >= 9, `read ${methods} and ${options} from polarity.d.ts`);
  const missing = [...methods.filter((m) => m !== "constructor" && !readme.includes(`${m}(`)),
    ...options.filter((o) => !readme.includes(`\`${o}\``))];
  assert.deepEqual(missing, [], "README.md of the package does not name these");
});

test("TypeScript: the result types are precise, not any", () => {
  writeFileSync(join(APP, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext",
      target: "es2022", lib: ["esnext", "dom"], skipLibCheck: false },
    files: ["types-check.ts"],
  }));
  writeFileSync(join(APP, "types-check.ts"), `
import init, { initSync, Classifier, type Prediction, type Explanation, type ExplainedToken, type ModelInfo } from "polarity";
export async function main(): Promise<number> {
  await init();
  const clf = new Classifier();
  const p: Prediction = clf.classify("fine");
  const batch: Prediction[] = clf.classifyBatch(["a", "b"]);
  const e: Explanation = clf.explain("fine");
  const t: ExplainedToken | undefined = e.tokens[0];
  const i: ModelInfo = clf.info();
  const again: Classifier = Classifier.fromBytes(clf.toBytes());
  // A file's bytes as the browser gives them (an ArrayBuffer): read at run time, so typed so.
  const fromFile = async (f: Blob): Promise<Classifier> => Classifier.fromBytes(await f.arrayBuffer());
  const n: number = p.score + batch.length + (t ? t.start + t.end + t.weight + t.logOdds : 0) + i.vocabularySize + i.modelBytes;
  const words: string = p.label + (t?.text ?? "") + i.quantization + i.labels.join();
  // Optional parameters are optional in the declarations too.
  const tuned: Classifier = Classifier.fromPretrained();
  const report = tuned.fineTune([{ text: "good", label: 1 }, { text: "bad", label: 0 }]);
  const columns: string[] = Classifier.parseTexts("a\\nb").columns;
  // Saved as a file (a Uint8Array of an ArrayBuffer, as a Blob needs), from read-only lists.
  const file: Blob = new Blob([tuned.toBytes()]);
  const labels = ["spam", "ham"] as const;
  const spam: Classifier = Classifier.fromPretrained({ labels });
  const fixed: readonly string[] = Object.freeze(["a", "b"]);
  void [file, spam.classifyBatch(fixed), Classifier.checkLabels(labels), Classifier.toCsv([fixed])];
  const warnings: string[] = Classifier.checkFineTuneOptions();
  void [report.epochs, columns, warnings, fromFile];
  // @ts-expect-error: a Prediction has no such field (this line would compile if results were any)
  clf.classify("x").confidence;
  // @ts-expect-error: classify takes a string
  clf.classify(42);
  again.free();
  // In Node, initSync() reads the package's own wasm (its entry does), as the README says.
  const sync = (): unknown => initSync();
  // A model's table is stored as int4 or int8 (this line does not compile if it is any string).
  const format: "int4" | "int8" = i.quantization;
  void [sync, format];
  return n + words.length;
}
`);
  run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", APP], { cwd: APP });
});

test("Node: initSync with the package's wasm, checked with node:test", () => {
  writeFileSync(join(APP, "node-check.test.mjs"), `
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { initSync, Classifier } from "polarity";

initSync({ module: readFileSync(createRequire(import.meta.url).resolve("polarity/polarity_bg.wasm")) });
const clf = new Classifier();

test("classify", () => {
  const p = clf.classify("A superb, heartfelt film. Loved it!");
  assert.deepEqual(Object.keys(p).sort(), ["label", "score"]);
  assert.equal(p.label, "positive");
  assert.equal(clf.classify("Dreadful, boring rubbish.").label, "negative");
  assert.ok(p.score > 0.5 && p.score <= 1);
});
test("classifyBatch keeps order", () => {
  const texts = ["terrible", "fantastic", ""];
  assert.deepEqual(clf.classifyBatch(texts), texts.map((t) => clf.classify(t)));
});
test("explain gives UTF-16 offsets", () => {
  const text = "🎬🍿 great fun";
  const e = clf.explain(text);
  assert.deepEqual(e.tokens.map((t) => text.slice(t.start, t.end)), ["great", "fun"]);
});
test("info", () => {
  const i = clf.info();
  assert.deepEqual(i.labels, ["positive", "negative"]);
  assert.ok(i.vocabularySize > 1000 && i.modelBytes > 1000);
  // The bundled model's head learned from IMDB train's reviews less the validation split.
  assert.equal(i.trainedOn, 22600);
});
test("errors are Errors with messages", () => {
  assert.throws(() => clf.classify(42), (e) => e instanceof Error && /expects a string/.test(e.message));
  assert.throws(() => Classifier.fromBytes(new Uint8Array([1, 2, 3])), (e) => e instanceof Error && /not a valid polarity model/.test(e.message));
  assert.equal(Classifier.fromBytes(clf.toBytes()).classify("fine").score, clf.classify("fine").score);
});
test("three labels: every label's probability, most probable first, kept through toBytes", () => {
  const labels = ["sport", "food", "music"];
  const three = Classifier.fromPretrained({ labels, seed: 1 });
  assert.equal(three.info().trainedOn, 0);
  const words = { sport: "football match goal team", food: "pizza pasta dinner tasty", music: "song guitar concert band" };
  const examples = labels.flatMap((label) => [0, 1, 2, 3, 4, 5].map((i) => ({ text: words[label] + " " + i, label })));
  const report = three.fineTune(examples, { epochs: 40 });
  assert.ok(report.accuracy > 0.9, JSON.stringify(report));
  const p = three.classify("a great football match");
  assert.deepEqual(Object.keys(p).sort(), ["label", "score", "scores"]);
  assert.equal(p.label, "sport");
  assert.deepEqual(p.scores.map((s) => s.label).sort(), [...labels].sort());
  assert.equal(p.scores[0].label, p.label);
  assert.equal(p.scores[0].score, p.score);
  assert.ok(Math.abs(p.scores.reduce((a, s) => a + s.score, 0) - 1) < 1e-5);
  assert.deepEqual(three.info().labels, labels);
  assert.equal(three.info().trainedOn, examples.length);
  const again = Classifier.fromBytes(three.toBytes());
  assert.equal(again.info().trainedOn, examples.length);
  assert.deepEqual(again.classify("pizza for dinner"), three.classify("pizza for dinner"));
  assert.equal(three.explain("pizza for dinner").tokens.length, 3);
  assert.throws(() => Classifier.fromPretrained({ labels: ["a", "b", "a"] }), /given twice/);
  assert.throws(() => Classifier.fromPretrained({ labels: Array.from({ length: 33 }, (_, i) => "l" + i) }), /from 2 to 32 labels/);
});
test("free() inside onProgress is refused; the classifier and its training carry on", () => {
  const c = Classifier.fromPretrained({ seed: 2 });
  let refused = 0;
  const report = c.fineTune([{ text: "great", label: 1 }, { text: "awful", label: 0 }], {
    epochs: 2,
    onProgress: () => {
      assert.throws(() => c.free(), /during fineTune.. is refused/);
      refused++;
    },
  });
  assert.ok(refused > 0 && report.epochs === 2);
  assert.equal(typeof c.classify("great").score, "number");
  c.free();
  assert.throws(() => c.classify("great"));
});
test("short texts average five runs by default, and progress says which run is under way", () => {
  const examples = ["WIN a FREE prize now", "call 0800 to claim cash", "txt STOP to end", "free entry win"]
    .map((text) => ({ text, label: "spam" }))
    .concat(["see you at 5", "ok lar", "call me later", "on my way home"].map((text) => ({ text, label: "ham" })));
  const seen = new Set();
  const c = Classifier.fromPretrained({ labels: ["spam", "ham"], seed: 3 });
  const report = c.fineTune(examples, { epochs: 2, onProgress: (p) => seen.add([p.run, p.runs, p.epoch, p.epochs].join(",")) });
  assert.equal(report.runs, 5);
  assert.ok(seen.has("1,5,1,10") && seen.has("3,5,6,10") && seen.has("5,5,10,10"), [...seen].join());
  const once = Classifier.fromPretrained({ labels: ["spam", "ham"], seed: 3 }).fineTune(examples, { epochs: 2, runs: 1 });
  assert.equal(once.runs, 1);
  assert.throws(() => c.fineTune(examples, { runs: 21 }), /runs must be/);
  assert.deepEqual(Classifier.fineTuneLimits().runs, { default: 5, min: 1, max: 20 });
});
`);
  // A node --test inside node --test would report to the parent instead of printing: unset that.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const out = run(process.execPath, ["--test", "--test-reporter=tap", "node-check.test.mjs"], { cwd: APP, env });
  assert.match(out, /^# pass 8$/m, out);
  assert.match(out, /^# fail 0$/m, out);
});

test("Node: await init() with no argument reads the package's wasm, as in the browser", () => {
  // The same lines as a page's (SCRIPT): Node's fetch has no file: URLs, so the package's "node"
  // entry reads the wasm from disk. An explicit wasm (initSync, init({ module_or_path })) still works.
  writeFileSync(join(APP, "node-init.mjs"), `
import init, { Classifier } from "polarity";
// Before init(): an Error that says to call it (the glue's own was "Cannot read properties of
// undefined"), from the constructor and a static call alike.
const early = [() => new Classifier(), () => Classifier.toCsv([["a"]])].map((f) => {
  try { f(); return "no error"; } catch (e) { return e.message; }
});
const first = await init();
const again = await init(); // a second init() is the same module, as in the browser
const clf = new Classifier();
console.log(JSON.stringify({ early, labels: clf.classifyBatch(["What a lovely, joyful film!", "Boring, ugly and far too long."]).map((p) => p.label), same: first === again && typeof first.memory === "object" }));
`);
  const out = JSON.parse(run(process.execPath, ["node-init.mjs"], { cwd: APP }).trim().split("\n").at(-1));
  const notLoaded = "polarity is not loaded yet: call `await init()` (the package's default export) once before using Classifier";
  assert.deepEqual(out, { early: [notLoaded, notLoaded], labels: ["positive", "negative"], same: true });
  const pkg = JSON.parse(readFileSync(join(APP, "node_modules/polarity/package.json"), "utf8"));
  assert.equal(pkg.exports["."].node, "./polarity.node.js");
  // init(null) is no argument (it threw "Cannot convert undefined or null to object"), and a file:
  // URL is read from disk (Node's fetch threw "fetch failed"), as an object or a string.
  const wasm = 'new URL("./node_modules/polarity/polarity_bg.wasm", import.meta.url)';
  // A path is read from disk too (fetch said "Failed to parse URL"), and initSync() with no module
  // reads the package's wasm (it said "Argument 0 must be a buffer source").
  const path = '"./node_modules/polarity/polarity_bg.wasm"';
  for (const [name, call] of [["null", "init(null)"], ["url", `init({ module_or_path: ${wasm} })`], ["string", `init(${wasm}.href)`],
    ["path", `init(${path})`], ["path-option", `init({ module_or_path: ${path} })`], ["sync", "initSync()"], ["sync-empty", "initSync({})"]]) {
    writeFileSync(join(APP, `node-init-${name}.mjs`), `
import init, { initSync, Classifier } from "polarity";
await ${call};
console.log(new Classifier().classify("What a lovely, joyful film!").label);
`);
    assert.equal(run(process.execPath, [`node-init-${name}.mjs`], { cwd: APP }).trim().split("\n").at(-1), "positive", name);
  }
});

async function expectClassifiedPage(pageUrl) {
  const page = await browser.newPage();
  const seen = watch(page);
  await page.goto(pageUrl);
  await page.waitForFunction(() => document.querySelector("#out")?.textContent.length > 0, null, { timeout: 60_000 });
  const out = JSON.parse(await page.locator("#out").textContent());
  await page.close();
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(out.map((p) => p.label), ["positive", "negative"]);
  assert.ok(out.every((p) => p.score >= 0 && p.score <= 1));
  assert.ok(seen.requests.some((r) => r.endsWith(".wasm")), "the wasm was fetched");
}

const SCRIPT = (from) => `
import init, { Classifier } from "${from}";
await init();
const clf = new Classifier();
document.querySelector("#out").textContent = JSON.stringify(
  clf.classifyBatch(["What a lovely, joyful film!", "Boring, ugly and far too long."]));
`;

test("plain <script type=module> page loads the installed package", async () => {
  mkdirSync(join(APP, "plain"), { recursive: true });
  writeFileSync(join(APP, "plain/index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<pre id="out"></pre>
<script type="module">${SCRIPT("../node_modules/polarity/polarity.js")}</script>`);
  const { server, url } = await serve({ root: APP, port: 0 });
  try {
    await expectClassifiedPage(`${url}plain/`);
  } finally {
    server.close();
  }
});

test("Vite dev server: the package's README config serves the wasm from the package", async () => {
  // Vite pre-bundles dependencies into node_modules/.vite/deps, where polarity_bg.wasm is not:
  // `new URL("polarity_bg.wasm", import.meta.url)` then got index.html, and init() threw.
  const app = join(APP, "vite-dev");
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, "index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<pre id="out"></pre><script type="module" src="./main.js"></script>`);
  writeFileSync(join(app, "main.js"), SCRIPT("polarity"));
  const readme = readFileSync(join(APP, "node_modules/polarity/README.md"), "utf8");
  const config = readme.match(/optimizeDeps: \{ exclude: \["polarity"\] \}/);
  assert.ok(config, "the package's README gives the Vite config");
  const { createServer } = await import(join(ROOT, "node_modules/vite/dist/node/index.js"));
  const server = await createServer({
    root: app, configFile: false, logLevel: "silent", server: { port: 0, host: "127.0.0.1" },
    optimizeDeps: { exclude: ["polarity"] },
  });
  await server.listen();
  try {
    await expectClassifiedPage(server.resolvedUrls.local[0]);
  } finally {
    await server.close();
  }
});

test("Vite app: vite build bundles the package and its wasm", async () => {
  const app = join(APP, "vite-app");
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, "index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">
<pre id="out"></pre><script type="module" src="./main.js"></script>`);
  writeFileSync(join(app, "main.js"), SCRIPT("polarity"));
  run(process.execPath, [join(ROOT, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn", app], { cwd: app });
  const assets = readdirSync(join(app, "dist/assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), `no wasm among ${assets}`);
  const { server, url } = await serve({ root: join(app, "dist"), port: 0 });
  try {
    await expectClassifiedPage(url);
  } finally {
    server.close();
  }
});
