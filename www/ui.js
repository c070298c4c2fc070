// Small DOM helpers shared by the demo's modules.

export const $ = (id) => document.getElementById(id);

/** Shows `text` in a message element; `kind` "error" styles it as one. */
export function say(el, text, kind = "info") {
  el.textContent = text;
  el.dataset.kind = kind;
}

/** Offers `blob` as a file download named `name`. */
export function download(name, blob) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
