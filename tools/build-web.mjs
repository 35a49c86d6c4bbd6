// Builds the page (src/ui/web) into dist/web with esbuild: one JavaScript bundle (Cytoscape.js,
// ECharts and the page's code), one stylesheet, index.html. No CDN: `ioam ui` serves these
// files. Run by `npm run build` after the type check of src/ui/web/tsconfig.json.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src/ui/web");
const out = join(root, "dist/web");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(src, "main.ts") },
  bundle: true,
  // The chart libraries become chunks that main.ts imports after the first paint.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  target: ["chrome110", "firefox115", "safari16"],
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  outdir: out,
  logLevel: "warning",
});
copyFileSync(join(src, "index.html"), join(out, "index.html"));
