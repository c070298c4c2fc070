// Writes pkg/package.json and pkg/README.md (the npm package) after wasm-bindgen has filled pkg/.
// Name, version, description, license, repository and keywords come from Cargo.toml, so the crate
// and the npm package never disagree. Usage: node npm/make-package.mjs [pkgDir]
import { readFileSync, writeFileSync, copyFileSync, existsSync } from "node:fs";
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
    ".": { types: "./polarity.d.ts", import: "./polarity.js", default: "./polarity.js" },
    "./polarity_bg.wasm": "./polarity_bg.wasm",
    "./package.json": "./package.json",
  },
  files: ["polarity.js", "polarity.d.ts", "polarity_bg.wasm", "polarity_bg.wasm.d.ts", "README.md"],
  sideEffects: false,
  engines: { node: ">=20" },
};

writeFileSync(join(pkgDir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
copyFileSync(join(root, "npm", "README.md"), join(pkgDir, "README.md"));
console.log(`wrote ${pkgDir}/package.json (${pkg.name}@${pkg.version}) and README.md`);
