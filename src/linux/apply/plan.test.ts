// planChanges() against a model of the kernel's IOAM6 semantics (net/ipv6/ioam6.c): adding an
// existing namespace or schema fails (EEXIST), deleting a missing one fails (ENOENT), a binding
// needs both sides, deleting either side of a binding removes it, and a namespace keeps its data
// until deleted. For random current states and targets, the plan must be accepted step by step
// by that model and leave a state whose own plan towards the target is empty.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { IoamState } from "../ioam-state.js";
import { type Step, type Target, describeStep, planChanges, snapshotTarget } from "./plan.js";

/** Applies one step the way the kernel would, or throws its errno name. */
function kernelApply(s: IoamState, step: Step): void {
  switch (step.op) {
    case "node":
      Object.assign(s.node, step.ids);
      return;
    case "link":
      s.interfaces.set(step.dev, { ...(s.interfaces.get(step.dev) ?? { enabled: false, id: 0xffff, wide: 0xffffffff }), ...step.change });
      return;
    case "schema-del":
      if (!s.schemas.delete(step.id)) throw new Error(`ENOENT schema ${step.id}`);
      for (const ns of s.namespaces.values()) if (ns.schema === step.id) delete ns.schema;
      return;
    case "namespace-del":
      if (!s.namespaces.delete(step.id)) throw new Error(`ENOENT namespace ${step.id}`);
      return;
    case "schema-add": {
      if (s.schemas.has(step.id)) throw new Error(`EEXIST schema ${step.id}`);
      const kept = new Uint8Array((step.data.length + 3) & ~3);
      kept.set(step.data);
      s.schemas.set(step.id, kept);
      return;
    }
    case "namespace-add": {
      if (s.namespaces.has(step.id)) throw new Error(`EEXIST namespace ${step.id}`);
      const ns: { data?: number; wide?: bigint } = {};
      if (step.data !== undefined) ns.data = step.data;
      if (step.wide !== undefined) ns.wide = step.wide;
      s.namespaces.set(step.id, ns);
      return;
    }
    case "namespace-schema": {
      const ns = s.namespaces.get(step.id);
      if (!ns) throw new Error(`ENOENT namespace ${step.id}`);
      if (step.schema === "none") delete ns.schema;
      else if (!s.schemas.has(step.schema)) throw new Error(`ENOENT schema ${step.schema}`);
      else ns.schema = step.schema;
    }
  }
}

function copy(s: IoamState): IoamState {
  return { node: { ...s.node }, interfaces: new Map([...s.interfaces].map(([k, v]) => [k, { ...v }])), namespaces: new Map([...s.namespaces].map(([k, v]) => [k, { ...v }])), schemas: new Map(s.schemas) };
}

const ids = fc.integer({ min: 1, max: 6 });
const schemaData = fc.uint8Array({ minLength: 1, maxLength: 9 });
const bytesKept = (d: Uint8Array) => {
  const k = new Uint8Array((d.length + 3) & ~3);
  k.set(d);
  return k;
};

/** A kernel state: namespaces bound only to schemas that exist (as the kernel guarantees). */
const stateArb: fc.Arbitrary<IoamState> = fc
  .record({
    node: fc.record({ id: fc.integer({ min: 0, max: 0xffffff }), wide: fc.bigInt({ min: 0n, max: 0xffffffffffffffn }) }),
    schemas: fc.uniqueArray(fc.tuple(ids, schemaData), { selector: (x) => x[0], maxLength: 4 }),
    namespaces: fc.uniqueArray(fc.tuple(ids, fc.option(fc.integer({ min: 0, max: 3 })), fc.option(fc.bigInt({ min: 0n, max: 3n })), fc.option(ids)), { selector: (x) => x[0], maxLength: 5 }),
  })
  .map(({ node, schemas, namespaces }) => {
    const sch = new Map(schemas.map(([id, d]) => [id, bytesKept(d)]));
    const ns = new Map(namespaces.map(([id, data, wide, schema]) => [id, { ...(data !== null ? { data } : {}), ...(wide !== null ? { wide } : {}), ...(schema !== null && sch.has(schema) ? { schema } : {}) }]));
    return { node, interfaces: new Map([["eth0", { enabled: false, id: 1, wide: 2 }]]), namespaces: ns, schemas: sch };
  });

