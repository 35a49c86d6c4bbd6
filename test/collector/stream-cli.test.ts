// test: serial
// The scale commands' command lines: credentials are refused on argv (--server, --source,
// --store), collect --source needs --store, and `ioam collect --store postgres://…` (no
// --source) is the local collector writing to PostgreSQL: a capture stored, then resumed
// (nothing stored twice) — on a PostgreSQL cluster of the test's own.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PgServer, serversSkip } from "../../bench/scale-servers.js";
import { SAMPLE, ioam } from "../cli/_support.js";

describe("ioam agent and collect --source/--store command lines", () => {
  it("refuses credentials on the command line, naming the flag", () => {
    const cases: Array<[string[], RegExp]> = [
      [["agent", "--server", "nats://user:secret@127.0.0.1:4222"], /credentials never go on the command line/],
      [["collect", "--source", "nats://tok@127.0.0.1:4222", "--store", "postgres://ioam@db/ioam"], /credentials never go on the command line/],
      [["collect", "--source", "nats://127.0.0.1:4222", "--store", "postgres://ioam:secret@db/ioam"], /^ioam: --store: passwords never go on the command line/],
      [["collect", "--source", "nats://127.0.0.1:4222"], /^ioam: collect --source needs --store/],
      [["collect", "--pcap", SAMPLE, "--db", "x.db", "--store", "postgres://ioam@db/ioam"], /^ioam: --store has no effect with --db/],
      [["collect", "--source", "nats://127.0.0.1:4222", "--store", "postgres://ioam@db/ioam", "--pcap", SAMPLE], /^ioam: --pcap has no effect/],
      [["agent", "--node", "r.1"], /--node: expected letters, digits, _ or -/],
    ];
    for (const [args, message] of cases) {
      const r = ioam(args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, message);
      assert.doesNotMatch(r.err, /secret/, "the secret is not echoed");
    }
  });

  it("stores a capture into PostgreSQL without --source, and resumes it", { skip: serversSkip() }, async () => {
    const db = await PgServer.start({ fsync: false });
    try {
      const run = () => ioam(["collect", "--pcap", SAMPLE, "--store", db.url, "--exit-at-end", "--json"]);
      const first = run();
      assert.equal(first.code, 0, first.err);
      assert.match(first.err, new RegExp(`→ ${db.url.replace(/[/.:]/g, "\\$&")} \\(ready\\)`));
      assert.equal((JSON.parse(first.out.trim().split("\n").pop()!) as { journeysStored: number }).journeysStored, 8);
      const again = run();
      assert.equal((JSON.parse(again.out.trim().split("\n").pop()!) as { journeysStored: number }).journeysStored, 0, "resumed after the stored capture");
    } finally {
      await db.cleanup();
    }
  });
});
