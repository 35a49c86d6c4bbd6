// One decoded frame as output: a canonical JSON line or the human table. The single place
// that turns packets into `ioam decode` output, used inline and by the decode workers.

import { ipv6Offset, readsLinkType } from "../capture/link-type.js";
import { NOT_DIRECT, writePacketMembersDirect } from "../wire/json/direct-json.js";
import { DecodeError } from "../wire/errors.js";
import { asciiPiece, putPiece, putUint } from "../wire/json/ascii-put.js";
import type { JsonBytes } from "../wire/json/json-bytes.js";
import { type PacketRecord, decodePacket } from "../wire/packet.js";
import { writePacketMembers } from "../wire/json/record-json.js";
import { packetLines } from "./format-packet.js";
import type { LineWriter } from "./output.js";

export interface RenderOptions {
  json: boolean;
  payload: boolean;
  ioamOnly: boolean;
}

/** What a capture says of a frame (CapturedPacket without its bytes). */
export interface FrameMeta {
  tsSec: number;
  tsNsec: number;
  originalLength: number;
  capturedLength: number;
  linkType: number;
}

/** Writes `{"v":1,` and any members that go before the packet's (capture info, index). */
export type Prefix = (w: JsonBytes) => void;

/**
 * The outcome of rendering one frame, for the summary line. CUT: the capture kept fewer bytes
 * than the packet had (snap length), so it cannot be walked, though nothing is wrong with it.
 * OTHER_LINK: a link type ioam does not read.
 */
export const RENDERED = { OK: 0, MALFORMED: 1, NOT_IPV6: 2, CUT: 3, OTHER_LINK: 4 } as const;

/** Frames that could not be shown, by reason. */
export interface RenderCounts {
  malformed: number;
  notIpv6: number;
  cut: number;
  otherLink: number;
  /** The link types of the OTHER_LINK frames (each once). */
  otherLinkTypes: number[];
}

/** Counts with nothing counted. */
export function noCounts(): RenderCounts {
  return { malformed: 0, notIpv6: 0, cut: 0, otherLink: 0, otherLinkTypes: [] };
}

/** Counts one renderFrame() outcome for a frame of `linkType`. */
export function tally(c: RenderCounts, outcome: number, linkType = 0): void {
  if (outcome === RENDERED.MALFORMED) c.malformed++;
  else if (outcome === RENDERED.NOT_IPV6) c.notIpv6++;
  else if (outcome === RENDERED.CUT) c.cut++;
  else if (outcome === RENDERED.OTHER_LINK) {
    c.otherLink++;
    if (!c.otherLinkTypes.includes(linkType)) c.otherLinkTypes.push(linkType);
  }
}

/** Adds counts `b` (from a worker) to `a`. */
export function addCounts(a: RenderCounts, b: RenderCounts): void {
  a.malformed += b.malformed;
  a.notIpv6 += b.notIpv6;
  a.cut += b.cut;
  for (const t of b.otherLinkTypes) if (!a.otherLinkTypes.includes(t)) a.otherLinkTypes.push(t);
  a.otherLink += b.otherLink;
}

function errorJson(e: DecodeError): string {
  return `"error":{"code":"${e.code}","offset":${e.offset},"layer":"${e.layer}","message":${JSON.stringify(e.message)}}`;
}

/**
 * The fast JSON path: the record's members written straight from the packet after the prefix
 * already written at out.w[start, pos). Returns false, having removed the prefix, when the
 * packet needs the record path.
 */
function renderDirect(out: LineWriter, start: number, bytes: Uint8Array, o: RenderOptions): boolean {
  const options = writePacketMembersDirect(out.w, bytes, o.payload);
  if (options === NOT_DIRECT || (o.ioamOnly && options === 0)) out.w.pos = start;
  else (out.w.byte(0x7d), out.endLine());
  return options !== NOT_DIRECT;
}

/** Decodes one IPv6 packet and renders it; returns false when it was malformed. */
export function renderPacket(out: LineWriter, bytes: Uint8Array, label: string, prefix: Prefix, o: RenderOptions): boolean {
  if (o.json) {
    const start = out.w.pos;
    prefix(out.w);
    if (renderDirect(out, start, bytes, o)) return true;
  }
  return renderRecord(out, bytes, label, prefix, o, false) === RENDERED.OK;
}

/**
 * The record path: decodePacket, then the record as JSON or as the table. `cut` says that the
 * capture kept less than the packet (then running out of bytes is the capture's doing).
 */
function renderRecord(out: LineWriter, bytes: Uint8Array, label: string, prefix: Prefix, o: RenderOptions, cut: boolean): number {
  let rec: PacketRecord;
  try {
    rec = decodePacket(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    const snapped = cut && e.code === "TRUNCATED";
    if (o.json) {
      prefix(out.w);
      out.w.text(errorJson(e));
      out.w.byte(0x7d);
      out.endLine();
    } else out.line(`${label}${snapped ? "cut short by the capture's snap length" : "malformed"}: ${e.message} (${e.code} at byte ${e.offset})`);
    return snapped ? RENDERED.CUT : RENDERED.MALFORMED;
  }
  if (o.ioamOnly && rec.options.length === 0) return RENDERED.OK;
  if (o.json) {
    prefix(out.w);
    writePacketMembers(out.w, rec, o.payload);
    out.w.byte(0x7d);
    out.endLine();
  } else for (const l of packetLines(rec, label)) out.line(l);
  return RENDERED.OK;
}

const CAPTURE = {
  open: asciiPiece('{"v":1,"capture":{"frame":'),
  tsSec: asciiPiece(',"tsSec":'),
  tsNsec: asciiPiece(',"tsNsec":'),
  length: asciiPiece(',"length":'),
  capturedLength: asciiPiece(',"capturedLength":'),
  close: asciiPiece("},"),
};
/** The longest text captureMembers writes: its constant text and five integers of up to 16 digits. */
const CAPTURE_MAX = 128;

function captureMembers(w: JsonBytes, frame: number, m: FrameMeta): void {
  w.reserve(CAPTURE_MAX);
  const d = w.view;
  let p = putPiece(d, w.pos, CAPTURE.open);
  p = putUint(d, p, frame);
  p = putPiece(d, p, CAPTURE.tsSec);
  p = putUint(d, p, m.tsSec);
  p = putPiece(d, p, CAPTURE.tsNsec);
  p = putUint(d, p, m.tsNsec);
  p = putPiece(d, p, CAPTURE.length);
  p = putUint(d, p, m.originalLength);
  p = putPiece(d, p, CAPTURE.capturedLength);
  p = putUint(d, p, m.capturedLength);
  w.pos = putPiece(d, p, CAPTURE.close);
}

/** Renders frame number `frame` of a capture; returns a RENDERED value. */
export function renderFrame(out: LineWriter, frame: number, m: FrameMeta, data: Uint8Array, o: RenderOptions): number {
  const off = ipv6Offset(m.linkType, data);
  if (off < 0) return readsLinkType(m.linkType) ? RENDERED.NOT_IPV6 : RENDERED.OTHER_LINK;
  const bytes = off === 0 ? data : data.subarray(off);
  if (o.json) {
    const start = out.w.pos;
    captureMembers(out.w, frame, m);
    if (renderDirect(out, start, bytes, o)) return RENDERED.OK;
  }
  const label = o.json ? "" : `frame ${frame} ${m.tsSec}.${String(m.tsNsec).padStart(9, "0")}  `;
  return renderRecord(out, bytes, label, (w) => captureMembers(w, frame, m), o, m.capturedLength < m.originalLength);
}
