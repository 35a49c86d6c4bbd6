// Command-line words: `--flag`, `--flag value`, `--flag=value`, and positional words kept in
// order (option phrases such as "trace prealloc type 0x800000 …" are positional).

import { UsageError } from "../errors.js";

/** What a command accepts: flags that take a value, and boolean flags. */
export interface FlagSpec {
  values?: readonly string[];
  booleans?: readonly string[];
  /** Flags that take a value and may be given more than once (collected in `lists`). */
  repeated?: readonly string[];
}

export interface ParsedArgs {
  flags: Map<string, string>;
  booleans: Set<string>;
  positional: string[];
  /** Values of repeated flags, in order. */
  lists?: Map<string, string[]>;
}

/** Parses argv against the spec; unknown flags are a UsageError naming them. */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const out: ParsedArgs = { flags: new Map(), booleans: new Set(), positional: [] };
  const values = new Set([...(spec.values ?? []), ...(spec.repeated ?? [])]);
  const repeated = new Set(spec.repeated ?? []);
  const booleans = new Set([...(spec.booleans ?? []), "help", "json"]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("--") || a === "-") {
      out.positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (booleans.has(name) && eq < 0) out.booleans.add(name);
    else if (values.has(name)) {
      const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      if (repeated.has(name)) {
        out.lists ??= new Map();
        out.lists.set(name, [...(out.lists.get(name) ?? []), v]);
      } else out.flags.set(name, v);
    } else throw new UsageError(`unknown option --${name}`);
  }
  return out;
}

/** An integer flag within [min, max], or the default. */
export function intFlag(a: ParsedArgs, name: string, def: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = a.flags.get(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} "${v}" is not an integer from ${min} to ${max}`);
  return n;
}
