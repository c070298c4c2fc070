// The data sets, for the JS tests and the bench: where they are, and one reader for their
// LABEL<TAB>TEXT files, which reads them as the native CLI does (polarity::data::read_reviews).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { ROOT } from "./harness.mjs";

/** The data folder: POLARITY_DATA, else ../shared/data beside the repo. */
export const DATA = resolve(ROOT, process.env.POLARITY_DATA || "../shared/data");

/** The native CLI: POLARITY_BIN, else the release build. */
export const BIN = resolve(ROOT, process.env.POLARITY_BIN || "target/release/polarity");

/** A file under the data folder, e.g. dataFile("imdb/test.tsv.gz"). */
export const dataFile = (relative) => join(DATA, relative);

/**
 * `{ label, text }` for each LABEL<TAB>TEXT line of a file (gzipped if it ends in .gz); blank
 * lines and lines starting with # are skipped, and a line without a tab is an error.
 */
export function readLabelled(path) {
  const bytes = readFileSync(path);
  const content = (path.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
  const rows = [];
  content.split("\n").forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "" || line.startsWith("#")) return;
    const tab = line.indexOf("\t");
    if (tab < 0) throw new Error(`${path}: line ${i + 1}: no tab after the label`);
    rows.push({ label: line.slice(0, tab), text: line.slice(tab + 1) });
  });
  return rows;
}
