// The command line of one command, parsed against its CommandSpec: `--flag`, `--flag value`,
// `--flag=value`, and positional words kept in order (option phrases such as "trace prealloc
// type 0x800000 …" are positional; their commands read them). One rule for every command:
// a flag either does something or is refused — unknown, given twice, not part of the form
// the words chose, or without effect given the other flags (FlagSpec.onlyWith).
// Hand-written rather than util.parseArgs: that takes the last of a repeated flag and
// knows nothing of forms, so the checks here would remain and its errors need rewording.

import { UsageError } from "../errors.js";
import type { CommandSpec, FlagSpec, FormSpec } from "./spec.js";
import { type Value, readValue } from "./values.js";

/** A parsed command line: the form it matched, its words, and its flags read by their specs. */
export interface Parsed {
  readonly spec: CommandSpec;
  readonly form: FormSpec;
  /** Positional words after the verb (if the form has one). */
  readonly words: readonly string[];
  /** True when the flag was given. */
  has(flag: string): boolean;
  /** The flag's text, or its default. */
  text(flag: string): string | undefined;
  /** The flag's number (given or default), read by its spec. */
  num(flag: string): number;
  /** Every value of a repeated flag, in the order given (empty when not given). */
  list(flag: string): readonly string[];
}

/** `ioam decode --pcap FILE`: how a form is written, for messages. */
export function formName(spec: CommandSpec, form: FormSpec): string {
  const sel = form.verb ?? (form.whenFlag ? `--${form.whenFlag} ${flagOf(spec, form.whenFlag).value?.placeholder ?? ""}`.trim() : form.whenWord ?? form.words);
  return `ioam ${spec.name} ${sel}`.trim();
}

function flagOf(spec: CommandSpec, name: string): FlagSpec {
  const f = spec.flags.find((x) => x.name === name);
  if (!f) throw new Error(`command table: ${spec.name} has no flag --${name}`);
  return f;
}

/** Splits argv into flags (name → text; "" for a switch) and positional words. */
function scan(spec: CommandSpec, argv: readonly string[]): { given: Map<string, string>; lists: Map<string, string[]>; words: string[] } {
  const given = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (a === "-" || !a.startsWith("-")) {
      words.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(a.startsWith("--") ? 2 : 1, eq < 0 ? undefined : eq);
    const f = a.startsWith("--") ? spec.flags.find((x) => x.name === name) : undefined;
    if (!f) throw new UsageError(`unknown option ${a.slice(0, eq < 0 ? undefined : eq)} for ioam ${spec.name} (its options: ${spec.flags.map((x) => "--" + x.name).join(", ") || "none"})`);
    let text = "";
    if (f.value) {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value (${f.value.placeholder})`);
      text = v;
    } else if (eq >= 0) throw new UsageError(`--${name} takes no value (got "${a.slice(eq + 1)}")`);
    if (f.repeated) lists.set(name, [...(lists.get(name) ?? []), text]);
    else if (given.has(name)) throw new UsageError(`--${name} given twice${f.value ? ` ("${given.get(name)}" and "${text}")` : ""}: give it once`);
    given.set(name, text);
  }
  return { given, lists, words };
}

/** The form the words and flags select. Verb forms take the verb out of `words`. */
function selectForm(spec: CommandSpec, given: Map<string, string>, words: string[]): FormSpec {
  const verbs = spec.forms.filter((f) => f.verb !== undefined);
  if (verbs.length) {
    const w = words[0];
    const form = w === undefined ? verbs.find((f) => f.isDefault) : verbs.find((f) => f.verb === w || f.aliases?.includes(w));
    if (!form) throw new UsageError(w === undefined ? `ioam ${spec.name} needs a command: ${verbs.map((f) => f.verb).join(", ")}` : `unknown ${spec.name} command "${w}" (${verbs.map((f) => f.verb).join(", ")})`);
    if (w !== undefined) words.shift();
    return form;
  }
  return spec.forms.find((f) => f.whenFlag !== undefined && given.has(f.whenFlag)) ?? spec.forms.find((f) => f.whenWord !== undefined && f.whenWord === words[0]) ?? spec.forms.find((f) => !f.whenFlag && !f.whenWord)!;
}

/** Refuses flags the form does not take, or that have no effect with the other flags. */
function checkRelevance(spec: CommandSpec, form: FormSpec, given: Map<string, string>): void {
  for (const name of given.keys()) {
    if (!form.flags.includes(name)) {
      const where = spec.forms.filter((f) => f.flags.includes(name)).map((f) => formName(spec, f));
      throw new UsageError(`--${name} has no effect in ${formName(spec, form)}${where.length ? ` (it applies to ${where.join(" and ")})` : ""}`);
    }
    const clash = flagOf(spec, name).notWith?.find((other) => given.has(other));
    if (clash) throw new UsageError(`--${name} has no effect with --${clash}: give one of them`);
    const only = flagOf(spec, name).onlyWith;
    if (!only) continue;
    const other = given.get(only.flag) ?? only.default;
    if (other === undefined || (only.values && !only.values.includes(other))) {
      const needs = only.values ? `--${only.flag} ${only.values.join(" or ")}` : `--${only.flag}`;
      throw new UsageError(`--${name} has no effect ${other === undefined ? `without --${only.flag}` : `with --${only.flag} ${other}`} (only with ${needs})`);
    }
  }
}

/** Parses argv (the words after the command name) against the command's spec. */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): Parsed {
  const { given, lists, words } = scan(spec, argv);
  const form = selectForm(spec, given, words);
  checkRelevance(spec, form, given);
  const values = new Map<string, Value>();
  for (const [name, text] of given) {
    const f = flagOf(spec, name);
    if (f.value) for (const t of lists.get(name) ?? [text]) values.set(name, readValue(f.value.spec, t, `--${name}`));
  }
  return {
    spec,
    form,
    words,
    has: (flag) => given.has(flag),
    list: (flag) => lists.get(flag) ?? [],
    text: (flag) => given.get(flag) ?? flagOf(spec, flag).value?.default,
    num(flag) {
      const f = flagOf(spec, flag);
      const v = values.get(flag) ?? (f.value?.default !== undefined ? readValue(f.value.spec, f.value.default, `--${flag}`) : undefined);
      if (typeof v !== "bigint") throw new Error(`command table: --${flag} of ${spec.name} has no number (given or default)`);
      return Number(v);
    },
  };
}
