// From a topology file to a checked Topology, in the order in which each step's input is
// known: variables, YAML, links and addresses, data-plane roles, routes, then the checks that
// need the whole lab. Anything wrong throws ConfigError naming file:line before a lab exists.

import { readFileSync } from "node:fs";
import { IoamError } from "../errors.js";
import { nodeRoles } from "./dataplane-roles.js";
import { attachLinks, labNodes } from "./links.js";
import { checkPotUse, potProfiles } from "./pot-keys.js";
import { applyExplicitRoutes, computeRoutes } from "./routing.js";
import { parseTopologyText, substituteVariables } from "./topology-file.js";
import type { Topology } from "./topology.js";
import { checkEncapPolicies, checkIoamInterfaces, checkTunnels } from "./validate.js";

export interface LoadOptions {
  /** Values for ${VAR} (--set); the environment fills the rest. */
  vars?: Readonly<Record<string, string>>;
  /** Replaces the file's name: (two copies of one lab side by side, tests). */
  name?: string;
}

/** Parses and checks topology text. */
export function parseTopology(text: string, file: string, opts: LoadOptions = {}): Topology {
  const raw = parseTopologyText(substituteVariables(text, file, { ...process.env, ...opts.vars }), file);
  const nodes = labNodes(raw.nodes);
  const links = attachLinks(raw.links, nodes);
  for (const node of nodes.values()) {
    checkIoamInterfaces(node);
    const items = node.ioam?.dataplane ?? [];
    if (items.length) node.roles = nodeRoles(items, node.name, node.interfaces.map((i) => i.name));
  }
  computeRoutes(nodes, links);
  applyExplicitRoutes(nodes, raw.nodes);
  const t: Topology = { name: opts.name ?? raw.name, file, nameWhere: raw.nameWhere, nodes, links, pot: potProfiles(raw.pot, nodes) };
  for (const node of nodes.values()) checkTunnels(node);
  checkPotUse(t);
  checkEncapPolicies(t);
  return t;
}

/** Reads and checks a topology file. */
export function loadTopology(file: string, opts: LoadOptions = {}): Topology {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new IoamError("IO", `cannot read ${file}: ${(e as Error).message}`);
  }
  return parseTopology(text, file, opts);
}