/** A target whose bindings name schemas of the target (apply's document checks guarantee that). */
const targetArb: fc.Arbitrary<Target> = fc
  .record({
    node: fc.option(fc.record({ id: fc.integer({ min: 0, max: 0xffffff }) })),
    link: fc.option(fc.record({ enabled: fc.boolean(), id: fc.integer({ min: 0, max: 0xffff }) })),
    schemas: fc.option(fc.uniqueArray(fc.tuple(ids, schemaData), { selector: (x) => x[0], maxLength: 4 })),
    namespaces: fc.option(fc.uniqueArray(fc.tuple(ids, fc.option(fc.integer({ min: 0, max: 3 })), fc.option(ids)), { selector: (x) => x[0], maxLength: 5 })),
  })
  .map(({ node, link, schemas, namespaces }) => {
    const t: Target = {};
    if (node) t.node = node;
    if (link) t.interfaces = new Map([["eth0", link]]);
    if (schemas) t.schemas = new Map(schemas);
    if (namespaces) t.namespaces = new Map(namespaces.map(([id, data, schema]) => [id, { ...(data !== null ? { data } : {}), ...(schema !== null && t.schemas?.has(schema) ? { schema } : {}) }]));
    return t;
  });

describe("planChanges()", () => {
  it("gives steps the kernel accepts in order, after which the plan towards the target is empty", () => {
    fc.assert(
      fc.property(stateArb, targetArb, (cur, target) => {
        const s = copy(cur);
        for (const step of planChanges(cur, target)) kernelApply(s, step);
        assert.deepEqual(planChanges(s, target), []);
      }),
      { seed: 9197, numRuns: 3000 },
    );
  });

  it("restores any state from any other through snapshotTarget() (the rollback)", () => {
    fc.assert(
      fc.property(stateArb, stateArb, (from, snapshot) => {
        const s = copy(from);
        for (const step of planChanges(from, snapshotTarget(snapshot, ["eth0"]))) kernelApply(s, step);
        assert.deepEqual(s, copy(snapshot));
      }),
      { seed: 9486, numRuns: 3000 },
    );
  });

  it("keeps a binding whose two sides do not change, and re-binds after a schema's data changes", () => {
    const cur: IoamState = { node: { id: 1, wide: 1n }, interfaces: new Map(), namespaces: new Map([[5, { schema: 7 }]]), schemas: new Map([[7, Uint8Array.of(1, 0, 0, 0)]]) };
    assert.deepEqual(planChanges(cur, { namespaces: new Map([[5, { schema: 7 }]]), schemas: new Map([[7, Uint8Array.of(1)]]) }), [], "schema data compared as the kernel keeps it (padded)");
    const steps = planChanges(cur, { namespaces: new Map([[5, { schema: 7 }]]), schemas: new Map([[7, Uint8Array.of(2)]]) });
    assert.deepEqual(steps.map(describeStep), ["ioam schema del 7", "ioam schema add 7 0x02", "ioam namespace set 5 schema 7"]);
  });

  it("deletes and re-adds a namespace whose data changes (IOAM6 has no modify)", () => {
    const cur: IoamState = { node: { id: 1, wide: 1n }, interfaces: new Map(), namespaces: new Map([[5, { data: 1 }]]), schemas: new Map() };
    const steps = planChanges(cur, { namespaces: new Map([[5, { data: 2, wide: 0x10n }]]) });
    assert.deepEqual(steps.map(describeStep), ["ioam namespace del 5", "ioam namespace add 5 data 0x00000002 wide 10"]);
  });

  it("leaves sections the target does not name alone", () => {
    const cur: IoamState = { node: { id: 1, wide: 1n }, interfaces: new Map(), namespaces: new Map([[5, {}]]), schemas: new Map([[7, Uint8Array.of(1, 0, 0, 0)]]) };
    assert.deepEqual(planChanges(cur, { node: { id: 2 } }).map(describeStep), ["ioam node set id 2"]);
  });
});
