#!/usr/bin/env node
// The `ioam` command: dispatch, help, and the one place that turns errors into messages and
// exit statuses (usage → 2, other failures → 1; never a stack trace for expected errors).

import { ConfigError, IoamError, UsageError } from "../errors.js";
import { parseArgs } from "./args.js";
import type { Command } from "./command.js";
import { analyzeCommand } from "./commands/analyze.js";
import { applyCommand } from "./commands/apply.js";
import { collectCommand } from "./commands/collect.js";
import { demoCommand } from "./commands/demo.js";
import { uiCommand } from "./commands/ui.js";
import { statusCommand } from "./commands/status.js";
import { decodeCommand } from "./commands/decode.js";
import { encodeCommand } from "./commands/encode.js";
import { namespaceCommand, schemaCommand } from "./commands/ioam6.js";
import { linkCommand } from "./commands/link.js";
import { monitorCommand } from "./commands/monitor.js";
import { nodeCommand } from "./commands/node-ids.js";
import { routeCommand } from "./commands/route.js";
import { insideNetns, runInNetns } from "../linux/netns.js";

const COMMANDS: readonly Command[] = [decodeCommand, encodeCommand, namespaceCommand, schemaCommand, nodeCommand, linkCommand, routeCommand, monitorCommand, statusCommand, applyCommand, analyzeCommand, collectCommand, uiCommand, demoCommand];

/** Takes the global `--netns NAME` (or --netns=NAME) out of argv, anywhere it stands. */
function takeNetns(argv: string[]): { netns: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let netns: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === "--netns") {
      netns = argv[++i];
      if (netns === undefined) throw new UsageError("--netns needs a network namespace name");
    } else if (a.startsWith("--netns=")) netns = a.slice(8);
    else rest.push(a);
  }
  return { netns, rest };
}

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "usage: ioam [--netns NAME] COMMAND [ARGS] [--json] [--help]",
    "",
    "IPv6 In-situ OAM (RFC 9197 / 9486) for Linux.",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "--netns NAME runs the command in that network namespace (ip netns), as root.",
    "Run 'ioam COMMAND --help' for a command's words and examples.",
    "example: ioam decode --pcap samples/ioam-trace.pcapng",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  if (COMMANDS.find((c) => c.name === argv[0])?.ownsNetns) return runCommand(argv);
  const { netns, rest: args } = takeNetns(argv);
  if (netns !== undefined && !insideNetns(netns)) return runInNetns(netns, process.argv[1]!, argv);
  return runCommand(args);
}

async function runCommand(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(mainHelp() + "\n");
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) throw new UsageError(`unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(", ")}`);
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(cmd.help + "\n");
    return 0;
  }
  return cmd.run(parseArgs(rest, cmd.flags));
}

function report(e: unknown): number {
  if (e instanceof UsageError || e instanceof ConfigError) {
    process.stderr.write(`ioam: ${e.message}\n`);
    return 2;
  }
  if (e instanceof IoamError) {
    process.stderr.write(`ioam: ${e.message}\n`);
    return 1;
  }
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === "string" && err.syscall) {
    process.stderr.write(`ioam: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(`ioam: internal error: ${err?.stack ?? String(e)}\n`);
  return 1;
}

process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0); // `ioam decode … | head` is fine
});

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => (process.exitCode = report(e)),
);
