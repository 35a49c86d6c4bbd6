// Where capture bytes come from: a regular file, anything else open(2) gives a stream of
// (FIFO, /dev/stdin, process substitution's /dev/fd/N, a character device), or standard input
// itself ("-"). Every input is read front to back without positions, so pipes and FIFOs
// work (a positioned read on them fails with ESPIPE); only a regular file has a known size.

import { open, type FileHandle } from "node:fs/promises";
import { IoamError } from "../errors.js";

/** A byte stream read in order. */
export interface ByteInput {
  /** The name errors use: the path, or "<stdin>". */
  readonly name: string;
  /** Bytes in a regular file; undefined for a stream (its end is known only when reached). */
  readonly size: number | undefined;
  /** Reads up to `length` bytes into buf[offset…]; resolves 0 at the end of the input. */
  read(buf: Uint8Array, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

/** What open(2) and read(2) errors mean to someone who typed a path. */
const WHY: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a component of the path is not a directory",
  ELOOP: "too many symbolic links",
  ENXIO: "no such device or address (a socket cannot be opened by path: use - to read standard input)",
  EMFILE: "too many open files",
};

/** The IoamError (code IO) for a failed open or read of `name`, as a sentence. */
export function inputError(name: string, e: unknown): IoamError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why = (code && WHY[code]) ?? (e as Error)?.message ?? String(e);
  return new IoamError("IO", `cannot read ${name}: ${why}`);
}

/** Opens `path` for reading in order; "-" is standard input. Throws IoamError (IO) naming the path. */
export async function openByteInput(path: string): Promise<ByteInput> {
  if (path === "-") return stdinInput();
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (e) {
    // /dev/stdin on a socket cannot be opened (ENXIO), but the stream can be read.
    if ((e as NodeJS.ErrnoException).code === "ENXIO" && /^\/(dev\/stdin|proc\/self\/fd\/0|dev\/fd\/0)$/.test(path)) return stdinInput();
    throw inputError(path, e);
  }
  const st = await fh.stat();
  if (st.isDirectory()) {
    await fh.close();
    throw inputError(path, Object.assign(new Error("EISDIR"), { code: "EISDIR" }));
  }
  return {
    name: path,
    size: st.isFile() ? st.size : undefined,
    read: async (buf, offset, length) => {
      try {
        return (await fh.read(buf, offset, length, null)).bytesRead;
      } catch (e) {
        throw inputError(path, e);
      }
    },
    close: () => fh.close(),
  };
}

/**
 * Standard input as a ByteInput, through process.stdin (which reads pipes, sockets, files
 * and terminals alike). Closing it destroys the stream, so that a reader that stops early
 * (--limit) does not keep the process waiting for more input.
 */
function stdinInput(): ByteInput {
  return streamInput("<stdin>", process.stdin);
}

/**
 * A readable stream (standard input, a child's stdout) as a ByteInput: reads return what has
 * arrived, so a live capture is parsed as it comes. Closing destroys the stream.
 */
export function streamInput(name: string, stream: NodeJS.ReadableStream & { destroy(): void }): ByteInput {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  let pending: Uint8Array = new Uint8Array(0);
  let ended = false;
  return {
    name,
    size: undefined,
    async read(buf, offset, length) {
      while (pending.length === 0 && !ended) {
        const r = await it.next();
        if (r.done) ended = true;
        else pending = r.value;
      }
      const n = Math.min(length, pending.length);
      buf.set(pending.subarray(0, n), offset);
      pending = pending.subarray(n);
      return n;
    },
    async close() {
      stream.destroy();
    },
  };
}
