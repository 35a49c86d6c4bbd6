// A lab topology, resolved: nodes with their interfaces (addresses assigned), links, routes
// (computed or given), the IOAM domain's edges and each node's IOAM configuration in the
// `ioam apply` format. Built by load.ts from a containerlab-like YAML file (docs/lab.md); the
// real lab (namespaces) and the emulation are both built from this one value.

import type { DesiredState } from "../linux/apply/document.js";
import type { NodeRoles } from "./dataplane-roles.js";
import type { Prefix } from "./prefix.js";

export type NodeKind = "host" | "router";

/** How much a packet may grow inside the domain: 40 (outer IPv6) + 8 (HbH header, padding) + 8 (trace header) + 244 (data) + 4 (option header). */
export const ENCAP_HEADROOM = 304;
/** MTU of a link with an end outside the domain (what hosts send), unless the file says otherwise. */
export const EDGE_MTU = 1500;
/** MTU of a link inside the domain: room for the largest IOAM data on top of a full edge packet. */
export const CORE_MTU = EDGE_MTU + ENCAP_HEADROOM;

/** One interface of a node: one end of a link. */
export interface LabInterface {
  name: string;
  /** Index of its link in Topology.links. */
  link: number;
  address: Uint8Array;
  addressText: string;
  prefixLength: number;
  mtu: number;
  peer: { node: string; ifname: string; address: Uint8Array; addressText: string };
  /**
   * A domain edge (RFC 9486 §5): this node is in the IOAM domain and its peer is not. IOAM
   * arriving here is dropped; IOAM leaving here is removed (data plane) or dropped.
   */
  edge: boolean;
  /** file:line of the endpoint that made it. */
  where: string;
}

/** A route of a node's table: PREFIX via ADDRESS dev IFNAME. */
export interface LabRoute {
  prefix: Prefix;
  via: Uint8Array;
  viaText: string;
  dev: string;
  /** The neighbour the route points to. */
  viaNode: string;
  /** file:line of an explicit route; absent for a computed one. */
  where?: string;
}

export interface LabNode {
  name: string;
  kind: NodeKind;
  /** Inside the IOAM domain: routers unless they say `domain: false`, hosts only with `domain: true`. */
  domain: boolean;
  where: string;
  interfaces: LabInterface[];
  /** The node's IOAM configuration (`ioam:` block), as `ioam apply` reads it. */
  ioam?: DesiredState;
  /** The routing table, longest prefixes first (computed, then explicit ones in their place). */
  routes: LabRoute[];
  /** What its `dataplane:` section asks; absent when the node runs no userspace data plane. */
  roles?: NodeRoles;
}

export interface LabLink {
  ends: [{ node: string; ifname: string }, { node: string; ifname: string }];
  prefix: Prefix;
  mtu: number;
  where: string;
}

/** Proof-of-transit profile: the lab plays the controller and derives every node's key. */
export interface PotProfile {
  name: string;
  namespaceId: number;
  /** In path order; the first inserts, the last verifies. */
  nodes: string[];
  where: string;
}

export interface Topology {
  name: string;
  file: string;
  /** file:line of `name:` (a clash with a running lab is reported there). */
  nameWhere: string;
  nodes: Map<string, LabNode>;
  links: LabLink[];
  pot: Map<string, PotProfile>;
}

/** The interface of `node` named `ifname`. */
export function interfaceOf(node: LabNode, ifname: string): LabInterface | undefined {
  return node.interfaces.find((i) => i.name === ifname);
}
