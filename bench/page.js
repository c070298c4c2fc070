// The in-page half of `make bench` (bench/run.mjs drives it): one adapter per engine with the same
// four operations (score one review, score a batch, fine-tune, describe), and the measurements
// run over them. ort and TF.js get the token ids polarity's tokenizer produced (natively, in
// bench/.tmp/sample.json), so only the engine differs; polarity gets the text.
const ENGINE = new URLSearchParams(location.search).get("engine");
const NM = "/node_modules";

/** One row per id list, zero-padded (0 = padding) to the longest: what a batch costs in JS. */
function padded(idsList, Typed) {
  const length = Math.max(1, ...idsList.map((ids) => ids.length));
  const data = new Typed(idsList.length * length);
  idsList.forEach((ids, row) => data.set(ids, row * length));
  return { data, length };
}

/** The most id slots of one run of polarity's engine (src/engine.rs IDS_PER_RUN). */
const IDS_PER_RUN = 1 << 15;

/**
 * A batch scored as polarity's `classifyBatch` scores it: sorted by length, in runs of at most
 * IDS_PER_RUN slots each padded to its own longest (src/engine.rs `score_batch`), each run one
 * call of `run(idsList)`; the scores in the batch's order. Padded in sample order instead, a
 * batch of 256 reviews held 4.3 times as many slots as tokens (polarity's runs 1.3 times), and
 * the batch ratios measured mostly that.
 */
async function inRuns(idsList, run) {
  const order = idsList.map((_, i) => i).sort((a, b) => idsList[a].length - idsList[b].length);
  const scores = new Array(idsList.length);
  for (let at = 0; at < order.length; ) {
    let take = 1;
    while (at + take < order.length && (take + 1) * Math.max(1, idsList[order[at + take]].length) <= IDS_PER_RUN) take++;
    const group = order.slice(at, at + take);
    const values = await run(group.map((i) => idsList[i]));
    group.forEach((i, k) => (scores[i] = values[k]));
    at += take;
  }
  return scores;
}

/**
 * When the wasm's request went out and its last byte came in (Resource Timing), as marks: `init()`
 * compiles the wasm as it streams in, so the step table shows how much of `init()` was waiting
 * for bytes and how much came after them.
 */
function markWasmDownload() {
  const wasm = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/polarity_bg.wasm"));
  if (!wasm) return;
  performance.mark("wasm:requested", { startTime: wasm.requestStart });
  performance.mark("wasm:downloaded", { startTime: wasm.responseEnd });
}

async function polarity() {
  performance.mark("page:script");
  const { default: init, Classifier } = await import("/pkg/polarity.js");
  performance.mark("page:import");
  await init();
  performance.mark("page:init");
  markWasmDownload();
  const clf = new Classifier(); // marks polarity:file and polarity:engine inside
  performance.mark("page:classifier");
  return {
    one: (review) => clf.classify(review.text).score,
    batch: (reviews) => clf.classifyBatch(reviews.map((r) => r.text)).map((p) => p.score),
    fineTune(examples, { epochs, batchSize, learningRate }) {
      const copy = Classifier.fromBytes(clf.toBytes());
      const labelled = examples.map((e) => ({ text: e.text, label: e.label }));
      const started = performance.now();
      const report = copy.fineTune(labelled,
        { epochs, batchSize, learningRate, trainEmbedding: true, seed: 42 });
      const millis = performance.now() - started;
      copy.free();
      return { epochs: report.epochs, millis };
    },
  };
}

async function onnxruntime(file) {
  const ort = await import(`${NM}/onnxruntime-web/dist/ort.wasm.min.mjs`);
  ort.env.wasm.wasmPaths = `${NM}/onnxruntime-web/dist/`;
  ort.env.wasm.numThreads = 1; // polarity and TF.js here run on one thread too
  const session = await ort.InferenceSession.create(file, {
    executionProviders: ["wasm"],
  });
  const run = async (data, rows, length) => {
    const out = await session.run({ ids: new ort.Tensor("int64", data, [rows, length]) });
    return out.score.data;
  };
  return {
    int64: true,
    one: async (review) => (await run(review.ids64, 1, review.ids64.length))[0],
    batch: (reviews) => inRuns(reviews.map((r) => r.ids64), async (idsList) => {
      const { data, length } = padded(idsList, BigInt64Array);
      return Array.from(await run(data, idsList.length, length));
    }),
  };
}

