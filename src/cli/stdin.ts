// Reading standard input whatever it is (pipe, socket, file, terminal): opening /dev/stdin
// fails with ENXIO on a socket, so the stream is read instead.

/** All of standard input as UTF-8 text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The text of FILE, or of standard input when FILE is "-". */
export async function readTextInput(path: string): Promise<string> {
  if (path === "-") return readStdin();
  const { readFile } = await import("node:fs/promises");
  return readFile(path, "utf8");
}
