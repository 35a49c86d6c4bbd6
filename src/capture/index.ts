// Capture files: streaming pcap/pcapng reading and buffered writing, and the link-layer
// headers in front of IPv6 (tcpdump.org LINKTYPE registry).

export type { CapturedPacket } from "./packet.js";
export { LINKTYPE, type LinkType, ipv6Offset, wrapIpv6 } from "./link-type.js";
export { readCapture, type ReadCaptureOptions } from "./reader.js";
export {
  openPcapWriter,
  openPcapngWriter,
  type CaptureWriter,
  type PcapWriterOptions,
  type PcapngWriterOptions,
} from "./writer.js";
export { PCAP, PcapEncoder, type PcapFormat, type RecordInput } from "./pcap.js";
export { PCAPNG } from "./pcapng.js";
export { PcapngEncoder, type PcapngFormat, type PcapngInterface } from "./pcapng-encoder.js";
