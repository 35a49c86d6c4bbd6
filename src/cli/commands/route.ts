// `ioam route add|del|show`: IPv6 routes with the kernel's ioam6 lightweight tunnel, in
// `ip -6 route`'s words and output, spoken to the kernel directly over rtnetlink.

import { RouteClient } from "../../linux/rtnetlink/route-client.js";
import { parseRouteWords } from "../../linux/route-spec.js";
import { UsageError } from "../../errors.js";
import type { Parsed } from "../args.js";
import { inMainTable, isIoam6Route, routeJson, routeLine } from "../format-route.js";
import { OutputBuffer } from "../output.js";
import type { CommandSpec } from "../spec.js";
import { V } from "../values.js";
import { TRACE_VALUES } from "./option-values.js";

async function withRoutes<T>(fn: (c: RouteClient) => Promise<T>): Promise<T> {
  const c = RouteClient.open();
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

async function show(a: Parsed): Promise<number> {
  if (a.words.length > 0) throw new UsageError(`route show: unexpected word "${a.words[0]}" (show takes --all and --json)`);
  const all = a.has("all");
  const [routes, names] = await withRoutes(async (c) => [await c.routes(), await c.linkNames()] as const);
  const shown = routes.filter((r) => inMainTable(r) && (all || isIoam6Route(r)));
  const out = new OutputBuffer();
  if (a.has("json")) out.line(JSON.stringify(shown.map((r) => routeJson(r, names))));
  else for (const r of shown) out.line(routeLine(r, names));
  await out.close();
  return 0;
}

async function routeRun(a: Parsed): Promise<number> {
  const verb = a.form.verb;
  if (verb === "add" || verb === "del") {
    const { spec, order } = parseRouteWords(a.words, verb);
    await withRoutes((c) => c.change(verb, spec, order));
    return 0;
  }
  return show(a);
}

const ENCAP = "encap ioam6 [freq K/N] [mode inline|encap|auto] [tunsrc ADDR] [tundst ADDR] trace prealloc type TYPE ns NS size SIZE";

export const routeCommand: CommandSpec = {
  name: "route",
  summary: "add, delete, show IPv6 routes that insert IOAM (as ip -6 route … encap ioam6)",
  description: `Routes whose packets get an IOAM Pre-allocated Trace from the kernel's ioam6 lightweight
tunnel, with ip -6 route's words (accepted in any order) and output. ioam talks to the kernel
over rtnetlink itself; it never runs ip.

  freq K/N   insert into K of every N packets (1..1000000, K <= N; default 1/1)
  mode       inline: add a Hop-by-Hop header to the packet (default); encap: IPv6-in-IPv6
             toward tundst; auto: inline for local packets, encap for forwarded ones
  tunsrc     outer source for encap/auto (Linux >= 6.12; default: the kernel picks one)
  tundst     outer destination, required for encap and auto
  type       bits 12-21 and 23 are refused; size is a multiple of 4 up to 244

show lists the ioam6 routes of the main table; --all lists every route there, as
ip -6 route show does (ioam prints encap details for ioam6 only).

Kernels built without CONFIG_IPV6_IOAM6_LWTUNNEL refuse these routes (EOPNOTSUPP); nothing is
added, and ioam says so. ioamkit's userspace data plane (ioam node run) does the job there.`,
  forms: [
    { verb: "show", aliases: ["list"], isDefault: true, words: "", flags: ["all", "json"], kernel: true },
    { verb: "add", words: `PREFIX ${ENCAP} [via ADDR] [dev DEV] [metric N]`, flags: [], kernel: true },
    { verb: "del", words: `PREFIX [${ENCAP}] [via ADDR] [dev DEV] [metric N]`, flags: [], kernel: true },
  ],
  flags: [
    { name: "all", help: "every route of the main table, not only ioam6 ones" },
    { name: "json", help: "print a JSON array" },
  ],
  values: {
    PREFIX: { kind: "prefix", help: "ADDR/LEN, ADDR, or default" },
    "K/N": { kind: "ratio", help: "K of every N packets, decimal, 1 <= K <= N <= 1000000" },
    ADDR: V.ipv6("an IPv6 address"),
    ...TRACE_VALUES,
    SIZE: V.num("node data bytes, a multiple of 4", 244n, 4n),
    DEV: V.dev,
    N: V.u32("route metric"),
  },
  examples: [
    { cmd: "ioam route add 2001:db8:2::/64 encap ioam6 trace prealloc type 0x800000 ns 123 size 12 dev veth0" },
    { cmd: "ioam route add 2001:db8:3::/64 encap ioam6 freq 1/10 mode encap tundst 2001:db8:3::1 trace prealloc type 0xf00000 ns 1 size 64 via 2001:db8:1::2 dev veth0" },
    { cmd: "ioam --netns r1 route show --json" },
  ],
  run: routeRun,
};
