// The layering of design.md, enforced: imports point down only, and wire/ and node/ use no
// Node modules (so that the web UI can reuse the decoder).

import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "src");
/** Lower number = lower layer; a file may import only its own layer or lower ones. */
const RANK: Record<string, number> = { wire: 0, node: 1, capture: 2, linux: 2, dataplane: 3, lab: 4, collector: 4, cli: 5 };
const PURE = new Set(["wire", "node"]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [join(dir, e.name)] : []));
}

function layerOf(file: string): string {
  return relative(SRC, file).split(sep)[0]!;
}

describe("source layering", () => {
  const files = tsFiles(SRC).filter((f) => layerOf(f) in RANK);
  it("finds the layers it checks", () => assert.ok(files.some((f) => layerOf(f) === "wire")));
  for (const file of files) {
    it(`${relative(SRC, file)} imports only its own or lower layers`, () => {
      const text = readFileSync(file, "utf8");
      const specs = [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
      for (const spec of specs) {
        const layer = layerOf(file);
        if (spec.startsWith("node:")) {
          assert.ok(!PURE.has(layer), `${layer}/ must not import ${spec}`);
          continue;
        }
        if (!spec.startsWith(".")) continue;
        const target = layerOf(join(file, "..", spec));
        if (target in RANK) assert.ok(RANK[target]! <= RANK[layer]!, `${layer}/ imports ${target}/ (${spec})`);
      }
    });
  }
});
