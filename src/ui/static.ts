// The built page (`npm run build` → dist/web): files served from one directory, nothing outside
// it, with headers that keep the page to itself — a Content-Security-Policy allowing only this
// origin (no CDN, no inline script), no framing, no sniffing, no referrer.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { ApiError } from "./api/api-error.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

/** Headers of every page response. Styles may be inline: the chart libraries set element styles. */
export const PAGE_HEADERS = {
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

/** Serves `pathname` from `root` ("/" is index.html). */
export async function serveStatic(root: string, pathname: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rel = pathname === "/" ? "index.html" : decodeURIComponent(pathname).replace(/^\/+/, "");
  const file = normalize(join(root, rel));
  if (!file.startsWith(normalize(root + sep)) || rel.includes("\0")) throw new ApiError("NOT_FOUND", `no file ${pathname}`);
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) {
    if (rel === "index.html") return notBuilt(res, root);
    throw new ApiError("NOT_FOUND", `no file ${pathname}`);
  }
  res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "content-length": st.size, "cache-control": "no-cache", ...PAGE_HEADERS });
  if (req.method === "HEAD") return void res.end();
  createReadStream(file).pipe(res);
}

function notBuilt(res: ServerResponse, root: string): void {
  res.writeHead(503, { "content-type": "text/plain; charset=utf-8", ...PAGE_HEADERS });
  res.end(`The page is not built (no ${join(root, "index.html")}): run npm run build. The API answers under /api/v1.\n`);
}
