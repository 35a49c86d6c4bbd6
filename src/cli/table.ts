// The command table: every `ioam` command as data (spec.ts), in the order help lists them.
// Parsing, help, completion and the man page are generated from this one array.

import { applyCommand } from "./commands/apply.js";
import { decodeCommand } from "./commands/decode.js";
import { encodeCommand } from "./commands/encode.js";
import { namespaceCommand, schemaCommand } from "./commands/ioam6.js";
import { linkCommand } from "./commands/link.js";
import { monitorCommand } from "./commands/monitor.js";
import { nodeCommand } from "./commands/node-ids.js";
import { routeCommand } from "./commands/route.js";
import { statusCommand } from "./commands/status.js";
import { labCommand } from "./commands/lab.js";
import { analyzeCommand } from "./commands/analyze.js";
import { collectCommand } from "./commands/collect.js";
import { agentCommand } from "./commands/agent.js";
import { demoCommand } from "./commands/demo.js";
import { uiCommand } from "./commands/ui.js";
import { bashCompletion, zshCompletion } from "./completion.js";
import { commandHelp, mainHelp } from "./help.js";
import { manPage } from "./man-page.js";
import { ioamVersion } from "./version.js";
import type { CommandSpec } from "./spec.js";
import { UsageError } from "../errors.js";

const COMMANDS: CommandSpec[] = [decodeCommand, encodeCommand, namespaceCommand, schemaCommand, nodeCommand, linkCommand, routeCommand, monitorCommand, statusCommand, applyCommand, labCommand, analyzeCommand, collectCommand, agentCommand, uiCommand, demoCommand];

async function print(text: string): Promise<number> {
  await new Promise<void>((resolve) => process.stdout.write(text.endsWith("\n") ? text : text + "\n", () => resolve()));
  return 0;
}

const helpCommand: CommandSpec = {
  name: "help",
  summary: "show the help of ioam or of one command",
  description: "ioam help COMMAND prints what ioam COMMAND --help prints.",
  forms: [{ words: "[COMMAND]", flags: [] }],
  flags: [],
  values: { COMMAND: { kind: "choice", help: "a command", choices: COMMANDS.map((c) => c.name) } },
  examples: [{ cmd: "ioam help decode", runnable: true }],
  run: async (a) => {
    if (a.words.length > 1) throw new UsageError(`help takes one command (got "${a.words[1]}")`);
    const name = a.words[0];
    return print(name === undefined ? mainHelp(TABLE) : commandHelp(findCommand(name)));
  },
};

const completionCommand: CommandSpec = {
  name: "completion",
  summary: "print the bash or zsh completion script",
  description: `Prints a completion script generated from the command table. Install it with
  ioam completion bash > /etc/bash_completion.d/ioam     (or source it from ~/.bashrc)
  ioam completion zsh > "\${fpath[1]}/_ioam"              (then: autoload -U compinit && compinit)`,
  forms: [{ words: "SHELL", flags: [] }],
  flags: [],
  values: { SHELL: { kind: "choice", help: "the shell", choices: ["bash", "zsh"] } },
  examples: [{ cmd: "source <(ioam completion bash)", runnable: true }],
  run: async (a) => {
    const [shell, extra] = a.words;
    if (extra !== undefined || (shell !== "bash" && shell !== "zsh")) throw new UsageError("usage: ioam completion bash|zsh");
    return print(shell === "bash" ? bashCompletion(TABLE) : zshCompletion(TABLE));
  },
};

const manCommand: CommandSpec = {
  name: "man",
  summary: "print the ioam(1) manual page (roff)",
  description: "Prints the manual page, generated from the command table. Read it with man -l.",
  forms: [{ words: "", flags: [] }],
  flags: [],
  values: {},
  examples: [{ cmd: "ioam man | man -l -" }],
  run: async (a) => {
    if (a.words.length) throw new UsageError(`man takes no arguments (got "${a.words[0]}")`);
    return print(manPage(TABLE, ioamVersion()));
  },
};

/** Every command, the built-in ones (help, completion, man) last. */
export const TABLE: readonly CommandSpec[] = [...COMMANDS, helpCommand, completionCommand, manCommand];

/** The command called `name`; a UsageError listing the commands when there is none. */
export function findCommand(name: string): CommandSpec {
  const cmd = TABLE.find((c) => c.name === name);
  if (!cmd) {
    const near = TABLE.filter((c) => c.name.startsWith(name.slice(0, 2)));
    throw new UsageError(`unknown command "${name}"${near.length ? ` (did you mean ${near.map((c) => c.name).join(" or ")}?)` : ""}; commands: ${TABLE.map((c) => c.name).join(", ")}`);
  }
  return cmd;
}
