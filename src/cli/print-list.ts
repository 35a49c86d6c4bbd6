// Prints a list the way every `show` command does: one human line per item, or one JSON array
// with --json.

import type { Parsed } from "./args.js";
import { OutputBuffer } from "./output.js";

/** Prints `items`, one line each or (--json) as one JSON array. */
export async function printList<T>(a: Parsed, items: readonly T[], line: (x: T) => string, json: (x: T) => object): Promise<number> {
  const out = new OutputBuffer();
  if (a.has("json")) out.line(JSON.stringify(items.map(json)));
  else for (const x of items) out.line(line(x));
  await out.close();
  return 0;
}
