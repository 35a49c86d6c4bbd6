// Topology files: examples/diamond.yaml read into nodes, addresses, edges, MTUs and routes as
// docs/lab.md says; explicit routes and variables; and every bad input refused with the
// file:line of what is wrong (nothing is created here: the real-lab test checks that).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../src/errors.js";
import { parseApplyDocument } from "../../src/linux/apply/document.js";
import { parseTopology } from "../../src/lab/load.js";
import { nodeApplyFile } from "../../src/lab/node-file.js";
import { formatPrefix } from "../../src/lab/prefix.js";
import { pathTo } from "../../src/lab/routing.js";
import { CORE_MTU, EDGE_MTU } from "../../src/lab/topology.js";
import { parseIpv6Address } from "../../src/wire/ipv6-address.js";

const ROOT = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
const DIAMOND = readFileSync(join(ROOT, "examples", "diamond.yaml"), "utf8");
const addr = (t: string) => parseIpv6Address(t)!;

/** The diamond with one line replaced (the line must exist exactly once). */
function diamondWith(from: string, to: string): string {
  assert.equal(DIAMOND.split(from).length, 2, `"${from}" must occur once in diamond.yaml`);
  return DIAMOND.replace(from, to);
}

/** 1-based line of the first occurrence of `text` in `file`. */
function lineOf(file: string, text: string): number {
  const i = file.split("\n").findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `"${text}" not in the file`);
  return i + 1;
}

