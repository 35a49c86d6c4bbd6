// ioamkit's NFQUEUE rules in a router netns, with each ip6tables backend: installed in one
// transaction before the rules already there, refused (changing nothing) when the instance's
// chains exist, counted by traffic (nobody listens: --queue-bypass lets it through), removed
// from a JSON round trip of the record — leaving the table as it was — idempotently, and
// found and removed by tag alone.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { programsOf, type IptablesBackend } from "../../src/linux/ip6tables/backend.js";
import { type InstalledQueueRules, installQueueRules, listQueueRuleTags, readQueueCounters, removeQueueRules, removeQueueRulesByTag } from "../../src/linux/ip6tables/queue-rules.js";
import { buildPacket } from "../../src/wire/build.js";
import { parseOptionWords } from "../../src/wire/ioam/option-words.js";
import { NetnsSet } from "../harness/netns.js";
import { Capture, injectPackets } from "../harness/process.js";
import { IPTABLES, toolSkip } from "../harness/tools.js";
import { type Chain, chain } from "../../src/lab/line.js";

const skip = toolSkip(IPTABLES);

for (const backend of ["nf_tables", "legacy"] as IptablesBackend[]) {
  describe(`ip6tables NFQUEUE rules (${backend})`, { skip }, () => {
    const nets = new NetnsSet();
    let net: Chain;
    let r1: string;
    const tag = `b${backend === "legacy" ? "l" : "n"}${process.pid}`;
    const save = () => nets.exec(r1, programsOf(backend).save, ["-t", "mangle"]).replace(/^#.*\n/gm, "").replace(/\[\d+:\d+\]/g, "[counters]"); // legacy prints policy counters even without -c
    before(() => {
      net = chain(nets, 1, "ipt");
      r1 = net.routers[0]!;
      // A rule of someone else's that must stay, after ioamkit's jump.
      nets.exec(r1, programsOf(backend).restore, ["--noflush"], "*mangle\n-A PREROUTING -p tcp -j MARK --set-mark 7\nCOMMIT\n");
    });
    after(() => nets.cleanup());

    const rules = [
      { hook: "PREROUTING" as const, match: { inInterface: "west", destination: "2001:db8:1::/64", hopByHop: true }, queues: { first: 0, last: 1 } },
      { hook: "OUTPUT" as const, match: { protocol: 17 }, queues: { first: 5 } },
    ];

    it("installs chains and tagged jumps in one transaction, ahead of existing rules", async () => {
      const rec = await installQueueRules(tag, rules, { netns: r1, backend });
      assert.deepEqual(rec.chains.map((c) => [c.name, c.hook]), [[`IOAMKIT-${tag}-0`, "PREROUTING"], [`IOAMKIT-${tag}-1`, "OUTPUT"]]);
      const lines = save().split("\n").filter((l) => l.startsWith("-A"));
      assert.deepEqual(lines, [
        `-A PREROUTING -m comment --comment "ioamkit:${tag}" -j IOAMKIT-${tag}-0`,
        "-A PREROUTING -p tcp -j MARK --set-xmark 0x7/0xffffffff",
        `-A OUTPUT -m comment --comment "ioamkit:${tag}" -j IOAMKIT-${tag}-1`,
        `-A IOAMKIT-${tag}-0 -d 2001:db8:1::/64 -i west -m ipv6header --header hop-by-hop --soft -j NFQUEUE --queue-balance 0:1 --queue-bypass`,
        `-A IOAMKIT-${tag}-1 -p udp -j NFQUEUE --queue-num 5 --queue-bypass`,
      ]);
      assert.deepEqual(await listQueueRuleTags({ netns: r1, backend }), [tag]);
      await removeQueueRules(rec);
    });

    it("refuses to install over the chains of the same instance and changes nothing", async () => {
      const rec = await installQueueRules(tag, rules, { netns: r1, backend });
      try {
        const was = save();
        await assert.rejects(installQueueRules(tag, rules.slice(0, 1), { netns: r1, backend }), new RegExp(`chain IOAMKIT-${tag}-0 of ioamkit instance "${tag}" already exists in netns ${r1}: remove the stale rules first`));
        assert.equal(save(), was);
      } finally {
        await removeQueueRules(rec);
      }
    });

    it("counts the packets it matches, and lets them pass while nobody listens", async () => {
      const rec = await installQueueRules(tag, rules, { netns: r1, backend });
      const udp = (options: string) => buildPacket({ src: net.h1Addr, dst: net.h2Addr, options: options ? parseOptionWords(options.split(" ")) : [], upper: { kind: "udp", srcPort: 1, dstPort: 2, data: new Uint8Array(4) } });
      const cap = await Capture.start(net.h2, "west", `ip6 src host ${net.h1Addr}`);
      try {
        injectPackets(nets, net.h1, [...Array(5).fill(udp("trace prealloc type 0x800000 ns 1 size 8")), ...Array(3).fill(udp(""))]);
        assert.equal((await cap.stop(8)).length, 8);
        const counters = await readQueueCounters(rec);
        assert.deepEqual(counters.map((c) => [c.chain, c.packets]), [[`IOAMKIT-${tag}-0`, 5], [`IOAMKIT-${tag}-1`, 0]]);
      } finally {
        cap.cleanup();
        await removeQueueRules(rec);
      }
    });

    it("removes everything from a JSON copy of the record, leaving the table as it was, idempotently", async () => {
      const was = save();
      const rec = JSON.parse(JSON.stringify(await installQueueRules(tag, rules, { netns: r1, backend }))) as InstalledQueueRules;
      assert.notEqual(save(), was);
      assert.deepEqual(await removeQueueRules(rec), [`IOAMKIT-${tag}-0`, `IOAMKIT-${tag}-1`]);
      assert.equal(save(), was);
      assert.deepEqual(await removeQueueRules(rec), []);
    });

    it("finds and removes a killed instance's rules by tag alone", async () => {
      await installQueueRules(`${tag}x`, rules, { netns: r1, backend });
      assert.deepEqual(await listQueueRuleTags({ netns: r1, backend }), [`${tag}x`]);
      assert.equal((await removeQueueRulesByTag(`${tag}x`, { netns: r1, backend })).length, 2);
      assert.deepEqual(await listQueueRuleTags({ netns: r1, backend }), []);
    });
  });
}
