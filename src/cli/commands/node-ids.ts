// `ioam node show|set`: this node's IOAM ids (net.ipv6.ioam6_id, net.ipv6.ioam6_id_wide); and
// `ioam node run|stats|cleanup`: its userspace data plane (node-run.ts, node-stats.ts).

import { NODE_ID_MAX, NODE_ID_WIDE_MAX, type NodeIds, readNodeIds, writeNodeIds } from "../../linux/ioam6-sysctl.js";
import { UsageError } from "../../errors.js";
import type { Parsed } from "../args.js";
import { OutputBuffer } from "../output.js";
import type { CommandSpec } from "../spec.js";
import { V, readBig, readNumber } from "../values.js";
import { readSettings } from "../words.js";
import { NODE_RUN_DESCRIPTION, runNodeDaemon } from "./node-run.js";
import { nodeCleanup, nodeStats } from "./node-stats.js";

const VALUES = {
  ID: V.num("node id (net.ipv6.ioam6_id)", BigInt(NODE_ID_MAX)),
  WIDE: V.num("wide node id (net.ipv6.ioam6_id_wide)", NODE_ID_WIDE_MAX),
  FILE: V.file("the node's apply file; its dataplane: section is what runs (docs/dataplane.md)"),
  PATH: V.outfile("where decapsulated IOAM data goes as NDJSON records: a file, or a unix socket a collector listens on"),
  "HOST:PORT": V.text("the address of the Prometheus text endpoint (IPv6 hosts in brackets), e.g. 127.0.0.1:9464"),
};

/** `[id ID] [wide WIDE]` in any order, each once. */
export function parseNodeIdWords(a: Parsed): Partial<NodeIds> {
  const out: Partial<NodeIds> = {};
  readSettings(a, a.words, { id: (t) => (out.id = readNumber(VALUES.ID, t, "node id")), wide: (t) => (out.wide = readBig(VALUES.WIDE, t, "wide node id")) });
  if (out.id === undefined && out.wide === undefined) throw new UsageError("node set: nothing to set; usage: ioam node set [id ID] [wide WIDE]");
  return out;
}

export const nodeIdsLine = (n: NodeIds): string => `id ${n.id} wide ${n.wide}`;
export const nodeIdsJson = (n: NodeIds): object => ({ id: n.id, wide: "0x" + n.wide.toString(16) });

async function nodeIds(a: Parsed): Promise<number> {
  if (a.form.verb === "run") return runNodeDaemon(a);
  if (a.form.verb === "stats") return nodeStats(a);
  if (a.form.verb === "cleanup") return nodeCleanup(a);
  if (a.form.verb === "set") {
    writeNodeIds(parseNodeIdWords(a));
    return 0;
  }
  if (a.words.length) throw new UsageError(`node show: unexpected word "${a.words[0]}"`);
  const ids = readNodeIds();
  const out = new OutputBuffer();
  out.line(a.has("json") ? JSON.stringify(nodeIdsJson(ids)) : nodeIdsLine(ids));
  await out.close();
  return 0;
}

export const nodeCommand: CommandSpec = {
  name: "node",
  summary: "this node's IOAM ids (show, set) and its userspace data plane (run, stats, cleanup)",
  description: `The node id (24 bits) and wide node id (56 bits) that IOAM traces carry, per network
namespace; written to /proc/sys as sysctl -w would, after a range check (nothing is written
if a value is refused). The kernel's defaults (16777215 and 72057594037927935) mean "not set".

${NODE_RUN_DESCRIPTION}`,
  forms: [
    { verb: "show", isDefault: true, words: "", flags: ["json"], kernel: true },
    { verb: "set", words: "[id ID] [wide WIDE]", flags: [], kernel: true },
    { verb: "run", words: "FILE", flags: ["sink", "metrics", "json"], kernel: true },
    { verb: "stats", words: "", flags: ["json"], kernel: true },
    { verb: "cleanup", words: "", flags: ["json"], kernel: true },
  ],
  flags: [
    { name: "json", help: "print a JSON object (node run: its last stats, when it stops)" },
    { name: "sink", help: "write the IOAM data of decapsulated packets here", value: { placeholder: "PATH", spec: VALUES.PATH } },
    { name: "metrics", help: "serve the counters as Prometheus text at this address", value: { placeholder: "HOST:PORT", spec: VALUES["HOST:PORT"] } },
  ],
  values: VALUES,
  examples: [
    { cmd: "ioam node set id 1 wide 0x1000000001" },
    { cmd: "ioam --netns r1 node show" },
    { cmd: "ioam --netns r1 node run r1.yaml --sink /var/log/ioam-r1.ndjson --metrics 127.0.0.1:9464" },
    { cmd: "ioam --netns r1 node stats --json" },
    { cmd: "ioam --netns r1 node cleanup" },
  ],
  run: nodeIds,
};
