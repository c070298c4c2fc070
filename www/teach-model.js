// Teach it, the model: edit the labels (add, rename, remove) and start a new classifier with them
// (checked by the package: Classifier.checkLabels), reset to the shipped model, download the model
// in use as .onnx (with the two lines that put it on a site) or as a whole site (site-kit.js), or
// load one. The model in use is kept in IndexedDB.
import * as store from "./store.js";
import { $, download, say } from "./ui.js";
import { siteKit } from "./site-kit.js";

// How the package's message names a label by its place, at its end ("... (label 3)") or before a
// colon ("(U+200B in label 2): ..."); the last such, not one inside a quoted label ("x (label 1):
// y" given twice).
const NAMES_LABEL = /\((?:U\+[0-9A-F]+ in )?label (\d+)\)(?::|$)/g;

export function setupModel(demo, state) {
  const { Classifier } = demo;
  const modelMsg = $("model-msg");
  /**
   * Says so when `saving` (the browser recording a change) fails: the change holds in this page,
   * and a reload would undo it without a word. After the change's own message. Noted as this
   * tab's own (state.modelSaved): a training here then saves onto it.
   */
  const reportSave = (saving) => state.modelSaved(saving).catch((err) => say(modelMsg, `${modelMsg.textContent} ` +
    `It could not be saved in this browser (${store.storageProblem(err)}): after a reload it will be undone.`, "error"));

  // The label editor: one row per label. Each row remembers the label it started as, so that a
  // renamed label renames its examples.
  const editor = $("label-editor");
  function editorRow(name, original) {
    const li = document.createElement("li");
    const input = document.createElement("input");
    input.type = "text";
    // No maxlength: it cut a longer label silently; the package says what the limit is.
    input.value = name;
    input.dataset.original = original ?? "";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn";
    remove.textContent = "Remove";
    remove.addEventListener("click", () => {
      // The focus goes to the label now in this one's place (the one before, for the last), not
      // back to label 1.
      const next = li.nextElementSibling ?? li.previousElementSibling;
      li.remove();
      numberRows();
      next?.querySelector("input")?.focus();
    });
    li.append(input, remove);
    return li;
  }
  // The package's rule, shown as it is (the help's "2 to 32 labels", the Remove and Add buttons).
  const { min, max } = Classifier.labelLimits();
  $("labels-range").textContent = `${min} to ${max} labels`;
  function numberRows() {
    const rows = [...editor.children];
    $("add-label").disabled = rows.length >= max || $("teach").dataset.training === "true";
    rows.forEach((li, i) => {
      const [input, remove] = li.children;
      if (i < 2) input.id = i === 0 ? "new-label-a" : "new-label-b";
      else input.removeAttribute("id");
      input.setAttribute("aria-label", `Label ${i + 1}`);
      remove.setAttribute("aria-label", `Remove label ${i + 1}`);
      remove.disabled = rows.length <= min;
    });
  }
  // Rows drawn by showLabels: fewer or more now, or a name changed, and the person is editing.
  let drawn = 0;
  const edited = () => {
    const inputs = [...editor.querySelectorAll("input")];
    return inputs.length !== drawn || inputs.some((i) => i.value.trim() !== i.dataset.original);
  };
  /**
   * The editor shows the labels in use; names being edited are kept (another tab beginning a
   * classifier wiped what was typed here) unless `force` (this tab's own new labels).
   */
  function showLabels({ force = false } = {}) {
    if (!force && edited()) return;
    const labels = state.activeLabels();
    editor.replaceChildren(...labels.map((l) => editorRow(l, l)));
    drawn = labels.length;
    numberRows();
  }
  // Ticked or unticked once the labels are in use: the new classifier, not trained yet, follows.
  $("new-scopes").addEventListener("change", () => {
    // It chooses how a new classifier begins: a trained one keeps what it has (ticked, it
    // changed nothing, without a word).
    if (!state.pendingLabels) {
      say(modelMsg, `This applies to a new classifier: press "Use these labels" to begin one ${$("new-scopes").checked ? "that reads" : "that does not read"} negation and contrast.`);
      return;
    }
    state.pendingScopes = $("new-scopes").checked;
    reportSave(store.savePendingLabels(state.pendingLabels, state.pendingScopes));
    state.refreshLabels();
  });
  $("add-label").addEventListener("click", () => {
    const row = editorRow("", null);
    editor.append(row);
    numberRows();
    row.querySelector("input").focus();
  });

  /** Starts a new classifier with the editor's labels (as "Use these labels"); false if it cannot. */
  function useEditorLabels() {
    const inputs = [...editor.querySelectorAll("input")];
    const labels = inputs.map((i) => i.value.trim());
    for (const input of inputs) {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
    try {
      Classifier.checkLabels(labels);
    } catch (err) {
      const message = String(err?.message ?? err);
      // The package names a refused label by its place (none for too few or too many).
      const named = [...message.matchAll(NAMES_LABEL)].at(-1);
      const at = named ? Number(named[1]) - 1 : -1;
      say(modelMsg, `These labels cannot name a classifier: ${message}.`, "error");
      // As the Epochs field: the label marked, and the message read with it where the focus lands.
      if (inputs[at]) {
        inputs[at].setAttribute("aria-invalid", "true");
        inputs[at].setAttribute("aria-describedby", "model-msg");
        inputs[at].focus();
      }
      return false;
    }
    // Renamed labels take their examples along.
    const renamed = new Map(inputs
      .filter((i) => i.dataset.original && i.dataset.original !== i.value.trim())
      .map((i) => [i.dataset.original, i.value.trim()]));
    const moved = state.examples.filter((ex) => renamed.has(ex.label)).length;
    if (moved) state.changeExamples({ kind: "rename", names: renamed });
    state.pendingLabels = labels;
    state.pendingScopes = $("new-scopes").checked;
    showLabels({ force: true });
    state.refreshLabels();
    const names = labels.map((l) => `"${l}"`).join(" / ");
    say(modelMsg, `New classifier ${names}: label examples with these names, then fine-tune.` +
      (moved ? ` ${moved} example${moved === 1 ? "" : "s"} renamed.` : ""));
    reportSave(store.savePendingLabels(labels, state.pendingScopes));
    return true;
  }
  $("new-classifier").addEventListener("click", useEditorLabels);
  // A file's own labels (an import found none of the classifier's): the editor shows them and
  // a new classifier takes them, as if typed in and "Use these labels" pressed.
  state.useLabels = (labels) => {
    editor.replaceChildren(...labels.map((l) => editorRow(l, null)));
    numberRows();
    return useEditorLabels();
  };

  $("reset-model").addEventListener("click", async () => {
    // A model of one's own is deleted from the browser for good: asked first, as "Delete all" is.
    if (demo.currentBytes() && !confirm(`Reset to the shipped model? The model in use (${state.modelLabels().join(" / ")}) ` +
      "is deleted from this browser: download it first to keep it.")) return;
    state.pendingLabels = null;
    state.pendingScopes = false;
    state.start = store.SHIPPED_START;
    demo.setClassifier(new Classifier(), null);
    state.refreshLabels();
    say(modelMsg, "Back to the shipped model. Your labelled examples are kept.");
    await reportSave(store.useModel(null, state.start));
  });

  /**
   * A model file's name, from its labels and its bytes: each model downloaded gets a name of its
   * own. All were "polarity-model.onnx", so the browser saved a second one as
   * "polarity-model (1).onnx" while the snippet beside it named the first.
   */
  function modelFileName(labels, bytes) {
    const slug = labels.join("-").toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 40).replace(/^-+|-+$/g, "");
    let hash = 0x811c9dc5;
    for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
    return `polarity-${slug ? `${slug}-` : ""}${(hash >>> 0).toString(16).padStart(8, "0")}.onnx`;
  }

  /** What a download holds: the model in use, and, while a new classifier waits, that it is not it. */
  function downloaded(name) {
    const waiting = state.pendingLabels
      ? ` The new classifier (${state.pendingLabels.join(" / ")}) is not in it: fine-tune it first, then download again.`
      : "";
    return `Downloaded ${name}, the model in use (${state.modelLabels().join(" / ")}).${waiting}`;
  }

  $("download-model").addEventListener("click", () => {
    const bytes = demo.getClassifier().toBytes();
    const name = modelFileName(state.modelLabels(), bytes);
    download(name, new Blob([bytes], { type: "application/octet-stream" }));
    say(modelMsg, downloaded(name), state.pendingLabels ? "error" : undefined);
    $("embed-code").textContent =
      `<script type="module" src="embed.js"></script>\n<polarity-review model="${name}"></polarity-review>`;
    $("embed-snippet").hidden = false;
    snippetOf = demo.getClassifier();
  });

  // The snippet is for the model downloaded: it goes once another is in use (it stayed after
  // Reset, naming a file of a model no longer in use).
  let snippetOf = null;
  state.forgetStaleSnippet = () => {
    if (snippetOf === null || snippetOf === demo.getClassifier()) return;
    snippetOf = null;
    $("embed-snippet").hidden = true;
  };

  const siteButton = $("download-site");
  siteButton.addEventListener("click", async () => {
    // Not `disabled` while it builds: a focused button that is disabled drops the focus to the
    // page's start. It stays focusable, marked, and a press meanwhile does nothing.
    if (siteButton.getAttribute("aria-disabled") === "true") return;
    siteButton.setAttribute("aria-disabled", "true");
    say(modelMsg, "Building the site…");
    try {
      const { name, blob } = await siteKit(demo.getClassifier().toBytes());
      download(name, blob);
      say(modelMsg, `${downloaded(name)} Unzip it onto any static host and open index.html there (README.txt says how).`,
        state.pendingLabels ? "error" : undefined);
    } catch (err) {
      say(modelMsg, `Could not build the site: ${err?.message ?? err}`, "error");
    } finally {
      siteButton.removeAttribute("aria-disabled");
    }
  });

  const modelFile = $("load-model-file");
  modelFile.addEventListener("change", async () => {
    const file = modelFile.files[0];
    modelFile.value = "";
    if (!file) return;
    let clf, bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
      clf = Classifier.fromBytes(bytes);
    } catch (err) {
      say(modelMsg, `${file.name} is not a polarity model: ${err?.message ?? err}. Nothing changed.`, "error");
      return;
    }
    // A model of one's own is replaced for good: asked first, as Reset asks.
    if (demo.currentBytes() && !confirm(`Load ${file.name}? The model in use (${state.modelLabels().join(" / ")}) ` +
      "is replaced in this browser: download it first to keep it.")) {
      clf.free();
      say(modelMsg, `${file.name} was not loaded. Nothing changed.`);
      return;
    }
    state.pendingLabels = null;
    state.pendingScopes = false;
    // Fine-tuned from here on: the file as it was loaded is where training begins.
    state.start = { kind: "file", bytes };
    demo.setClassifier(clf, bytes);
    state.refreshLabels();
    say(modelMsg, `Loaded ${file.name} (${state.modelLabels().join(" / ")}).`);
    await reportSave(store.useModel(bytes, state.start));
  });

  return { showLabels };
}
