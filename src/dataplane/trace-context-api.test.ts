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

  it("serves the local API on a unix socket", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ioam-ctx-"));
    const c = new FlowContexts();
    const server = serveFlowContexts(join(dir, "ctx.sock"), c);
    await new Promise((r) => server.once("listening", r));
    const sock = connect(join(dir, "ctx.sock"));
    const flow = { src: "2001:db8::1", dst: "2001:db8::2", protocol: 6, sport: 40001, dport: 80 };
    sock.write(JSON.stringify({ op: "set", flow, traceparent: TP }) + "\n" + JSON.stringify({ op: "set", flow, traceparent: "nope" }) + "\n");
    const answers = await new Promise<string>((resolve) => {
      let got = "";
      sock.on("data", (d: Buffer) => ((got += d), got.split("\n").length > 2 && resolve(got)));
    });
    sock.end();
    server.close();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(answers.trim().split("\n").map((l) => JSON.parse(l)), [{ ok: true }, { ok: false, error: "traceparent is not a valid W3C traceparent" }]);
    assert.equal(c.get(flow)?.spanId, "00f067aa0ba902b7");
  });
});
