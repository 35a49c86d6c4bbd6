// The ioamkit library: the codec and capture I/O. The CLI is built on exactly these exports.

export * from "./errors.js";
export * from "./wire/errors.js";
export * from "./wire/hex.js";
export * from "./wire/ipv6-address.js";
export * from "./wire/ipv6.js";
export * from "./wire/ext-header.js";
export * from "./wire/tlv-options.js";
export * from "./wire/upper-layer.js";
export * from "./wire/checksum.js";
export * from "./wire/packet.js";
export * from "./wire/build.js";
export * from "./wire/encap.js";
export * from "./wire/json/record-json.js";
export * from "./wire/json/record-from-json.js";
export * from "./wire/ioam/option.js";
export * from "./wire/ioam/trace.js";
export * from "./wire/ioam/trace-node.js";
export * from "./wire/ioam/trace-type.js";
export * from "./wire/ioam/pot.js";
export * from "./wire/ioam/e2e.js";
export * from "./wire/ioam/dex.js";
export * from "./wire/ioam/option-words.js";
export * from "./capture/index.js";
