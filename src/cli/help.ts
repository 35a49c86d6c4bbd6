// `ioam --help`, `ioam CMD --help` and `ioam help CMD`, generated from the command table.

import { readGrammar, phraseGrammar } from "./grammar.js";
import { NUMBER_NOTE } from "./number-rules.js";
import type { CommandSpec, FlagSpec, FormSpec, ValueSpec } from "./spec.js";
import { rangeText } from "./values.js";

/** Global options, handled by main.ts before a command runs. */
export const GLOBAL_OPTIONS: ReadonlyArray<{ flag: string; help: string }> = [
  { flag: "--netns NAME", help: "run the command in network namespace NAME (ip netns), as root" },
  { flag: "--help, -h", help: "show help (also: ioam help COMMAND)" },
  { flag: "--version, -V", help: "print ioam's version" },
];

const WIDTH = 100;

function flagUsage(f: FlagSpec): string {
  return f.value ? `--${f.name} ${f.value.placeholder}` : `--${f.name}`;
}

/** An optional flag in a usage line; a repeatable one is followed by "...". */
function optionalFlag(f: FlagSpec): string {
  return `[${flagUsage(f)}]${f.repeated ? "..." : ""}`;
}

/** The usage line of a form, without "usage: ": required flags, words, optional flags. */
export function formUsage(spec: CommandSpec, form: FormSpec): string {
  const flags = form.flags.map((n) => spec.flags.find((f) => f.name === n)!);
  const required = new Set([form.whenFlag, ...(form.required ?? [])]);
  const parts = [
    "ioam",
    ...(form.kernel ? ["[--netns NAME]"] : []),
    spec.name,
    ...(form.verb ? [form.verb] : []),
    ...flags.filter((f) => required.has(f.name)).map(flagUsage),
    ...(form.words ? [form.words] : []),
    ...flags.filter((f) => !required.has(f.name)).map(optionalFlag),
  ];
  return parts.join(" ");
}

/** Wraps a usage line at WIDTH (at spaces outside brackets), continuing at `indent`. */
function wrap(prefix: string, line: string, indent: number): string[] {
  const out: string[] = [];
  let cur = prefix;
  for (const part of line.split(/ (?![^[]*\])/)) {
    if (cur.trim() && cur.length + 1 + part.length > WIDTH) (out.push(cur), (cur = " ".repeat(indent) + part));
    else cur = cur.endsWith(" ") ? cur + part : `${cur} ${part}`;
  }
  return [...out, cur];
}

/** What a value's kind adds to its help: its range or choices ("0-65535", "udp|tcp"). */
export function valueDetail(v: ValueSpec): string {
  const range = rangeText(v);
  const literals = v.kind !== "choice" && v.kind !== "list" && v.choices?.length ? ` or ${v.choices.join(" or ")}` : "";
  if (v.kind === "hex") return `hex digits, 0x optional: ${range}`;
  if (v.kind === "c-number") return range + literals;
  if (v.kind === "choice") return (v.choices ?? []).join("|");
  if (v.kind === "list") return `any of ${(v.choices ?? []).join(",")}`;
  return literals.replace(/^ or /, "or ");
}

/** "IOAM namespace (0-65535)" and the like. */
export function valueText(v: ValueSpec): string {
  const d = valueDetail(v);
  return d ? `${v.help} (${d})` : v.help;
}

/** The placeholders a command's words use, in order of first use. */
export function commandPlaceholders(spec: CommandSpec): string[] {
  const seen: string[] = [];
  for (const form of spec.forms) {
    const gs = [readGrammar(form.words), ...Object.entries(form.phrases ?? {}).map(([s, w]) => phraseGrammar(s, w))];
    for (const g of gs) for (const p of g.placeholders) if (!seen.includes(p)) seen.push(p);
  }
  return seen;
}

function table(rows: Array<[string, string]>, indent = "  "): string[] {
  const w = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(w)}  ${b}`);
}

/** A flag's help with its value's range or choices and its default. */
export function flagHelp(f: FlagSpec): string {
  const v = f.value;
  const bits = [f.help];
  if (v) {
    const d = valueDetail(v.spec);
    if (d) bits.push(`${v.placeholder}: ${d}`);
    if (v.default !== undefined) bits.push(`default ${v.default}`);
  }
  return bits.join("; ");
}

/** The whole help of one command. */
export function commandHelp(spec: CommandSpec): string {
  const usage = spec.forms.flatMap((f, i) => wrap(i === 0 ? "usage: " : "       ", formUsage(spec, f), 12));
  const phrases = spec.forms.flatMap((f) => Object.entries(f.phrases ?? {}).map(([s, w]) => `  ${s} ${w}`));
  const placeholders = commandPlaceholders(spec);
  const numbers = [...placeholders.map((p) => spec.values[p]), ...spec.flags.map((f) => f.value?.spec)].some((v) => v?.kind === "c-number");
  return [
    ...usage,
    "",
    spec.description,
    ...(phrases.length ? ["", "OPTION is one of (keywords in any order within an option):", ...phrases] : []),
    ...(spec.flags.length ? ["", "options:", ...table(spec.flags.map((f) => [flagUsage(f), flagHelp(f)]))] : []),
    ...(placeholders.length ? ["", "values:", ...table(placeholders.map((p) => [p, spec.values[p] ? valueText(spec.values[p]!) : "?"]))] : []),
    ...(numbers ? ["", NUMBER_NOTE] : []),
    "",
    "examples:",
    ...spec.examples.map((e) => `  ${e.cmd}`),
  ].join("\n");
}

/** `ioam --help`. */
export function mainHelp(commands: readonly CommandSpec[]): string {
  return [
    "usage: ioam [--netns NAME] COMMAND [ARGS] [--help]",
    "       ioam help COMMAND | --version",
    "",
    "IPv6 In-situ OAM (RFC 9197 / 9486) for Linux.",
    "",
    "commands:",
    ...table(commands.map((c) => [c.name, c.summary])),
    "",
    "global options:",
    ...table(GLOBAL_OPTIONS.map((g) => [g.flag, g.help])),
    "",
    "Exit status: 0 ok, 1 operational failure, 2 bad usage.",
    "example: ioam decode --pcap samples/ioam-trace.pcapng",
  ].join("\n");
}
