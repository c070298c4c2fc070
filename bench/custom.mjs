// Classifiers of one's own (part of `make bench`): few-shot SMS spam and IMDB star ratings in four
// classes, with `fromPretrained` and default options (the bundled embedding, a fresh head) and
// from model/pretrained.onnx's embedding, beside a TF-IDF bigram logistic regression on the same
// samples (tools/tfidf_baseline.py); and "Classify a file" in the demo page: 25,000 IMDB test
// reviews from a file, click to results, in headless Chromium. The few-shot runs are native
// (`polarity fewshot --task ... --test --json`: the Rust code `fromPretrained` and `fineTune` run
// in the wasm). Writes bench/custom.json and bench/custom.md (bench/run.mjs folds both into
// RESULTS.md). Needs ../shared/data (or POLARITY_DATA).
// usage: node bench/custom.mjs [--seeds 5] [--runs 3]
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { launch, run, serve, watch, ROOT } from "../tools/harness.mjs";
import { BIN as POLARITY, DATA, readLabelled } from "../tools/data.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SEEDS = Number(arg("seeds", "5"));
const RUNS = Number(arg("runs", "3"));
const TMP = join(ROOT, "bench", ".tmp");
const PYTHON = join(ROOT, ".venv", "bin", "python");

for (const f of ["sms-spam/sms.tsv.gz", "imdb-ratings/train.tsv.gz", "imdb/test.tsv.gz"]) {
  if (!existsSync(join(DATA, f))) {
    console.error(`!! custom-classifier bench NOT run: ${DATA}/${f} is absent (set POLARITY_DATA)`);
    process.exit(2);
  }
}
mkdirSync(TMP, { recursive: true });

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (x) => `${(x * 100).toFixed(1)}%`;
const spread = (xs) => `${pct(mean(xs))} (${pct(Math.min(...xs))}-${pct(Math.max(...xs))})`;
const jsonLines = (text) => text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));

const TASKS = [
  { task: "sms", n: [20, 100], positive: "spam", name: "SMS spam (spam / ham)" },
  { task: "ratings4", n: [100, 500], positive: null, name: "IMDB ratings, 4 classes (1-2, 3-4, 7-8, 9-10)" },
];
const STARTS = [
  { name: "fromPretrained", args: [] },
  { name: "model/pretrained.onnx", args: ["--model", join(ROOT, "model/pretrained.onnx")] },
];

const fewshot = [];
for (const t of TASKS) {
  const dump = join(TMP, `custom-${t.task}`);
  rmSync(dump, { recursive: true, force: true });
  const common = ["fewshot", "--data", DATA, "--task", t.task, "--n", t.n.join(","), "--seeds", String(SEEDS), "--test", "--json"];
  const results = {};
  for (const [i, s] of STARTS.entries()) {
    results[s.name] = jsonLines(run(POLARITY, [...common, ...s.args, ...(i === 0 ? ["--dump", dump] : [])]));
  }
  results["TF-IDF LR"] = jsonLines(run(PYTHON, [join(ROOT, "tools/tfidf_baseline.py"), dump, ...(t.positive ? ["--positive", t.positive] : [])]));
  for (const n of t.n) {
    const row = { task: t.name, n };
    for (const [name, samples] of Object.entries(results)) {
      const mine = samples.filter((s) => s.n === n);
      row[name] = {
        accuracy: mine.map((s) => s.accuracy),
        f1: t.positive ? mine.map((s) => s.f1) : null,
        millis: mine[0]?.millis === undefined ? null : median(mine.map((s) => s.millis)),
      };
    }
    console.log(`${t.task} N=${n}: ${Object.entries(row).filter(([k]) => !["task", "n"].includes(k))
      .map(([k, v]) => `${k} ${spread(v.f1 ?? v.accuracy)}`).join("; ")}`);
    fewshot.push(row);
  }
}