async function tensorflow(backend) {
  // tfjs-core + gradients + this backend, bundled by bench/run.mjs (bench/tfjs/*.js).
  const tf = await import(`/bench/.tmp/tfjs/${backend}.js`);
  if (backend === "wasm") tf.setWasmPaths(`${NM}/@tensorflow/tfjs-backend-wasm/dist/`);
  await tf.setBackend(backend);
  const [{ readInitializers }, bytes] = await Promise.all([
    import("./onnx-weights.js"),
    fetch("/model/polarity.onnx").then((r) => r.arrayBuffer()),
  ]);
  const w = readInitializers(new Uint8Array(bytes));
  const t = (name) => tf.tensor(w[name].values, w[name].dims);
  // The graph of src/onnx.rs: quantized rows (int4 levels, or int8) times their row's scale,
  // summed, over sqrt(count).
  const [embedding, scales, w1, b1, w2, b2] = ["embedding", "scales", "w1", "b1", "w2", "b2"].map(t);
  // tfjs-core alone has no chained ops (x.add(y)): functions only.
  const isToken = (ids) => tf.cast(tf.notEqual(ids, 0), "float32");
  const bag = (ids, rows) =>
    tf.div(tf.sum(rows, 1), tf.sqrt(tf.maximum(tf.sum(isToken(ids), 1, true), 1)));
  const head = (x, p) =>
    tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, p.w1), p.b1)), p.w2), p.b2);
  // Weighted scopes: id `row + band * rows` is row `row` times the band's weight (src/vocab.rs).
  const tableRows = w.embedding.dims[0];
  const bandWeights = w.band_weights?.values ?? Float32Array.of(1);
  const split = (id) => (id < tableRows ? [id, 1] : [id % tableRows, bandWeights[Math.floor(id / tableRows)]]);
  const score = (ids, rowIds, weights) => {
    const rows = tf.mul(tf.gather(embedding, rowIds), tf.expandDims(tf.gather(scales, rowIds), 2));
    const weighted = weights ? tf.mul(rows, tf.expandDims(weights, 2)) : rows;
    return tf.sigmoid(head(bag(ids, weighted), { w1, b1, w2, b2 }));
  };
  const run = (data, rows, length) => {
    // Ids past the table (weighted scopes) split into row and weight here, in the timed call.
    let rowIds = data;
    let weights = null;
    if (data.some((id) => id >= tableRows)) {
      rowIds = new Int32Array(data.length);
      weights = new Float32Array(data.length);
      data.forEach((id, i) => ([rowIds[i], weights[i]] = split(id)));
    }
    const out = tf.tidy(() => score(
      tf.tensor2d(data, [rows, length], "int32"),
      tf.tensor2d(rowIds, [rows, length], "int32"),
      weights && tf.tensor2d(weights, [rows, length]),
    ));
    const values = out.dataSync();
    out.dispose();
    return values;
  };
  return {
    one: (review) => run(review.ids32, 1, review.ids32.length)[0],
    batch: (reviews) => inRuns(reviews.map((r) => r.ids32), async (idsList) => {
      const { data, length } = padded(idsList, Int32Array);
      return Array.from(run(data, idsList.length, length));
    }),
    // The network polarity fine-tunes: a float table (the quantized one dequantized) and the head,
    // binary cross-entropy, Adam; the table at TABLE_RATE times the head's rate, as polarity's default.
    // The bag is written as token counts [batch, rows] times the table: TF.js's gradient of
    // gather (UnsortedSegmentSum) is missing on wasm and loops over every row on cpu.
    fineTune(examples, { epochs, batchSize, learningRate }) {
      const rows = w.embedding.dims[0];
      const p = {
        table: tf.variable(tf.mul(embedding, tf.expandDims(scales, 1))),
        w1: tf.variable(w1), b1: tf.variable(b1), w2: tf.variable(w2), b2: tf.variable(b2),
      };
      const started = performance.now();
      const headOptimizer = tf.train.adam(learningRate, 0.9, 0.999, 1e-7);
      const tableOptimizer = tf.train.adam(learningRate * TABLE_RATE, 0.9, 0.999, 1e-7);
      const order = examples.map((_, i) => i);
      for (let epoch = 0; epoch < epochs; epoch++) {
        shuffle(order, epoch);
        for (let at = 0; at < order.length; at += batchSize) {
          const chunk = order.slice(at, at + batchSize).map((i) => examples[i]);
          // Counts over sqrt(n), padding (id 0) left out as polarity leaves it out.
          const counts = new Float32Array(chunk.length * rows);
          chunk.forEach((e, row) => {
            const tokens = e.ids32.filter((id) => id !== 0);
            const weight = 1 / Math.sqrt(Math.max(1, tokens.length));
            for (const id of tokens) {
              const [r, w] = split(id);
              counts[row * rows + r] += weight * w;
            }
          });
          tf.tidy(() => {
            const bagOf = tf.tensor2d(counts, [chunk.length, rows]);
            const labels = tf.tensor2d(chunk.map((e) => e.label), [chunk.length, 1]);
            const { grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(
              labels, head(tf.matMul(bagOf, p.table), p)));
            const { [p.table.name]: table, ...rest } = grads;
            tableOptimizer.applyGradients({ [p.table.name]: table });
            headOptimizer.applyGradients(rest);
          });
        }
      }
      const millis = performance.now() - started;
      Object.values(p).forEach((v) => v.dispose());
      headOptimizer.dispose();
      tableOptimizer.dispose();
      return { epochs, millis };
    },
  };
}