function refused(text: string, re: RegExp): ConfigError {
  let err: unknown;
  try {
    parseTopology(text, "bad.yaml");
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
  assert.match(err.message, re);
  return err;
}

describe("parseTopology() on examples/diamond.yaml", () => {
  const t = parseTopology(DIAMOND, "diamond.yaml");

  it("gives each endpoint ::1 or ::2 of its link's prefix, in endpoint order", () => {
    const r1 = t.nodes.get("r1")!;
    assert.deepEqual(r1.interfaces.map((i) => [i.name, i.addressText, i.peer.node]), [["eth1", "fd00:10::2", "h1"], ["eth2", "fd00:12::1", "r2"], ["eth3", "fd00:13::1", "r3"]]);
    assert.equal(t.nodes.get("r4")!.interfaces.find((i) => i.name === "eth1")!.addressText, "fd00:24::2");
  });

  it("marks the routers' interfaces towards the hosts as domain edges, with edge and core MTUs", () => {
    const edges = [...t.nodes.values()].flatMap((n) => n.interfaces.filter((i) => i.edge).map((i) => `${n.name}:${i.name}`));
    assert.deepEqual(edges, ["r1:eth1", "r4:eth3"]);
    assert.equal(t.nodes.get("r1")!.interfaces[0]!.mtu, EDGE_MTU);
    assert.equal(t.nodes.get("r1")!.interfaces[1]!.mtu, CORE_MTU);
  });

  it("routes h1 → h2 via r1 → r2 → r4 and back via r4 → r2 → r1", () => {
    assert.deepEqual(pathTo(t.nodes, "h1", addr("fd00:20::2")).nodes, ["h1", "r1", "r2", "r4", "h2"]);
    assert.deepEqual(pathTo(t.nodes, "h2", addr("fd00:10::1")).nodes, ["h2", "r4", "r2", "r1", "h1"]);
    assert.deepEqual(pathTo(t.nodes, "r3", addr("fd00:24::2")).nodes, ["r3", "r4"]);
  });

  it("keeps an explicit route's file:line and puts it in place of the computed one", () => {
    const r = t.nodes.get("r1")!.routes.find((x) => formatPrefix(x.prefix) === "fd00:20::/48")!;
    assert.equal(r.where, `diamond.yaml:${lineOf(DIAMOND, 'routes: ["fd00:20::/48 via r2"]')}`);
    const viaR3 = parseTopology(diamondWith('routes: ["fd00:20::/48 via r2"]', 'routes: ["fd00:20::/48 via r3"]'), "d.yaml");
    assert.deepEqual(pathTo(viaR3.nodes, "h1", addr("fd00:20::2")).nodes, ["h1", "r1", "r3", "r4", "h2"]);
  });

  it("breaks ties between equal paths towards the neighbour whose name sorts first", () => {
    const plain = parseTopology(DIAMOND.replace(/^ {6}routes: .*\n/gm, ""), "d.yaml");
    assert.deepEqual(pathTo(plain.nodes, "h1", addr("fd00:20::2")).nodes, ["h1", "r1", "r2", "r4", "h2"]);
    assert.deepEqual(pathTo(plain.nodes, "h2", addr("fd00:10::1")).nodes, ["h2", "r4", "r2", "r1", "h1"]);
  });

  it("reads ${VAR:=default} from the variables given, else the default", () => {
    const encap = (tt: typeof t) => tt.nodes.get("r1")!.roles!.encap[0]!.policy;
    assert.deepEqual([encap(t).mode, encap(t).trace?.traceType, encap(t).trace?.size], ["encap", 0x800000, 8]);
    const v = parseTopology(DIAMOND, "d.yaml", { vars: { MODE: "inline", TRACE: "type 0x440000 size 24" } });
    assert.deepEqual([encap(v).mode, encap(v).trace?.traceType, encap(v).trace?.size], ["inline", 0x440000, 24]);
  });

  it("reads each node's ioam block as ioam apply does, with the topology file's lines", () => {
    const r2 = t.nodes.get("r2")!.ioam!;
    assert.equal(r2.node?.id, 2);
    assert.equal(r2.namespaces?.get(100)?.wide, 0xbeefbeefcafecafen);
    assert.deepEqual([...r2.schemas!.values()].map((d) => new TextDecoder().decode(d)), ["oam2"]);
    assert.equal(r2.where.get("interfaces.eth1"), `diamond.yaml:${lineOf(DIAMOND, "eth1: { enabled: true, id: 0x0201")}`);
  });
});

describe("parseTopology() refuses bad input, naming file:line", () => {
  it("an unknown node in a link", () => {
    const text = diamondWith('endpoints: ["r3:eth2", "r4:eth2"]', 'endpoints: ["r3:eth2", "r9:eth2"]');
    refused(text, new RegExp(`^bad\\.yaml:${lineOf(text, "r9:eth2")}: .*unknown node "r9"`));
  });

  it("an unknown node in a route and in a POT profile", () => {
    const text = diamondWith('routes: ["fd00:20::/48 via r2"]', 'routes: ["fd00:20::/48 via r7"]');
    refused(text, new RegExp(`^bad\\.yaml:${lineOf(text, "via r7")}: .*via r7 is not a neighbour of r1`));
    const pot = `${DIAMOND}pot:\n  p1: { ns: 100, nodes: [r8, r1] }\n`;
    refused(pot, new RegExp(`^bad\\.yaml:${lineOf(pot, "p1: {")}: pot\\.p1\\.nodes: unknown node "r8"`));
  });

  it("a duplicate address, and overlapping link prefixes", () => {
    const text = diamondWith('prefix: "fd00:34::/48" }', 'prefix: "fd00:34::/48", addresses: ["fd00:34::1", "fd00:34::1"] }');
    const at = lineOf(text, '"fd00:34::1"] }');
    refused(text, new RegExp(`^bad\\.yaml:${at}: .*duplicate address fd00:34::1 \\(already at bad\\.yaml:${at}\\)`));
    const overlap = diamondWith('prefix: "fd00:34::/48" }', 'prefix: "fd00:24:0:1::/64" }');
    refused(overlap, new RegExp(`^bad\\.yaml:${lineOf(overlap, "fd00:24:0:1::/64")}: .*overlaps the prefix of the link at bad\\.yaml:${lineOf(overlap, '"r4:eth1"')}`));
  });

  it("an unreachable tundst: no node's address, or no route to it", () => {
    const text = diamondWith("} tundst fd00:24::2", "} tundst fd00:99::2");
    refused(text, new RegExp(`^bad\\.yaml:${lineOf(text, "} tundst fd00:99::2")}: .*unreachable tundst: fd00:99::2 is no node's address`));
    const cut = diamondWith('routes: ["fd00:20::/48 via r2"]', 'routes: ["fd00:20::/48 via r2", "fd00:24::/48 via h1"]');
    refused(cut, new RegExp(`^bad\\.yaml:${lineOf(cut, "} tundst fd00:24::2")}: .*unreachable tundst: fd00:24::2 \\(r4\\) cannot be reached from r1: h1 is a host`));
  });

  it("a tundst whose node does not decapsulate", () => {
    const text = DIAMOND.replace('decap: ["tunnel fd00:24::2"]', 'decap: ["tunnel fd00:20::1"]');
    refused(text, /^bad\.yaml:\d+: .*tundst fd00:24::2 is r4's, which does not decapsulate there/);
  });

  it("a trace too big for the MTU of a domain link", () => {
    const text = diamondWith('prefix: "fd00:24::/48" }', 'prefix: "fd00:24::/48", mtu: 1500 }');
    refused(text, new RegExp(`^bad\\.yaml:${lineOf(text, "} tundst fd00:24::2")}: .*trace too big for the MTU: packets of up to 1500 octets entering r1 grow by 64 to 1564, more than the MTU 1500 of link r2:eth2–r4:eth1 \\(bad\\.yaml:${lineOf(text, "mtu: 1500")}\\)`));
  });

  it("a name clash: an interface used twice on a node, a node name twice, a bad lab name", () => {
    const text = diamondWith('endpoints: ["r3:eth2", "r4:eth2"]', 'endpoints: ["r3:eth2", "r4:eth1"]');
    refused(text, new RegExp(`^bad\\.yaml:${lineOf(text, '"r3:eth2", "r4:eth1"]')}: .*name clash: r4:eth1 is already an endpoint \\(bad\\.yaml:${lineOf(text, '"r4:eth1"')}\\)`));
    const twice = diamondWith("    h2: { kind: host }\n", "    h2: { kind: host }\n    h1: { kind: router }\n");
    refused(twice, new RegExp(`^bad\\.yaml:${lineOf(twice, "h1: { kind: router }")}:\\d+: malformed YAML: Map keys must be unique`));
    refused(DIAMOND.replace("name: diamond", "name: Dia.mond"), new RegExp(`^bad\\.yaml:${lineOf(DIAMOND, "name: diamond")}: name: "Dia.mond" is not a lab name`));
  });

  it("an ioam block naming an interface the node does not have, or enabling a domain edge", () => {
    const text = diamondWith("eth3: { enabled: true, id: 0x0103", "eth7: { enabled: true, id: 0x0103");
    refused(text, new RegExp(`^bad\\.yaml:${lineOf(text, "eth7:")}: topology\\.nodes\\.r1\\.ioam\\.interfaces\\.eth7: r1 has no interface "eth7"`));
    const edge = diamondWith("eth1: { id: 0x0100, wide: 0x01000100 }", "eth1: { enabled: true, id: 0x0100 }");
    refused(edge, new RegExp(`^bad\\.yaml:${lineOf(edge, "eth1: { enabled: true, id: 0x0100 }")}: .*eth1 is a domain edge`));
  });

  it("a variable without value or default, and malformed data-plane items", () => {
    const text = DIAMOND.replace("${MODE:=encap}", "${NOPE}");
    refused(text, new RegExp(`^bad\\.yaml:${lineOf(text, "${NOPE}")}: \\$\\{NOPE\\} has no value`));
    refused(DIAMOND.replace("mode ${MODE:=encap} tundst fd00:24::2", "mode sideways tundst fd00:24::2"), /^bad\.yaml:\d+: topology\.nodes\.r1\.ioam\.dataplane\.encap\[0\]: mode "sideways"/);
    refused(DIAMOND.replace('decap: ["tunnel fd00:12::1"]', 'decap: ["somewhere"]'), /^bad\.yaml:\d+: topology\.nodes\.r1\.ioam\.dataplane\.decap\[0\]: expected "tunnel/);
  });
});

describe("examples/cross-layer.yaml: a host that encapsulates with the trace context", () => {
  const text = readFileSync(join(ROOT, "examples", "cross-layer.yaml"), "utf8");

  it("gives h1's node file traceContext and workers as ioam node run reads them, and the policy room for the context", () => {
    const t = parseTopology(text, "cross-layer.yaml", { vars: { SOCKET: "/run/ioamkit/x-h1.sock", WORKERS: "2" } });
    const h1 = t.nodes.get("h1")!;
    assert.equal(h1.kind, "host");
    assert.equal(h1.roles?.encap.length, 1);
    const file = nodeApplyFile(t, h1)!;
    const spec = parseApplyDocument(file, "h1.ioam.yaml").dataplaneSpec;
    assert.deepEqual([spec.traceContext?.socket, spec.workers, spec.encap[0]!.policy.trace?.traceType, spec.encap[0]!.policy.trace?.size], ["/run/ioamkit/x-h1.sock", 2, 0xf00002, 108]);
    assert.equal(parseApplyDocument(nodeApplyFile(t, t.nodes.get("r4")!)!, "r4.ioam.yaml").dataplaneSpec.traceContext, undefined);
  });
});
