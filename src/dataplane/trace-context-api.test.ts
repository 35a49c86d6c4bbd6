import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { buildPacket } from "../wire/build.js";
import { TRACE_CONTEXT_SCHEMA, decodeTraceContext, parseTraceparent } from "../wire/trace-context.js";
import { FlowContexts, serveFlowContexts } from "./trace-context-api.js";

const TP = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/** A TCP segment (data offset 5 words) carrying `text`. */
function tcpPacket(text: string, sport = 40000): Uint8Array {
  const data = new TextEncoder().encode(text);
  const tcp = new Uint8Array(20 + data.length);
  new DataView(tcp.buffer).setUint16(0, sport);
  new DataView(tcp.buffer).setUint16(2, 80);
  tcp[12] = 5 << 4;
  tcp.set(data, 20);
  return buildPacket({ src: "2001:db8::1", dst: "2001:db8::2", options: [], upper: { kind: "raw", protocol: 6, bytes: tcp } });
}

describe("FlowContexts", () => {
  it("snapshotFor() takes a plaintext HTTP request's traceparent", () => {
    const c = new FlowContexts();
    const s = c.snapshotFor(tcpPacket(`GET /x HTTP/1.1\r\nHost: h2\r\nTraceparent: ${TP}\r\n\r\n`));
    assert.equal(s?.schemaId, TRACE_CONTEXT_SCHEMA);
    assert.deepEqual(decodeTraceContext(s!.schemaId, s!.data), parseTraceparent(TP));
    assert.equal(c.snapshotFor(tcpPacket("\x16\x03\x01 not http")), undefined);
    assert.deepEqual(c.counts, { registered: 0, http: 1, none: 1 });
  });

  it("prefers the context registered for the flow, until it expires", () => {
    let now = 0;
    const c = new FlowContexts(() => now);
    const other = "00-11111111111111111111111111111111-2222222222222222-01";
    c.set({ src: "2001:db8::1", dst: "2001:db8::2", protocol: 6, sport: 40000, dport: 80 }, parseTraceparent(other)!, 1000);
    const pkt = tcpPacket(`GET / HTTP/1.1\r\ntraceparent: ${TP}\r\n\r\n`);
    assert.equal(decodeTraceContext(TRACE_CONTEXT_SCHEMA, c.snapshotFor(pkt)!.data)!.traceId, "11111111111111111111111111111111");
    now = 2000;
    assert.equal(decodeTraceContext(TRACE_CONTEXT_SCHEMA, c.snapshotFor(pkt)!.data)!.traceId, "4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("finds a registered flow past extension headers, whatever the address text form; a fragment carries none", () => {
    const c = new FlowContexts();
    c.set({ src: "2001:0DB8:0:0::1", dst: "2001:db8::2", protocol: 17, sport: 5000, dport: 9999 }, parseTraceparent(TP)!);
    const udp = buildPacket({ src: "2001:db8::1", dst: "2001:db8::2", options: [], upper: { kind: "udp", srcPort: 5000, dstPort: 9999, data: new Uint8Array(8) } });
    const withHeader = (nh: number, header: number[]) => {
      const out = new Uint8Array(udp.length + 8);
      out.set(udp.subarray(0, 40));
      out.set([17, ...header], 40);
      out.set(udp.subarray(40), 48);
      out[6] = nh;
      new DataView(out.buffer).setUint16(4, out.length - 40);
      return out;
    };
    assert.equal(decodeTraceContext(TRACE_CONTEXT_SCHEMA, c.snapshotFor(udp)!.data)?.spanId, "00f067aa0ba902b7");
    assert.ok(c.snapshotFor(withHeader(60, [0, 1, 4, 0, 0, 0, 0])), "past a Destination Options header (PadN)");
    assert.equal(c.snapshotFor(withHeader(44, [0, 0, 0, 0, 0, 0, 1])), undefined, "a fragment");
    assert.equal(c.snapshotFor(buildPacket({ src: "2001:db8::1", dst: "2001:db8::2", options: [], upper: { kind: "udp", srcPort: 5001, dstPort: 9999 } })), undefined, "another flow");
    assert.deepEqual(c.counts, { registered: 2, http: 0, none: 2 });
    c.delete({ src: "2001:db8::1", dst: "2001:db8:0::2", protocol: 17, sport: 5000, dport: 9999 });
    assert.equal(c.snapshotFor(udp), undefined, "deleted by another text form of the same addresses");
    assert.throws(() => c.set({ src: "10.0.0.1", dst: "2001:db8::2", protocol: 17, sport: 1, dport: 2 }, parseTraceparent(TP)!), RangeError);
  });

  it("serves the local API on a unix socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ioam-ctx-"));
    const c = new FlowContexts();
    const server = serveFlowContexts(join(dir, "ctx.sock"), c);
    await new Promise((r) => server.once("listening", r));
    const sock = connect(join(dir, "ctx.sock"));
    const flow = { src: "2001:db8::1", dst: "2001:db8::2", protocol: 6, sport: 40001, dport: 80 };
    const bad = { ...flow, src: "10.0.0.1" };
    sock.write([{ op: "set", flow, traceparent: TP }, { op: "set", flow, traceparent: "nope" }, { op: "set", flow: bad, traceparent: TP }].map((r) => JSON.stringify(r) + "\n").join(""));
    const answers = await new Promise<string>((resolve) => {
      let got = "";
      sock.on("data", (d: Buffer) => ((got += d), got.split("\n").length > 3 && resolve(got)));
    });
    sock.end();
    server.close();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(answers.trim().split("\n").map((l) => JSON.parse(l)), [{ ok: true }, { ok: false, error: "traceparent is not a valid W3C traceparent" }, { ok: false, error: "flow.src and flow.dst must be IPv6 addresses" }]);
    assert.equal(c.get(flow)?.spanId, "00f067aa0ba902b7");
  });

  it("answers each request once the registry says the change is in force (every worker), in order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ioam-ctx-"));
    const applied: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const registry = { set: async () => (await gate, void applied.push("set")), delete: () => void applied.push("delete") };
    const server = serveFlowContexts(join(dir, "ctx.sock"), registry);
    await new Promise((r) => server.once("listening", r));
    const sock = connect(join(dir, "ctx.sock"));
    const flow = { src: "2001:db8::1", dst: "2001:db8::2", protocol: 17, sport: 1, dport: 2 };
    let got = "";
    sock.on("data", (d: Buffer) => (got += d));
    sock.write(JSON.stringify({ op: "set", flow, traceparent: TP }) + "\n" + JSON.stringify({ op: "delete", flow }) + "\n");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(got, "", "no answer before the change is in force");
    assert.deepEqual(applied, [], "the delete waits for the set before it");
    release();
    for (const t = Date.now(); got.split("\n").length < 3 && Date.now() - t < 2000; ) await new Promise((r) => setTimeout(r, 10));
    sock.end();
    server.close();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(applied, ["set", "delete"]);
    assert.deepEqual(got.trim().split("\n").map((l) => JSON.parse(l)), [{ ok: true }, { ok: true }]);
  });
});
