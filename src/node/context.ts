// What the engine is told about one packet (docs/architecture.md, "PacketContext"): where it is being
// processed, which interfaces it came in and goes out on, and the per-packet facts only the
// kernel or the data plane can know. The engine does no I/O and reads no clock of its own.

export type Stage = "prerouting" | "output";

/** A real time as the kernel's struct timespec64: seconds and nanoseconds. */
export interface Timestamp {
  sec: number;
  nsec: number;
}

export interface PacketContext {
  stage: Stage;
  /** Receiving interface; absent for a locally generated packet. */
  ingress?: string;
  /** Output interface of the route; absent when it is the loopback device (local delivery). */
  egress?: string;
  /**
   * The packet's receive timestamp, when the kernel took one: every IOAM option of the packet
   * records this one time. The kernel stamps received packets only while some socket on the
   * host asks for receive timestamps (SO_TIMESTAMP*; iputils `ping` is one).
   */
  rxTime?: Timestamp;
  /**
   * The real-time clock, for packets without `rxTime`: like the kernel (ioam6_fill_trace_data
   * in net/ipv6/ioam6.c reads ktime_get_real_ts64), the engine reads it once per IOAM option
   * that records a timestamp, so two traces of one packet can carry different times.
   */
  clock: () => Timestamp;
  /** Egress qdisc backlog in bytes, when known. */
  queueDepth?: number;
  /** This node's address, the source of packets it originates (loopback copies). */
  localAddress?: string;
  /** Egress MTU, when known: a node that would grow the packet beyond it sets Overflow instead. */
  mtu?: number;
}

/** The time one IOAM option records: the receive timestamp, else a fresh clock reading. */
export function optionTime(ctx: PacketContext): Timestamp {
  return ctx.rxTime ?? ctx.clock();
}

/** A clock that always reads `sec`.`nsec` (tests, replays, and the emulation's virtual time). */
export function fixedClock(sec: number, nsec = 0): () => Timestamp {
  const t: Timestamp = { sec, nsec };
  return () => t;
}
