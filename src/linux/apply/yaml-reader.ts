// Reading an `ioam apply` file's YAML nodes with the file:line of each: typed values (numbers in
// iproute2's notation, booleans, text) and mappings whose unknown keys are refused, every
// failure a ConfigError that names "file:line: item".

import { LineCounter, type Node, YAMLMap, isMap, isScalar } from "yaml";
import { ConfigError } from "../../errors.js";
import { parseUintBig } from "../../wire/number-text.js";

export type { Node } from "yaml";

/** Reads nodes of one document; `where` collects the file:line of every key read, by path. */
export class Reader {
  readonly where = new Map<string, string>();
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    private readonly source: string,
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
    throw new ConfigError(`${this.at(node)}: ${path}`, message);
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

  uint(node: Node | null, path: string, max: bigint): bigint {
    const v = isScalar(node) ? node.value : undefined;
    const n = typeof v === "bigint" ? v : typeof v === "number" && Number.isInteger(v) ? BigInt(v) : typeof v === "string" ? parseUintBig(v, max) : undefined;
    if (n === undefined || n < 0n || n > max) this.fail(node, path, `expected an integer from 0 to ${max} (0x… hex allowed), got ${node ? String(isScalar(node) ? node.value : "a structure") : "nothing"}`);
    return n;
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
