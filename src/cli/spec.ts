// The shape of the command table: every `ioam` command, its forms (usage lines), flags and
// the values they take, as data. Parsing (args.ts), `--help` and `ioam help CMD` (help.ts),
// bash and zsh completion (completion.ts) and the man page (man-page.ts) are all generated
// from it, so they cannot drift apart. Positional words keep iproute2's notation
// (keywords lowercase, PLACEHOLDERS upper case, [optional], a|b choices, X... repeated).

import type { Parsed } from "./args.js";

/** How a value is read and completed. Numbers follow the rules of number-rules.ts. */
export type ValueKind =
  | "c-number" // C notation (strtoul base 0), as iproute2 and sysctl: 0x1f, 017, 17
  | "hex" // hex digits, 0x optional (ip ioam's wide data)
  | "seconds" // SEC[.FRACTION]
  | "ratio" // K/N in decimal (ip route's freq)
  | "choice"
  | "list" // comma-separated choices
  | "ipv6"
  | "prefix"
  | "file" // a file to read, "-" for standard input
  | "outfile" // a file to write
  | "netns" // a name in /run/netns
  | "dev" // a network interface
  | "text";

/** A value a flag or a word takes. */
export interface ValueSpec {
  kind: ValueKind;
  /** One line: what the value is (range and rule are added from kind, min and max). */
  help: string;
  min?: bigint;
  max?: bigint;
  /** For "choice" and "list"; for other kinds, literal words also accepted (`none`). */
  choices?: readonly string[];
}

/** A `--flag`: a switch when it has no value. */
export interface FlagSpec {
  name: string;
  help: string;
  value?: { placeholder: string; spec: ValueSpec; default?: string };
  /**
   * The flag does something only when another flag is given, or has one of these values
   * (its default counts): otherwise it is refused rather than silently ignored.
   */
  onlyWith?: { flag: string; values?: readonly string[]; default?: string };
  /** Flags this one has no effect with (refused together). */
  notWith?: readonly string[];
  /** May be given more than once; every value counts (Parsed.list). */
  repeated?: boolean;
}

/** One usage line of a command. */
export interface FormSpec {
  /** The verb that selects this form (`namespace add`), and other names for it. */
  verb?: string;
  aliases?: readonly string[];
  /** This form is taken when the command has no verb word (`ioam route` = route show). */
  isDefault?: boolean;
  /** This form is taken when this flag is given (`decode --pcap FILE`). */
  whenFlag?: string;
  /** This form is taken when the first word is this (`decode -`). */
  whenWord?: string;
  /** The words after the command and verb, in iproute2 notation. */
  words: string;
  /** Phrases that make up OPTION... words: starter keyword → the rest of the phrase. */
  phrases?: Readonly<Record<string, string>>;
  /** Flag names this form takes, in usage order (the selecting flag included). */
  flags: readonly string[];
  /** Flags of `flags` this form cannot do without (shown without brackets). */
  required?: readonly string[];
  /** Works on a network namespace's kernel state: the usage line shows [--netns NAME]. */
  kernel?: boolean;
}

/** An example for help and the man page; tests run every one marked runnable. */
export interface Example {
  cmd: string;
  /** Runs without root or prior state, from the repository root (test/cli/examples.test.ts). */
  runnable?: boolean;
}

/** One `ioam` command. */
export interface CommandSpec {
  name: string;
  /** One line for `ioam --help`. */
  summary: string;
  /** Paragraphs after the usage lines. */
  description: string;
  forms: readonly FormSpec[];
  flags: readonly FlagSpec[];
  /** The placeholders of `words` (and phrases) with their values. */
  values: Readonly<Record<string, ValueSpec>>;
  examples: readonly Example[];
  /**
   * The command reads --netns itself (as a repeatable flag of its own: `ioam collect --netns r1
   * --netns r2`) instead of being run inside one network namespace.
   */
  ownsNetns?: boolean;
  /** Returns the exit status (0 ok, 1 operational failure). Usage errors are thrown. */
  run(a: Parsed): Promise<number>;
}
