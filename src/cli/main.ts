#!/usr/bin/env node
// The `ioam` command: dispatch, help, and the one place that turns errors into messages and
// exit statuses (usage → 2, other failures → 1; never a stack trace for expected errors).

import { IoamError, UsageError } from "../wire/errors.js";
import { parseArgs } from "./args.js";
import type { Command } from "./command.js";
import { decodeCommand } from "./commands/decode.js";
import { encodeCommand } from "./commands/encode.js";

const COMMANDS: readonly Command[] = [decodeCommand, encodeCommand];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "usage: ioam COMMAND [ARGS] [--json] [--help]",
    "",
    "IPv6 In-situ OAM (RFC 9197 / 9486) for Linux.",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run 'ioam COMMAND --help' for a command's words and examples.",
    "example: ioam decode --pcap samples/ioam-trace.pcapng",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
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
  if (e instanceof UsageError) {
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
