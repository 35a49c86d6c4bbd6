// One captured frame as the capture readers hand it out (libpcap record header /
// pcapng Enhanced Packet Block, draft-ietf-opsawg-pcap and draft-ietf-opsawg-pcapng).

/**
 * A frame read from a pcap or pcapng file. `data` may alias the reader's chunk buffer:
 * it stays valid until the next batch is requested; copy it (`data.slice()`) to keep it.
 */
export interface CapturedPacket {
  /** Seconds since the epoch. */
  tsSec: number;
  /** Nanoseconds within the second (0..999999999). */
  tsNsec: number;
  /** Bytes present in `data` (≤ originalLength unless the file says otherwise). */
  capturedLength: number;
  /** Length of the frame on the wire. */
  originalLength: number;
  /** LINKTYPE_* of the frame (see link-type.ts). */
  linkType: number;
  /** pcapng Interface ID within its section; 0 for pcap. */
  interfaceIndex: number;
  /** The captured frame. */
  data: Uint8Array;
}
