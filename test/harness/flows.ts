// Application traffic between two namespaces for data-plane tests, with Node itself at both
// ends (ip netns exec NS node -e …): a TCP bulk transfer whose SHA-256 is compared end to end,
// and UDP datagrams counted by the receiver.

import { spawn } from "node:child_process";

/** Runs a Node script inside `ns`; `onLine` sees each stdout line; resolves with all stdout. */
function nodeIn(ns: string, script: string, args: string[], onLine?: (l: string) => void): Promise<string> {
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    for (const l of d.toString().split("\n")) if (l) onLine?.(l);
  });
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  return new Promise((resolve, reject) => child.on("exit", (code) => (clearTimeout(timer), code === 0 ? resolve(out) : reject(new Error(`node in ${ns} exited ${code}: ${err}`)))));
}

const TCP_SERVER = `
const h = require("crypto").createHash("sha256"); let n = 0;
const s = require("net").createServer((c) => { c.on("data", (d) => { h.update(d); n += d.length; }); c.on("end", () => { console.log(JSON.stringify({ sha: h.digest("hex"), bytes: n })); s.close(); }); });
s.listen(Number(process.argv[1]), "::", () => console.log("listening"));`;

const TCP_CLIENT = `
const data = require("crypto").randomBytes(Number(process.argv[3]));
const c = require("net").connect(Number(process.argv[2]), process.argv[1], () => c.end(data));
c.on("close", () => console.log(JSON.stringify({ sha: require("crypto").createHash("sha256").update(data).digest("hex"), bytes: data.length })));`;

/** Sends `bytes` random octets over TCP from `from` to `to`'s address; both sides' SHA-256 and byte counts. */
export async function tcpTransfer(from: string, to: string, toAddr: string, bytes: number, port = 5201): Promise<{ sent: { sha: string; bytes: number }; received: { sha: string; bytes: number } }> {
  let ready: () => void;
  const listening = new Promise<void>((r) => (ready = r));
  const server = nodeIn(to, TCP_SERVER, [String(port)], (l) => l === "listening" && ready());
  await Promise.race([listening, server]);
  const sent = JSON.parse(await nodeIn(from, TCP_CLIENT, [toAddr, String(port), String(bytes)])) as { sha: string; bytes: number };
  const received = JSON.parse((await server).split("\n").find((l) => l.startsWith("{"))!) as { sha: string; bytes: number };
  return { sent, received };
}

const UDP_SERVER = `
const s = require("dgram").createSocket("udp6"); let n = 0, sizes = 0, t;
const done = () => { console.log(JSON.stringify({ count: n, bytes: sizes })); s.close(); };
s.on("message", (m) => { n++; sizes += m.length; clearTimeout(t); t = setTimeout(done, 1000); });
s.bind(Number(process.argv[1]), "::", () => { console.log("listening"); t = setTimeout(done, 5000); });`;

const UDP_CLIENT = `
const s = require("dgram").createSocket("udp6"); let i = 0; const n = Number(process.argv[3]), size = Number(process.argv[4]);
const next = () => i++ < n ? s.send(Buffer.alloc(size), Number(process.argv[2]), process.argv[1], () => setTimeout(next, 2)) : s.close();
next();`;

/** Sends `count` UDP datagrams of `size` octets (0: empty) from `from` to `to`; what the receiver counted. */
export async function udpDatagrams(from: string, to: string, toAddr: string, count: number, size: number, port = 5202): Promise<{ count: number; bytes: number }> {
  let ready: () => void;
  const listening = new Promise<void>((r) => (ready = r));
  const server = nodeIn(to, UDP_SERVER, [String(port)], (l) => l === "listening" && ready());
  await Promise.race([listening, server]);
  await nodeIn(from, UDP_CLIENT, [toAddr, String(port), String(count), String(size)]);
  return JSON.parse((await server).split("\n").find((l) => l.startsWith("{"))!) as { count: number; bytes: number };
}

const UDP_PACED = `
const [dst, dport, sport, pps, count, size] = process.argv.slice(1).map((v, i) => (i ? Number(v) : v));
const s = require("dgram").createSocket("udp6"); const buf = Buffer.alloc(size); let sent = 0; const t0 = Date.now();
const tick = () => { const due = Math.min(count, Math.floor(((Date.now() - t0) * pps) / 1000));
  while (sent < due) s.send(buf, dport, dst), sent++;
  if (sent < count) setTimeout(tick, 1); else setTimeout(() => (console.log(JSON.stringify({ sent })), s.close()), 200); };
s.bind(sport, () => tick());`;

/**
 * Sends `count` UDP datagrams of `size` octets from `from` to `toAddr` at `pps` per second, all
 * from one source port (one flow, as a probe stream is), without a receiver; resolves when sent.
 */
export async function udpPaced(from: string, toAddr: string, o: { count: number; pps: number; size: number; sport?: number; dport?: number }): Promise<number> {
  const out = await nodeIn(from, UDP_PACED, [toAddr, String(o.dport ?? 5203), String(o.sport ?? 40_000), String(o.pps), String(o.count), String(o.size)]);
  return (JSON.parse(out.split("\n").find((l) => l.startsWith("{"))!) as { sent: number }).sent;
}