/** polarity's default embedding learning rate relative to the head's (src/finetune.rs). */
const TABLE_RATE = 0.15;

/** Deterministic Fisher-Yates (a small LCG), so every run trains on the same batches. */
function shuffle(items, seed) {
  let state = (seed + 1) * 2654435761 % 2 ** 32;
  for (let i = items.length - 1; i > 0; i--) {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
}

const ENGINES = {
  polarity,
  ort: () => onnxruntime("/model/polarity.onnx"),
  // The same table re-quantized as an int8 file (bench/run.mjs writes it with `polarity convert`);
  // the head's weights are the same.
  "ort-int8": () => onnxruntime("/bench/.tmp/polarity-int8.onnx"),
  "tfjs-wasm": () => tensorflow("wasm"),
  "tfjs-cpu": () => tensorflow("cpu"),
};

/** With typed ids the engines can take without copying. */
function prepare(review) {
  return { ...review, ids32: Int32Array.from(review.ids), ids64: BigInt64Array.from(review.ids, BigInt) };
}

const now = () => performance.now();
let engine;
let sample;
let training;
const heap = () => performance.memory?.usedJSHeapSize ?? null;
let peakHeap = 0;
const notePeak = () => (peakHeap = Math.max(peakHeap, heap() ?? 0));

/** Sorted-array quantile (nearest rank). */
const quantile = (sorted, q) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil(sorted.length * q))) - 1];

window.bench = {
  // Navigation -> engine downloaded, instantiated, model loaded, first review scored.
  ready: (async () => {
    engine = await ENGINES[ENGINE]();
    const first = prepare(window.BENCH_FIRST);
    const score = await engine.one(first);
    const coldMs = now();
    notePeak();
    // Each performance mark the engine's load left (polarity's: page script, import, init, file,
    // engine, classifier), and the first score, in ms since navigation.
    const marks = Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime]));
    return { coldMs, score, marks };
  })(),

  /** JS heap after a full GC (Chromium runs with --expose-gc), wasm memory (never shrinks). */
  memory() {
    window.gc?.();
    return { jsHeapBytes: heap(), wasmBytes: window.__wasmMemoryBytes(), peakJsHeapBytes: peakHeap };
  },

  async loadSample() {
    const [s, t] = await Promise.all(["sample", "train"].map((f) =>
      fetch(`/bench/.tmp/${f}.json`).then((r) => r.json())));
    sample = s.map(prepare);
    training = t.map(prepare);
    return sample.length;
  },

  /** Reviews per second scoring each review alone; keeps the scores for the agreement check. */
  async oneAtATime() {
    const scores = new Float64Array(sample.length);
    const started = now();
    for (let i = 0; i < sample.length; i++) scores[i] = await engine.one(sample[i]);
    const perSecond = sample.length / ((now() - started) / 1000);
    notePeak();
    return { perSecond, scores: Array.from(scores) };
  },

  /** Reviews per second in batches of `size`, in sample order (each scored in runs of texts of like length). */
  async batches(size) {
    const scores = [];
    const started = now();
    for (let at = 0; at < sample.length; at += size) {
      scores.push(...await engine.batch(sample.slice(at, at + size)));
    }
    const perSecond = sample.length / ((now() - started) / 1000);
    notePeak();
    return { perSecond, scores };
  },

  // The page clock ticks in 100 us steps (no cross-origin isolation), so each review is scored
  // back to back for `windowMs` and its latency is the mean of those calls.
  async latency(windowMs) {
    const micros = new Float64Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      let calls = 0;
      const started = now();
      let elapsed;
      do {
        await engine.one(sample[i]);
        calls += 1;
        elapsed = now() - started;
      } while (elapsed < windowMs);
      micros[i] = (elapsed * 1000) / calls;
    }
    notePeak();
    const typical = sample.map((r, i) => [r.words, micros[i]])
      .filter(([words]) => words >= 200 && words <= 260).map(([, us]) => us).sort((a, b) => a - b);
    const sorted = Array.from(micros).sort((a, b) => a - b);
    return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), p50Typical: quantile(typical, 0.5),
      typicalReviews: typical.length };
  },

  /** Training examples per second (examples x epochs / training time, setup excluded). */
  async fineTune(options) {
    if (!engine.fineTune) return null;
    let result;
    try {
      result = await engine.fineTune(training, options);
    } catch (e) {
      return { error: e.message }; // e.g. a kernel the backend lacks: a finding, not a crash
    }
    const { epochs, millis } = result;
    notePeak();
    return { perSecond: (training.length * epochs) / (millis / 1000), epochs, examples: training.length };
  },
};
