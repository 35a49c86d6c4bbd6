// `ioam lab up FILE --agents nats://HOST:PORT`: the lab's IOAM nodes each have an `ioam agent`,
// as every node of a deployment does (docs/deployment.md), publishing to the subject
// ioam.LAB.NODE with its spool, configuration and log in the lab's directory. The agents run in
// the caller's network namespace, where the NATS servers are reachable (a lab's namespaces have
// no route to the host), and read each node's ioam6_events through `sources.events: [NETNS]`
// and, on a data-plane node, its decap sink (a file). Credentials come from the IOAM_NATS_*
// variables of `lab up` (inherited), never from its command line. `lab down` stops the agents
// (SIGTERM: each publishes what it can, the rest stays in its spool) before the data planes.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { IOAM_MAIN } from "./daemon-hook.js";
import { logText, startBackground, stopBackground } from "./background.js";

/** What the lab's state records of a node's agent. */
export interface AgentState {
  /** Process group of `ioam agent` (its own group). */
  pid?: number;
  config: string;
  log: string;
  status: string;
}

const READY_TIMEOUT_MS = 30_000;

/** The agent's configuration file: the lab's name as domain, the node's name, its sources and spool. */
export function agentConfigText(lab: string, node: string, o: { servers: readonly string[]; dir: string; netns: string; sink?: string }): string {
  const decap = o.sink ? `\n  decap: [${JSON.stringify(o.sink)}]` : "";
  return `version: 1\nnode: ${node}\ndomain: ${lab}\nnats:\n  servers: ${JSON.stringify(o.servers)}\nspool: { dir: ${JSON.stringify(join(o.dir, `${node}.spool`))} }\nsources:\n  events: [${JSON.stringify(o.netns)}]${decap}\n`;
}

/** Starts a node's agent (in its own process group) and waits until it says "(ready)". Throws with its log's last lines. */
export async function startAgent(node: string, a: { config: string; log: string }): Promise<AgentState> {
  const pid = await startBackground({ what: `${node}: ioam agent`, cmd: process.execPath, argv: [IOAM_MAIN, "agent", "--config", a.config], log: a.log, ready: () => logText(a.log).includes("(ready)"), timeoutMs: READY_TIMEOUT_MS, code: "IO" });
  return { ...a, pid, status: "running" };
}

/** Writes the node's agent file and starts it. */
export function startLabAgent(lab: string, node: string, netns: string, o: { servers: readonly string[]; dir: string; sink?: string }): Promise<AgentState> {
  const config = join(o.dir, `${node}.agent.yaml`);
  writeFileSync(config, agentConfigText(lab, node, { ...o, netns }));
  return startAgent(node, { config, log: join(o.dir, `${node}.agent.log`) });
}

/** Stops the agent's process group: SIGTERM (it publishes for up to 3 s), SIGKILL after 10 s. */
export function stopAgent(a: AgentState): Promise<void> {
  return stopBackground(a.pid, 10_000);
}
