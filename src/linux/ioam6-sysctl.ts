// The IOAM sysctls (Documentation/networking/ioam6-sysctl.rst), read and written through /proc/sys — which shows the
// network namespace of the process that opens it, so `ioam --netns X` sees X's values.
// ioamkit never runs sysctl(8).

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { IoamError, UsageError } from "../errors.js";
import { KernelError } from "./kernel-error.js";

const IPV6 = "/proc/sys/net/ipv6";

/** The node's ids (per netns). */
export interface NodeIds {
  id: number;
  wide: bigint;
}

/** One interface's IOAM settings (net.ipv6.conf.<if>.ioam6_*). */
export interface InterfaceIoam {
  name: string;
  enabled: boolean;
  id: number;
  wide: number;
}

export const NODE_ID_MAX = 0xffffff;
export const NODE_ID_WIDE_MAX = 0x00ffffffffffffffn;
export const IF_ID_MAX = 0xffff;
export const IF_ID_WIDE_MAX = 0xffffffff;

/** The sysctl names, as `sysctl` spells them, for messages and the status view. */
export const SYSCTL = {
  nodeId: "net.ipv6.ioam6_id",
  nodeIdWide: "net.ipv6.ioam6_id_wide",
  enabled: (dev: string) => `net.ipv6.conf.${dev}.ioam6_enabled`,
  ifId: (dev: string) => `net.ipv6.conf.${dev}.ioam6_id`,
  ifIdWide: (dev: string) => `net.ipv6.conf.${dev}.ioam6_id_wide`,
} as const;

function pathOf(name: string): string {
  return "/proc/sys/" + name.replace(/\./g, "/");
}

function failure(name: string, e: unknown, writing: boolean): Error {
  const err = e as NodeJS.ErrnoException;
  if (err.code === "ENOENT" && name.startsWith("net.ipv6.conf.")) {
    const dev = name.split(".")[3];
    return new IoamError("BAD_CONFIG", `interface "${dev}" not found in this network namespace (or IPv6 is disabled on it)`);
  }
  if (err.code === "ENOENT") return new IoamError("NOT_SUPPORTED", `${name} is missing: this kernel has no IPv6 IOAM (CONFIG_IPV6_IOAM6)`);
  if (err.code === "EACCES" || err.code === "EPERM") {
    return new IoamError("KERNEL", `${writing ? "setting" : "reading"} ${name}: permission denied; IOAM configuration needs CAP_NET_ADMIN (run as root)`);
  }
  const errno = typeof err.errno === "number" ? Math.abs(err.errno) : 0;
  if (errno) return new KernelError(`${writing ? "setting" : "reading"} ${name}`, errno);
  return err;
}

function read(name: string): string {
  try {
    return readFileSync(pathOf(name), "utf8").trim();
  } catch (e) {
    throw failure(name, e, false);
  }
}

function write(name: string, value: string): void {
  try {
    writeFileSync(pathOf(name), value + "\n");
  } catch (e) {
    throw failure(name, e, true);
  }
}

export function readNodeIds(): NodeIds {
  return { id: Number(read(SYSCTL.nodeId)), wide: BigInt(read(SYSCTL.nodeIdWide)) };
}

/** Writes the node ids given; values are range-checked first so nothing is half-written. */
export function writeNodeIds(ids: Partial<NodeIds>): void {
  if (ids.id !== undefined) checkRange(SYSCTL.nodeId, ids.id, NODE_ID_MAX);
  if (ids.wide !== undefined) checkRange(SYSCTL.nodeIdWide, ids.wide, NODE_ID_WIDE_MAX);
  if (ids.id !== undefined) write(SYSCTL.nodeId, String(ids.id));
  if (ids.wide !== undefined) write(SYSCTL.nodeIdWide, ids.wide.toString());
}

/** Interfaces with IPv6 in this netns, in /proc order (sorted by name). */
export function interfaceNames(): string[] {
  return readdirSync(`${IPV6}/conf`)
    .filter((n) => n !== "all" && n !== "default")
    .sort();
}

export function readInterface(name: string): InterfaceIoam {
  return {
    name,
    enabled: read(SYSCTL.enabled(name)) !== "0",
    id: Number(read(SYSCTL.ifId(name))),
    wide: Number(read(SYSCTL.ifIdWide(name))),
  };
}

export function readInterfaces(): InterfaceIoam[] {
  return interfaceNames().map(readInterface);
}

/** Writes an interface's settings; checks ranges and that the interface exists first. */
export function writeInterface(name: string, s: Partial<Omit<InterfaceIoam, "name">>): void {
  if (s.id !== undefined) checkRange(SYSCTL.ifId(name), s.id, IF_ID_MAX);
  if (s.wide !== undefined) checkRange(SYSCTL.ifIdWide(name), s.wide, IF_ID_WIDE_MAX);
  readInterface(name); // names a missing interface before anything is written
  if (s.enabled !== undefined) write(SYSCTL.enabled(name), s.enabled ? "1" : "0");
  if (s.id !== undefined) write(SYSCTL.ifId(name), String(s.id));
  if (s.wide !== undefined) write(SYSCTL.ifIdWide(name), String(s.wide));
}

function checkRange(name: string, v: number | bigint, max: number | bigint): void {
  if (v < 0 || v > max) throw new UsageError(`${name} ${v} is out of range (0-${max})`);
}

/** True when this kernel has the IOAM sysctls at all (CONFIG_IPV6_IOAM6). */
export function hasIoamSysctls(): boolean {
  try {
    readFileSync(pathOf(SYSCTL.nodeId));
    return true;
  } catch {
    return false;
  }
}
