// A file's text, as the workers that read files get it (import-worker.js, file-worker.js): UTF-8,
// or, for a file that is not UTF-8, Windows-1252, as spreadsheets on Windows save "CSV" (Kaggle's
// spam.csv among them). Read as UTF-8 whatever it was, its "£" and "é" became "�" without a word.
// `encoding` says which, for the page to tell.
export async function readText(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    return { text: new TextDecoder("windows-1252").decode(bytes), encoding: "windows-1252" };
  }
}

/** What the page adds to its message about a file read as `encoding`. */
export function encodingNote(encoding) {
  return encoding === "windows-1252" ? " It is not UTF-8: it was read as Windows-1252 (as Excel saves CSV files)." : "";
}
