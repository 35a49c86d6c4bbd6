// Reading an `ioam apply` file's YAML nodes with the file:line of each: typed values (YAML 1.2
// integers, booleans, text) and mappings whose unknown keys are refused, every failure a
// ConfigError that names "file:line: item". Shared by apply files, the data-plane section and
// lab topology files (whose per-node blocks carry a prefix naming the node).

import { type LineCounter, type Node, YAMLMap, isMap, isScalar } from "yaml";
import { ConfigError } from "../../errors.js";

export type { Node } from "yaml";

/**
 * Reads values out of a parsed YAML document, each error naming file:line and the item's path.
 * `prefix` is put before every path in messages (a lab names the node whose block it reads).
 */
export class YamlReader {
  readonly where = new Map<string, string>();
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    private readonly source: string,
    private readonly prefix = "",
  ) {}

  /** The node's text as written in the file. */
  sourceOf(node: Node): string {
    const [start, end] = node.range ?? [0, 0];
    return this.source.slice(start, end).trim();
  }

  at(node: Node | null | undefined): string {
    const start = node?.range?.[0];
    return start === undefined ? this.file : `${this.file}:${this.lines.linePos(start).line}`;
  }

  fail(node: Node | null | undefined, path: string, message: string): never {
    throw new ConfigError(`${this.at(node)}: ${this.prefix}${path}`, message);
  }

  map(node: unknown, path: string): YAMLMap {
    if (isMap(node)) return node;
    if (node === null || (isScalar(node) && node.value === null)) return new YAMLMap();
    return this.fail(node as Node, path, "expected a mapping (key: value lines)");
  }

  /** Pairs of a mapping with their keys as text; refuses keys not in `allowed`. */
  entries(m: YAMLMap, path: string, allowed?: readonly string[]): Array<[string, Node | null, Node]> {
    return m.items.map((pair) => {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : this.fail(keyNode, path, "keys must be plain words or numbers");
      const at = `${path ? path + "." : ""}${key}`;
      if (allowed && !allowed.includes(key)) this.fail(keyNode, at, `unknown key (known: ${allowed.join(", ")})`);
      this.where.set(at, this.at(keyNode));
      return [key, pair.value as Node | null, keyNode];
    });
  }

  /** A YAML 1.2 integer from 0 to max (the document is parsed with intAsBigInt). */
  uint(node: Node | null, path: string, max: bigint): bigint {
    const v = isScalar(node) ? node.value : undefined;
    const n = typeof v === "bigint" ? v : typeof v === "number" && Number.isInteger(v) ? BigInt(v) : undefined;
    if (n !== undefined && n >= 0n && n <= max) return n;
    const expected = `expected an integer from 0 to ${max} (YAML 1.2: decimal, 0x hex, 0o octal)`;
    if (typeof v === "string") this.fail(node, path, `${expected}, got the string "${v}"${/^(0[xXoO])?[0-9a-fA-F]+$/.test(v) ? ": remove the quotes" : ""}`);
    this.fail(node, path, `${expected}, got ${node ? (isScalar(node) ? this.sourceOf(node) : "a structure") : "nothing"}`);
  }

  num(node: Node | null, path: string, max: number): number {
    return Number(this.uint(node, path, BigInt(max)));
  }

  bool(node: Node | null, path: string): boolean {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v === "boolean") return v;
    if (v === "on" || v === "off") return v === "on";
    return this.fail(node, path, "expected true or false");
  }

  text(node: Node | null, path: string): string {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v === "string") return v;
    return this.fail(node, path, "expected a string");
  }
}
