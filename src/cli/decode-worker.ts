// A decode worker thread: renders batches of frames for decode-pool.ts, into the output buffer
// that came with the job, and sends everything back by transfer.

import { parentPort, workerData } from "node:worker_threads";
import { type DecodeJob, type DecodeResult, META_FIELDS } from "./decode-pool.js";
import { LineWriter } from "./output.js";
import { type FrameMeta, type RenderOptions, noCounts, renderFrame, tally } from "./render-frame.js";

const opts = workerData as RenderOptions;
const lines = new LineWriter();
/** One frame's capture fields, refilled for every frame. */
const meta: FrameMeta = { tsSec: 0, tsNsec: 0, originalLength: 0, capturedLength: 0, linkType: 0 };

parentPort?.on("message", (job: DecodeJob) => {
  lines.w.buf = job.out;
  lines.w.reset();
  const counts = noCounts();
  const m = job.meta;
  for (let i = 0, at = 0; i < job.count; i++, at += META_FIELDS) {
    meta.tsSec = m[at]!;
    meta.tsNsec = m[at + 1]!;
    meta.originalLength = m[at + 2]!;
    meta.capturedLength = m[at + 3]!;
    meta.linkType = m[at + 4]!;
    const data = job.data.subarray(m[at + 5]!, m[at + 5]! + meta.capturedLength);
    tally(counts, renderFrame(lines, job.firstFrame + i, meta, data, opts), meta.linkType);
  }
  const out = lines.w.buf; // the job's buffer, or a larger one if the output outgrew it
  const result: DecodeResult = { seq: job.seq, out, length: lines.w.pos, meta: job.meta, data: job.data, ...counts };
  parentPort!.postMessage(result, [out.buffer as ArrayBuffer, job.meta.buffer as ArrayBuffer, job.data.buffer as ArrayBuffer]);
});
