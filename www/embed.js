// <polarity-review>: a review box with a live verdict for any static page. Two lines of HTML:
//   <script type="module" src="https://your.site/polarity/embed.js"></script>
//   <polarity-review model="my-classifier.onnx"></polarity-review>
// The wasm package is found next to this file (./pkg/, resolved from import.meta.url), loaded once
// and shared by every box on the page. Attributes: model (a classifier saved by the demo's
// "Download model" or `toBytes()`, resolved against the page; without it, the bundled sentiment
// model; changing it loads the new one), label, placeholder, name (the box is a form field:
// a form it is in submits its text under that name, a reset empties it, a disabled fieldset
// disables it, `required` stops a submit while it is blank), aria-label and aria-labelledby (the
// textarea's name). `.value` reads and sets the text. Each box fires a `polarity` event whose
// detail is the prediction with every label's probability in `scores` and whether the box says
// it is unsure (`unsure`: the two likeliest labels are close) (none for an empty box:
// its `input` events, which cross the shadow root, say when it was emptied). User text is only
// ever set through .value / textContent.
import { BOX_LIMIT, allScores, announcer, isBlank, isUnsure, percent, readsNothing, shownLabel, unreadVerdict, verdict } from "./verdict.js";

const PKG = new URL("./pkg/polarity.js", import.meta.url).href;
// The file polarity.js instantiates (wasm-bindgen's default, next to it).
const WASM = new URL("./pkg/polarity_bg.wasm", import.meta.url).href;

/**
 * A failure to instantiate the package, naming its file: "expected magic word 00 61 73 6d, found
 * 3c 21 64 6f" (a host answering a missing file with its index page) said neither which file
 * nor why.
 */
function wasmFailure(err) {
  const message = err?.message ?? String(err);
  // Only a failure of the network (a fetch's TypeError) may go when the browser is back online.
  const permanent = !(err instanceof TypeError);
  if (message.includes(WASM)) return Object.assign(new Error(message), { permanent });
  const hint = /magic word/.test(message)
    ? " (what came back is not WebAssembly: a web page, perhaps; is the file at that address?)"
    : "";
  return Object.assign(new Error(`could not load ${WASM}: ${message}${hint}`), { permanent });
}

let wasm = null;
let failedLoads = 0;
function polarity() {
  // After a failure, the package is asked for at another address: a browser keeps a failed
  // module import for the page's life, under its address.
  const url = failedLoads ? `${PKG}?retry=${failedLoads}` : PKG;
  wasm ??= import(url)
    .then(async (m) => {
      await m.default().catch((err) => {
        throw wasmFailure(err);
      });
      return m;
    })
    .catch(async (err) => {
      // Forgotten, so that a model named later (or again) tries again: kept, one failed
      // download (offline, a 5xx) failed every box of the page for good.
      wasm = null;
      failedLoads += 1;
      throw await refusedByPolicy(err, WASM);
    });
  return wasm;
}

// Addresses the page's Content-Security-Policy refused to fetch (connect-src, or default-src in
// its stead): a fetch it blocks fails as "Failed to fetch", which named no cause.
const refused = new Set();
addEventListener("securitypolicyviolation", (e) => {
  // Enforced only: a report-only policy blocks nothing, and a failure there has another cause.
  if (e.disposition === "enforce" && e.effectiveDirective === "connect-src" && e.blockedURI) refused.add(e.blockedURI);
});

/** `err`, saying so when the page's policy refused `url` (its event may come a task after the failure). */
async function refusedByPolicy(err, url) {
  await new Promise((later) => setTimeout(later));
  if (!refused.has(url) && !refused.has(new URL(url).origin)) return err;
  // Refused by the page, not the network: tried again at "online", it would fail the same way.
  return Object.assign(new Error(`${err?.message ?? err} (blocked by the page's Content-Security-Policy: connect-src)`), { permanent: true });
}

/**
 * One classifier per model URL ("" for the bundled one), shared by every box that names it:
 * `{ promise, users }`. A model no box names any more is freed (a page swapping models would keep
 * every one's memory), and a load that failed is forgotten, so that naming the model again tries
 * again.
 */
const classifiers = new Map();

