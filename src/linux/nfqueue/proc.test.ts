// /proc/net/netfilter/nfnetlink_queue as net/netfilter/nfnetlink_queue.c seq_show prints it.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseQueueTable } from "./proc.js";

describe("parseQueueTable()", () => {
  it("reads one row per bound queue", () => {
    const text = "    3  12345     0 2 65535     0     0       20  1\n65535 -4000 7 2 128 9 1 99 1\n";
    assert.deepEqual(parseQueueTable(text), [
      { queue: 3, portId: 12345, waiting: 0, copyMode: 2, copyRange: 65535, queueDropped: 0, userDropped: 0, idSequence: 20 },
      { queue: 65535, portId: -4000, waiting: 7, copyMode: 2, copyRange: 128, queueDropped: 9, userDropped: 1, idSequence: 99 },
    ]);
  });

  it("skips lines that are not numbers", () => {
    assert.deepEqual(parseQueueTable("\nnot a row\n1 2 3\n"), []);
  });
});
