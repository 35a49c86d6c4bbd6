// Everything IOAM the kernel holds for one network namespace, read in one go: node ids,
// interfaces, IOAM namespaces and schemas. `ioam status` shows it, `ioam apply` diffs against
// it, snapshots it before changing anything and restores it on failure.

import { type InterfaceIoam, type NodeIds, readInterface, readInterfaces, readNodeIds } from "./ioam6-sysctl.js";
import type { Ioam6Client, Ioam6Namespace, Ioam6Schema } from "./netlink/ioam6-family.js";

export interface IoamState {
  node: NodeIds;
  /** By interface name. */
  interfaces: Map<string, Omit<InterfaceIoam, "name">>;
  /** By IOAM namespace id. Data values the kernel holds as "none" (all ones) are absent. */
  namespaces: Map<number, Omit<Ioam6Namespace, "id">>;
  /** By schema id: the data as the kernel keeps it (padded to 4 octets). */
  schemas: Map<number, Uint8Array>;
}

/** The part held in sysctls (readable without CAP_NET_ADMIN); `devs` limits the interfaces read (default: all). */
export function readSysctlState(devs?: readonly string[]): Pick<IoamState, "node" | "interfaces"> {
  const ifs = devs ? devs.map(readInterface) : readInterfaces();
  return { node: readNodeIds(), interfaces: new Map(ifs.map(({ name, ...rest }) => [name, rest])) };
}

/** Reads the state; `devs` limits the interfaces read (default: all). */
export async function readIoamState(client: Ioam6Client, devs?: readonly string[]): Promise<IoamState> {
  // One dump at a time: a netlink socket refuses a second concurrent dump (EBUSY).
  const namespaces = await client.namespaces();
  const schemas = await client.schemas();
  return {
    ...readSysctlState(devs),
    namespaces: new Map(namespaces.map(({ id, ...rest }) => [id, rest])),
    schemas: new Map(schemas.map((s: Ioam6Schema) => [s.id, s.data])),
  };
}