// Classify a file: 25,000 IMDB test reviews as a TSV (label, text), in the demo page.
const reviews = readLabelled(join(DATA, "imdb/test.tsv.gz"));
const file = join(TMP, "imdb-test.tsv");
writeFileSync(file, reviews.map((r) => `${r.label}\t${r.text}`).join("\n") + "\n");
const { server, url } = await serve({ root: join(ROOT, "www"), port: 0 });
const browser = await launch();
const timings = [];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const seen = watch(page);
  await page.goto(url);
  await page.waitForSelector("#teach[data-ready=true]", { timeout: 60_000 });
  await page.locator("#classify-file").setInputFiles(file);
  await page.waitForFunction(() => /texts from the column/.test(document.querySelector("#file-msg").textContent), null, { timeout: 120_000 });
  const started = await page.evaluate(() => {
    window.fileDone = new Promise((resolve) => new MutationObserver(() => {
      if (document.querySelector("#file-msg").textContent.startsWith("Classified")) resolve(performance.now());
    }).observe(document.querySelector("#file-msg"), { childList: true, characterData: true, subtree: true }));
    return performance.now();
  });
  await page.locator("#classify-start").click();
  const done = await page.evaluate(() => window.fileDone);
  const message = await page.locator("#file-msg").textContent();
  const worker = Number(await page.locator("#file-summary").getAttribute("data-millis"));
  if (!message.startsWith(`Classified ${reviews.length.toLocaleString("en")} texts`)) throw new Error(message);
  if (seen.errors.length) throw new Error(`page errors: ${seen.errors.join("\n")}`);
  timings.push({ clickToResults: done - started, classifying: worker });
  console.log(`classify a file, run ${i + 1}: ${((done - started) / 1000).toFixed(2)} s click to results (${(worker / 1000).toFixed(2)} s classifying in the worker)`);
  await context.close();
}
const chromium = browser.version();
await browser.close();
server.close();

const results = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} x ${cpus()[0]?.model ?? "unknown CPU"}`,
  chromium,
  seeds: SEEDS,
  fewshot,
  classifyFile: { reviews: reviews.length, runs: timings, medianSeconds: median(timings.map((t) => t.clickToResults)) / 1000 },
};
writeFileSync(join(ROOT, "bench", "custom.json"), JSON.stringify(results, null, 2) + "\n");

const names = ["fromPretrained", "model/pretrained.onnx", "TF-IDF LR"];
const cell = (v) => (v.f1 ? `F1 ${spread(v.f1)}, accuracy ${spread(v.accuracy)}` : spread(v.accuracy));
const md = [
  `## Classifiers of one's own`,
  ``,
  `${results.machine}, ${results.date}; \`node bench/custom.mjs\`. Few-shot: N texts balanced over the labels,`,
  `seeds 0-${SEEDS - 1}, fine-tuned with default options (natively: \`polarity fewshot --task sms|ratings4 --test\`,`,
  `the same Rust code as the wasm); measured on the task's test split (SMS: 30% of the distinct messages, held`,
  `out; ratings: all 25,000 IMDB-ratings test reviews); mean (min-max). TF-IDF LR: unigram+bigram TF-IDF and`,
  `logistic regression (scikit-learn) on the same samples.`,
  ``,
  `| task | N | ${names.join(" | ")} |`,
  `| --- | --- | ${names.map(() => "---").join(" | ")} |`,
  ...fewshot.map((r) => `| ${r.task} | ${r.n} | ${names.map((k) => cell(r[k])).join(" | ")} |`),
  ``,
  `Classify a file, in the demo page (headless Chromium ${chromium}): ${reviews.length.toLocaleString("en")} IMDB test`,
  `reviews (${(reviews.reduce((a, r) => a + r.text.length, 0) / 1e6).toFixed(1)} M characters) from a TSV file, from the click on`,
  `Classify to the count per label and the CSV ready: median ${results.classifyFile.medianSeconds.toFixed(2)} s of ${RUNS} runs`,
  `(${timings.map((t) => (t.clickToResults / 1000).toFixed(2)).join(", ")} s; classifying alone, in the worker: ${timings.map((t) => (t.classifying / 1000).toFixed(2)).join(", ")} s).`,
  ``,
].join("\n");
writeFileSync(join(ROOT, "bench", "custom.md"), md);
console.log(md);
// The same section in README.md, between its custom-bench markers.
const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const marked = /(<!-- custom-bench:start -->\n)[\s\S]*?(<!-- custom-bench:end -->)/;
const section = md.split("\n").slice(2).join("\n");
if (marked.test(readme)) writeFileSync(join(ROOT, "README.md"), readme.replace(marked, `$1${section}$2`));
