// `ioam node show|set`: this node's IOAM ids (net.ipv6.ioam6_id, net.ipv6.ioam6_id_wide).

import { NODE_ID_MAX, NODE_ID_WIDE_MAX, type NodeIds, readNodeIds, writeNodeIds } from "../../linux/ioam6-sysctl.js";
import { UsageError } from "../../errors.js";
import type { ParsedArgs } from "../args.js";
import type { Command } from "../command.js";
import { bigArg, uintArg } from "../number-args.js";

/** `[id N] [wide W]` in any order. */
export function parseNodeIdWords(w: readonly string[]): Partial<NodeIds> {
  const out: Partial<NodeIds> = {};
  for (let i = 0; i < w.length; i += 2) {
    if (w[i] === "id") out.id = uintArg(w[i + 1], NODE_ID_MAX, "node id");
    else if (w[i] === "wide") out.wide = bigArg(w[i + 1], NODE_ID_WIDE_MAX, "wide node id");
    else throw new UsageError(`node set: unexpected word "${w[i]}" (id N, wide N)`);
  }
  if (out.id === undefined && out.wide === undefined) throw new UsageError("usage: ioam node set [id N] [wide N]");
  return out;
}

export const nodeIdsLine = (n: NodeIds): string => `id ${n.id} wide ${n.wide}`;
export const nodeIdsJson = (n: NodeIds): object => ({ id: n.id, wide: "0x" + n.wide.toString(16) });

async function nodeRun(a: ParsedArgs): Promise<number> {
  const [verb, ...w] = a.positional;
  switch (verb) {
    case undefined:
    case "show": {
      const ids = readNodeIds();
      process.stdout.write((a.booleans.has("json") ? JSON.stringify(nodeIdsJson(ids)) : nodeIdsLine(ids)) + "\n");
      return 0;
    }
    case "set":
      writeNodeIds(parseNodeIdWords(w));
      return 0;
    default:
      throw new UsageError(`unknown node command "${verb}" (show, set)`);
  }
}

export const nodeCommand: Command = {
  name: "node",
  summary: "show or set this node's IOAM id and wide id (net.ipv6.ioam6_id, ioam6_id_wide)",
  help: `usage: ioam [--netns NAME] node show [--json]
       ioam [--netns NAME] node set [id N] [wide N]

The node id (24 bits, 0-16777215) and wide node id (56 bits) that IOAM traces carry, per
network namespace; written to /proc/sys as sysctl would. Numbers take 0x hex or decimal.
The kernel's defaults (16777215 and 72057594037927935) mean "not set".

Examples:
  ioam node set id 1 wide 0x1000000001
  ioam --netns r1 node show`,
  flags: {},
  run: nodeRun,
};
