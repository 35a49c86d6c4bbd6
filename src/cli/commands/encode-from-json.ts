// `ioam encode --from-json`: canonical records back into packets. A record without its
// upper-layer bytes cannot become the packet it describes, so it is refused, not rebuilt
// with an empty body.

import { ConfigError, IoamError, UsageError } from "../../errors.js";
import { encodePacket } from "../../wire/packet.js";
import { packetFromJson } from "../../wire/json/record-from-json.js";
import { readTextInput } from "../stdin.js";

/** Protocols whose records carry no bytes after the headers (IPv6 No Next Header). */
const NO_NEXT_HEADER = 59;

function checkRecord(json: unknown, where: string): void {
  const r = json as { v?: unknown; error?: { message?: string }; payload?: unknown; upper?: { protocol?: number } };
  if (r === null || typeof r !== "object") throw new UsageError(`${where}: not a canonical record (expected an object with v: 1)`);
  if (r.error) throw new UsageError(`${where}: the record is a frame decode could not walk (${r.error.message ?? "error"}); there is no packet to rebuild`);
  if (r.payload === undefined && r.upper?.protocol !== NO_NEXT_HEADER) {
    throw new UsageError(`${where}: the record has no "payload" (the upper-layer bytes): decode with --json --payload so that encode can rebuild the packet`);
  }
}

/** The packets of the records in FILE (or stdin for "-"), one JSON record per line. */
export async function packetsFromJson(path: string): Promise<Uint8Array[]> {
  const name = path === "-" ? "<stdin>" : path;
  const text = await readTextInput(path);
  const packets: Uint8Array[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${name}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new UsageError(`${where}: not JSON (${(e as Error).message})`);
    }
    checkRecord(json, where);
    try {
      packets.push(encodePacket(packetFromJson(json)));
    } catch (e) {
      // A record that does not encode is a bad input file, like a bad apply file (exit 2).
      if (e instanceof ConfigError) throw new ConfigError(`${where}: ${e.path}`, e.message.slice(e.path.length + 2));
      if (e instanceof IoamError) throw new ConfigError(where, e.message);
      throw e;
    }
  });
  if (packets.length === 0) throw new UsageError(`${name}: no records (one JSON record per line, from ioam decode --json --payload)`);
  return packets;
}
