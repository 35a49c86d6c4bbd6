// Which packets `ioam node run` queues, for each role, and how failure and workers show in the rules.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseApplyDocument } from "../linux/apply/document.js";
import { queueRuleArgs } from "../linux/ip6tables/queue-spec.js";
import { nodeQueueRules, sameRules } from "./node-rules.js";

const spec = (section: string) => parseApplyDocument(`version: 1\ndataplane:\n${section}`, "n.yaml").dataplaneSpec;
const lines = (s: ReturnType<typeof spec>, owned: string[] = []) => nodeQueueRules(s, owned).map((r) => queueRuleArgs(r).join(" "));

describe("nodeQueueRules()", () => {
  it("queues tunnel addresses, Hop-by-Hop packets to edge prefixes, policy prefixes and Hop-by-Hop packets on owned ingresses, fail-open", () => {
    const s = spec('  decap: ["tunnel 2001:db8::2", "edge 2001:db8:7::/48"]\n  encap: ["2001:db8:3::/64 mode encap tundst 2001:db8::9 trace prealloc type 0x800000 ns 1 size 8"]\n');
    assert.deepEqual(lines(s, ["west"]), [
      "-d 2001:db8::2/128 -j NFQUEUE --queue-num 0 --queue-bypass",
      "-d 2001:db8:7::/48 -m ipv6header --header hop-by-hop --soft -j NFQUEUE --queue-num 0 --queue-bypass",
      "-d 2001:db8:3::/64 -j NFQUEUE --queue-num 0 --queue-bypass",
      "-i west -m ipv6header --header hop-by-hop --soft -j NFQUEUE --queue-num 0 --queue-bypass",
      "-d 2001:db8:3::/64 -j NFQUEUE --queue-num 0 --queue-bypass",
    ]);
    assert.deepEqual(nodeQueueRules(s, []).map((r) => r.hook), ["PREROUTING", "PREROUTING", "PREROUTING", "OUTPUT"], "this host's own packets to a policy prefix at OUTPUT");
  });

  it("fail-closed leaves out the bypass; workers spread over a queue range", () => {
    const s = spec('  failure: closed\n  queue: 4\n  workers: 3\n  encap: ["2001:db8:3::/64 trace prealloc type 0x800000 ns 1 size 8"]\n');
    assert.deepEqual(lines(s), ["-d 2001:db8:3::/64 -j NFQUEUE --queue-balance 4:6", "-d 2001:db8:3::/64 -j NFQUEUE --queue-balance 4:6"]);
  });

  it("tells equal rule sets apart from changed ones (a reload reinstalls only on change)", () => {
    const a = spec('  encap: ["2001:db8:3::/64 trace prealloc type 0x800000 ns 1 size 8"]\n');
    const b = spec('  encap: ["2001:db8:3::/64 trace prealloc type 0xc00000 ns 1 size 16"]\n');
    const c = spec('  encap: ["2001:db8:4::/64 trace prealloc type 0x800000 ns 1 size 8"]\n');
    assert.ok(sameRules(nodeQueueRules(a, []), nodeQueueRules(b, [])));
    assert.ok(!sameRules(nodeQueueRules(a, []), nodeQueueRules(c, [])));
  });
});
