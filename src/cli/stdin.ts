// Reading standard input whatever it is (pipe, socket, file, terminal): opening /dev/stdin
// fails with ENXIO on a socket, so the stream is read instead.

import { readFile } from "node:fs/promises";
import { inputError } from "../capture/byte-input.js";

/** All of standard input as UTF-8 text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The text of FILE (a file, FIFO or /dev/stdin), or of standard input when FILE is "-". */
export async function readTextInput(path: string): Promise<string> {
  if (path === "-") return readStdin();
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENXIO" && path === "/dev/stdin") return readStdin();
    throw inputError(path, e);
  }
}
