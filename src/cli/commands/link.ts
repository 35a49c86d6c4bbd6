// `ioam link show|set`: per-interface IOAM settings (net.ipv6.conf.<if>.ioam6_enabled,
// ioam6_id, ioam6_id_wide).

import { IF_ID_MAX, IF_ID_WIDE_MAX, type InterfaceIoam, readInterface, readInterfaces, writeInterface } from "../../linux/ioam6-sysctl.js";
import { UsageError } from "../../errors.js";
import type { ParsedArgs } from "../args.js";
import type { Command } from "../command.js";
import { uintArg } from "../number-args.js";
import { printList } from "../print-list.js";

type InterfaceChange = Partial<Omit<InterfaceIoam, "name">>;

/** `[dev] DEV [enable|disable] [id N] [wide N]`, settings in any order. */
export function parseLinkSetWords(w: readonly string[]): { dev: string; change: InterfaceChange } {
  const words = w[0] === "dev" ? w.slice(1) : w;
  const dev = words[0];
  if (dev === undefined) throw new UsageError("usage: ioam link set [dev] DEV [enable|disable] [id N] [wide N]");
  const change: InterfaceChange = {};
  for (let i = 1; i < words.length; i++) {
    const k = words[i];
    if (k === "enable" || k === "disable") change.enabled = k === "enable";
    else if (k === "id") change.id = uintArg(words[++i], IF_ID_MAX, `interface id of ${dev}`);
    else if (k === "wide") change.wide = uintArg(words[++i], IF_ID_WIDE_MAX, `wide interface id of ${dev}`);
    else throw new UsageError(`link set ${dev}: unexpected word "${k}" (enable, disable, id N, wide N)`);
  }
  if (Object.keys(change).length === 0) throw new UsageError(`link set ${dev}: nothing to set (enable, disable, id N, wide N)`);
  return { dev, change };
}

export const interfaceLine = (i: InterfaceIoam): string => `${i.name}: ${i.enabled ? "enabled" : "disabled"} id ${i.id} wide ${i.wide}`;
export const interfaceJson = (i: InterfaceIoam): object => ({ ifname: i.name, enabled: i.enabled, id: i.id, wide: i.wide });

async function linkRun(a: ParsedArgs): Promise<number> {
  const [verb, ...w] = a.positional;
  switch (verb) {
    case undefined:
    case "show": {
      const dev = w[0] === "dev" ? w[1] : w[0];
      return printList(a, dev === undefined ? readInterfaces() : [readInterface(dev)], interfaceLine, interfaceJson);
    }
    case "set": {
      const { dev, change } = parseLinkSetWords(w);
      writeInterface(dev, change);
      return 0;
    }
    default:
      throw new UsageError(`unknown link command "${verb}" (show, set)`);
  }
}

export const linkCommand: Command = {
  name: "link",
  summary: "show or set interfaces' IOAM state: enabled, id, wide id (net.ipv6.conf.IF.ioam6_*)",
  help: `usage: ioam [--netns NAME] link show [[dev] DEV] [--json]
       ioam [--netns NAME] link set [dev] DEV [enable|disable] [id N] [wide N]

enable makes the kernel process IOAM options received on DEV (ioam6_enabled); id is the
16-bit interface id (0-65535), wide the 32-bit one. Written to /proc/sys as sysctl would.

Examples:
  ioam link set dev eth1 enable id 12 wide 0x1200
  ioam --netns r1 link show --json`,
  flags: {},
  run: linkRun,
};
