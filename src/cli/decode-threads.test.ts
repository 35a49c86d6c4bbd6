// decodeThreads(): the default is inline unless the input is a large regular file on a machine
// with cores beyond the main thread's and one more; --threads always wins.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WORKER_MAX, WORKER_MIN_BYTES, decodeThreads } from "./decode-threads.js";

describe("decodeThreads()", () => {
  it("takes --threads as given", () => {
    assert.equal(decodeThreads(0, 1 << 30, 64), 0);
    assert.equal(decodeThreads(3, 100, 1), 3);
  });
  it("decodes inline on 2 cores, for small files and for streams", () => {
    assert.equal(decodeThreads(undefined, 1 << 30, 2), 0);
    assert.equal(decodeThreads(undefined, WORKER_MIN_BYTES - 1, 16), 0);
    assert.equal(decodeThreads(undefined, undefined, 16), 0);
  });
  it("uses one worker per core beyond the main thread, at most WORKER_MAX, for a large file", () => {
    assert.equal(decodeThreads(undefined, WORKER_MIN_BYTES, 3), 2);
    assert.equal(decodeThreads(undefined, WORKER_MIN_BYTES, 64), WORKER_MAX);
  });
});
