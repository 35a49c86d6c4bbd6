// Credentials and TLS between agents, workers and NATS (docs/deployment.md, "Credentials and
// TLS"): a nats-server of the test's own requiring TLS (a CA and a server certificate made here
// with openssl) and users — agent `a` with a password read from a file named in its config,
// agent `b` with an nkey seed named by IOAM_NATS_NKEY, the workers with IOAM_NATS_USER and
// IOAM_NATS_PASSWORD. Nothing secret is on any command line. Journeys made of both agents'
// records reach PostgreSQL; a wrong password or a certificate signed by another CA ends agent
// and worker alike within seconds, with an error naming the server and what to check.

import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nkeys } from "nats";
import pg from "pg";
import { NatsServer, PgServer, serversSkip } from "../../bench/scale-servers.js";
import { SocketFeed, eventLine, scalePathKey } from "../../bench/scale-traffic.js";
import { IOAM_MAIN } from "../harness/netns.js";
import { signal, startCli } from "./stream-lab.js";

const N = 50;
const HOPS = 3;

/** A CA, a server certificate for 127.0.0.1 signed by it, and a second CA that signed nothing of the server's. */
function certificates(dir: string): { ca: string; other: string; cert: string; key: string } {
  const f = (n: string) => join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "1", "-subj", "/CN=ioamkit test CA");
  ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=127.0.0.1");
  // nats.js verifies an IP server under the name "localhost" (its TLS servername), hence both names.
  writeFileSync(f("san.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  ssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.pem"), "-days", "1", "-extfile", f("san.cnf"));
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("other.key"), "-out", f("other.pem"), "-days", "1", "-subj", "/CN=another CA");
  return { ca: f("ca.pem"), other: f("other.pem"), cert: f("server.pem"), key: f("server.key") };
}

/** Runs a CLI process expected to fail; its exit status, stderr and how long it took (killed after 30 s). */
async function failing(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; err: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [IOAM_MAIN, ...args], { stdio: ["ignore", "ignore", "pipe"], env });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  clearTimeout(timer);
  return { code, err, ms: Date.now() - t0 };
}

