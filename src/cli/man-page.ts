// The ioam(1) manual page in roff (man(7) macros), generated from the command table: the
// same usage lines, descriptions, options, values and examples as --help, plus the number
// rules, exit status and files. `ioam man | man -l -` reads it.

import { GLOBAL_OPTIONS, commandPlaceholders, flagHelp, formUsage, valueText } from "./help.js";
import { NUMBER_RULES } from "./number-rules.js";
import type { CommandSpec, FlagSpec } from "./spec.js";

/** Text for roff: backslashes escaped, hyphens as \-, no line starting with a control character, non-ASCII as \[uXXXX]. */
function esc(s: string): string {
  return s
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/^([.'])/gm, "\\&$1")
    .replace(/[^\x00-\x7f]/g, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`);
}

/** Paragraphs of help text: indented blocks stay as they are (.nf), the rest is filled. */
function paragraphs(text: string): string[] {
  return text.split(/\n\s*\n/).flatMap((p) => {
    const lines = p.split("\n");
    if (lines.some((l) => /^\s/.test(l))) {
      const head = lines.filter((l, i) => !/^\s/.test(l) && lines.slice(0, i).every((x) => !/^\s/.test(x)));
      const block = lines.slice(head.length);
      return [".PP", ...head.map(esc), ".RS 2", ".nf", ...block.map((l) => esc(l.replace(/^ {2}/, ""))), ".fi", ".RE"];
    }
    return [".PP", esc(lines.join(" "))];
  });
}

function flagItem(f: FlagSpec): string[] {
  const head = f.value ? `.BI "\\-\\-${esc(f.name)} " ${esc(f.value.placeholder)}` : `.B \\-\\-${esc(f.name)}`;
  return [".TP", head, esc(flagHelp(f) + ".")];
}

function commandSection(c: CommandSpec): string[] {
  const values = commandPlaceholders(c);
  return [
    `.SS ${c.name}`,
    esc(c.summary + "."),
    ".PP",
    ".nf",
    ...c.forms.map((f) => esc(formUsage(c, f))),
    ".fi",
    ...paragraphs(c.description),
    ...Object.values(c.forms.find((f) => f.phrases)?.phrases ?? {}).length ? [".PP", "OPTION is one of:", ".RS 2", ".nf", ...Object.entries(c.forms.find((f) => f.phrases)!.phrases!).map(([s, w]) => esc(`${s} ${w}`)), ".fi", ".RE"] : [],
    ...c.flags.flatMap(flagItem),
    ...values.flatMap((p) => [".TP", `.I ${p}`, esc(c.values[p] ? valueText(c.values[p]!) : "")]),
    ".PP",
    "Examples:",
    ".RS 2",
    ".nf",
    ...c.examples.map((e) => esc(e.cmd)),
    ".fi",
    ".RE",
  ];
}

/** The whole page. */
export function manPage(table: readonly CommandSpec[], version: string): string {
  return [
    `.TH IOAM 1 "" "ioamkit ${version}" "User Commands"`,
    ".SH NAME",
    "ioam \\- IPv6 In\\-situ OAM (IOAM, RFC 9197 / RFC 9486) for Linux",
    ".SH SYNOPSIS",
    ".B ioam",
    "[\\fB\\-\\-netns\\fR \\fINAME\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR] [\\fB\\-\\-help\\fR]",
    ".br",
    ".B ioam help",
    "\\fICOMMAND\\fR | \\fB\\-\\-version\\fR",
    ".SH DESCRIPTION",
    "ioam decodes and builds IPv6 packets carrying IOAM options, configures the kernel's IOAM",
    "(namespaces, schemas, node and interface ids, encap ioam6 routes) with the words of",
    "iproute2, and applies a node's IOAM state from a YAML file. Commands that work on the",
    "kernel take the global \\fB\\-\\-netns\\fR \\fINAME\\fR and need root to change anything.",
    ".SH GLOBAL OPTIONS",
    ...GLOBAL_OPTIONS.flatMap((g) => [".TP", `.B ${esc(g.flag)}`, esc(g.help + ".")]),
    ".SH COMMANDS",
    ...table.flatMap(commandSection),
    ".SH NUMBERS",
    "Each surface reads numbers as the tool it mirrors does:",
    ...NUMBER_RULES.flatMap((r) => [".TP", `.B ${esc(r.rule)}`, esc(`${r.where}. ${r.syntax}. Examples: ${r.examples}. As ${r.anchor}.`)]),
    ".SH EXIT STATUS",
    ".TP", ".B 0", "Success.",
    ".TP", ".B 1", "Operational failure: the kernel refused, a file could not be read, a capture is cut short, a packet is malformed.",
    ".TP", ".B 2", "Bad usage: an unknown word or option, a value out of range, a flag without effect, a bad apply file.",
    ".PP",
    "Errors are one line on standard error, naming what was wrong and where; with \\fB\\-\\-json\\fR the error is also written to standard output as {\"v\":1,\"error\":{...}}.",
    ".SH FILES",
    ".TP", ".I /run/netns/NAME", "Network namespaces named by \\fB\\-\\-netns\\fR (ip netns add).",
    ".TP", ".I /proc/sys/net/ipv6/ioam6_id, ioam6_id_wide, conf/*/ioam6_*", "Node and interface ids, read and written by ioam node and ioam link.",
    ".SH SEE ALSO",
    ".BR ip\\-ioam (8),",
    ".BR ip\\-route (8),",
    ".BR sysctl (8),",
    ".BR tcpdump (8),",
    ".BR tshark (1)",
    "",
  ].join("\n");
}
