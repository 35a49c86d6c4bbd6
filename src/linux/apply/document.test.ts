// parseApplyDocument() on the cases of issue 10: a file must say version: 1 and must not be
// empty; numbers are YAML 1.2 integers (010 is ten) and a quoted number is refused; a refused
// value is quoted as written in the file (0x… stays hex).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../errors.js";
import { parseApplyDocument } from "./document.js";

function refuses(text: string, why: RegExp): void {
  assert.throws(() => parseApplyDocument(text, "f.yaml"), (e: unknown) => e instanceof ConfigError && why.test(e.message), text);
}

describe("parseApplyDocument()", () => {
  it("refuses an empty file and a file without version (both were applied)", () => {
    refuses("", /^f\.yaml: the file is empty; an apply file starts with version: 1/);
    refuses("# only a comment\n", /the file is empty/);
    refuses("node: { id: 1 }\n", /^f\.yaml:1: version: missing/);
    refuses("version: 2\n", /f\.yaml:1: version: only version 1 is known/);
  });

  it("reads numbers as YAML 1.2 does: 010 is ten, 0o10 eight, 0x10 sixteen", () => {
    const doc = parseApplyDocument("version: 1\nnode: { id: 010 }\ninterfaces:\n  lo: { id: 0o10, wide: 0x10 }\n", "f.yaml");
    assert.equal(doc.node?.id, 10);
    assert.deepEqual(doc.interfaces?.get("lo"), { id: 8, wide: 16 });
  });

  it("refuses a quoted number, saying to remove the quotes", () => {
    refuses('version: 1\nnode: { id: "0x10" }\n', /f\.yaml:2: node\.id: expected an integer .*got the string "0x10": remove the quotes/);
  });

  it("quotes a refused value as written (hex stays hex, it was echoed in decimal)", () => {
    refuses("version: 1\nnode: { id: 0x1ffffff }\n", /node\.id: expected an integer from 0 to 16777215 .*got 0x1ffffff$/);
    refuses("version: 1\nnode: { id: 1.5 }\n", /got 1\.5$/);
  });

  it("still reads a whole file", () => {
    const doc = parseApplyDocument("version: 1\nnamespaces:\n  123: { data: 0xdead0001, wide: 0xcafe000000000001 }\n", "f.yaml");
    assert.deepEqual(doc.namespaces?.get(123), { data: 0xdead0001, wide: 0xcafe000000000001n });
  });
});
