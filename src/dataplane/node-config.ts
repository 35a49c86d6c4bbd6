// From an apply file to what the daemon runs: the kernel part applied as `ioam apply` applies
// it (plan, verify, roll back on failure), then the kernel's IOAM state read back — with the
// ingresses ioamkit owns shown as configured, not as the daemon set them — and the facts only
// the running kernel knows: routes, MTUs, the tunnel source it selects, whether a decap
// address is really this node's.

import { ConfigError, IoamError } from "../errors.js";
import type { DataplaneSpec } from "../linux/apply/dataplane-spec.js";
import type { DesiredState } from "../linux/apply/document.js";
import { applyPlan } from "../linux/apply/execute.js";
import { describeStep } from "../linux/apply/plan.js";
import { prepareApply } from "../linux/apply/prepare.js";
import { type ForwardingFacts, readForwardingFacts, routeTo } from "../linux/forwarding-facts.js";
import { type IoamState, readIoamState } from "../linux/ioam-state.js";
import { KernelError } from "../linux/kernel-error.js";
import { Ioam6Client } from "../linux/netlink/ioam6-family.js";
import { formatIpv6Address, parseIpv6Address } from "../wire/ipv6-address.js";
import { type SetupInput, nodeConfigOf } from "./handler-setup.js";

/**
 * Applies the file's kernel part. For interfaces the daemon owns (`owned`: their configured
 * ioam6_enabled), the file's `enabled` is left out of the plan — the kernel holds 0 there on
 * purpose — and taken as the configured value instead. Returns the kernel's state with owned
 * interfaces shown as configured, and the steps applied.
 */
export async function applyKernelPart(doc: DesiredState, owned: ReadonlyMap<string, boolean>): Promise<{ state: IoamState; applied: string[] }> {
  const wanted = new Map(owned);
  const target: DesiredState = { ...doc };
  if (doc.interfaces) {
    target.interfaces = new Map(doc.interfaces);
    for (const [dev, change] of doc.interfaces) {
      if (!owned.has(dev) || change.enabled === undefined) continue;
      wanted.set(dev, change.enabled);
      const { enabled: _, ...rest } = change;
      target.interfaces.set(dev, rest);
    }
  }
  const client = await openIoam6();
  try {
    const { before, steps, devs } = await prepareApply(client, target);
    if (steps.length) await applyPlan(client, before, steps, target, devs);
    const state = await readIoamState(client);
    for (const [dev, enabled] of wanted) {
      const i = state.interfaces.get(dev);
      if (i) i.enabled = enabled;
    }
    return { state, applied: steps.map(describeStep) };
  } finally {
    client.close();
  }
}

async function openIoam6(): Promise<Ioam6Client> {
  try {
    return await Ioam6Client.open();
  } catch (e) {
    if (e instanceof KernelError && (e.errnoName === "EPERM" || e.errnoName === "EACCES")) throw new IoamError("KERNEL", `${e.message}; ioam node run needs CAP_NET_ADMIN (run as root)`);
    throw e;
  }
}

/** The interfaces whose IOAM the daemon takes over: those the kernel would process IOAM on (enabled). */
export function ingressesToOwn(state: IoamState): string[] {
  return [...state.interfaces].filter(([dev, i]) => i.enabled && dev !== "lo").map(([dev]) => dev).sort();
}

/** What only the running kernel can answer about a spec: routes and MTUs, whether each tunnel address is this node's, the source it selects towards each tundst. */
export interface KernelFacts {
  facts: ForwardingFacts;
  tunnelSources: Array<string | undefined>;
}

/** Reads the kernel facts and checks the spec against them (ConfigError naming file:line). */
export async function readKernelFacts(spec: DataplaneSpec): Promise<KernelFacts> {
  const facts = await readForwardingFacts();
  for (const d of spec.decap) {
    if (d.kind !== "tunnel") continue;
    const mine = facts.routes.some((r) => r.local && r.len === 128 && r.dst.every((x, k) => x === d.address[k]));
    if (!mine) throw new ConfigError(`${d.where}: ${d.text}`, `${formatIpv6Address(d.address)} is not an address of this node: a tunnel ends at one of its own addresses (tundst of the encapsulating node)`);
  }
  const tunnelSources: Array<string | undefined> = [];
  for (const p of spec.encap) {
    const { mode, tundst, tunsrc } = p.policy;
    if (mode === "inline" || tunsrc !== undefined) {
      tunnelSources.push(undefined);
      continue;
    }
    const to = await routeTo(parseIpv6Address(tundst!)!).catch(() => undefined);
    if (!to?.source) throw new ConfigError(`${p.where}: ${p.path}`, `no route with a source address towards tundst ${tundst} in this network namespace (add a route, or give tunsrc)`);
    tunnelSources.push(to.source);
  }
  return { facts, tunnelSources };
}

/** Everything the handler set-up needs. */
export function setupInputOf(spec: DataplaneSpec, state: IoamState, netns: string | null, k: KernelFacts): SetupInput {
  return { netns, spec, node: nodeConfigOf(state, spec), facts: k.facts, tunnelSources: k.tunnelSources };
}
