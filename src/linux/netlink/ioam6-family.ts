// The IOAM6 Generic Netlink family (include/uapi/linux/ioam6_genl.h, net/ipv6/ioam6.c):
// IOAM namespaces and schemas of the caller's network namespace, and the ioam6_events group.

import { IoamError } from "../../errors.js";
import type { Issue } from "../../wire/errors.js";
import { type TraceBody, decodeTraceBody } from "../../wire/ioam/trace.js";
import { AttrWriter, attrU16, attrU32, attrU64, attrU8 } from "./attrs.js";
import { type GenlFamily, genlMessage, genlPayload, resolveFamily } from "./genl.js";
import { NLM_F, NLMSG } from "./message.js";
import { NETLINK_GENERIC, NetlinkSocket } from "./socket.js";

export const IOAM6_GENL_NAME = "IOAM6";
export const IOAM6_EVENTS_GROUP = "ioam6_events";
const CMD = { ADD_NAMESPACE: 1, DEL_NAMESPACE: 2, DUMP_NAMESPACES: 3, ADD_SCHEMA: 4, DEL_SCHEMA: 5, DUMP_SCHEMAS: 6, NS_SET_SCHEMA: 7 } as const;
const ATTR = { NS_ID: 1, NS_DATA: 2, NS_DATA_WIDE: 3, SC_ID: 4, SC_DATA: 5, SC_NONE: 6 } as const;
const EVENT_TRACE = 1;
const EVENT_ATTR = { NAMESPACE: 1, NODELEN: 2, TYPE: 3, DATA: 4 } as const;

/** Largest schema data the kernel takes (IOAM6_MAX_SCHEMA_DATA_LEN = 255·4). */
export const MAX_SCHEMA_DATA = 1020;

/** An IOAM namespace as dumped: data values the kernel omits (all ones) are absent. */
export interface Ioam6Namespace {
  id: number;
  data?: number;
  wide?: bigint;
  schema?: number;
}

/** A schema as dumped: data padded to 4 octets by the kernel. */
export interface Ioam6Schema {
  id: number;
  data: Uint8Array;
  namespace?: number;
}

/** One IOAM6_EVENT_TRACE: what a kernel IOAM node filled (ioam6_event in net/ipv6/ioam6.c). */
export interface Ioam6TraceEvent {
  namespaceId: number;
  nodeLen: number;
  /** The full 32-bit type word: 24-bit Trace-Type << 8 plus the reserved octet. */
  typeWord: number;
  data: Uint8Array;
}

/**
 * The event as the Pre-allocated Trace it reports (RFC 9197 §4.4): the kernel sends no flags nor
 * RemainingLen, so they are absent, and the node data is decoded as the trace's entries.
 */
export function decodeTraceEvent(e: Ioam6TraceEvent): { trace: TraceBody; issues: Issue[] } {
  const body = new Uint8Array(8 + e.data.length);
  const dv = new DataView(body.buffer);
  dv.setUint16(0, e.namespaceId);
  dv.setUint16(2, (e.nodeLen & 0x1f) << 11);
  dv.setUint32(4, e.typeWord >>> 0);
  body.set(e.data, 8);
  const issues: Issue[] = [];
  return { trace: decodeTraceBody(body, 0, body.length, "prealloc", issues), issues };
}

/** A client of the IOAM6 family in the network namespace the process runs in. */
export class Ioam6Client {
  private constructor(
    private readonly sock: NetlinkSocket,
    readonly family: GenlFamily,
  ) {}

  static async open(): Promise<Ioam6Client> {
    const sock = new NetlinkSocket(NETLINK_GENERIC);
    try {
      return new Ioam6Client(sock, await resolveFamily(sock, IOAM6_GENL_NAME));
    } catch (e) {
      sock.close();
      throw e;
    }
  }

  close(): void {
    this.sock.close();
  }

  /** A larger receive buffer for event subscribers (bursts of events). */
  setReceiveBuffer(bytes: number): void {
    this.sock.setReceiveBuffer(bytes);
  }

  private async call(cmd: number, attrs: AttrWriter, what: string): Promise<void> {
    await this.sock.request(this.family.id, 0, genlPayload(cmd, this.family.version, attrs), what);
  }

  private async dump(cmd: number, what: string): Promise<Array<Map<number, Uint8Array>>> {
    const replies = await this.sock.request(this.family.id, NLM_F.DUMP, genlPayload(cmd, this.family.version), what);
    return replies.filter((m) => m.type === this.family.id).map((m) => genlMessage(m).attrs);
  }

