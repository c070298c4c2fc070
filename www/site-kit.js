// "Download a site": the classifier in use as a folder ready for any static host, zipped in the
// page: a page with the review box (index.html, its icon), the element (embed.js, verdict.js), the
// package (pkg/) and the model. The files are this page's own (fetched from where it is served); the zip
// is written by fflate (www/vendor/fflate.js, a copy of the npm package's ES module, loaded only
// when asked for). Nothing leaves the browser.
const FOLDER = "polarity-site";
const MODEL = "model.onnx";

// The page of the site. No user text goes into it: the box shows the model's labels itself.
const INDEX = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Classifier</title>
  <link rel="icon" href="favicon.svg" type="image/svg+xml">
  <script type="module" src="embed.js"></script>
</head>
<body>
<main>
  <h1>Try the classifier</h1>
  <polarity-review model="${MODEL}" label="Your text" placeholder="Type something">
    <!-- Shown only until the box starts (it replaces this text): opened from the disk it never does. -->
    <p>The box starts when this page is opened from a web server: see README.txt.</p>
  </polarity-review>
  <p>It runs in your browser: nothing you type leaves this page.</p>
</main>
</body>
</html>
`;

const README = `This folder is a static site: a page with a text box classified as you type, by the
classifier taught in the polarity demo (${MODEL}), entirely in the browser.

Put the folder on any static host (GitHub Pages, Netlify, a web server) and open index.html there.
Opened from the disk (file://) it does not work: browsers load modules and the model only over
http(s). To try it on your computer: python3 -m http.server (in this folder), then
http://localhost:8000/.

To put the box on a page of your own, keep embed.js, verdict.js, pkg/ and ${MODEL} together and
add these two lines to the page:

  <script type="module" src="embed.js"></script>
  <polarity-review model="${MODEL}"></polarity-review>

Both addresses are read from the page, as an image's src is: from a page in another folder, give
the folder's path, e.g. src="/${FOLDER}/embed.js" and model="/${FOLDER}/${MODEL}".

Serve .wasm files as application/wasm and let the host compress them (most do). A page with a
Content-Security-Policy needs script-src 'self' 'wasm-unsafe-eval' (the classifier is
WebAssembly). If the policy sets a default-src that does not allow 'self' (default-src 'none'),
it also needs connect-src 'self' (embed.js fetches pkg/polarity_bg.wasm and ${MODEL}; blocked,
the box says "blocked by the page's Content-Security-Policy: connect-src") and img-src 'self'
(index.html's icon, favicon.svg), e.g.:

  default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self'

The box's styles need no style-src; nothing else is fetched but these files. After uploading a
new version, upload pkg/polarity.js and pkg/polarity_bg.wasm together: one without the other
does not start.

Licences: the code is MIT OR Apache-2.0 (pkg/LICENSE-MIT, pkg/LICENSE-APACHE). The classifier
began from polarity's pre-trained embedding, whose word list is wordfreq's, CC BY-SA 4.0:
pkg/NOTICE.md credits its sources, and pkg/THIRD-PARTY.md lists the crates compiled into the
wasm. Keep these files with the site.
`;

// What the site needs of this page's files, by their path in the folder.
// The licence texts and notices go along: the site redistributes the wasm and a model.
const FILES = ["embed.js", "verdict.js", "favicon.svg", "pkg/polarity.js", "pkg/polarity_bg.wasm",
  "pkg/LICENSE-MIT", "pkg/LICENSE-APACHE", "pkg/NOTICE.md", "pkg/THIRD-PARTY.md"];

/** The zip of the site for `model` (the classifier's .onnx bytes): `{ name, blob }`. */
export async function siteKit(model) {
  const [{ zipSync, strToU8 }, ...files] = await Promise.all([
    import("./vendor/fflate.js").catch(() => {
      throw new Error("could not load vendor/fflate.js from this site (is the page offline?)");
    }),
    ...FILES.map(async (path) => {
      // A fetch that fails outright (no response) is the network: the page went offline since
      // it opened, or the site is gone.
      const response = await fetch(new URL(path, import.meta.url)).catch(() => {
        throw new Error(`could not fetch ${path} from this site (is the page offline?)`);
      });
      if (!response.ok) throw new Error(`could not read ${path} (HTTP ${response.status})`);
      return new Uint8Array(await response.arrayBuffer());
    }),
  ]);
  const entries = {
    [`${FOLDER}/index.html`]: strToU8(INDEX),
    [`${FOLDER}/README.txt`]: strToU8(README),
    // Stored as they are: the model and the wasm barely deflate in the page's time, and a host
    // compresses the wasm anyway.
    [`${FOLDER}/${MODEL}`]: [model, { level: 0 }],
  };
  FILES.forEach((path, i) => {
    entries[`${FOLDER}/${path}`] = path.endsWith(".wasm") ? [files[i], { level: 0 }] : files[i];
  });
  return { name: `${FOLDER}.zip`, blob: new Blob([zipSync(entries, { level: 6 })], { type: "application/zip" }) };
}
