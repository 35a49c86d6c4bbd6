// What every `ioam` command is: data that main.ts dispatches on and prints help from.

import type { FlagSpec, ParsedArgs } from "./args.js";

export interface Command {
  name: string;
  /** One line for `ioam --help`. */
  summary: string;
  /** Full `--help` text, with at least one example. */
  help: string;
  flags: FlagSpec;
  /** The command reads --netns itself (repeatable) instead of being run inside one netns. */
  ownsNetns?: boolean;
  /** Returns the exit status (0 ok, 1 operational failure). Usage errors are thrown. */
  run(args: ParsedArgs): Promise<number>;
}
