// `ioam namespace …`, `ioam schema …`: iproute2's `ip ioam` words and output, spoken to the
// kernel directly over Generic Netlink (IOAM6). The kernel answers ENOENT or EEXIST without
// saying which object it means; the messages here name it and the command that fixes it.

import { KernelError } from "../../linux/kernel-error.js";
import { type Ioam6Client, MAX_SCHEMA_DATA } from "../../linux/netlink/ioam6-family.js";
import { IoamError, UsageError } from "../../errors.js";
import { bytesToHex0x } from "../../wire/hex.js";
import type { Parsed } from "../args.js";
import { namespaceLine, schemaLine } from "../format-ioam6.js";
import { withIoam6 } from "../ioam6-session.js";
import { printList } from "../print-list.js";
import type { CommandSpec, FormSpec } from "../spec.js";
import { V, readBig, readNumber } from "../values.js";
import { takeWords } from "../words.js";

const NS_VALUES = {
  ID: V.u16("IOAM namespace id"),
  DATA32: V.u32("namespace data (trace bit 5)"),
  DATA64: { kind: "hex", help: "wide namespace data (trace bit 10), read as hex as ip ioam does", max: 0xffffffffffffffffn },
  SCHEMA: { ...V.u32("schema id"), choices: ["none"] },
} as const;
const SC_VALUES = { ID: V.u32("schema id"), DATA: V.text(`the schema's bytes: the argument's text, at most ${MAX_SCHEMA_DATA} bytes`) };

/**
 * Rethrows the kernel's ENOENT/EEXIST as a sentence naming the object (looked up when
 * unclear) and the command that fixes it; the errno name stays at the end for searching.
 */
async function explain(e: unknown, c: Ioam6Client, ns?: number, schema?: number): Promise<never> {
  if (!(e instanceof KernelError) || (e.errnoName !== "ENOENT" && e.errnoName !== "EEXIST")) throw e;
  const say = (text: string): never => {
    throw new IoamError("KERNEL", `${text} (${e.errnoName})`);
  };
  if (e.errnoName === "EEXIST") {
    return ns !== undefined ? say(`IOAM namespace ${ns} already exists; delete it first with ioam namespace del ${ns}`) : say(`IOAM schema ${schema} already exists; delete it first with ioam schema del ${schema}`);
  }
  const nsMissing = ns !== undefined && !(await c.namespaces()).some((n) => n.id === ns);
  if (nsMissing || schema === undefined) return say(`there is no IOAM namespace ${ns}; ioam namespace add ${ns} adds it, ioam namespace show lists them`);
  return say(`there is no IOAM schema ${schema}; ioam schema add ${schema} DATA adds it, ioam schema show lists them`);
}

const nsJson = (n: Awaited<ReturnType<Ioam6Client["namespaces"]>>[number]) => ({ namespace: n.id, ...(n.schema !== undefined ? { schema: n.schema } : {}), ...(n.data !== undefined ? { data: n.data } : {}), ...(n.wide !== undefined ? { wide: "0x" + n.wide.toString(16).padStart(16, "0") } : {}) });

async function namespaceRun(a: Parsed): Promise<number> {
  const w = takeWords(a);
  return withIoam6(async (c) => {
    if (a.form.verb === "show") {
      w.end();
      return printList(a, await c.namespaces(), namespaceLine, nsJson);
    }
    const id = readNumber(NS_VALUES.ID, w.next("ID"), "namespace ID");
    let schema: number | "none" | undefined;
    try {
      if (a.form.verb === "add") {
        const data = w.keyword("data", (t) => readNumber(NS_VALUES.DATA32, t, "data"));
        const wide = w.keyword("wide", (t) => readBig(NS_VALUES.DATA64, t, "wide"));
        w.end("data comes before wide, as in ip ioam");
        await c.addNamespace({ id, ...(data !== undefined ? { data } : {}), ...(wide !== undefined ? { wide } : {}) });
      } else if (a.form.verb === "del") {
        w.end();
        await c.delNamespace(id);
      } else {
        schema = w.keyword("schema", (t) => (t === "none" ? "none" : readNumber(NS_VALUES.SCHEMA, t, "schema")), true)!;
        w.end();
        await c.setNamespaceSchema(id, schema);
      }
      return 0;
    } catch (e) {
      return explain(e, c, id, schema === "none" ? undefined : schema);
    }
  });
}

async function schemaRun(a: Parsed): Promise<number> {
  const w = takeWords(a);
  return withIoam6(async (c) => {
    if (a.form.verb === "show") {
      w.end();
      return printList(a, await c.schemas(), schemaLine, (s) => ({ schema: s.id, ...(s.namespace !== undefined ? { namespace: s.namespace } : {}), data: bytesToHex0x(s.data) }));
    }
    const id = readNumber(SC_VALUES.ID, w.next("ID"), "schema ID");
    try {
      if (a.form.verb === "del") {
        w.end();
        await c.delSchema(id);
        return 0;
      }
      const data = new TextEncoder().encode(w.next("DATA"));
      w.end("quote DATA that has spaces");
      if (data.length > MAX_SCHEMA_DATA) throw new UsageError(`schema DATA of ${data.length} bytes is too big (at most ${MAX_SCHEMA_DATA})`);
      await c.addSchema(id, data);
      return 0;
    } catch (e) {
      return explain(e, c, undefined, id);
    }
  });
}

const show: FormSpec = { verb: "show", aliases: ["list"], isDefault: true, words: "", flags: ["json"], kernel: true };

export const namespaceCommand: CommandSpec = {
  name: "namespace",
  summary: "show, add, delete IOAM namespaces and bind schemas (as ip ioam namespace)",
  description: `The kernel's IOAM namespaces (Generic Netlink IOAM6), with ip ioam's words and output.
DATA32 is a number like every other; DATA64 is read as hexadecimal, as ip ioam does.`,
  forms: [
    show,
    { verb: "add", words: "ID [data DATA32] [wide DATA64]", flags: [], kernel: true },
    { verb: "del", words: "ID", flags: [], kernel: true },
    { verb: "set", words: "ID schema SCHEMA|none", flags: [], kernel: true },
  ],
  flags: [{ name: "json", help: "print a JSON array" }],
  values: NS_VALUES,
  examples: [{ cmd: "ioam namespace add 123 data 0xdeadbeef wide cafec0caf00dc0de" }, { cmd: "ioam namespace set 123 schema 777" }, { cmd: "ioam --netns r1 namespace show --json" }],
  run: namespaceRun,
};

export const schemaCommand: CommandSpec = {
  name: "schema",
  summary: "show, add, delete IOAM schemas for opaque state snapshots (as ip ioam schema)",
  description: "Schemas for the Opaque State Snapshot (trace bit 22); the kernel pads DATA to 4 octets.",
  forms: [show, { verb: "add", words: "ID DATA", flags: [], kernel: true }, { verb: "del", words: "ID", flags: [], kernel: true }],
  flags: [{ name: "json", help: "print a JSON array" }],
  values: SC_VALUES,
  examples: [{ cmd: 'ioam schema add 777 "something that will be 4n-aligned"' }, { cmd: "ioam schema show --json" }],
  run: schemaRun,
};
