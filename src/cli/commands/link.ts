// `ioam link show|set`: per-interface IOAM settings (net.ipv6.conf.<if>.ioam6_enabled,
// ioam6_id, ioam6_id_wide).

import { IF_ID_MAX, IF_ID_WIDE_MAX, type InterfaceIoam, readInterface, readInterfaces, writeInterface } from "../../linux/ioam6-sysctl.js";
import { UsageError } from "../../errors.js";
import type { Parsed } from "../args.js";
import { printList } from "../print-list.js";
import type { CommandSpec } from "../spec.js";
import { V, readNumber, readValue } from "../values.js";
import { readSettings } from "../words.js";

type InterfaceChange = Partial<Omit<InterfaceIoam, "name">>;

const VALUES = {
  DEV: V.dev,
  ID: V.num("16-bit interface id (ioam6_id)", BigInt(IF_ID_MAX)),
  WIDE: V.num("32-bit wide interface id (ioam6_id_wide)", BigInt(IF_ID_WIDE_MAX)),
};

/** `[dev] DEV [enable|disable] [id ID] [wide WIDE]`, settings in any order, each once. */
export function parseLinkSetWords(a: Parsed): { dev: string; change: InterfaceChange } {
  const words = a.words[0] === "dev" ? a.words.slice(1) : a.words;
  const dev = words[0];
  if (dev === undefined) throw new UsageError("link set: missing DEV; usage: ioam link set dev DEV [enable|disable] [id ID] [wide WIDE]");
  readValue(V.dev, dev, "DEV");
  const change: InterfaceChange = {};
  readSettings(a, words.slice(1), {
    enable: null,
    disable: null,
    id: (t) => (change.id = readNumber(VALUES.ID, t, `interface id of ${dev}`)),
    wide: (t) => (change.wide = readNumber(VALUES.WIDE, t, `wide interface id of ${dev}`)),
  }, [["enable", "disable"]]);
  if (words.includes("enable")) change.enabled = true;
  if (words.includes("disable")) change.enabled = false;
  if (Object.keys(change).length === 0) throw new UsageError(`link set ${dev}: nothing to set (enable, disable, id ID, wide WIDE)`);
  return { dev, change };
}

export const interfaceLine = (i: InterfaceIoam): string => `${i.name}: ${i.enabled ? "enabled" : "disabled"} id ${i.id} wide ${i.wide}`;
export const interfaceJson = (i: InterfaceIoam): object => ({ ifname: i.name, enabled: i.enabled, id: i.id, wide: i.wide });

async function linkRun(a: Parsed): Promise<number> {
  if (a.form.verb === "set") {
    const { dev, change } = parseLinkSetWords(a);
    writeInterface(dev, change);
    return 0;
  }
  const words = a.words[0] === "dev" ? a.words.slice(1) : a.words;
  if (words.length > 1) throw new UsageError(`link show: unexpected word "${words[1]}"; usage: ioam link show [dev DEV] [--json]`);
  const dev = words[0];
  return printList(a, dev === undefined ? readInterfaces() : [readInterface(String(readValue(V.dev, dev, "DEV")))], interfaceLine, interfaceJson);
}

export const linkCommand: CommandSpec = {
  name: "link",
  summary: "show or set interfaces' IOAM state: enabled, id, wide id (net.ipv6.conf.IF.ioam6_*)",
  description: `enable makes the kernel process IOAM options received on DEV (ioam6_enabled); id is the
16-bit interface id, wide the 32-bit one. Written to /proc/sys as sysctl -w would, after a
range check. The word dev may be left out, as with ip link.`,
  forms: [
    { verb: "show", isDefault: true, words: "[dev DEV]", flags: ["json"], kernel: true },
    { verb: "set", words: "dev DEV [enable|disable] [id ID] [wide WIDE]", flags: [], kernel: true },
  ],
  flags: [{ name: "json", help: "print a JSON array" }],
  values: VALUES,
  examples: [{ cmd: "ioam link set dev eth1 enable id 12 wide 0x1200" }, { cmd: "ioam --netns r1 link show --json" }],
  run: linkRun,
};
