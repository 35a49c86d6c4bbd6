// Prints a list the way every `show` command does: one human line per item, or one JSON array
// with --json.

import type { ParsedArgs } from "./args.js";
import { OutputBuffer } from "./output.js";

export async function printList<T>(a: ParsedArgs, items: readonly T[], line: (x: T) => string, json: (x: T) => object): Promise<number> {
  const out = new OutputBuffer();
  if (a.booleans.has("json")) out.line(JSON.stringify(items.map(json)));
  else for (const x of items) out.line(line(x));
  await out.flush();
  return 0;
}
