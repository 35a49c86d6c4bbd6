// ioam's version: the package's, read from package.json beside dist/.

import { readFileSync } from "node:fs";

/** The version in package.json ("0.1.0"). */
export function ioamVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
