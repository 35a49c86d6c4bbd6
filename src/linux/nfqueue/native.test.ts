// The addon on its own (no queue, no root needed): the socket opens non-blocking with
// NETLINK_NO_ENOBUFS, an empty read is 0 and counted, a closed socket answers -EBADF instead
// of throwing, bad arguments are TypeError/RangeError, and a worker thread that ends while its
// socket still polls ends cleanly (the addon is unloaded only after libuv closed the handle).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { nfqueueAddon } from "./native.js";
import { NETLINK_NETFILTER } from "./socket.js";

const EBADF = 9;

describe("NlSocket (addon)", () => {
  it("opens a non-blocking socket with NETLINK_NO_ENOBUFS; an empty read returns 0 and counts it", () => {
    const s = new (nfqueueAddon().NlSocket)(NETLINK_NETFILTER, 1 << 20, 1 << 20);
    try {
      const info = s.info();
      assert.equal(info.errno, 0);
      assert.equal(info.noEnobufs, 1);
      assert.ok(info.portId > 0 && info.rcvbuf > 0);
      assert.equal(s.recv(new Uint8Array(8192), 4096, new Int32Array(4)), 0);
      assert.equal(s.counters().recvEagain, 1);
    } finally {
      s.close();
    }
  });

  it("answers -EBADF after close, and throws only on wrong argument types or ranges", () => {
    const s = new (nfqueueAddon().NlSocket)(NETLINK_NETFILTER, 1 << 16, 1 << 16);
    assert.throws(() => s.recv(new Int32Array(4) as unknown as Uint8Array, 4096, new Int32Array(4)), TypeError);
    assert.throws(() => s.recv(new Uint8Array(8192), 4096, new Uint32Array(4) as unknown as Int32Array), TypeError);
    assert.throws(() => s.send(new Uint8Array(4), 5), RangeError);
    s.close();
    assert.equal(s.recv(new Uint8Array(8192), 4096, new Int32Array(4)), -EBADF);
    assert.equal(s.send(new Uint8Array(4), 4), -EBADF);
    s.close();
  });

  it("lets a worker thread end while its socket is polling (no crash at unload)", () => {
    const addon = fileURLToPath(new URL("../../../../build/Release/ioamkit_nfqueue.node", import.meta.url));
    const inWorker = `const s = new (require(${JSON.stringify(addon)}).NlSocket)(12, 65536, 65536); s.start(() => {}); s.unref(); if (process.env.T) require("node:worker_threads").parentPort.postMessage(1);`;
    const main = `const { Worker } = require("node:worker_threads"); for (const T of ["", "1"]) { const w = new Worker(${JSON.stringify(inWorker)}, { eval: true, env: { T } }); w.on("message", () => w.terminate()); }`;
    const r = spawnSync(process.execPath, ["-e", main], { encoding: "utf8", timeout: 20_000 });
    assert.equal(r.signal, null, `the process died of ${r.signal}`);
    assert.equal(r.status, 0, r.stderr);
  });
});
