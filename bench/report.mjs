// Turns bench/results.json (as built by bench/run.mjs) into bench/RESULTS.md and the short table
// README.md quotes. Formatting only: every number comes from the report it is given.

const ROWS = [
  ["polarity", "polarity (wasm) — text in"],
  ["ort", "onnxruntime-web (wasm, 1 thread), the shipped int4 file — ids in"],
  ["ort-int8", "onnxruntime-web (wasm, 1 thread), the same table re-quantized as int8 — ids in"],
  ["tfjs-wasm", "TF.js, wasm backend — ids in"],
  ["tfjs-cpu", "TF.js, cpu backend — ids in"],
  ["native", "polarity native CLI (ceiling) — text in"],
];

const num = (x, digits = 0) => x == null ? "—"
  : x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes) => bytes == null ? "—" : `${num(bytes / 1e6, 2)} MB`;
const kb = (bytes) => bytes == null ? "—" : `${num(bytes / 1e3, 0)} kB`;
const ratio = (x, base) => x == null || base == null ? "" : ` (${num(x / base, x / base < 10 ? 2 : 0)}×)`;
const yes = (ok) => (ok ? "**met**" : "**missed**");

function table(header, rows) {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

function speedTable(r) {
  const all = { ...r.engines, native: r.native };
  const base = all.polarity;
  const cell = (row, key, digits = 0) => `${num(row[key], digits)}${ratio(row[key], base[key])}`;
  return table(
    ["engine", "reviews/s, one at a time", `reviews/s, batches of ${r.config.batchSize}`,
      "p50 µs", "p99 µs", "p50 µs, 200–260 words", "cold start ms"],
    ROWS.map(([key, name]) => [name, cell(all[key], "oneAtATimePerSecond"),
      cell(all[key], "batchPerSecond"), cell(all[key], "p50Micros"), cell(all[key], "p99Micros"),
      cell(all[key], "p50TypicalMicros"), cell(all[key], "coldMs")]),
  );
}

function sizeTable(r) {
  const base = r.engines.polarity;
  return table(
    ["engine", "bytes raw", "gzip -9", "brotli", "wasm memory (peak)", "JS heap after load", "JS heap peak"],
    ROWS.filter(([key]) => key !== "native").map(([key, name]) => {
      const e = r.engines[key];
      return [name, kb(e.bytes.raw) + ratio(e.bytes.raw, base.bytes.raw),
        kb(e.bytes.gzip) + ratio(e.bytes.gzip, base.bytes.gzip),
        kb(e.bytes.brotli) + ratio(e.bytes.brotli, base.bytes.brotli),
        mb(e.memory.wasmPeakBytes), mb(e.memory.jsHeapAfterLoadBytes), mb(e.memory.jsHeapPeakBytes)];
    }),
  );
}

function fineTuneTable(r) {
  const rows = [["polarity", r.engines.polarity], ["tfjs-wasm", r.engines["tfjs-wasm"]],
    ["tfjs-cpu", r.engines["tfjs-cpu"]], ["native", r.native]];
  const base = r.engines.polarity.fineTunePerSecond;
  return table(["engine", "examples/s", "epochs run"], rows.map(([key, e]) =>
    [ROWS.find(([k]) => k === key)[1].replace(/ — .*/, ""),
      e.fineTuneError ? `cannot: ${e.fineTuneError}`
        : `${num(e.fineTunePerSecond)}${ratio(e.fineTunePerSecond, base)}`, num(e.fineTuneEpochs)]));
}

/** `median× (min–max)` of paired ratios. */
const spread = (x) => `${num(x.median, 2)}× (${num(x.min, 2)}–${num(x.max, 2)})`;

function budgets(r) {
  const p = r.engines.polarity;
  const page = r.demoPage?.gzip ?? null;
  const demo = r.demoPage?.coldStart ?? null;
  const paired = r.vsOrt;
  const against = paired.baseline === "ort-int8" ? "onnxruntime-web on the int8 file" : "onnxruntime-web";
  const rows = [
    ["page bytes, gzip ≤ 1.5 MB (demo page, `make sizes`)", page == null ? "—" : mb(page), page != null && page <= 1.5e6],
    ["page bytes, gzip ≤ 1.35 MB (polarity.js + wasm only)", mb(p.bytes.gzip), p.bytes.gzip <= 1.35e6],
    ["cold start ≤ 150 ms on localhost", `${num(p.coldMs)} ms`, p.coldMs <= 150],
    ...(demo ? [["the demo page's first verdict ≤ 150 ms on localhost (navigation → a typed sentence's verdict)",
      `${num(demo.firstVerdictMs)} ms`, demo.firstVerdictMs <= 150]] : []),
    ["`classify` of a ~230-word review (200–260 words), p50 ≤ 30 µs", `${num(p.p50TypicalMicros)} µs`,
      p.p50TypicalMicros <= 30],
    [`one at a time ≥ 2× ${against} (median of ${paired.oneAtATime.runs.length} paired runs, min–max)`,
      spread(paired.oneAtATime), paired.oneAtATime.median >= 2],
    [`batches ≥ 3× ${against} (median of ${paired.batches.runs.length} paired runs, min–max)`,
      spread(paired.batches), paired.batches.median >= 3],
    [`\`classifyBatch\` ≥ 5× ${against} throughput (batches vs batches; the first budget)`,
      `${num(paired.batches.median, 2)}×`, paired.batches.median >= 5],
  ];
  return table(["budget", "measured", "verdict"], rows.map(([what, value, ok]) => [what, value, yes(ok)]));
}

function agreementTable(r) {
  return table(["vs polarity `classify` (wasm)", "max \\|Δ probability\\|", "labels differing"],
    Object.entries(r.agreement.rows).map(([name, a]) => [name, a.maxAbsDiff.toExponential(2), num(a.labelsDiffer)]));
}

function fewshotSection(fewshot) {
  return fewshot ? `\n${fewshot.markdown.trim()}\n` : "";
}

/** What each of polarity's performance marks stands for, in cold-start order. */
const STEP_NAMES = {
  "page:script": "page script starts (HTML parsed, bench page loaded)",
  "page:import": "`import(\"polarity.js\")` done",
  "wasm:requested": "the wasm requested (Resource Timing `requestStart`, beside the page's steps)",
  "wasm:downloaded": "the wasm's last byte received (`responseEnd`; took: since its request)",
  "page:init": "`init()` done: the wasm compiled (as it streamed in) and instantiated",
  "polarity:file": "`new Classifier()`: model file decoded, vocabulary indexed (the bundled file's checksum is checked by a test, not at load)",
  "polarity:engine": "`new Classifier()`: tract plan built and optimized",
  "page:classifier": "`new Classifier()` returned",
  "first score": "first review classified",
  "demo:script": "demo.js starts (HTML parsed, its modules loaded)",
  "demo:init": "`init()` done: the wasm (preloaded by the HTML) compiled and instantiated",
  "demo:ready": "model facts shown, page ready (`body[data-ready]`)",
  "first verdict": "a typed sentence's verdict shown (input event → next frame → classify and explain)",
};

function coldStepsTable(steps) {
  if (!steps) return "(no marks recorded)";
  const rows = steps.map((s) => `| ${STEP_NAMES[s.step] ?? s.step} | ${num(s.tookMs, 1)} | ${num(s.atMs, 1)} |`);
  return ["| step (performance mark) | took ms | at ms since navigation |", "| --- | --- | --- |", ...rows].join("\n") +
    "\n\nMedians over the cold starts above (each column on its own, so they need not add up).";
}

function demoColdStart(demo) {
  if (!demo) return "";
  return `
### The demo page's cold start, step by step

What a visitor gets: \`www/index.html\` as \`make demo\` serves it (the HTML preloads polarity.js and the
wasm), and at \`body[data-ready]\` "${demo.text}" is typed in (the box's value and an input event).
First verdict: median ${num(demo.firstVerdictMs)} ms (runs: ${demo.runs.map((x) => num(x)).join(", ")}).

${coldStepsTable(demo.steps)}
`;
}

export function render(r, fewshot, custom) {
  const v = r.versions;
  const c = r.config;
  const n = r.native;
  const machine = `${r.machine.cpu}, ${r.machine.cores} cores (shared), ${num(r.machine.memoryBytes / 1e9, 0)} GB RAM, ${r.machine.os}`;
  const load = r.machine.loadAverage.map((x) => num(x, 1)).join(" at the start, ");
  const markdown = `# Benchmarks

Generated by \`make bench\` (bench/run.mjs) on ${r.date.slice(0, 10)} in ${num(r.seconds)} s; do not edit by hand.

- Machine: ${machine}; 1-minute load average ${load} at the end (other jobs share the cores).
- Versions: polarity ${v.polarity} (commit ${v.commit}), onnxruntime-web ${v["onnxruntime-web"]},
  TF.js ${v["@tensorflow/tfjs-core"]} (tfjs-core, tfjs-backend-wasm ${v["@tensorflow/tfjs-backend-wasm"]},
  tfjs-backend-cpu ${v["@tensorflow/tfjs-backend-cpu"]}), Chromium ${v.chromium} (headless), Node ${v.node}, ${v.rustc}.
- Data: ${num(c.reviews)} IMDB test reviews (${c.sample}: half positive, half negative); one model,
  model/polarity.onnx (int4), bundled in polarity's wasm, loaded as that file by onnxruntime-web and
  by TF.js (its initializers read in the page by bench/onnx-weights.js). onnxruntime-web also runs
  the same model with its table re-quantized as int8 (\`polarity convert --to int8\`; the head's
  weights are the same, the table's values move by up to 0.005): the int4 file's graph unpacks
  each token's codes (integer division and remainder, a concatenation, two lookups), which
  polarity does once at load, so the int8 file is
  onnxruntime-web's faster baseline and the budgets compare against it.
- Every figure is the median of ${c.runs} runs in one browser session (cold starts: of ${c.coldRuns}
  fresh browser contexts); ratios in parentheses are value ÷ polarity (wasm)'s, from the same run.
  The engines' timed runs alternate (run 1 of each engine, then run 2, ...), and the budgets give
  polarity ÷ onnxruntime-web (${r.vsOrt.baseline}) run by run: one at a time ${r.vsOrt.oneAtATime.runs.map((x) => `${num(x, 2)}×`).join(", ")};
  batches ${r.vsOrt.batches.runs.map((x) => `${num(x, 2)}×`).join(", ")}.${r.vsOrtShippedFile && r.vsOrt.baseline !== "ort" ? ` Against the shipped int4 file: one at a time ${spread(r.vsOrtShippedFile.oneAtATime)}, batches ${spread(r.vsOrtShippedFile.batches)}.` : ""}

## Classifying

${speedTable(r)}

- Tokenizing is counted separately: onnxruntime-web and TF.js get the token ids polarity's tokenizer
  produced (natively, \`polarity dump\`), so their rows time the engine only (plus building the
  padded id tensor in JS). polarity's tokenizer alone takes ${num(n.tokenizeMicros, 1)} µs per review natively
  (${num(1e6 / n.tokenizeMicros)} reviews/s); polarity's own rows include it.
- One at a time: each review scored alone, in order. Batches: ${c.batchSize} reviews per call, in sample order;
  every engine scores a batch as polarity's \`classifyBatch\` does, sorted by length in runs of at most
  32,768 id slots, each padded to its own longest (bench/page.js \`inRuns\`; before 2026-12-05,
  onnxruntime-web and TF.js padded the whole batch to its longest, 4.3 slots per token against 1.3).
- Runs: in each of the ${c.runs} runs every engine is measured one measurement at a time (one at a time for
  each engine, then batches, then latency), the engines' order reversed every other run, so the two
  sides of a ratio are seconds apart; one-at-a-time and batches are warmed up first.
- Latency: the page clock ticks in 100 µs steps, so each review is scored back to back for
  ${c.latencyWindowMs} ms and its latency is the mean of those calls; p50 and p99 are over the ${num(c.reviews)} reviews
  (200–260 words: ${num(r.engines.polarity.typicalReviews)} reviews, about IMDB's mean of 230). Natively each call is timed alone.
- Cold start: navigation start → engine downloaded from localhost (gzip-compressed, as static hosts
  send text and wasm: www/serve.mjs; an untimed first visit lets the server compress each file once), instantiated, model loaded, first
  review scored (\`performance.now()\` at the first result), fresh browser context each time. Natively:
  process start → first answer of \`polarity classify\` (includes spawning it from Node).

### polarity's cold start, step by step

${coldStepsTable(r.engines.polarity?.coldSteps)}
${demoColdStart(r.demoPage?.coldStart)}
## Download and memory

${sizeTable(r)}

- Bytes: every file the page fetched for that engine during a cold start (JS, wasm, model; not the
  bench harness page), compressed here with gzip -9 and brotli quality 11.
- wasm memory: the sum of the byte lengths of every \`WebAssembly.Memory\` the page created or an
  instance exported (found by wrapping the WebAssembly constructors before any page script), at
  the end; wasm memories never shrink, so this is the peak. TF.js's cpu backend keeps tensors in
  JS typed arrays, which count in neither column.
- JS heap: \`performance.memory.usedJSHeapSize\` (precise-memory-info on): after load with a full GC;
  peak = the largest value sampled after each step, which includes the ${num(c.reviews)}-review sample
  (the same for every engine). Native peak resident memory of the whole \`polarity bench\` process:
  ${mb(n.peakRssBytes)}.

## Fine-tuning

${fineTuneTable(r)}

- ${c.trainExamples} IMDB-train reviews (${c.trainSample}), ${c.fineTune.epochs} epochs, batch size ${c.fineTune.batchSize},
  learning rate ${c.fineTune.learningRate}, embedding trained too; examples/s = examples × epochs ÷ training time
  (setup excluded). polarity: \`fineTune\` on a copy of the shipped model (it tokenizes the texts
  itself; the embedding learns at polarity's default 0.15× the head's rate). TF.js: the same network
  (the int4 table dequantized to a float variable, the same head, binary cross-entropy, Adam, table
  at 0.15× the rate) on polarity's ids; TF.js has no lazy Adam, so every step updates the whole table.

## Do the engines agree?

${agreementTable(r)}

Accuracy of polarity \`classify\` on the sample: ${num(r.agreement.polarityAccuracy * 100, 2)}%.

## Budgets

${budgets(r)}
${fewshotSection(fewshot)}${fewshotSection(custom)}`;
  const readmeTable = `${speedTable(r)}\n\n${budgets(r)}\n\nFrom \`make bench\` on ${r.date.slice(0, 10)} at ${r.versions.commit} (${machine}); ` +
    `sizes, memory, fine-tuning, agreement and method: [bench/RESULTS.md](bench/RESULTS.md).\n`;
  return { markdown, readmeTable };
}
