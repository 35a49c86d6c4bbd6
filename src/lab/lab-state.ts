// What a real lab created, on disk, so that `ioam lab down|status|exec|trace` — other
// processes, maybe after a crash — find and remove all of it. One directory per lab under
// /run/ioamkit/labs (tmpfs: gone after a reboot, as the namespaces are), holding state.json,
// each node's apply file, the data-plane daemons' logs and sinks. The state is written before
// anything is created and after every step, so a half-made lab can still be taken down.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AgentState } from "./agent-hook.js";

/** Where labs keep their state; IOAMKIT_LAB_DIR overrides it (tests). */
export function labsDir(): string {
  return process.env.IOAMKIT_LAB_DIR ?? "/run/ioamkit/labs";
}

/** The netns of a lab's node. Dots cannot appear in lab or node names, so no two labs share one. */
export function netnsName(lab: string, node: string): string {
  return `ioamkit.${lab}.${node}`;
}

/** The prefix of every netns of a lab. */
export const netnsPrefix = (lab: string): string => `ioamkit.${lab}.`;

export interface DaemonState {
  /** Process group of `ioam node run` (its own group, so the whole tree gets the signal). */
  pid?: number;
  file: string;
  sink: string;
  log: string;
  /** "running" once started; `ioam lab status` says "exited" when the pid is gone (pid.ts). */
  status: string;
}

export interface NodeStateRecord {
  netns: string;
  kind: "host" | "router";
  /** The node's apply file, when it has IOAM configuration. */
  file?: string;
  daemon?: DaemonState;
  /** `ioam agent`, when the lab was brought up with --agents (agent-hook.ts). */
  agent?: AgentState;
}

export interface LabState {
  v: 1;
  name: string;
  /** The topology file (absolute) and the variables it was read with. */
  file: string;
  vars: Record<string, string>;
  /** SHA-256 of the file's text at `up`: `trace` warns when the file has changed since. */
  sha256?: string;
  created: string;
  /** False until `up` finished: a half-made lab that `down` removes. */
  complete: boolean;
  nodes: Record<string, NodeStateRecord>;
}

export const labDir = (name: string): string => join(labsDir(), name);

/** SHA-256 (hex) of a file's contents, or undefined when it cannot be read. */
export function fileDigest(file: string): string | undefined {
  try {
    return createHash("sha256").update(readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
}

/** Writes the state atomically (rename), so a reader never sees half a file. */
export function writeLabState(s: LabState): void {
  const dir = labDir(s.name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, "state.json.tmp");
  writeFileSync(tmp, JSON.stringify(s, null, 2) + "\n");
  renameSync(tmp, join(dir, "state.json"));
}

/** The lab's state, or undefined when no lab of that name is up. */
export function readLabState(name: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(join(labDir(name), "state.json"), "utf8")) as LabState;
  } catch {
    return undefined;
  }
}

/** Names of labs with a state directory. */
export function listLabs(): string[] {
  try {
    return readdirSync(labsDir(), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

export function removeLabState(name: string): void {
  rmSync(labDir(name), { recursive: true, force: true });
}

/** Named network namespaces whose name starts with `prefix` (iproute2 keeps them in /run/netns). */
export function netnsWithPrefix(prefix: string): string[] {
  try {
    return readdirSync("/run/netns").filter((n) => n.startsWith(prefix)).sort();
  } catch {
    return [];
  }
}
