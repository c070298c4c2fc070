// A file's text, as the workers that read files get it (import-worker.js, file-worker.js): UTF-16
// when it starts with UTF-16's byte-order mark, else UTF-8, or, for a file that is not UTF-8,
// Windows-1252, as spreadsheets on Windows save "CSV" (Kaggle's
// spam.csv among them). Read as UTF-8 whatever it was, its "£" and "é" became "�" without a word.
// `encoding` says which, for the page to tell.
export async function readText(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  // UTF-16 with its byte-order mark, as Excel's "Unicode Text" saves: read as Windows-1252 it was
  // NULs between letters, and refused as "not text".
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? "utf-16le" : bytes[0] === 0xfe && bytes[1] === 0xff ? "utf-16be" : null;
  if (utf16) {
    try {
      return { text: new TextDecoder(utf16, { fatal: true }).decode(bytes), encoding: utf16 };
    } catch {
      // Not UTF-16 after all: read as below.
    }
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), encoding: "utf-8" };
  } catch {
    return { text: new TextDecoder("windows-1252").decode(bytes), encoding: "windows-1252" };
  }
}

/** What the page adds to its message about a file read as `encoding`. */
export function encodingNote(encoding) {
  if (encoding === "windows-1252") return " It is not UTF-8: it was read as Windows-1252 (as Excel saves CSV files).";
  if (encoding.startsWith("utf-16")) return " It was read as UTF-16 (as Excel saves \"Unicode Text\").";
  return "";
}