describe("agents and workers over NATS with TLS and user credentials", { skip: serversSkip() }, () => {
  const dir = mkdtempSync(join(tmpdir(), `sc${process.pid}-sec-`));
  const procs: ChildProcess[] = [];
  const nkey = nkeys.createUser();
  const passwords = { agent: "agent-secret-1", collect: "collect-secret-2" };
  let tls: ReturnType<typeof certificates>;
  let nats: NatsServer;
  let db: PgServer;
  let url: string;
  const file = (name: string, text: string) => (writeFileSync(join(dir, name), text, { mode: 0o600 }), join(dir, name));
  const workerEnv = (password: string) => ({ ...process.env, IOAM_NATS_USER: "collect", IOAM_NATS_PASSWORD: password });
  const collectYaml = (ca: string) => file(`collect-${ca === tls.ca ? "ok" : "other"}.yaml`, `version: 1\nstream:\n  ackWait: 3s\n  grace: 1s\n  nats:\n    tls: { ca: ${ca} }\n`);
  const agentYaml = (name: string, passwordFile: string, ca: string) => file(`${name}.yaml`, `version: 1\nnode: ${name}\ndomain: sec\nnats:\n  servers: [${url}]\n  user: agent\n  passwordFile: ${passwordFile}\n  tls: { ca: ${ca} }\nspool: { dir: ${join(dir, `spool-${name}`)} }\n`);

  before(async () => {
    tls = certificates(dir);
    file("agent.password", passwords.agent + "\n");
    const users = `{ user: agent, password: "${passwords.agent}" }, { user: collect, password: "${passwords.collect}" }, { nkey: ${nkey.getPublicKey()} }`;
    nats = await NatsServer.start({ config: (port) => `listen: 127.0.0.1:${port}\njetstream { store_dir: STORE }\ntls { cert_file: ${tls.cert}, key_file: ${tls.key} }\nauthorization { users: [ ${users} ] }\n` });
    url = `tls://127.0.0.1:${nats.port}`;
    db = await PgServer.start({ fsync: false });
  });
  after(async () => {
    await Promise.all(procs.map((p) => signal(p, "SIGKILL")));
    await Promise.all([nats?.cleanup(), db?.cleanup()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("agent a (password file) and agent b (nkey seed from the environment) reach PostgreSQL through workers (password from the environment)", async () => {
    const config = collectYaml(tls.ca);
    for (let w = 0; w < 2; w++) procs.push(await startCli(["collect", "--source", url, "--store", db.url, "--config", config], "worker", workerEnv(passwords.collect)));
    const sock = (n: string) => join(dir, `${n}.sock`);
    procs.push(await startCli(["agent", "--config", agentYaml("a", join(dir, "agent.password"), tls.ca), "--decap", sock("a")], "agent a"));
    const seed = file("b.nk", new TextDecoder().decode(nkey.getSeed()));
    procs.push(await startCli(["agent", "--node", "b", "--domain", "sec", "--server", url, "--spool", join(dir, "spool-b"), "--decap", sock("b"), "--config", file("b.yaml", `version: 1\nnats: { tls: { ca: ${tls.ca} } }\n`)], "agent b", { ...process.env, IOAM_NATS_NKEY: seed }));
    for (const p of procs) assert.ok(!p.spawnargs.some((a) => a.includes("secret") || a.includes(new TextDecoder().decode(nkey.getSeed()))), "no secret on a command line");

    const t0 = Date.now() * 1000;
    const lines = (hop: number) => Array.from({ length: N }, (_, i) => eventLine(i, hop, HOPS, t0));
    for (const [name, hops] of [["a", [0, 2]], ["b", [1]]] as const) {
      const f = await SocketFeed.open(sock(name));
      for (const h of hops) await f.write(lines(h));
      await f.close();
    }
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const rows = async () => (await client.query<{ key: string; observations: number; n: string }>("SELECT p.key, j.observations, count(*) AS n FROM journeys j JOIN paths p ON p.id = j.path_id GROUP BY 1, 2")).rows;
      let got: Array<{ key: string; observations: number; n: string }> = [];
      for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
        got = await rows().catch(() => []); // the schema appears with the first worker
        const pending = Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM pending")).rows[0]!.n);
        if (got.reduce((s, r) => s + r.observations * Number(r.n), 0) >= HOPS * N && pending === 0) break;
      }
      assert.deepEqual(got.map((r) => [r.key, r.observations, Number(r.n)]), [[scalePathKey(HOPS), HOPS, N]], "each journey whole: both agents' records, once");
    } finally {
      await client.end();
    }
  });

  it("a wrong password ends the agent and the worker (status 2) with an error naming the server and the credentials to check", async () => {
    const agent = await failing(["agent", "--config", agentYaml("bad", file("bad.password", "not-the-password"), tls.ca), "--decap", join(dir, "bad.sock")], process.env);
    const worker = await failing(["collect", "--source", url, "--store", db.url, "--config", collectYaml(tls.ca)], workerEnv("not-the-password"));
    for (const [what, r] of [["agent", agent], ["worker", worker]] as const) {
      assert.equal(r.code, 2, `${what}: ${r.err}`); // a configuration error
      assert.ok(r.ms < 20_000, `${what} gave up after ${r.ms} ms`);
      assert.match(r.err, new RegExp(`nats: tls://127\\.0\\.0\\.1:${nats.port} refused the credentials \\(Authorization Violation\\): check nats\\.credentials`), what);
      assert.doesNotMatch(r.err, /not-the-password/, `${what} does not echo the password`);
    }
  });

  it("a server certificate signed by another CA ends the agent and the worker (status 2) with a TLS error naming the server and nats.tls.ca", async () => {
    const agent = await failing(["agent", "--config", agentYaml("untrusted", join(dir, "agent.password"), tls.other), "--decap", join(dir, "untrusted.sock")], process.env);
    const worker = await failing(["collect", "--source", url, "--store", db.url, "--config", collectYaml(tls.other)], workerEnv(passwords.collect));
    for (const [what, r] of [["agent", agent], ["worker", worker]] as const) {
      assert.equal(r.code, 2, `${what}: ${r.err}`); // a configuration error
      assert.ok(r.ms < 20_000, `${what} gave up after ${r.ms} ms`);
      assert.match(r.err, new RegExp(`nats\\.tls: tls://127\\.0\\.0\\.1:${nats.port}: TLS failed \\(.*certificate.*\\): nats\\.tls\\.ca must name the CA`), what);
    }
  });
});
