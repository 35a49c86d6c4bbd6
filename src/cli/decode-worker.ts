// A decode worker thread: renders batches of frames for decode-pool.ts.

import { parentPort, workerData } from "node:worker_threads";
import { type DecodeJob, type DecodeResult, META_FIELDS } from "./decode-pool.js";
import { LineWriter } from "./output.js";
import { type RenderOptions, renderFrame, tally } from "./render-frame.js";

const opts = workerData as RenderOptions;
const out = new LineWriter();

parentPort?.on("message", (job: DecodeJob) => {
  out.w.reset();
  const counts = { malformed: 0, notIpv6: 0 };
  for (let i = 0; i < job.count; i++) {
    const m = job.meta.subarray(i * META_FIELDS, (i + 1) * META_FIELDS);
    const meta = { tsSec: m[0]!, tsNsec: m[1]!, originalLength: m[2]!, capturedLength: m[3]!, linkType: m[4]! };
    const data = job.data.subarray(m[5]!, m[5]! + meta.capturedLength);
    tally(counts, renderFrame(out, job.firstFrame + i, meta, data, opts));
  }
  const bytes = out.w.bytes().slice();
  const result: DecodeResult = { seq: job.seq, out: bytes, ...counts };
  parentPort!.postMessage(result, [bytes.buffer]);
});
