// The trace view's accessors write the header's offsets as literals (for V8's free inlining);
// this holds every one of them to the TRACE layout under the RFC 9197 §4.4.1 diagram, by
// writing each field at TRACE's offset and reading it back through the accessor.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IOAM_OPT } from "./option-header.js";
import {
  TRACE,
  TRACE_FLAG_BITS,
  TRACE_TOO_SHORT,
  UNASSIGNED_FLAG,
  checkTraceOption,
  clearTraceLoopback,
  setTraceOverflow,
  setTraceRemainingLen,
  traceDataStart,
  traceFlagBits,
  traceFreeEnd,
  traceLoopback,
  traceNamespaceId,
  traceNodeLen,
  traceNodeLenMatches,
  traceOverflow,
  traceRemainingLen,
  traceRemainingLenFits,
  traceReservedOctet,
  traceType,
  writeTraceHeader,
  writeTraceLengthsAndFlags,
} from "./trace-view.js";

const OPT = 3; // an odd offset, so that no literal can pass by accident
const BODY = OPT + IOAM_OPT.BODY;

function option(): Uint8Array {
  return new Uint8Array(OPT + IOAM_OPT.BODY + TRACE.DATA + 16);
}

describe("trace view accessors", () => {
  it("checkTraceOption() returns the body offset for a whole header, TRACE_TOO_SHORT otherwise", () => {
    const b = option();
    assert.equal(checkTraceOption(b, OPT, OPT + IOAM_OPT.BODY + TRACE.DATA), BODY);
    assert.equal(checkTraceOption(b, OPT, OPT + IOAM_OPT.BODY + TRACE.DATA - 1), TRACE_TOO_SHORT);
  });

  it("read each field at TRACE's offset", () => {
    const b = option();
    b[BODY + TRACE.NAMESPACE_ID] = 0x12;
    b[BODY + TRACE.NAMESPACE_ID + 1] = 0x34;
    b[BODY + TRACE.NODELEN_FLAGS] = (5 << 3) | TRACE_FLAG_BITS.OVERFLOW | TRACE_FLAG_BITS.LOOPBACK;
    b[BODY + TRACE.REMLEN] = UNASSIGNED_FLAG | 3;
    b.set([0xf0, 0x00, 0x02], BODY + TRACE.TYPE);
    b[BODY + TRACE.RESERVED] = 0x77;
    assert.deepEqual(
      [traceNamespaceId(b, BODY), traceNodeLen(b, BODY), traceOverflow(b, BODY), traceLoopback(b, BODY), traceFlagBits(b, BODY), traceRemainingLen(b, BODY), traceType(b, BODY), traceReservedOctet(b, BODY)],
      [0x1234, 5, true, true, 8 | 4 | 1, 3, 0xf00002, 0x77],
    );
    assert.equal(traceDataStart(BODY), BODY + TRACE.DATA);
    assert.equal(traceFreeEnd(b, BODY), BODY + TRACE.DATA + 12);
    assert.equal(traceNodeLenMatches(b, BODY), false, "0xf00002 implies NodeLen 4");
    assert.equal(traceRemainingLenFits(b, BODY, BODY + TRACE.DATA + 12), true);
    assert.equal(traceRemainingLenFits(b, BODY, BODY + TRACE.DATA + 8), false);
  });

  it("write each field at TRACE's offset and keep the bits around it", () => {
    const b = option().fill(0xff);
    writeTraceHeader(b, BODY, { namespaceId: 0xabcd, traceType: 0xc00000, remainingLen: 9 });
    assert.deepEqual([...b.subarray(BODY, BODY + TRACE.DATA)], [0xab, 0xcd, 2 << 3, 9, 0xc0, 0x00, 0x00, 0x00]);
    assert.equal(b[BODY - 1], 0xff, "the option header is untouched");
    setTraceOverflow(b, BODY);
    setTraceRemainingLen(b, BODY, 4);
    assert.deepEqual([b[BODY + TRACE.NODELEN_FLAGS], b[BODY + TRACE.REMLEN]], [(2 << 3) | TRACE_FLAG_BITS.OVERFLOW, 4]);
    writeTraceLengthsAndFlags(b, BODY, 3, 8 | 4 | 2 | 1, 127);
    assert.deepEqual([b[BODY + TRACE.NODELEN_FLAGS], b[BODY + TRACE.REMLEN]], [(3 << 3) | 0x07, 0x80 | 127]);
    setTraceRemainingLen(b, BODY, 1);
    assert.equal(b[BODY + TRACE.REMLEN], UNASSIGNED_FLAG | 1, "the unassigned flag bit survives");
    clearTraceLoopback(b, BODY);
    assert.equal(traceLoopback(b, BODY), false);
    assert.equal(traceOverflow(b, BODY), true);
  });
});
