// A tiny static file server for the demo and the tests (no dependencies): serves a folder on
// 127.0.0.1 with the right MIME types (application/wasm above all), gzip-compressed when the
// client accepts it, nothing else.
// CLI: node www/serve.mjs [root=www] [port=8080]   Module: await serve({ root, port })
import { createServer } from "node:http";
import { createReadStream, readFileSync, realpathSync, statSync } from "node:fs";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".map": "application/json; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
};

// Sent gzip-compressed to a client that accepts it, as static hosts send them (GitHub Pages,
// Netlify, nginx's gzip_static): the demo's 2.7 MB wasm is 1.0 MB on the wire, and in fresh
// Chromium contexts the page was ready about 80 ms sooner for it.
const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".wasm", ".svg", ".map", ".ts", ".md"]);

// Each file's gzip -9 bytes, made on its first request and kept while its size and mtime hold.
const gzipped = new Map();

function gzipOf(file, stat) {
  const kept = gzipped.get(file);
  if (kept && kept.size === stat.size && kept.mtimeMs === stat.mtimeMs) return kept.body;
  const body = gzipSync(readFileSync(file), { level: 9 });
  gzipped.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, body });
  return body;
}

/** Whether an Accept-Encoding header takes gzip (and does not refuse it with q=0). */
function acceptsGzip(header = "") {
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return (coding === "gzip" || coding === "*") && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/**
 * Starts serving `root`; resolves to { server, url } once listening (port 0 picks a free one).
 * `headers` are added to every file's response (the CSP test sends a Content-Security-Policy).
 */
export function serve({ root = ".", port = 8080, host = "127.0.0.1", headers = {} } = {}) {
  const base = resolve(root);
  const realBase = realpathSync(base);
  const within = (file, folder) => file === folder || file.startsWith(folder + sep);
  const server = createServer((req, res) => {
    // A static site: anything else was answered as a GET.
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end("method not allowed");
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    } catch {
      res.writeHead(400).end("bad request");
      return;
    }
    let file = resolve(join(base, path));
    if (!within(file, base)) {
      res.writeHead(403).end("forbidden");
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      // Through links, too, of the file itself as served (a folder's index.html included): a
      // link inside the root to /etc/passwd served it.
      if (!within(realpathSync(file), realBase)) {
        res.writeHead(403).end("forbidden");
        return;
      }
      const stat = statSync(file);
      const type = extname(file).toLowerCase();
      const common = {
        "content-type": TYPES[type] ?? "application/octet-stream",
        "cache-control": "no-cache",
        // Each file is what its extension says: a browser never guesses a script from its bytes.
        "x-content-type-options": "nosniff",
      };
      if (COMPRESSIBLE.has(type)) {
        common.vary = "accept-encoding";
        if (acceptsGzip(req.headers["accept-encoding"])) {
          const body = gzipOf(file, stat);
          res.writeHead(200, { ...common, "content-encoding": "gzip", "content-length": body.length, ...headers });
          return res.end(req.method === "HEAD" ? undefined : body);
        }
      }
      res.writeHead(200, { ...common, "content-length": stat.size, ...headers });
      if (req.method === "HEAD") return res.end();
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => {
      const url = `http://${host}:${server.address().port}/`;
      ok({ server, url });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? join(fileURLToPath(new URL(".", import.meta.url)));
  const port = Number(process.argv[3] ?? process.env.PORT ?? 8080);
  const { url } = await serve({ root, port });
  console.log(`polarity demo: ${url}  (serving ${resolve(root)}; Ctrl-C to stop)`);
}
