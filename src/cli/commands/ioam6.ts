// `ioam namespace …`, `ioam schema …`, `ioam monitor`: iproute2's `ip ioam` words and output,
// spoken to the kernel directly over Generic Netlink (IOAM6).

import { type Ioam6Client, MAX_SCHEMA_DATA } from "../../linux/netlink/ioam6-family.js";
import { UsageError } from "../../errors.js";
import { bytesToHex0x } from "../../wire/hex.js";
import type { ParsedArgs } from "../args.js";
import type { Command } from "../command.js";
import { namespaceLine, schemaLine } from "../format-ioam6.js";
import { bigArg, uintArg } from "../number-args.js";
import { printList } from "../print-list.js";
import { withIoam6 } from "../ioam6-session.js";

const u16 = (text: string | undefined, what: string): number => uintArg(text, 0xffff, what);
const u32 = (text: string | undefined, what: string): number => uintArg(text, 0xffffffff, what);

/** `add ID [data DATA32] [wide DATA64]`: data before wide, wide read as hex (as iproute2). */
function parseNamespaceAdd(w: string[]): { id: number; data?: number; wide?: bigint } {
  const ns: { id: number; data?: number; wide?: bigint } = { id: u16(w[0], "namespace ID") };
  let i = 1;
  if (w[i] === "data") (ns.data = u32(w[i + 1], "data")), (i += 2);
  if (w[i] === "wide") {
    ns.wide = bigArg(w[i + 1], 0xffffffffffffffffn, "wide data", 16);
    i += 2;
  }
  if (w[i] !== undefined) throw new UsageError(`namespace add: unexpected argument "${w[i]}" (data comes before wide)`);
  return ns;
}

async function namespaceRun(a: ParsedArgs): Promise<number> {
  const [verb, ...w] = a.positional;
  return withIoam6(async (c: Ioam6Client) => {
    switch (verb) {
      case undefined:
      case "show":
      case "list":
        return printList(a, await c.namespaces(), namespaceLine, (n) => ({ namespace: n.id, ...(n.schema !== undefined ? { schema: n.schema } : {}), ...(n.data !== undefined ? { data: n.data } : {}), ...(n.wide !== undefined ? { wide: "0x" + n.wide.toString(16).padStart(16, "0") } : {}) }));
      case "add": return c.addNamespace(parseNamespaceAdd(w)).then(() => 0);
      case "del": return c.delNamespace(u16(w[0], "namespace ID")).then(() => 0);
      case "set": {
        if (w[1] !== "schema" || w[2] === undefined) throw new UsageError("usage: ioam namespace set ID schema { ID | none }");
        return c.setNamespaceSchema(u16(w[0], "namespace ID"), w[2] === "none" ? "none" : u32(w[2], "schema ID")).then(() => 0);
      }
      default: throw new UsageError(`unknown namespace command "${verb}" (show, add, del, set)`);
    }
  });
}

async function schemaRun(a: ParsedArgs): Promise<number> {
  const [verb, ...w] = a.positional;
  return withIoam6(async (c: Ioam6Client) => {
    switch (verb) {
      case undefined:
      case "show":
      case "list":
        return printList(a, await c.schemas(), schemaLine, (s) => ({ schema: s.id, ...(s.namespace !== undefined ? { namespace: s.namespace } : {}), data: bytesToHex0x(s.data) }));
      case "add": {
        const id = u32(w[0], "schema ID");
        if (w[1] === undefined) throw new UsageError("usage: ioam schema add ID DATA");
        if (w[2] !== undefined) throw new UsageError(`schema add: unexpected argument "${w[2]}" (quote DATA that has spaces)`);
        const data = new TextEncoder().encode(w[1]);
        if (data.length > MAX_SCHEMA_DATA) throw new UsageError(`schema DATA of ${data.length} bytes is too big (at most ${MAX_SCHEMA_DATA})`);
        return c.addSchema(id, data).then(() => 0);
      }
      case "del": return c.delSchema(u32(w[0], "schema ID")).then(() => 0);
      default: throw new UsageError(`unknown schema command "${verb}" (show, add, del)`);
    }
  });
}

export const namespaceCommand: Command = {
  name: "namespace",
  summary: "show, add, delete IOAM namespaces and bind schemas (as ip ioam namespace)",
  help: `usage: ioam [--netns NAME] namespace show [--json]
       ioam [--netns NAME] namespace add ID [data DATA32] [wide DATA64]
       ioam [--netns NAME] namespace del ID
       ioam [--netns NAME] namespace set ID schema { ID | none }

The kernel's IOAM namespaces (Generic Netlink IOAM6), with ip ioam's words and output.
DATA32 takes 0x hex, 0 octal or decimal; DATA64 is read as hexadecimal, as ip ioam does.

Examples:
  ioam namespace add 123 data 0xdeadbeef wide cafec0caf00dc0de
  ioam --netns r1 namespace show`,
  flags: {},
  run: namespaceRun,
};

export const schemaCommand: Command = {
  name: "schema",
  summary: "show, add, delete IOAM schemas for opaque state snapshots (as ip ioam schema)",
  help: `usage: ioam [--netns NAME] schema show [--json]
       ioam [--netns NAME] schema add ID DATA
       ioam [--netns NAME] schema del ID

DATA is the argument's bytes (at most 1020); the kernel pads it to 4 octets.

Examples:
  ioam schema add 777 "something that will be 4n-aligned"
  ioam namespace set 123 schema 777`,
  flags: {},
  run: schemaRun,
};