/** The classifier for the `model` attribute, counted as used: its entry, `{ url, promise, users }`. */
function acquire(model) {
  let url = "";
  try {
    url = model ? new URL(model, document.baseURI).href : "";
  } catch {
    const bad = Object.assign(new Error(`the model attribute "${model}" is not an address`), { permanent: true });
    return { url: null, promise: Promise.reject(bad), users: 1 };
  }
  if (!classifiers.has(url)) {
    // The model downloads while the package does (one after the other, it waited for the wasm).
    // Every error names the address it was looked for at: the attribute is resolved against the
    // page, and a model put next to embed.js is not found from a page in another folder.
    const bytes = url
      ? fetch(url).then(async (response) => {
        // A server's "no" (404) stands until the page names another model; its 5xx may not.
        if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { permanent: response.status < 500 });
        return new Uint8Array(await response.arrayBuffer());
      })
      : null;
    bytes?.catch(() => {}); // said through `promise`, not as an unhandled rejection
    const promise = polarity().then(async ({ Classifier }) => {
      if (!url) return new Classifier();
      try {
        return Classifier.fromBytes(await bytes);
      } catch (err) {
        const failure = await refusedByPolicy(new Error(`could not load ${url}: ${err?.message ?? err}`), url);
        // Not a network failure (a fetch's TypeError): not a model, or refused by the server.
        failure.permanent ??= err?.permanent ?? !(err instanceof TypeError);
        throw failure;
      }
    });
    promise.catch(() => classifiers.get(url)?.promise === promise && classifiers.delete(url));
    classifiers.set(url, { url, promise, users: 0 });
  }
  const entry = classifiers.get(url);
  entry.users += 1;
  return entry;
}

/** One box fewer uses `entry`'s classifier; the last one frees it (a failed one is gone already). */
function release(entry) {
  if (--entry.users > 0 || classifiers.get(entry.url) !== entry) return;
  classifiers.delete(entry.url);
  entry.promise.then((clf) => clf.free(), () => {});
}

// Parts (label, label-text, textarea, status, bar, fill, scores) and custom properties
// (--polarity-positive, --polarity-negative, --polarity-border, --polarity-focus) let a page
// restyle the inside.
const STYLE = `
  :host { display: block; font-family: system-ui, sans-serif; color: #1c2330; background: #fff; max-width: 36rem; }
  :host([hidden]) { display: none; }
  label { display: block; font-weight: 600; margin-bottom: 0.3rem; }
  textarea { width: 100%; box-sizing: border-box; font: inherit; padding: 0.5rem; border: 1px solid var(--polarity-border, #8a94a6);
             border-radius: 6px; resize: vertical; min-height: 5rem;
             font-weight: 400; margin-top: 0.3rem; display: block; }
  textarea:focus-visible { outline: 3px solid var(--polarity-focus, #1f5fbf); outline-offset: 2px; }
  .row { display: flex; align-items: center; gap: 0.6rem; margin-top: 0.4rem; min-height: 1.6rem; }
  .bar { flex: 1; height: 8px; background: #e6e9ef; border-radius: 4px; overflow: hidden; }
  .fill { height: 100%; width: 0; background: #8a94a6; transition: width 120ms ease-out; }
  @media (forced-colors: active) { .fill { forced-color-adjust: none; } }
  @media (prefers-reduced-motion: reduce) { .fill { transition: none; } }
  [role=status] { font-weight: 700; min-width: 9rem; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .fill[data-index="0"] { background: #1f5fbf; } .fill[data-index="1"] { background: #a15c00; }
  .fill[data-index="2"] { background: #6b3fa0; } .fill[data-index="3"] { background: #0e7c86; }
  [data-label=positive] { color: var(--polarity-positive, #17803d); }
  .fill[data-label=positive] { background: var(--polarity-positive, #17803d); }
  [data-label=negative] { color: var(--polarity-negative, #b42318); }
  .fill[data-label=negative] { background: var(--polarity-negative, #b42318); }
  [hidden] { display: none !important; }
  ul { list-style: none; margin: 0.3rem 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.2rem 0.9rem;
       font-size: 0.9rem; color: #4a5568; }
`;

let styles = null;
function sheet() {
  if (!styles) {
    styles = new CSSStyleSheet();
    styles.replaceSync(STYLE);
  }
  return styles;
}

// Whether a box of this page took the focus for its `autofocus` (only the first does).
let autofocused = false;

