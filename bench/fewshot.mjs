// Few-shot transfer, measured in headless Chromium through the package's JS API (part of
// `make bench`): N balanced IMDB-train reviews, 3 seeds each, fine-tuned with default options from
// model/pretrained.onnx and from the same network with a random embedding; IMDB-test accuracy and
// fine-tuning time. Also: the shipped model fine-tuned on 200 reviews with flipped labels.
// Writes bench/fewshot.json and bench/fewshot.md (bench/run.mjs folds both into RESULTS.md and
// results.json). Needs ../shared/data (or POLARITY_DATA).
// usage: node bench/fewshot.mjs [--n 20,50,100,200,500] [--seeds 3]
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { launch, run, serve, watch, ROOT } from "../tools/harness.mjs";
import { BIN as POLARITY, DATA, readLabelled } from "../tools/data.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SIZES = arg("n", "20,50,100,200,500").split(",").map(Number);
const SEEDS = Number(arg("seeds", "3"));
const TMP = join(ROOT, "bench", ".tmp");

if (!existsSync(join(DATA, "imdb", "train.tsv.gz"))) {
  console.error(`!! few-shot bench NOT run: ${DATA}/imdb is absent (set POLARITY_DATA)`);
  process.exit(2);
}
mkdirSync(TMP, { recursive: true });

const readTsv = (file) => readLabelled(file).map(({ label, text }) => ({ label: Number(label), text }));

/** mulberry32: a small seeded generator, so every run picks the same reviews. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(items, random) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x) => `${(x * 100).toFixed(1)}%`;

const train = readTsv(join(DATA, "imdb", "train.tsv.gz"));
const test = readTsv(join(DATA, "imdb", "test.tsv.gz"));
writeFileSync(join(TMP, "fewshot-data.json"), JSON.stringify({
  train,
  test: { texts: test.map((r) => r.text), labels: test.map((r) => r.label) },
}));
// The baseline: the same words and network, random rows instead of the pre-trained ones.
run(POLARITY, ["train", "--data", DATA, "--pretrained-only", "--keep-sif", "--random-init", "--dim", "64",
  "--min-count", "0", "--bigram-buckets", "0", "--keep-bigrams", "0", "--out", join(TMP, "random.onnx")]);

const positives = train.flatMap((r, i) => (r.label === 1 ? [i] : []));
const negatives = train.flatMap((r, i) => (r.label === 0 ? [i] : []));
const sample = (n, seed) => {
  const random = rng(1000 + seed);
  return shuffled([...shuffled(positives, random).slice(0, n / 2), ...shuffled(negatives, random).slice(0, n - n / 2)], random);
};

const { server, url } = await serve({ root: ROOT, port: 0 });
const browser = await launch();
const page = await browser.newPage();
const seen = watch(page);
await page.goto(`${url}bench/fewshot.html`);
await page.waitForFunction(() => window.benchReady === true);
await page.evaluate((u) => window.bench.load(u), `${url}bench/.tmp/fewshot-data.json`);

const starts = { pretrained: "/model/pretrained.onnx", random: "/bench/.tmp/random.onnx" };
const rows = [];
for (const n of SIZES) {
  const row = { n };
  for (const [name, model] of Object.entries(starts)) {
    const runs = [];
    for (let seed = 0; seed < SEEDS; seed++) {
      runs.push(await page.evaluate(([m, idx, s]) => window.bench.fewshot(m, idx, s), [model, sample(n, seed), seed]));
    }
    const acc = runs.map((r) => r.testAccuracy);
    row[name] = { mean: mean(acc), min: Math.min(...acc), max: Math.max(...acc), millis: median(runs.map((r) => r.millis)), runs };
    console.log(`N=${n} ${name}: ${acc.map(pct).join(" ")} (mean ${pct(row[name].mean)}), fine-tune median ${row[name].millis.toFixed(0)} ms`);
  }
  rows.push(row);
}

// Every 125th review: 100 positive, 100 negative (the same 200 as tests/imdb_flip.sh).
const every125 = train.map((_, i) => i).filter((i) => i % 125 === 0);
const flips = [];
for (let i = 0; i < 3; i++) flips.push(await page.evaluate((idx) => window.bench.flipped(idx), every125));
const flipped = { reviews: every125.length, ...flips[0], millis: median(flips.map((f) => f.millis)), runs: flips.map((f) => f.millis) };
console.log(`flipped labels, shipped model, 200 reviews: agreement ${pct(flipped.before)} -> ${pct(flipped.after)}, ` +
  `round trip identical: ${flipped.identical}, fine-tune median ${flipped.millis.toFixed(0)} ms`);
if (seen.errors.length) throw new Error(`page errors: ${seen.errors.join("\n")}`);
const chromium = browser.version();
await browser.close();
server.close();

const results = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}`,
  chromium,
  seeds: SEEDS,
  options: "fineTune defaults (see src/finetune.rs)",
  fewshot: rows,
  flipped,
};
writeFileSync(join(ROOT, "bench", "fewshot.json"), JSON.stringify(results, null, 2) + "\n");

const range = (r) => `${pct(r.mean)} (${pct(r.min)}-${pct(r.max)})`;
const md = [
  `## Few-shot fine-tuning in the browser`,
  ``,
  `Headless Chromium ${chromium}, ${results.machine}, ${results.date}; \`node bench/fewshot.mjs\`.`,
  `N balanced IMDB-train reviews, seeds 0-${SEEDS - 1}; \`Classifier.fromBytes(start).fineTune(examples, { seed })\``,
  `with default options; accuracy on all 25,000 IMDB-test reviews, mean (min-max); fine-tuning time, median.`,
  ``,
  `| N | from model/pretrained.onnx | random embedding | fine-tune ms (pretrained) | fine-tune ms (random) |`,
  `| --- | --- | --- | --- | --- |`,
  ...rows.map((r) => `| ${r.n} | ${range(r.pretrained)} | ${range(r.random)} | ${r.pretrained.millis.toFixed(0)} | ${r.random.millis.toFixed(0)} |`),
  ``,
  `Flipped labels: the shipped model fine-tuned (defaults) on ${flipped.reviews} IMDB-train reviews with every`,
  `label flipped agrees with ${pct(flipped.after)} of the flipped labels (${pct(flipped.before)} before); the model`,
  `read back with \`toBytes\`/\`fromBytes\` gives ${flipped.identical ? "identical" : "DIFFERENT"} predictions.`,
  `Fine-tuning took ${flipped.millis.toFixed(0)} ms (median of 3).`,
  ``,
].join("\n");
writeFileSync(join(ROOT, "bench", "fewshot.md"), md);
console.log(`wrote bench/fewshot.json and bench/fewshot.md`);
