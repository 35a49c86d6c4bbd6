// The layering of docs/architecture.md, enforced: imports point down only (never sideways between two
// layers of the same rank), wire/ and node/ use no Node modules, no npm packages and no Buffer
// (so that the web UI can reuse the decoder), and the other layers import only runtime
// dependencies declared in package.json.

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const SRC = join(ROOT, "src");
/** Lower number = lower layer; a file may import its own layer or lower ranks only. */
const RANK: Record<string, number> = { "errors.ts": -1, wire: 0, node: 1, capture: 2, linux: 2, dataplane: 3, lab: 4, collector: 4, ui: 5, cli: 6, "index.ts": 7 };
const PURE = new Set(["wire", "node"]);
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
const RUNTIME_DEPS = new Set(Object.keys(PKG.dependencies ?? {}));
/** The page's code (src/ui/web): bundled by esbuild at build time, so its packages are dev dependencies. */
const WEB = join(SRC, "ui", "web");
const BUNDLED_DEPS = new Set([...RUNTIME_DEPS, ...Object.keys(PKG.devDependencies ?? {})]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [join(dir, e.name)] : []));
}

function layerOf(file: string): string {
  return relative(SRC, file).split(sep)[0]!;
}

/** Every module specifier of static imports/exports and dynamic import() calls. */
export function importSpecifiers(text: string): string[] {
  const stat = [...text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
  const bare = [...text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
  const dynamic = [...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!);
  return [...stat, ...bare, ...dynamic];
}

/** The first problem with one import of `layer`, or undefined. */
export function importProblem(file: string, layer: string, spec: string): string | undefined {
  if (file.startsWith(WEB + sep)) return webImportProblem(file, spec);
  if (spec.startsWith("node:")) return PURE.has(layer) ? `${layer}/ must not import ${spec}` : undefined;
  if (!spec.startsWith(".")) {
    const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
    if (PURE.has(layer)) return `${layer}/ must not import the package ${spec}`;
    return RUNTIME_DEPS.has(pkg) ? undefined : `${layer}/ imports ${spec}, which is not a runtime dependency in package.json`;
  }
  const target = layerOf(join(file, "..", spec));
  if (!(target in RANK) || target === layer) return undefined;
  if (RANK[target]! > RANK[layer]!) return `${layer}/ imports the higher layer ${target}/ (${spec})`;
  if (RANK[target] === RANK[layer]) return `${layer}/ imports its sibling layer ${target}/ (${spec})`;
  return undefined;
}

/**
 * The page runs in a browser: no `node:` module, packages it bundles (declared in package.json),
 * and of ioamkit's own code only its own folder and the pure codec (wire/).
 */
export function webImportProblem(file: string, spec: string): string | undefined {
  if (spec.startsWith("node:")) return `the page (ui/web/) runs in a browser and cannot import ${spec}`;
  if (!spec.startsWith(".")) {
    const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
    return BUNDLED_DEPS.has(pkg) ? undefined : `ui/web/ imports ${spec}, which package.json does not declare`;
  }
  const target = join(file, "..", spec);
  if (target.startsWith(WEB + sep) || target.startsWith(join(SRC, "wire") + sep)) return undefined;
  return `ui/web/ may import only its own folder and wire/ (got ${spec})`;
}

/** Uses of Node's Buffer (outside comments and strings would need a parser; comments are removed). */
export function usesBuffer(text: string): boolean {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  return /\bBuffer\b/.test(code);
}

describe("source layering", () => {
  const files = tsFiles(SRC).filter((f) => layerOf(f) in RANK);
  it("finds the layers it checks", () => assert.ok(files.some((f) => layerOf(f) === "wire") && files.some((f) => layerOf(f) === "node")));
  for (const file of files) {
    const layer = layerOf(file);
    it(`${relative(SRC, file)} imports only its own or lower layers`, () => {
      const text = readFileSync(file, "utf8");
      for (const spec of importSpecifiers(text)) {
        const problem = importProblem(file, layer, spec);
        assert.equal(problem, undefined, problem);
      }
      if (PURE.has(layer)) assert.ok(!usesBuffer(text), `${layer}/ must not use Buffer (Uint8Array and DataView only)`);
    });
  }
});

describe("benches", () => {
  const BENCH = join(ROOT, "bench");
  for (const file of readdirSync(BENCH).filter((f) => f.endsWith(".ts"))) {
    it(`bench/${file} imports nothing from test/ (shared code lives in src/ or bench/)`, () => {
      const specs = importSpecifiers(readFileSync(join(BENCH, file), "utf8"));
      assert.deepEqual(specs.filter((s) => s.startsWith("../test/")), []);
    });
  }
});

describe("the layering rules themselves", () => {
  const at = (p: string) => join(SRC, p);
  it("refuse a bare package, a node: module and Buffer in wire/", () => {
    assert.match(importProblem(at("wire/x.ts"), "wire", "yaml")!, /must not import the package/);
    assert.match(importProblem(at("wire/x.ts"), "wire", "node:fs")!, /must not import node:fs/);
    assert.ok(usesBuffer("const b = Buffer.from([1]);"));
    assert.ok(!usesBuffer("// a Buffer in a comment\nconst b = new Uint8Array(1);"));
  });
  it("refuse an upward and a sideways import, and a package that is only a dev dependency", () => {
    assert.match(importProblem(at("wire/x.ts"), "wire", "../node/transit.js")!, /higher layer node/);
    assert.match(importProblem(at("capture/x.ts"), "capture", "../linux/netns.js")!, /sibling layer linux/);
    assert.match(importProblem(at("linux/x.ts"), "linux", "fast-check")!, /not a runtime dependency/);
  });
  it("accept a downward import and a declared runtime dependency", () => {
    assert.equal(importProblem(at("linux/x.ts"), "linux", "../wire/hex.js"), undefined);
    assert.equal(importProblem(at("linux/x.ts"), "linux", "yaml"), undefined);
    assert.equal(importProblem(at("wire/x.ts"), "wire", "../errors.js"), undefined);
  });
  it("keep the page (ui/web) to browser code: bundled packages, its own folder and wire/", () => {
    assert.equal(importProblem(join(WEB, "x.ts"), "ui", "echarts/core"), undefined);
    assert.equal(importProblem(join(WEB, "x.ts"), "ui", "../../wire/packet.js"), undefined);
    assert.match(importProblem(join(WEB, "x.ts"), "ui", "node:fs")!, /runs in a browser/);
    assert.match(importProblem(join(WEB, "x.ts"), "ui", "../server.js")!, /only its own folder and wire/);
    assert.match(importProblem(join(WEB, "x.ts"), "ui", "left-pad")!, /does not declare/);
  });
  it("find static, side-effect and dynamic imports", () => {
    assert.deepEqual(importSpecifiers('import { a } from "./a.js";\nimport "yaml";\nconst m = await import("node:fs");'), ["./a.js", "yaml", "node:fs"]);
  });
});