  addNamespace(ns: { id: number; data?: number; wide?: bigint }): Promise<void> {
    const a = new AttrWriter().u16(ATTR.NS_ID, ns.id);
    if (ns.data !== undefined) a.u32(ATTR.NS_DATA, ns.data);
    if (ns.wide !== undefined) a.u64(ATTR.NS_DATA_WIDE, ns.wide);
    return this.call(CMD.ADD_NAMESPACE, a, `adding IOAM namespace ${ns.id}`);
  }

  delNamespace(id: number): Promise<void> {
    return this.call(CMD.DEL_NAMESPACE, new AttrWriter().u16(ATTR.NS_ID, id), `deleting IOAM namespace ${id}`);
  }

  /** Binds schema `schema` to namespace `id`, or unbinds with "none". */
  setNamespaceSchema(id: number, schema: number | "none"): Promise<void> {
    const a = new AttrWriter().u16(ATTR.NS_ID, id);
    if (schema === "none") a.flag(ATTR.SC_NONE);
    else a.u32(ATTR.SC_ID, schema);
    return this.call(CMD.NS_SET_SCHEMA, a, `setting the schema of IOAM namespace ${id}`);
  }

  addSchema(id: number, data: Uint8Array): Promise<void> {
    if (data.length > MAX_SCHEMA_DATA) throw new IoamError("BAD_CONFIG", `schema ${id}: data of ${data.length} bytes exceeds ${MAX_SCHEMA_DATA}`);
    return this.call(CMD.ADD_SCHEMA, new AttrWriter().u32(ATTR.SC_ID, id).raw(ATTR.SC_DATA, data), `adding IOAM schema ${id}`);
  }

  delSchema(id: number): Promise<void> {
    return this.call(CMD.DEL_SCHEMA, new AttrWriter().u32(ATTR.SC_ID, id), `deleting IOAM schema ${id}`);
  }

  /** The namespaces in the kernel's dump order (hash order). */
  async namespaces(): Promise<Ioam6Namespace[]> {
    return (await this.dump(CMD.DUMP_NAMESPACES, "listing IOAM namespaces")).map((a) => {
      const ns: Ioam6Namespace = { id: attrU16(a.get(ATTR.NS_ID)!) };
      const data = a.get(ATTR.NS_DATA);
      const wide = a.get(ATTR.NS_DATA_WIDE);
      const sc = a.get(ATTR.SC_ID);
      if (sc) ns.schema = attrU32(sc);
      if (data) ns.data = attrU32(data);
      if (wide) ns.wide = attrU64(wide);
      return ns;
    });
  }

  /** The schemas in the kernel's dump order. */
  async schemas(): Promise<Ioam6Schema[]> {
    return (await this.dump(CMD.DUMP_SCHEMAS, "listing IOAM schemas")).map((a) => {
      const sc: Ioam6Schema = { id: attrU32(a.get(ATTR.SC_ID)!), data: (a.get(ATTR.SC_DATA) ?? new Uint8Array(0)).slice() };
      const ns = a.get(ATTR.NS_ID);
      if (ns) sc.namespace = attrU16(ns);
      return sc;
    });
  }

  /**
   * Subscribes to ioam6_events; throws NOT_SUPPORTED on kernels before 6.9 (no group).
   * `onOverrun` is called when the kernel dropped events for this socket (ENOBUFS).
   */
  subscribeEvents(onTrace: (e: Ioam6TraceEvent) => void, onOverrun?: () => void): void {
    const group = this.family.groups.get(IOAM6_EVENTS_GROUP);
    if (group === undefined) throw new IoamError("NOT_SUPPORTED", `this kernel's IOAM6 family has no ${IOAM6_EVENTS_GROUP} group (events need Linux ≥ 6.9)`);
    this.sock.subscribe(group, (m) => {
      if (m.type !== this.family.id || m.type === NLMSG.ERROR) return;
      const { cmd, attrs } = genlMessage(m);
      if (cmd !== EVENT_TRACE) return;
      const get = (k: number) => attrs.get(k);
      onTrace({
        namespaceId: get(EVENT_ATTR.NAMESPACE) ? attrU16(get(EVENT_ATTR.NAMESPACE)!) : 0,
        nodeLen: get(EVENT_ATTR.NODELEN) ? attrU8(get(EVENT_ATTR.NODELEN)!) : 0,
        typeWord: get(EVENT_ATTR.TYPE) ? attrU32(get(EVENT_ATTR.TYPE)!) : 0,
        data: (get(EVENT_ATTR.DATA) ?? new Uint8Array(0)).slice(),
      });
    }, onOverrun);
  }
}