// Longer texts are not read here (BOX_LIMIT): the box classifies on the page's main thread.
const MAX_CHARS = BOX_LIMIT;

// The textarea's name when nothing else names it (no label, aria-label or aria-labelledby).
const DEFAULT_LABEL = "Your review";

// What a required box left blank says: the browser's own words, in its language, as a
// textarea's ("Please fill out this field.").
let missingMessage = null;
function valueMissing() {
  missingMessage ??= Object.assign(document.createElement("textarea"), { required: true }).validationMessage ||
    "Please fill out this field.";
  return missingMessage;
}

// Boxes whose last load failed, tried again when the browser is back online: a box of the bundled
// model names no model that could be named again.
const failing = new Set();

class PolarityReview extends HTMLElement {
  static formAssociated = true;
  // Set later (a framework sets them after creating the box, a page may swap the model): followed.
  static observedAttributes = ["model", "label", "placeholder", "aria-label", "aria-labelledby", "required"];

  static {
    addEventListener("online", () => {
      for (const box of failing) if (box.isConnected && box.#failed) box.#load();
    });
  }

  #parts = null;
  #clf = null;
  #labels = [];
  #loads = 0;
  #failed = false; // the last load failed
  #failure = ""; // what it said, shown again over any other message once the text changes
  #held = null; // a text set through `value` too long for the box: kept out of it (see `value`)
  #entry = null;
  #frame = 0;
  #say = null;
  // Set before the box is on the page (a framework's property, a disabled fieldset): applied then.
  #text = "";
  #disabled = false;

  constructor() {
    super();
    this.internals = this.attachInternals();
  }

  connectedCallback() {
    if (this.#parts) {
      this.#nameBox(); // aria-labelledby's ids, looked up where it now is
      if (!this.#entry) this.#load(); // added again after its model was let go
      return;
    }
    // Set on the element before it was defined (embed.js loads as a module, after a framework
    // may have made the box): an own property hid the accessor for good.
    for (const property of ["value", "name", "model", "label", "placeholder", "required"]) {
      if (Object.hasOwn(this, property)) {
        const value = this[property];
        delete this[property];
        this[property] = value;
      }
    }
    // Focus given to the element (el.focus(), autofocus, a <label for>) goes to its textarea. A
    // shadow root already there (rendered on a server) is replaced: its parts are not this code's.
    const root = this.internals.shadowRoot ?? this.attachShadow({ mode: "open", delegatesFocus: true });
    root.replaceChildren();
    // A constructed stylesheet, not a <style> element: a strict CSP (style-src 'self') allows it.
    root.adoptedStyleSheets = [sheet()];
    const label = document.createElement("label");
    label.part = "label";
    // The text in a part of its own: a page can hide it without hiding the box the label holds.
    const labelSpan = document.createElement("span");
    labelSpan.part = "label-text";
    const labelText = document.createTextNode(this.getAttribute("label") ?? DEFAULT_LABEL);
    labelSpan.append(labelText);
    const box = document.createElement("textarea");
    box.part = "textarea";
    box.placeholder = this.getAttribute("placeholder") ?? "What did you think?";
    label.append(labelSpan, box);
    const row = document.createElement("div");
    row.className = "row";
    const out = document.createElement("span");
    out.part = "status";
    out.setAttribute("role", "status");
    // Not read out on every keystroke: `live` says the verdict once the person pauses.
    out.setAttribute("aria-live", "off");
    // Read with the box: back in it, a screen reader says the verdict (the live region is emptied
    // once heard). Both are in this shadow root, where the id is looked up.
    out.id = "status";
    box.setAttribute("aria-describedby", out.id);
    const live = document.createElement("span");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    this.#say = announcer(live);
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.part = "bar";
    bar.setAttribute("aria-hidden", "true");
    const fill = document.createElement("div");
    fill.className = "fill";
    fill.part = "fill";
    bar.append(fill);
    row.append(out, bar);
    // Every label's probability, for models of more than two labels.
    const list = document.createElement("ul");
    list.part = "scores";
    list.hidden = true;
    root.append(label, row, list, live);
    this.#parts = { labelText, box, out, fill, list };
    box.value = this.#text;
    box.readOnly = this.#held !== null;
    box.disabled = this.#disabled;
    this.#nameBox();
    // A label whose text changed since is read with its new text.
    box.addEventListener("focus", () => this.#nameBox());
    // In a form from the start, as a textarea is: an untouched box submits its name with "".
    this.internals.setFormValue(this.value);
    this.#validate();
    // A held text (see `value`) is not dropped here: the box is read-only while it is held.
    box.addEventListener("input", () => this.#changed());
    // A textarea's change (on leaving it changed) does not cross the shadow root: fired again on
    // the element, for `v-model.lazy` and change listeners.
    box.addEventListener("change", () => this.dispatchEvent(new Event("change", { bubbles: true })));
    // A paste or a drop past MAX_CHARS is kept out of the box (and stays on the clipboard): a
    // textarea holding millions of characters took 650 ms to lay out and 300-460 ms a key after.
    const tooLong = (e, inserted) => {
      if (box.value.length - (box.selectionEnd - box.selectionStart) + inserted.length <= MAX_CHARS) return;
      e.preventDefault();
      this.#show(`Too long to paste here: ${inserted.length} characters (at most ${MAX_CHARS})`);
    };
    box.addEventListener("paste", (e) => tooLong(e, e.clipboardData?.getData("text/plain") ?? ""));
    box.addEventListener("drop", (e) => {
      // A file dropped on the box opened in place of the page, and what was typed was gone.
      if (e.dataTransfer?.types?.includes("Files")) {
        e.preventDefault();
        this.#show("A file cannot be dropped here: paste its text instead");
        return;
      }
      tooLong(e, e.dataTransfer?.getData("text/plain") ?? "");
    });
    // `autofocus` on the element: the browser looked for something to focus when the element was
    // parsed, before this module gave it a shadow root, and found nothing. Honoured here for the
    // first such box of the page, unless something else has the focus by now.
    if (this.hasAttribute("autofocus") && !autofocused &&
        (!document.activeElement || document.activeElement === document.body)) {
      autofocused = true;
      box.focus();
    }
    this.#load();
  }

  /** The text changed: the form's value at once (also while the model loads), the verdict next frame. */
  #changed() {
    this.internals.setFormValue(this.value);
    this.#validate();
    if (this.#clf) this.#frame ||= requestAnimationFrame(() => this.#update());
    // With no classifier, why stays said: a refused paste's message hid it for good.
    else if (this.#failed && this.#parts) this.#show(this.#failure, false);
    // Said while the model loads too: the box is read-only, and the status says why.
    else if (this.#held !== null && this.#parts) this.#show(this.#heldMessage());
  }

  /** What the status says of a text too long for the box, set by the page (see `value`). */
  #heldMessage() {
    return `Too long to read here: ${this.#held.length} characters (at most ${MAX_CHARS}), set by the page ` +
      "and kept out of the box, which is read-only until the page sets .value or the form is reset";
  }

  // `required`, as a textarea's: a blank box (spaces alone too: nothing to classify) stops its
  // form's submit, the browser's message shown at the textarea.
  #validate() {
    if (this.hasAttribute("required") && isBlank(this.value)) {
      this.internals.setValidity({ valueMissing: true }, valueMissing(), this.#parts?.box);
    } else {
      this.internals.setValidity({});
    }
  }

  /**
   * Names the textarea (its aria-label, always: a name from the label's text alone was lost with
   * label="" or the text hidden): the element's aria-labelledby, its ids looked up in the
   * element's own tree (they do not reach into the shadow root), else its aria-label, else the
   * label, else a <label for> of the element, else "Your review".
   */
  #nameBox() {
    if (!this.#parts) return;
    const { labelText, box } = this.#parts;
    const clean = (text) => (text ?? "").replace(/\s+/g, " ").trim();
    const root = this.getRootNode();
    const ids = clean(this.getAttribute("aria-labelledby")).split(" ").filter(Boolean);
    const named = ids.map((id) => root.getElementById?.(id)).filter(Boolean)
      .map((el) => clean(el.getAttribute("aria-label")) || clean(el.textContent));
    const outside = [...(this.internals.labels ?? [])].map((el) => clean(el.textContent));
    const name = clean(named.join(" ")) || clean(this.getAttribute("aria-label")) || clean(labelText.data) ||
      clean(outside.join(" ")) || DEFAULT_LABEL;
    if (box.getAttribute("aria-label") !== name) box.setAttribute("aria-label", name);
  }

  // A form reset empties the box (its text and the value it submits), as it does a textarea, and
  // lets a text held by `value` go.
  formResetCallback() {
    this.value = "";
  }

  // Back to a page with a form (or a restored tab), the browser gives back what was typed, as it
  // does a textarea's: the state is the text, the value setFormValue was given.
  formStateRestoreCallback(state) {
    if (typeof state === "string") this.value = state;
  }

  /** The form field's name, its form, and its type, as a textarea's (`form.elements` lists them). */
  get name() {
    return this.getAttribute("name");
  }

  // The attributes as properties too: a framework binding them as properties (Lit's `.model`,
  // Angular's `[model]`) set a property nothing read, and the box loaded the bundled model.
  get model() {
    return this.getAttribute("model");
  }

  set model(value) {
    this.#reflect("model", value);
  }

  get label() {
    return this.getAttribute("label");
  }

  set label(value) {
    this.#reflect("label", value);
  }

  get placeholder() {
    return this.getAttribute("placeholder");
  }

  set placeholder(value) {
    this.#reflect("placeholder", value);
  }

  #reflect(name, value) {
    if (value === null || value === undefined) this.removeAttribute(name);
    else this.setAttribute(name, value);
  }

  // Settable, as a textarea's: a framework setting props as properties (React 19, Vue) threw.
  set name(value) {
    this.setAttribute("name", value);
  }

  get form() {
    return this.internals.form;
  }

  // Reflects `required`, as a textarea's does.
  get required() {
    return this.hasAttribute("required");
  }

  set required(value) {
    this.toggleAttribute("required", Boolean(value));
  }

  // Constraint validation, as a textarea's (the state is the element's, kept by its internals).
  get validity() {
    return this.internals.validity;
  }

  get validationMessage() {
    return this.internals.validationMessage;
  }

  get willValidate() {
    return this.internals.willValidate;
  }

  checkValidity() {
    return this.internals.checkValidity();
  }

  reportValidity() {
    return this.internals.reportValidity();
  }

  get type() {
    return this.localName;
  }

  // In a disabled fieldset the box takes no typing: the form would not send what was typed.
  formDisabledCallback(disabled) {
    this.#disabled = disabled;
    if (this.#parts) this.#parts.box.disabled = disabled;
  }

  // A box taken off the page lets its model go (a single-page app's views come and go), unless it
  // is back in the same task (moved): then nothing is reloaded.
  disconnectedCallback() {
    setTimeout(() => {
      if (this.isConnected || !this.#entry) return;
      release(this.#entry);
      this.#entry = null;
      this.#clf = null;
      this.#loads += 1; // a load still on its way is not wanted
      failing.delete(this);
    });
  }

  attributeChangedCallback(name, old, value) {
    if (!this.#parts) return; // not added yet: connectedCallback reads them
    // The same model named again tries again after a failure (the way back from polarity-error).
    if (old === value && !(name === "model" && this.#failed)) return;
    const { labelText, box } = this.#parts;
    if (name === "placeholder") box.placeholder = value ?? "What did you think?";
    else if (name === "required") this.#validate();
    else if (name !== "model") {
      if (name === "label") labelText.data = value ?? DEFAULT_LABEL;
      this.#nameBox(); // the label, aria-label, aria-labelledby
    } else if (this.#entry) this.#load(); // taken off the page: loaded when it is added again
  }

  /** Loads the model the attribute names; a model asked for later wins over one still loading. */
  #load() {
    const load = ++this.#loads;
    failing.delete(this);
    this.#clf = null;
    this.#failed = false;
    this.#failure = "";
    this.#show("Loading…", false);
    const entry = acquire(this.getAttribute("model"));
    if (this.#entry) release(this.#entry);
    this.#entry = entry;
    entry.promise.then(
      (clf) => {
        if (load !== this.#loads) return;
        this.#clf = clf;
        this.#labels = clf.info().labels;
        this.#parts.list.hidden = this.#labels.length < 3;
        this.#update();
      },
      (err) => {
        if (load !== this.#loads) return;
        this.#failed = true;
        // Tried again when the browser is back online, unless the network had no part in it.
        if (!err?.permanent) failing.add(this);
        const message = err?.message ?? String(err);
        this.#failure = `Classifier unavailable: ${message}`;
        // Read out by the first box of that load only: a page of five boxes naming one missing
        // model had a screen reader say it five times at load. Each box shows it.
        this.#show(this.#failure, !entry.said);
        entry.said = true;
        // Told to the page too (a framework's fallback, a log), not only shown in the box.
        this.dispatchEvent(new CustomEvent("polarity-error", {
          detail: { model: this.getAttribute("model"), message },
          bubbles: true,
          composed: true,
        }));
      },
    );
  }

  /**
   * A message instead of a verdict (no text, one that cannot be read, no model): the bar
   * empty. Read out only with `announce` (a box that loads, or is empty, says nothing: a page of
   * several boxes announced each one's "Start typing…" at load).
   */
  #show(message, announce = true) {
    const { out, fill, list } = this.#parts;
    out.textContent = message;
    out.dataset.label = fill.dataset.label = fill.dataset.index = "";
    fill.style.width = "0";
    list.replaceChildren();
    this.#say(announce ? message : "");
  }

  #update() {
    this.#frame = 0;
    const { box, out, fill, list } = this.#parts;
    const clf = this.#clf;
    const labels = this.#labels;
    const text = this.value;
    if (!clf) return;
    if (this.#held !== null) {
      this.#show(this.#heldMessage());
      return;
    }
    if (text.length > MAX_CHARS) {
      this.#show(`Too long to read here: ${text.length} characters (at most ${MAX_CHARS})`);
      return;
    }
    if (isBlank(text)) {
      this.#show(`Start typing… (${labels.join(" / ")})`, false);
      return;
    }
    let p;
    try {
      p = clf.classify(text);
    } catch (err) {
      this.#show(`Could not classify this text: ${err?.message ?? err}`);
      return;
    }
    // No word the model reads (emoji, symbols): its score is the model's lean with nothing read,
    // the score of "" to the bit. Said as such, not as a verdict ("👍" showed "negative (50%
    // confident)"); the event still carries the prediction.
    const scores = allScores(p, labels);
    // Unsure (the two likeliest labels close): the verdict and bar in the neutral colour.
    const unsure = isUnsure(p);
    if (readsNothing(clf, p)) {
      this.#show(unreadVerdict(p), false);
      this.dispatchEvent(new CustomEvent("polarity", { detail: { ...p, scores, unsure }, bubbles: true, composed: true }));
      return;
    }
    out.textContent = verdict(p);
    this.#say(out.textContent);
    out.dataset.label = fill.dataset.label = unsure ? "" : p.label;
    fill.dataset.index = unsure ? "" : String(labels.indexOf(p.label));
    // How sure the box is of its verdict (of two labels, P(first label) showed "negative (99%
    // confident)" as a red sliver, the surer the emptier).
    fill.style.width = `${(p.scores ? p.score : Math.max(p.score, 1 - p.score)) * 100}%`;
    if (!list.hidden) {
      list.replaceChildren(...scores.map((s) => {
        const item = document.createElement("li");
        item.textContent = `${shownLabel(s.label)} ${percent(s.score)}%`;
        return item;
      }));
    }
    // Composed: a box inside another component's shadow root is heard outside it, as its input is.
    this.dispatchEvent(new CustomEvent("polarity", { detail: { ...p, scores, unsure }, bubbles: true, composed: true }));
  }

  /** The current text. */
  get value() {
    return this.#held ?? (this.#parts ? this.#parts.box.value : this.#text);
  }

  /**
   * Sets the text (a framework's property, a page clearing the box after sending it): read at once.
   * A text longer than the box reads is kept out of it, as a paste is, and is the value all the
   * same: 5 million characters put in the textarea froze the page for 1.3 s, then a key for 0.7.
   * The box is read-only while it holds one: the first key typed in the empty-looking box replaced
   * it, lost with no word. Only another `value` (a form's reset, its restore) lets it go.
   */
  set value(text) {
    text = String(text ?? "");
    this.#held = text.length > MAX_CHARS ? text : null;
    this.#text = this.#held === null ? text : "";
    if (this.#parts) {
      this.#parts.box.value = this.#text;
      this.#parts.box.readOnly = this.#held !== null;
    }
    this.#changed();
  }
}

if (!customElements.get("polarity-review")) customElements.define("polarity-review", PolarityReview);
