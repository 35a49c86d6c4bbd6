#!/usr/bin/env node
// The `ioam` command: global options, dispatch through the command table, and the one place
// that turns errors into messages and exit statuses (usage → 2, other failures → 1; never a
// stack trace for expected errors). With --json, an error is also written to stdout as a JSON
// object, so that a program reading the output learns why it ended.

import { readFileSync } from "node:fs";
import { parseCommandLine } from "./args.js";
import { ConfigError, IoamError, UsageError } from "../errors.js";
import { DecodeError } from "../wire/errors.js";
import { commandHelp, mainHelp } from "./help.js";
import { findCommand, TABLE } from "./table.js";
import { insideNetns, runInNetns } from "../linux/netns.js";
import { ioamVersion } from "./version.js";

/** Takes the global `--netns NAME` (or --netns=NAME) out of argv, anywhere before "--". */
function takeNetns(argv: string[]): { netns: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let netns: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === "--netns" || a.startsWith("--netns=")) {
      if (netns !== undefined) throw new UsageError("--netns given twice: give it once");
      netns = a === "--netns" ? argv[++i] : a.slice(8);
      if (netns === undefined || netns === "") throw new UsageError("--netns needs a network namespace name (ip netns list shows them)");
    } else rest.push(a);
  }
  return { netns, rest };
}

/** The words before "--" (flags after it are words, not flags). */
const beforeDashes = (argv: readonly string[]) => (argv.includes("--") ? argv.slice(0, argv.indexOf("--")) : argv);

function version(): string {
  return `ioam ${ioamVersion()} (ioamkit, Node.js ${process.versions.node})`;
}

/** True when this process may enter another network namespace (CAP_SYS_ADMIN, bit 21 of CapEff). */
function canEnterNetns(): boolean {
  try {
    const eff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return eff !== undefined && (BigInt("0x" + eff) & (1n << 21n)) !== 0n;
  } catch {
    return process.getuid?.() === 0;
  }
}

function enterNetns(netns: string, argv: string[]): Promise<number> {
  if (!canEnterNetns()) throw new IoamError("KERNEL", `--netns ${netns}: entering a network namespace needs root (CAP_SYS_ADMIN); run ioam as root, e.g. with sudo`);
  return runInNetns(netns, process.argv[1]!, argv);
}

async function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  await new Promise<void>((resolve) => stream.write(text + "\n", () => resolve()));
}

async function main(argv: string[]): Promise<number> {
  // A command that owns --netns (collect: one event source per namespace) reads it itself.
  const owns = argv[0] !== undefined && TABLE.find((c) => c.name === argv[0])?.ownsNetns === true;
  const { netns, rest: args } = owns ? { netns: undefined, rest: argv } : takeNetns(argv);
  const [name, ...rest] = args;
  const flags = beforeDashes(args);
  if (name === "--version" || name === "-V") return write(process.stdout, version()).then(() => 0);
  if (name === undefined) return write(process.stderr, mainHelp(TABLE)).then(() => 2);
  if (name === "--help" || name === "-h") return write(process.stdout, mainHelp(TABLE)).then(() => 0);
  const cmd = findCommand(name);
  if (flags.includes("--help") || flags.includes("-h")) return write(process.stdout, commandHelp(cmd)).then(() => 0);
  const parsed = parseCommandLine(cmd, rest); // usage errors before entering a netns
  if (netns !== undefined && !insideNetns(netns)) {
    if (!parsed.form.kernel) throw new UsageError(`--netns has no effect on ioam ${cmd.name} (it works on no kernel state)`);
    return enterNetns(netns, argv);
  }
  return cmd.run(parsed);
}

/** The message of an error from Node itself (no IoamError), as a sentence. */
function systemMessage(err: NodeJS.ErrnoException): string {
  const what = err.path ? ` ${err.path}` : "";
  const why: Record<string, string> = { ENOENT: "no such file", EISDIR: "it is a directory", EACCES: "permission denied", EPERM: "operation not permitted", ENOSPC: "no space left on the device", EROFS: "read-only file system" };
  return `cannot ${err.syscall ?? "use"}${what}: ${why[err.code!] ?? err.message}`;
}

/** Writes the error's message (and, with --json, a JSON object on stdout); returns the exit status. */
function report(e: unknown, json: boolean): number {
  const err = e as NodeJS.ErrnoException;
  const known = e instanceof IoamError;
  const status = e instanceof UsageError || e instanceof ConfigError ? 2 : 1;
  const message = known ? err.message : err && typeof err.code === "string" && err.syscall ? systemMessage(err) : undefined;
  if (message === undefined) {
    process.stderr.write(`ioam: internal error: ${err?.stack ?? String(e)}\n`);
    return 1;
  }
  if (json) {
    const where = e instanceof ConfigError ? { path: e.path } : e instanceof DecodeError ? { offset: e.offset, layer: e.layer } : {};
    process.stdout.write(JSON.stringify({ v: 1, error: { code: known ? (e as IoamError).code : "IO", message, ...where } }) + "\n");
  }
  process.stderr.write(`ioam: ${message}\n`);
  return status;
}

process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  // `ioam decode … | head` is fine. A command with something to clean up first (ui, demo:
  // untilSignal) listens for this itself and ends when its cleanup is done.
  if (e.code === "EPIPE" && process.stdout.listenerCount("error") === 1) process.exit(0);
});

const argv = process.argv.slice(2);
main(argv).then(
  (code) => (process.exitCode = code),
  (e: unknown) => (process.exitCode = report(e, beforeDashes(argv).includes("--json"))),
);
