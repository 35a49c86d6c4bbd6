// test: serial
// Agents → NATS JetStream → two stream workers → PostgreSQL, in process, with servers started by
// the test (bench/scale-servers.ts): three agents each publish their node's kernel events of the
// same journeys (fed through their decap sockets); the two workers share one durable consumer
// and the journeys, assembled in the database, are complete — each once, with its three
// observations. A second round republishes every batch (a fresh agent over a copy of the
// spool): the ledger recognises every record and nothing is stored twice.

import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { NatsServer, PgServer, serversSkip } from "../../bench/scale-servers.js";
import { SocketFeed, eventLine, scalePathKey } from "../../bench/scale-traffic.js";
import { Agent } from "../../src/collector/agent/agent.js";
import { defaultAgentConfig } from "../../src/collector/agent/config.js";
import { defaultConfig } from "../../src/collector/config.js";
import { ingest, ingestRows } from "../../src/collector/stream/ingest.js";
import { type RunningWorker, startWorker } from "../../src/collector/stream/start-worker.js";
import { Spool } from "../../src/collector/agent/spool.js";
import { defaultStreamConfig } from "../../src/collector/stream/stream-config.js";

const N = 400;
const HOPS = 3;
const T0 = 1_763_900_000_000_000;

const skip = serversSkip();

async function until(what: string, test: () => Promise<boolean>, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe("stream pipeline: agents → JetStream → 2 workers → PostgreSQL", { skip }, () => {
  let nats: NatsServer;
  let db: PgServer;
  let client: pg.Client;
  const dir = mkdtempSync(join(tmpdir(), "ioam-stream-"));
  const workers: RunningWorker[] = [];
  before(async () => {
    [nats, db] = await Promise.all([NatsServer.start(), PgServer.start({ fsync: false })]);
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await client?.end();
    await Promise.all([nats?.cleanup(), db?.cleanup()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const agentFor = (h: number, spool: string) => {
    const c = defaultAgentConfig();
    Object.assign(c, { node: `r${h + 1}`, domain: "t" });
    c.nats.servers = [nats.url];
    c.spool.dir = spool;
    c.sources = { events: [], decap: [join(dir, `r${h + 1}.sock`)], dex: [] };
    return new Agent(c);
  };
  const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);

  it("stores every journey once, complete, with two workers sharing the consumer", async () => {
    const c = defaultConfig();
    c.store.url = db.url;
    c.stream = defaultStreamConfig();
    c.stream.nats.servers = [nats.url];
    c.stream.assembly.graceMs = 300;
    for (let w = 0; w < 2; w++) workers.push(await startWorker(c));
    const agents = Array.from({ length: HOPS }, (_, h) => agentFor(h, join(dir, `spool-r${h + 1}`)));
    for (const a of agents) await a.run();
    for (let h = 0; h < HOPS; h++) {
      const feed = await SocketFeed.open(join(dir, `r${h + 1}.sock`));
      for (let i = 0; i < N; i += 100) await feed.write(Array.from({ length: 100 }, (_, k) => eventLine(i + k, h, HOPS, T0)));
      await feed.close();
    }
    await until("every record published", async () => agents.every((a) => a.stats().published === N));
    for (const a of agents) await a.stop();
    await until("every record assembled", async () => (await count("SELECT count(*) AS n FROM records")) === N * HOPS && (await count("SELECT count(*) AS n FROM pending")) === 0);
    const rows = (await client.query<{ key: string; observations: number; at: string }>("SELECT p.key, j.observations, j.at FROM journeys j JOIN paths p ON p.id = j.path_id")).rows;
    assert.equal(rows.length, N, "one journey per packet");
    for (const r of rows) {
      assert.equal(r.key, scalePathKey(HOPS));
      assert.equal(r.observations, HOPS);
      assert.deepEqual(r.at.split(",").sort(), ["r1", "r2", "r3"]);
    }
    assert.ok(workers.every((w) => w.worker.stats.messages > 0), "both workers took messages");
  });

  it("drops republished batches in the stream, and the ledger drops redelivered records: nothing is stored twice", async () => {
    const before = await count("SELECT count(*) AS n FROM journeys");
    cpSync(join(dir, "spool-r2"), join(dir, "replay"), { recursive: true });
    // Mark nothing acknowledged: the copy's frames all go out again under their old message ids.
    const state = join(dir, "replay", "state.json");
    const s = JSON.parse(readFileSync(state, "utf8")) as { segment: string; offset: number };
    writeFileSync(state, JSON.stringify({ ...s, segment: "", offset: 0 }));
    const frames = Spool.open(join(dir, "replay")).pending().map((f) => f.payload.toString());
    assert.ok(frames.length > 0);
    const a = agentFor(1, join(dir, "replay"));
    await a.run();
    await until("the replay published", async () => a.stats().spooledFrames === 0);
    await a.stop();
    assert.equal(a.stats().duplicates, frames.length, "JetStream's duplicate window dropped every resent batch");
    const malformed: string[] = [];
    const fresh = await ingest(workers[0]!.store, frames.flatMap((f) => ingestRows(f, 16, malformed)));
    assert.equal(fresh, 0, "the ledger knows every record");
    assert.deepEqual(malformed, []);
    // The replaying agent's own gap report is a new record: wait until it is assembled too.
    await until("pending drained", async () => (await count("SELECT count(*) AS n FROM pending")) === 0);
    assert.equal(await count("SELECT count(*) AS n FROM journeys"), before);
  });
});
