// `ioam status`: everything IOAM in one network namespace — node ids, interfaces, IOAM
// namespaces, schemas, and which kernel features are present, with what each means.

import { readIoamState, readSysctlState } from "../../linux/ioam-state.js";
import { type Feature, probeFeatures } from "../../linux/features.js";
import { Ioam6Client } from "../../linux/netlink/ioam6-family.js";
import { KernelError } from "../../linux/kernel-error.js";
import { RouteClient } from "../../linux/rtnetlink/route-client.js";
import { inMainTable, isIoam6Route, routeJson, routeLine } from "../format-route.js";
import { bytesToHex0x } from "../../wire/hex.js";
import { UsageError } from "../../errors.js";
import type { Parsed } from "../args.js";
import type { CommandSpec } from "../spec.js";
import { namespaceLine, schemaLine } from "../format-ioam6.js";
import { interfaceLine } from "./link.js";
import { OutputBuffer } from "../output.js";

async function openClient(): Promise<Ioam6Client | null> {
  try {
    return await Ioam6Client.open();
  } catch {
    return null; // reported as the missing "netlink" feature
  }
}

async function run(a: Parsed): Promise<number> {
  if (a.words.length) throw new UsageError(`status takes no arguments (got "${a.words[0]}")`);
  const client = await openClient();
  try {
    const features = probeFeatures(client);
    const { state, denied } = client ? await readState(client) : { state: null, denied: undefined };
    const routes = await ioam6Routes();
    const out = new OutputBuffer();
    if (a.has("json")) {
      out.line(JSON.stringify({
        node: state && { id: state.node.id, wide: "0x" + state.node.wide.toString(16) },
        interfaces: state && [...state.interfaces].map(([ifname, i]) => ({ ifname, ...i })),
        ...(denied ? { denied } : {}),
        namespaces: denied ? null : state && [...state.namespaces].map(([id, n]) => ({ namespace: id, ...n, ...(n.wide !== undefined ? { wide: "0x" + n.wide.toString(16).padStart(16, "0") } : {}) })),
        schemas: denied ? null : state && [...state.schemas].map(([id, d]) => ({ schema: id, data: bytesToHex0x(d) })),
        routes: routes.json,
        features,
      }));
    } else writeHuman(out, state, denied, routes.lines, features);
    await out.close();
    return 0;
  } finally {
    client?.close();
  }
}

type State = Awaited<ReturnType<typeof readIoamState>>;

/** The kernel state; without CAP_NET_ADMIN the IOAM6 dumps are refused, the sysctls still readable. */
async function readState(client: Ioam6Client): Promise<{ state: State; denied?: string }> {
  try {
    return { state: await readIoamState(client) };
  } catch (e) {
    if (!(e instanceof KernelError) || (e.errnoName !== "EPERM" && e.errnoName !== "EACCES")) throw e;
    return { state: { ...readSysctlState(), namespaces: new Map(), schemas: new Map() }, denied: "listing IOAM namespaces and schemas needs CAP_NET_ADMIN (run as root)" };
  }
}

/** The ioam6 routes of the main table, as ip -6 route prints them and as JSON. */
async function ioam6Routes(): Promise<{ lines: string[]; json: Array<Record<string, unknown>> }> {
  const rc = RouteClient.open();
  try {
    const names = await rc.linkNames();
    const routes = (await rc.routes()).filter((r) => inMainTable(r) && isIoam6Route(r));
    return { lines: routes.map((r) => routeLine(r, names)), json: routes.map((r) => routeJson(r, names)) };
  } finally {
    rc.close();
  }
}

function writeHuman(out: OutputBuffer, state: State | null, denied: string | undefined, routes: string[], features: Feature[]): void {
  if (state) {
    out.line(`node: id ${state.node.id} wide ${state.node.wide}`);
    out.line("interfaces:");
    for (const [name, i] of state.interfaces) out.line("  " + interfaceLine({ name, ...i }));
    if (denied) out.line(`namespaces, schemas: not shown: ${denied}`);
    else out.line(`namespaces:${state.namespaces.size ? "" : " none"}`);
    for (const [id, n] of state.namespaces) out.line("  " + namespaceLine({ id, ...n }));
    if (!denied) out.line(`schemas:${state.schemas.size ? "" : " none"}`);
    const boundTo = new Map([...state.namespaces].filter(([, n]) => n.schema !== undefined).map(([id, n]) => [n.schema!, id]));
    for (const [id, data] of state.schemas) {
      const ns = boundTo.get(id);
      out.line("  " + schemaLine({ id, data, ...(ns !== undefined ? { namespace: ns } : {}) }));
    }
  }
  out.line(`ioam6 routes:${routes.length ? "" : " none"}`);
  for (const r of routes) out.line("  " + r);
  out.line("kernel features:");
  const width = Math.max(...features.map((f) => f.name.length));
  for (const f of features) out.line(`  ${f.name.padEnd(width)}  ${f.state.padEnd(7)}  ${f.source}: ${f.consequence}`);
}

export const statusCommand: CommandSpec = {
  name: "status",
  summary: "everything IOAM in a network namespace: ids, interfaces, namespaces, schemas, kernel features",
  description: `One view of a node's IOAM: node ids, every interface's enable state and ids, IOAM namespaces
and schemas (as ip ioam shows them), encap ioam6 routes (as ip -6 route shows them), and which
kernel features are present or missing (transit, Generic Netlink, events, the encap ioam6
lwtunnel, NFQUEUE) with the consequence of each. Without root, the IOAM namespaces and
schemas are not shown (the kernel refuses to list them) and status says so.`,
  forms: [{ words: "", flags: ["json"], kernel: true }],
  flags: [{ name: "json", help: "print one JSON object" }],
  values: {},
  examples: [{ cmd: "ioam status", runnable: true }, { cmd: "ioam --netns r1 status --json | jq .features" }],
  run,
};
