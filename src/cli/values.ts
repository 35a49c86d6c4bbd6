// Reading a value by its ValueSpec (spec.ts), and the value specs several commands share. The
// parser of every flag value and of the words the CLI reads itself (node set, link set,
// namespace, schema) is readValue: one message shape for every refusal, `WHAT "TEXT": why`.

import { UsageError } from "../errors.js";
import { parseIpv6Address } from "../wire/ipv6-address.js";
import { cNumberProblem, parseCNumber, parseHexNumber, parseSeconds } from "../wire/number-text.js";
import type { ValueSpec } from "./spec.js";

/** A value read by readValue: numbers as bigint, everything else as its text. */
export type Value = bigint | string;

const num = (help: string, max: bigint, min = 0n): ValueSpec => ({ kind: "c-number", help, min, max });

/** Values several commands use. */
export const V = {
  count: (help: string, max = 10_000_000n) => num(help, max, 1n),
  u8: (help: string) => num(help, 0xffn),
  u16: (help: string) => num(help, 0xffffn),
  u24: (help: string) => num(help, 0xffffffn),
  u32: (help: string) => num(help, 0xffffffffn),
  u64: (help: string) => num(help, 0xffffffffffffffffn),
  num,
  choice: (help: string, choices: readonly string[]): ValueSpec => ({ kind: "choice", help, choices }),
  file: (help: string): ValueSpec => ({ kind: "file", help }),
  outfile: (help: string): ValueSpec => ({ kind: "outfile", help }),
  ipv6: (help: string): ValueSpec => ({ kind: "ipv6", help }),
  text: (help: string): ValueSpec => ({ kind: "text", help }),
  dev: { kind: "dev", help: "a network interface name" } as ValueSpec,
  netns: { kind: "netns", help: "a network namespace made with ip netns add" } as ValueSpec,
};

/** The range part of a number's help: "0-65535". */
export function rangeText(s: ValueSpec): string {
  if (s.max === undefined) return "";
  const max = s.kind === "hex" ? "0x" + s.max.toString(16) : String(s.max);
  return `${s.min ?? 0n}-${max}`;
}

function refuse(what: string, text: string, why: string): never {
  throw new UsageError(`${what} "${text}" ${why}`);
}

/** Reads `text` as `spec` says; throws a UsageError naming `what` and why it is refused. */
export function readValue(spec: ValueSpec, text: string, what: string): Value {
  if (spec.choices?.includes(text) && spec.kind !== "list") return text;
  switch (spec.kind) {
    case "c-number": {
      const max = spec.max ?? 0xffffffffffffffffn;
      const why = cNumberProblem(text, max);
      if (why) refuse(what, text, why);
      const v = parseCNumber(text, max)!;
      if (v < (spec.min ?? 0n)) refuse(what, text, `is below ${spec.min}, the smallest value here`);
      return v;
    }
    case "hex": {
      const v = parseHexNumber(text, spec.max ?? 0xffffffffffffffffn);
      if (v === undefined) refuse(what, text, `is not hex digits (0x optional) up to 0x${(spec.max ?? 0n).toString(16)}`);
      return v;
    }
    case "seconds":
      if (!parseSeconds(text, Number(spec.max ?? 0xffffffffn))) refuse(what, text, `is not SECONDS[.FRACTION] (at most ${spec.max ?? 0xffffffffn} seconds, 9 fraction digits)`);
      return text;
    case "choice":
      return refuse(what, text, `is not one of ${spec.choices!.join(", ")}`);
    case "list":
      for (const item of text.split(",")) if (!spec.choices!.includes(item)) refuse(what, text, `has "${item}", not one of ${spec.choices!.join(", ")}`);
      return text;
    case "ipv6":
      if (!parseIpv6Address(text)) refuse(what, text, "is not an IPv6 address");
      return text;
    case "netns":
      if (!/^[\w.-]+$/.test(text)) refuse(what, text, "is not a network namespace name");
      return text;
    case "dev":
      if (text.length === 0 || text.length > 15 || /[\s/]/.test(text)) refuse(what, text, "is not an interface name (1-15 characters, no / or spaces)");
      return text;
    default:
      if (text === "" && spec.kind !== "text") refuse(what, text, "is empty");
      return text;
  }
}

/** readValue for a number spec, as a JS number (specs up to 53 bits). */
export function readNumber(spec: ValueSpec, text: string | undefined, what: string): number {
  if (text === undefined) throw new UsageError(`${what} needs a value`);
  return Number(readValue(spec, text, what));
}

/** readValue for a number spec that may exceed 53 bits. */
export function readBig(spec: ValueSpec, text: string | undefined, what: string): bigint {
  if (text === undefined) throw new UsageError(`${what} needs a value`);
  return readValue(spec, text, what) as bigint;
}
