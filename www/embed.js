// <polarity-review>: a review box with live sentiment for any static page. Two lines of HTML:
//   <script type="module" src="https://your.site/polarity/embed.js"></script>
//   <polarity-review></polarity-review>
// The wasm package is found next to this file (./pkg/, resolved from import.meta.url), loaded once
// and shared by every box on the page. Attributes: label, placeholder, name (for forms' sake, the
// textarea's name). User text is only ever set through .value / textContent.
import { verdict } from "./verdict.js";

const PKG = new URL("./pkg/polarity.js", import.meta.url).href;

let shared = null;
function classifier() {
  shared ??= import(PKG).then(async (m) => {
    await m.default();
    return new m.Classifier();
  });
  return shared;
}

const STYLE = `
  :host { display: block; font-family: system-ui, sans-serif; color: #1c2330; max-width: 36rem; }
  label { display: block; font-weight: 600; margin-bottom: 0.3rem; }
  textarea { width: 100%; box-sizing: border-box; font: inherit; padding: 0.5rem; border: 1px solid #8a94a6;
             border-radius: 6px; resize: vertical; min-height: 5rem;
             font-weight: 400; margin-top: 0.3rem; display: block; }
  textarea:focus-visible { outline: 3px solid #1f5fbf; outline-offset: 2px; }
  .row { display: flex; align-items: center; gap: 0.6rem; margin-top: 0.4rem; min-height: 1.6rem; }
  .bar { flex: 1; height: 8px; background: #e6e9ef; border-radius: 4px; overflow: hidden; }
  .fill { height: 100%; width: 50%; background: #8a94a6; transition: width 120ms ease-out; }
  [role=status] { font-weight: 700; min-width: 9rem; }
  [data-label=positive] { color: #17803d; } .fill[data-label=positive] { background: #17803d; }
  [data-label=negative] { color: #b42318; } .fill[data-label=negative] { background: #b42318; }
`;

class PolarityReview extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    const label = document.createElement("label");
    label.textContent = this.getAttribute("label") ?? "Your review";
    const box = document.createElement("textarea");
    box.placeholder = this.getAttribute("placeholder") ?? "What did you think?";
    if (this.hasAttribute("name")) box.name = this.getAttribute("name");
    label.append(box);
    const row = document.createElement("div");
    row.className = "row";
    const out = document.createElement("span");
    out.setAttribute("role", "status");
    out.setAttribute("aria-live", "polite");
    out.textContent = "Loading…";
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.setAttribute("aria-hidden", "true");
    const fill = document.createElement("div");
    fill.className = "fill";
    bar.append(fill);
    row.append(out, bar);
    root.append(style, label, row);

    let frame = 0;
    const update = (clf) => {
      frame = 0;
      const text = box.value;
      if (text.trim() === "") {
        out.textContent = "Start typing…";
        out.dataset.label = fill.dataset.label = "";
        fill.style.width = "50%";
        return;
      }
      const p = clf.classify(text);
      out.textContent = verdict(p);
      out.dataset.label = fill.dataset.label = p.label;
      fill.style.width = `${p.score * 100}%`;
      this.dispatchEvent(new CustomEvent("polarity", { detail: p, bubbles: true }));
    };
    classifier().then(
      (clf) => {
        box.addEventListener("input", () => (frame ||= requestAnimationFrame(() => update(clf))));
        update(clf);
      },
      (err) => {
        out.textContent = `Sentiment unavailable: ${err?.message ?? err}`;
      },
    );
  }

  /** The current text. */
  get value() {
    return this.shadowRoot?.querySelector("textarea")?.value ?? "";
  }
}

if (!customElements.get("polarity-review")) customElements.define("polarity-review", PolarityReview);
