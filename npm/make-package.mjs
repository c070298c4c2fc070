// Writes pkg/package.json, pkg/README.md and the licence files (LICENSE-MIT, LICENSE-APACHE,
// NOTICE.md, and THIRD-PARTY.md from `cargo metadata`) of the npm package after wasm-bindgen has
// filled pkg/,
// and patches polarity.js where the Rust side cannot: the one rule it cannot keep (GUARD below), and
// a clear error for a call made before `init()` (NOT_READY). Name, version,
// description, license, repository and keywords come from Cargo.toml, so the crate and the npm
// package never disagree. Usage: node npm/make-package.mjs [pkgDir]
import { readFileSync, readdirSync, writeFileSync, copyFileSync, existsSync, appendFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = process.argv[2] ?? join(root, "pkg");
const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
// The [package] table only: the first lines up to the next table header.
const table = cargo.split(/^\[package\]\s*$/m)[1].split(/^\[/m)[0];
function field(name) {
  const m = table.match(new RegExp(`^${name}\\s*=\\s*(.+)$`, "m"));
  if (!m) throw new Error(`Cargo.toml [package] has no ${name}`);
  return JSON.parse(m[1].trim()); // TOML basic strings and string arrays are valid JSON here
}

for (const f of ["polarity.js", "polarity_bg.wasm", "polarity.d.ts"]) {
  if (!existsSync(join(pkgDir, f))) throw new Error(`${pkgDir}/${f} is missing: run wasm-bindgen first`);
}

// wasm-bindgen's free() forgets the object's pointer before Rust is asked, so a free() from inside
// fineTune's onProgress left a dead instance (Rust refuses to drop a borrowed object, too late),
// while fineTune went on to return a report; and any other call on the classifier being trained
// failed deep in the glue ("recursive use of an object"), as did calls on a freed one ("null
// pointer passed to rust"). Refused here, before the glue runs, with a message that says why;
// free() of a freed classifier does nothing, as `using` after an explicit free() needs.
const GUARD = `
// Added by polarity's npm/make-package.mjs: a classifier refuses calls while one of its methods
// runs (from fineTune's onProgress, or from a getter its arguments call) and once it is freed,
// and a method called on something that is not a Classifier, with messages that say so.
const polarityBusy = new WeakMap();
function polarityCheck(clf, name) {
  // Not one made by the package ({}, Object.create(Classifier.prototype)): the glue read its
  // pointer as undefined and said "null pointer passed to rust", leaking stack each time.
  if (typeof clf?.__wbg_ptr !== "number") {
    throw new TypeError(name + "() must be called on a Classifier (new Classifier(), fromBytes() or fromPretrained())");
  }
  const busy = polarityBusy.get(clf);
  if (busy !== undefined) {
    throw new Error(name + "() during " + busy + "() is refused: call it after " + busy + "() returns");
  }
  if (clf.__wbg_ptr === 0) {
    throw new Error(name + "() on a freed Classifier: free() released it; make a new one");
  }
}
for (const name of Object.getOwnPropertyNames(Classifier.prototype)) {
  const method = Object.getOwnPropertyDescriptor(Classifier.prototype, name).value;
  if (name === "constructor" || name === "free" || name.startsWith("__") || typeof method !== "function") continue;
  Classifier.prototype[name] = function (...args) {
    polarityCheck(this, name);
    polarityBusy.set(this, name);
    try {
      return method.apply(this, args);
    } finally {
      polarityBusy.delete(this);
    }
  };
}
const polarityFree = Classifier.prototype.free;
Classifier.prototype.free = function () {
  if (typeof this?.__wbg_ptr !== "number") {
    throw new TypeError("free() must be called on a Classifier (new Classifier(), fromBytes() or fromPretrained())");
  }
  const busy = polarityBusy.get(this);
  if (busy !== undefined) {
    throw new Error("free() during " + busy + "() is refused: free the classifier after " + busy + "() returns");
  }
  if (this.__wbg_ptr !== 0) polarityFree.call(this);
};
if (Symbol.dispose) Classifier.prototype[Symbol.dispose] = Classifier.prototype.free;
`;
const glue = join(pkgDir, "polarity.js");
if (!readFileSync(glue, "utf8").includes("polarityBusy")) appendFileSync(glue, GUARD);

// Before init() the glue's \`wasm\` is undefined, and \`new Classifier()\` failed with "Cannot read
// properties of undefined (reading 'classifier_new')". It now starts as a stand-in whose every
// property throws an Error that says what to do; init() replaces it as before.
const NOT_READY = `new Proxy({}, { get() { throw new Error("polarity is not loaded yet: call \`await init()\` (the package's default export) once before using Classifier"); } })`;
let source = readFileSync(glue, "utf8");
if (!source.includes("polarityNotReady")) {
  const patches = [
    ["let wasmModule, wasmInstance, wasm;", `let wasmModule, wasmInstance, wasm = ${NOT_READY};\nconst polarityNotReady = wasm;`, 1],
    ["if (wasm !== undefined) return wasm;", "if (wasm !== polarityNotReady) return wasm;", 2],
    // An initSync() while an init() was loading made a second instance, and the pending init()
    // then replaced the first: every classifier made in between trapped ("memory access out of
    // bounds"). The first instance made stays the one.
    // Its load failing then is no failure: the module is loaded.
    [
      "    const { instance, module } = await __wbg_load(await module_or_path, imports);\n",
      "    let loaded;\n" +
        "    try {\n" +
        "        loaded = await __wbg_load(await module_or_path, imports);\n" +
        "    } catch (e) {\n" +
        "        // polarity: an initSync() that ran meanwhile made the instance every classifier uses.\n" +
        "        if (wasm !== polarityNotReady) return wasm;\n" +
        "        throw e;\n" +
        "    }\n" +
        "    if (wasm !== polarityNotReady) return wasm;\n" +
        "    const { instance, module } = loaded;\n",
      1,
    ],
    // initSync(null) read null's prototype first ("Cannot convert undefined or null to object").
    ["    if (module !== undefined) {\n", "    if (module != null) {\n", 1],
    // initSync() with no wasm in a browser said "WebAssembly.Module(): Argument 0 must be a buffer
    // source"; Node's entry reads the package's own wasm then (NODE_ENTRY below).
    [
      "    const imports = __wbg_get_imports();\n    if (!(module instanceof WebAssembly.Module)) {",
      "    if (module == null) {\n" +
        "        throw new TypeError(\"initSync() needs the wasm: initSync({ module }) with the bytes of polarity_bg.wasm or a WebAssembly.Module (await init() fetches it; in Node, initSync() reads the package's own)\");\n" +
        "    }\n" +
        "    const imports = __wbg_get_imports();\n    if (!(module instanceof WebAssembly.Module)) {",
      1,
    ],
    // \`new Classifier(bytes)\` or \`new Classifier({ labels })\` gave the bundled sentiment model
    // without a word. A subclass's constructor may take arguments of its own.
    [
      "    constructor() {\n        const ret = wasm.classifier_new();",
      "    constructor() {\n" +
        "        if (new.target === Classifier && arguments.length > 0 && arguments[0] != null) {\n" +
        "            throw new TypeError(\"new Classifier() takes no arguments: it loads the bundled sentiment model. Classifier.fromBytes(bytes) loads a model file, Classifier.fromPretrained({ labels }) starts one for your labels\");\n" +
        "        }\n" +
        "        const ret = wasm.classifier_new();",
      1,
    ],
  ];
  for (const [from, to, times] of patches) {
    const found = source.split(from).length - 1;
    if (found !== times) throw new Error(`polarity.js: expected ${times} of ${JSON.stringify(from)}, found ${found} (a new wasm-bindgen?)`);
    source = source.replaceAll(from, to);
  }
  writeFileSync(glue, source);
}

// The declarations, as the patched glue and Node's entry behave: initSync() takes no argument in
// Node (its entry reads the package's own wasm), which the generated type refused.
const types = join(pkgDir, "polarity.d.ts");
let declared = readFileSync(types, "utf8");
const initSyncType = "export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;";
if (declared.includes(initSyncType)) {
  declared = declared.replace(initSyncType,
    "export function initSync(module?: { module?: SyncInitInput } | SyncInitInput): InitOutput;");
  declared = declared.replace(" * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated.\n",
    " * @param {{ module: SyncInitInput }} module - Passing `SyncInitInput` directly is deprecated. In Node it may\n" +
    " * be left out: polarity's Node entry then reads the package's own wasm. A browser must pass it.\n");
  writeFileSync(types, declared);
} else if (!declared.includes("module?: { module?: SyncInitInput }")) {
  throw new Error("polarity.d.ts: initSync's declaration is not the expected one (a new wasm-bindgen?)");
}

// Node's entry (the "node" condition below): the same module, with an init() that, given no
// wasm, reads the package's own from disk. The browser entry's init() fetches it, and Node's fetch
// has no file: URLs, so `await init()` failed there with "fetch failed".
const NODE_ENTRY = `// Written by npm/make-package.mjs: polarity for Node, where init() reads the wasm from disk.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import init, { initSync as initSyncFromBytes } from "./polarity.js";
export * from "./polarity.js";

// Node's fetch reads no file: URLs and no paths, so one given is read from disk here, as is the
// package's own wasm when none is given (no argument, null, or options without module_or_path).
// A path is a string that is no absolute URL ("./polarity_bg.wasm", "C:\\app\\x.wasm");
// fetch said only "Failed to parse URL" of one.
const isFileUrl = (p) => (p instanceof URL && p.protocol === "file:") || (typeof p === "string" && p.startsWith("file:"));
const isPath = (p) => typeof p === "string" && (!URL.canParse(p) || /^[a-zA-Z]:[\\\\/]/.test(p));
const fromDisk = (p) => readFile(isPath(p) ? p : new URL(String(p)));
const own = () => new URL("./polarity_bg.wasm", import.meta.url);
export default async function initNode(options) {
  const plain = options == null || Object.getPrototypeOf(options) === Object.prototype;
  const path = plain ? options?.module_or_path : undefined;
  if (plain && path == null) options = { ...options, module_or_path: await readFile(own()) };
  else if (plain && (isFileUrl(path) || isPath(path))) options = { ...options, module_or_path: await fromDisk(path) };
  else if (isFileUrl(options) || isPath(options)) options = { module_or_path: await fromDisk(options) };
  return init(options);
}

// initSync() with no module reads the package's own wasm, as init() does: it threw
// "WebAssembly.Module(): Argument 0 must be a buffer source", which did not say what to pass.
export function initSync(options) {
  const plain = options == null || Object.getPrototypeOf(options) === Object.prototype;
  if (plain && options?.module == null) options = { ...options, module: readFileSync(own()) };
  return initSyncFromBytes(options);
}
`;
writeFileSync(join(pkgDir, "polarity.node.js"), NODE_ENTRY);

// The licence texts and notices the package owes: the code's two licences, what the model was
// made from (NOTICE.md), and every crate compiled into the wasm. Without them the package shipped
// none of the texts its licences ask to be kept with copies.
const NOTICES = ["LICENSE-MIT", "LICENSE-APACHE", "NOTICE.md", "THIRD-PARTY.md"];

/**
 * THIRD-PARTY.md: each crate the wasm build depends on (normal dependencies, as it is built), its
 * licence and copyright lines, then the text of every distinct licence file they ship, as MIT and
 * the other licences ask to be kept with copies: files that differ only in their copyright lines
 * are given once, as the first crate's file reads, the others' lines being in the table.
 */
function thirdParty() {
  const json = execFileSync(process.env.CARGO ?? "cargo", [
    "metadata", "--format-version", "1", "--filter-platform", "wasm32-unknown-unknown",
    "--no-default-features", "--locked", "--manifest-path", join(root, "Cargo.toml"),
  ], { encoding: "utf8", maxBuffer: 1 << 28 });
  const meta = JSON.parse(json);
  const packages = new Map(meta.packages.map((p) => [p.id, p]));
  const nodes = new Map(meta.resolve.nodes.map((n) => [n.id, n]));
  const seen = new Set();
  const todo = [meta.resolve.root];
  while (todo.length > 0) {
    const id = todo.pop();
    if (seen.has(id)) continue;
    seen.add(id);
    for (const dep of nodes.get(id).deps) {
      if (dep.dep_kinds.some((k) => k.kind === null)) todo.push(dep.pkg);
    }
  }
  seen.delete(meta.resolve.root);
  const crates = [...seen].map((id) => packages.get(id)).sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const unlicensed = crates.filter((c) => !c.license);
  if (unlicensed.length > 0) throw new Error(`crates without a licence field: ${unlicensed.map((c) => c.name).join(", ")}`);
  // "Copyright (c) 2023 ...", not the Apache text's wrapped "copyright notice ..." lines nor its
  // appendix's template ("Copyright [yyyy] ...", "Copyright {yyyy} ...").
  const isCopyright = (line) => /^\W*(Copyright|COPYRIGHT)\b(?!\s*[[{]yyyy[\]}])(?! AND PERMISSION)/.test(line.trim());
  // Each distinct licence text (copyright lines aside), with the crates that ship it.
  const texts = new Map();
  const rows = crates.map((c) => {
    const dir = dirname(c.manifest_path);
    const files = readdirSync(dir, { withFileTypes: true })
      .filter((f) => f.isFile() && /^(licen[cs]e|copying|copyright|notice)/i.test(f.name))
      .map((f) => f.name)
      .sort();
    const copyright = new Set();
    const numbers = [];
    for (const f of files) {
      const text = readFileSync(join(dir, f), "utf8").trim();
      const lines = text.split(/\r?\n/);
      lines.filter(isCopyright).forEach((l) => copyright.add(l.trim()));
      // Alike but for their copyright lines: one text.
      const key = lines.filter((l) => !isCopyright(l)).join(" ").replace(/\s+/g, " ");
      if (!texts.has(key)) texts.set(key, { n: texts.size + 1, text, crates: [] });
      const entry = texts.get(key);
      entry.crates.push(`${c.name} (${f})`);
      numbers.push(entry.n);
    }
    const cell = (s) => s.replaceAll("|", "\\|");
    const said = files.length === 0 ? "no licence file in the crate" : `texts ${numbers.join(", ")}`;
    return `| ${c.name} | ${c.version} | ${cell(c.license)} | ${cell([...copyright].join("; ") || "-")} | ${said} |`;
  });
  const appendix = [...texts.values()].map((t) =>
    `### Text ${t.n}\n\nShipped by ${t.crates.join(", ")}.\n\n\`\`\`text\n${t.text}\n\`\`\`\n`);
  return `# Third-party crates\n\nThe Rust crates the wasm module is built from (and the macros that build it), as \`cargo metadata\`\n` +
    `resolves them for wasm32-unknown-unknown: each crate's licence, the copyright lines of its licence files,\n` +
    `and below, the text of every distinct licence file they ship (files that differ only in their copyright\n` +
    `lines are given once, as the first crate's reads; each crate's own lines are in the table).\n\n` +
    `| crate | version | licence | copyright | licence files |\n| --- | --- | --- | --- | --- |\n${rows.join("\n")}\n\n` +
    `## Licence texts\n\n${appendix.join("\n")}`;
}

const pkg = {
  name: field("name"),
  version: field("version"),
  description: field("description"),
  license: field("license"),
  repository: { type: "git", url: `git+${field("repository")}.git` },
  homepage: field("repository"),
  keywords: [...new Set([...field("keywords"), "sentiment-analysis", "webassembly", "browser", "offline"])],
  type: "module",
  main: "./polarity.js",
  module: "./polarity.js",
  types: "./polarity.d.ts",
  exports: {
    ".": { types: "./polarity.d.ts", node: "./polarity.node.js", import: "./polarity.js", default: "./polarity.js" },
    "./polarity_bg.wasm": "./polarity_bg.wasm",
    "./package.json": "./package.json",
  },
  files: ["polarity.js", "polarity.node.js", "polarity.d.ts", "polarity_bg.wasm", "polarity_bg.wasm.d.ts", "README.md", ...NOTICES],
  sideEffects: false,
  engines: { node: ">=20" },
};

writeFileSync(join(pkgDir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
copyFileSync(join(root, "npm", "README.md"), join(pkgDir, "README.md"));
for (const f of ["LICENSE-MIT", "LICENSE-APACHE", "NOTICE.md"]) copyFileSync(join(root, f), join(pkgDir, f));
writeFileSync(join(pkgDir, "THIRD-PARTY.md"), thirdParty());
console.log(`wrote ${pkgDir}/package.json (${pkg.name}@${pkg.version}), README.md and ${NOTICES.join(", ")}`);
