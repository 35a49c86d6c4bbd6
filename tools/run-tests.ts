// `npm test`'s runner: every compiled test file under dist/, in two phases. Tests that touch
// host-wide state — network namespaces, ip6tables, the kernel's receive timestamping, sysctls —
// run one file at a time, so that none sees another's rules or timestamps; the rest run two at
// a time. A test file belongs to the serial phase when its source says `// test: serial` or
// imports the netns harness (test/harness/netns.ts). Exit status: non-zero when any phase fails.
// Usage: node dist/tools/run-tests.js [PATH_FILTER…]

import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const DIST = join(ROOT, "dist");

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? (e.name === "node_modules" ? [] : testFiles(p)) : e.name.endsWith(".test.js") ? [p] : [];
  });
}

/** True when the test's TypeScript source asks for the serial phase or builds namespaces. */
export function isSerial(source: string): boolean {
  return /^\/\/ test: serial\b/m.test(source) || /from\s+["'][^"']*harness\/netns\.js["']/.test(source);
}

function sourceOf(compiled: string): string {
  const ts = join(ROOT, relative(DIST, compiled)).replace(/\.js$/, ".ts");
  try {
    return readFileSync(ts, "utf8");
  } catch {
    return readFileSync(compiled, "utf8");
  }
}

function run(files: string[], concurrency: number, phase: string): boolean {
  if (files.length === 0) return true;
  process.stderr.write(`run-tests: ${phase}: ${files.length} files, ${concurrency} at a time\n`);
  const r = spawnSync(process.execPath, ["--test", `--test-concurrency=${concurrency}`, ...files], { stdio: "inherit" });
  return r.status === 0;
}

function main(): void {
  const filters = process.argv.slice(2);
  const files = testFiles(DIST).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();
  const serial = files.filter((f) => isSerial(sourceOf(f)));
  const parallel = files.filter((f) => !serial.includes(f));
  const ok = [run(parallel, 2, "parallel"), run(serial, 1, "serial (host-wide state)")].every(Boolean);
  process.exitCode = ok ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
