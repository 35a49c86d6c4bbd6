// `ioam ui` and `ioam demo` as a user runs them: help with examples, usage errors with exit
// status 2 and one line, the UI over a database `ioam collect` wrote — whose /paths equal
// `ioam analyze --json`'s paths for the same capture — and a short demo run.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const MAIN = join(ROOT, "dist", "src", "cli", "main.js");
const SAMPLE = join(ROOT, "samples", "ioam-trace.pcapng");
const ioam = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", env: { ...process.env, ...env } });

describe("ioam ui and ioam demo", () => {
  const dir = mkdtempSync(join(tmpdir(), "ioamkit-ui-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("print help with examples", () => {
    for (const cmd of ["ui", "demo"]) {
      const r = ioam([cmd, "--help"]);
      assert.equal(r.status, 0);
      assert.match(r.stdout, /usage: ioam/);
      assert.match(r.stdout, /\nexamples:\n  ioam /);
    }
  });

  it("exit 2 with one line on bad usage, before listening anywhere", () => {
    const cases: Array<[string[], RegExp]> = [
      [["ui", "--db", join(dir, "missing.db")], /^ioam: no database ".*missing\.db": give --db FILE written by ioam collect/],
      [["ui", "--db", SAMPLE, "--listen", "0.0.0.0:0"], /^ioam: refusing to listen on 0\.0\.0\.0:0 without a token .* and TLS/],
      [["ui", "--db", SAMPLE, "--listen", "8464"], /^ioam: --listen "8464": expected HOST:PORT/],
      [["ui", "--db", SAMPLE, "--jaeger", "javascript:alert(1)"], /^ioam: --jaeger "javascript:alert\(1\)": expected the http\(s\) URL/],
      [["demo", "--rate", "0"], /^ioam: --rate "0" is below 1, the smallest value here/],
      [["demo", "--rate", "20001"], /^ioam: --rate "20001" /],
      [["ui", "--db", SAMPLE, "--tls-cert", SAMPLE], /^ioam: TLS needs both --tls-cert FILE and --tls-key FILE/],
    ];
    for (const [args, re] of cases) {
      const r = ioam(args, { IOAM_UI_TOKEN: "" });
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    const notDb = ioam(["ui", "--db", SAMPLE]);
    assert.equal(notDb.status, 1, "a file that is not a database is an operational failure");
    assert.match(notDb.stderr, /^ioam: ".*ioam-trace\.pcapng" cannot be read as ioam collect's database: file is not a database\n$/);
  });

  it("serves a database ioam collect wrote; /paths equals ioam analyze --json's paths; --open prints the URL", async () => {
    const db = join(dir, "sample.db");
    assert.equal(ioam(["collect", "--pcap", SAMPLE, "--db", db, "--exit-at-end"]).status, 0);
    const analyzed = JSON.parse(ioam(["analyze", "--json", SAMPLE]).stdout) as { paths: Array<{ path: string; journeys: number; share: number; hops: unknown[] }> };
    const t = new Database(db, { readonly: true }).prepare("SELECT min(time_ms) AS a, max(time_ms) AS b FROM journeys").get() as { a: number; b: number };
    const child = spawn(process.execPath, [MAIN, "ui", "--db", db, "--listen", "127.0.0.1:0", "--open"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => resolve(d.toString().trim()));
        child.on("exit", (c) => reject(new Error(`ioam ui exited ${c}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await fetch(`${url}api/v1/paths?from=${Math.floor(t.a)}&to=${Math.ceil(t.b) + 1}`);
      const api = (await res.json()) as { paths: Array<{ path: string; journeys: number; share: number; hops: unknown[] }> };
      assert.deepEqual(api.paths.map((p) => ({ path: p.path, journeys: p.journeys, share: p.share, hops: p.hops })), analyzed.paths.map((p) => ({ path: p.path, journeys: p.journeys, share: p.share, hops: p.hops })));
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("demo cleans up when its reader goes away (EPIPE: ioam demo | head -n 1), and on SIGHUP", () => {
    for (const how of ["pipe", "hup"] as const) {
      const tmp = mkdtempSync(join(dir, `tmp-${how}-`)); // TMPDIR: the demo's temporary database goes here
      const cmd = how === "pipe" ? `"${process.execPath}" "${MAIN}" demo --emulate --listen 127.0.0.1:0 | head -n 1` : `"${process.execPath}" "${MAIN}" demo --emulate --listen 127.0.0.1:0 & sleep 4; kill -HUP $!; wait $!`;
      const r = spawnSync("bash", ["-c", cmd], { encoding: "utf8", env: { ...process.env, TMPDIR: tmp }, timeout: 60_000 });
      assert.equal(r.status, 0, `${how}: ${r.stderr}`);
      assert.match(r.stdout, /^ioam demo: open http/);
      assert.deepEqual(readdirSync(tmp), [], `${how}: the temporary database is removed`);
    }
  });

  it("demo runs the diamond in process, prints the URL and a summary with journeys, and stops cleanly", () => {
    const r = ioam(["demo", "--emulate", "--listen", "127.0.0.1:0", "--duration", "3"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^ioam demo: open http:\/\/127\.0\.0\.1:\d+\/ {2}\(Ctrl-C stops everything\)$/m);
    assert.match(r.stdout, /^journeys [1-9]\d* \(\d+\/s\), paths 2; r1>r2>r4 p50 [\d.]+ µs, r4>r2>r1 p50 [\d.]+ µs/m);
    assert.match(r.stdout, /ioam demo: stopped; nothing left behind\n$/);
    assert.match(r.stderr, /real lab not started \(--emulate\)/);
  });
});
