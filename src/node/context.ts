// What the engine is told about one packet (design.md "PacketContext"): where it is being
// processed, which interfaces it came in and goes out on, and the per-packet facts only the
// kernel or the data plane can know. The engine does no I/O and reads no clock of its own.

export type Stage = "prerouting" | "output";

export interface PacketContext {
  stage: Stage;
  /** Receiving interface; absent for a locally generated packet. */
  ingress?: string;
  /** Output interface of the route; absent when it is the loopback device (local delivery). */
  egress?: string;
  /** Time to record: the receive timestamp, or the current real time. */
  time: { sec: number; nsec: number };
  /** Egress qdisc backlog in bytes, when known. */
  queueDepth?: number;
  /** This node's address, the source of packets it originates (loopback copies). */
  localAddress?: string;
  /** Egress MTU, when known: a node that would grow the packet beyond it sets Overflow instead. */
  mtu?: number;
}
