// Which kernel IOAM features this host has, and what each one's absence means for an
// operator. Read from /proc (sysctls, /proc/net/netfilter, /proc/config.gz) and Generic
// Netlink — nothing is changed to find out.

import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { hasIoamSysctls } from "./ioam6-sysctl.js";
import { IOAM6_EVENTS_GROUP, type Ioam6Client } from "./netlink/ioam6-family.js";

export type FeatureState = "present" | "missing" | "unknown";

export interface Feature {
  name: string;
  /** Kernel option or facility, as an operator would search for it. */
  source: string;
  state: FeatureState;
  /** What this state means for IOAM on this host. */
  consequence: string;
}

/** CONFIG_* values from /proc/config.gz, or undefined when the kernel does not export them. */
function kernelConfig(): Map<string, string> | undefined {
  try {
    const text = gunzipSync(readFileSync("/proc/config.gz")).toString("latin1");
    const out = new Map<string, string>();
    for (const m of text.matchAll(/^(CONFIG_\w+)=(.*)$/gm)) out.set(m[1]!, m[2]!);
    return out;
  } catch {
    return undefined;
  }
}

function configState(config: Map<string, string> | undefined, key: string): FeatureState {
  if (!config) return "unknown";
  const v = config.get(key);
  return v === "y" || v === "m" ? "present" : "missing";
}

/** Probes the features; `client` is the IOAM6 client when the family resolved, else null. */
export function probeFeatures(client: Ioam6Client | null): Feature[] {
  const config = kernelConfig();
  const transit = hasIoamSysctls() ? "present" : "missing";
  const events = client === null ? "missing" : client.family.groups.has(IOAM6_EVENTS_GROUP) ? "present" : "missing";
  const lwt = configState(config, "CONFIG_IPV6_IOAM6_LWTUNNEL");
  const nfq = existsSync("/proc/net/netfilter/nfnetlink_queue") ? "present" : configState(config, "CONFIG_NETFILTER_NETLINK_QUEUE");
  return [
    { name: "transit", source: "CONFIG_IPV6_IOAM6", state: transit, consequence: transit === "present" ? "the kernel fills Pre-allocated Traces received on interfaces with ioam6 enabled" : "no kernel IOAM at all: ioam node run must fill traces in userspace" },
    { name: "netlink", source: "Generic Netlink IOAM6", state: client ? "present" : "missing", consequence: client ? "IOAM namespaces and schemas can be configured (ioam namespace, ioam schema, ioam apply)" : "IOAM namespaces and schemas cannot be configured in the kernel" },
    { name: "events", source: "ioam6_events (Linux ≥ 6.9)", state: events, consequence: events === "present" ? "ioam monitor and the collector receive the traces this kernel fills" : "kernel-filled traces are seen only in packets (decap, capture), not as events" },
    { name: "lwtunnel", source: "CONFIG_IPV6_IOAM6_LWTUNNEL", state: lwt, consequence: lwt === "present" ? "ioam route add … encap ioam6 inserts IOAM in the kernel" : lwt === "missing" ? "the kernel cannot insert IOAM (encap ioam6 routes are refused): use the userspace data plane, ioam node run" : "not known (no /proc/config.gz): ioam route add will tell" },
    { name: "nfqueue", source: "CONFIG_NETFILTER_NETLINK_QUEUE", state: nfq, consequence: nfq === "present" ? "ioam node run can act as an IOAM encap, transit or decap node in userspace" : nfq === "missing" ? "the userspace data plane (ioam node run) cannot run here" : "not known (no /proc/config.gz)" },
  ];
}
