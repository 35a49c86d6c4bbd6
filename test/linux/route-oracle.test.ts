// `ioam route` against iproute2, in a test netns with a veth pair. The kernel here lacks
// CONFIG_IPV6_IOAM6_LWTUNNEL and refuses ioam6 routes, so the oracle for add/del is iproute2's
// request itself: for the same line, the RTM_NEWROUTE/RTM_DELROUTE ioam sends equals the one
// `ip -6 route` sends (both captured with strace; seq, pid and attribute padding masked, see
// normaliseRequest). `tunsrc` (unknown to iproute2 6.1) is checked against hand-written bytes
// from include/uapi/linux/ioam6_iptunnel.h, the printer against `ip monitor file` fed with hand-written dumps.
// On a kernel that has the lwtunnel the same tests check the routes really exist.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { NLM_F, encodeMessage } from "../../src/linux/netlink/message.js";
import { RTM, decodeRouteMessage, encodeRouteRequest } from "../../src/linux/rtnetlink/route-message.js";
import { parseRouteWords } from "../../src/linux/route-spec.js";
import { routeLine } from "../../src/cli/format-route.js";
import { hexToBytes } from "../../src/wire/hex.js";
import { IOAM_MAIN, NetnsSet, pathWithoutIproute2, rootSkip, runIoam } from "../harness/netns.js";
import { normaliseRequest, stracePath, straceSends } from "../harness/strace.js";

const skip = rootSkip() || (process.env.CI !== "true" && !stracePath() ? "needs strace (apt-get install strace); runs in CI" : false);
const hex = (s: string) => hexToBytes(s.replace(/#[^\n]*/g, "").replace(/\s+/g, ""))!;
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex").replace(/(.{32})/g, "$1\n");
const RTMSG_LEN = 12;

const MODES = ["", "mode inline ", "mode encap tundst 2001:db8:1::100 ", "mode auto tundst 2001:db8:1::200 "];
const FREQS = ["", "freq 1/1 ", "freq 1/2 ", "freq 3/10 ", "freq 1/1000000 ", "freq 999999/1000000 ", "freq 1000000/1000000 "];
const TYPES = ["0x800000", "0xfff002", "0x000002", "0xc00000", "0x0ff000", "8388608", "0x400000"];
const NAMESPACES = ["123", "0", "65535", "0x10", "1"];

/** Route lines covering every mode, every freq form, every size 4..244, and several types. */
function tableLines(): string[] {
  const lines: string[] = [];
  const line = (i: number, mode: string, freq: string, size: number, extra = "") =>
    `2001:db8:${(0x100 + i).toString(16)}::/64 ${extra}encap ioam6 ${freq}${mode}trace prealloc type ${TYPES[i % TYPES.length]} ns ${NAMESPACES[i % NAMESPACES.length]} size ${size} dev vA`;
  for (let size = 4; size <= 244; size += 4) {
    const i = lines.length;
    lines.push(line(i, MODES[i % MODES.length]!, FREQS[i % FREQS.length]!, size));
  }
  for (const mode of MODES) for (const freq of FREQS) lines.push(line(lines.length, mode, freq, 4 * (1 + (lines.length % 61))));
  // iproute2 puts attributes in word order; ioam must too.
  lines.push(line(lines.length, "", "", 12, "via 2001:db8:1::2 metric 77 "));
  lines.push(`metric 5 2001:db8:ff0::/64 encap ioam6 trace prealloc size 8 type 0x800000 ns 9 via 2001:db8:1::2 dev vA`);
  lines.push(`2001:db8:ff1::1 encap ioam6 mode encap tundst 2001:db8:1::9 trace prealloc ns 2 size 244 type 0xfff002 via 2001:db8:1::3 metric 1 dev vA`);
  lines.push(`default encap ioam6 trace prealloc type 0x800000 ns 1 size 4 dev vA`);
  return lines;
}

describe("ioam route over rtnetlink, with iproute2 as the oracle", { skip }, () => {
  const nets = new NetnsSet();
  const bin = pathWithoutIproute2();
  let ns = "";
  let oif = 0;
  let lwtunnel = false; // whether this kernel has CONFIG_IPV6_IOAM6_LWTUNNEL
  const ip = (...args: string[]) => spawnSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
  const ioam = (...args: string[]) => runIoam(["--netns", ns, ...args], bin.path);
  // Kernel-made routes come and go on their own (link-local addresses finish DAD).
  const routes = () => ip("-6", "route", "show", "table", "all").stdout.split("\n").filter((l) => !l.includes("proto kernel")).join("\n");
  const ours = (line: string, purpose: "add" | "del") => {
    const { spec, order } = parseRouteWords(line.split(" "), purpose);
    const r = encodeRouteRequest(purpose, spec, spec.dev === undefined ? undefined : oif, order);
    return encodeMessage(r.type, r.flags | NLM_F.REQUEST | NLM_F.ACK, 0, r.payload);
  };
  const routeMessages = (msgs: Uint8Array[], type: number) => msgs.filter((m) => m[4] === type && m[5] === 0);

  before(() => {
    ns = nets.add("route");
    execFileSync("ip", ["-n", ns, "link", "add", "vA", "type", "veth", "peer", "name", "vB"]);
    execFileSync("ip", ["-n", ns, "link", "set", "vA", "up"]);
    execFileSync("ip", ["-n", ns, "link", "set", "vB", "up"]);
    execFileSync("ip", ["-n", ns, "-6", "addr", "add", "2001:db8:1::1/64", "dev", "vA", "nodad"]);
    oif = Number(/^(\d+):/.exec(ip("-o", "link", "show", "vA").stdout)![1]);
    const probe = ip("-6", "route", "add", "2001:db8:fff::/64", "encap", "ioam6", "trace", "prealloc", "type", "0x800000", "ns", "1", "size", "4", "dev", "vA");
    lwtunnel = probe.status === 0;
    if (!lwtunnel) assert.match(probe.stderr, /lwt encapsulation type not supported/);
    else ip("-6", "route", "del", "2001:db8:fff::/64");
  });
  after(() => (nets.cleanup(), bin.cleanup()));

  it("encodes every line of the table as ip -6 route add does (every mode, freq, size 4..244, several types)", () => {
    const lines = tableLines();
    const dir = mkdtempSync(join(tmpdir(), "ioamkit-batch-"));
    try {
      writeFileSync(join(dir, "batch"), lines.map((l) => `route add ${l}\n`).join(""));
      const run = straceSends(["ip", "-n", ns, "-6", "-force", "-batch", join(dir, "batch")]);
      const sent = routeMessages(run.messages, RTM.NEWROUTE);
      assert.equal(sent.length, lines.length, `ip sent ${sent.length} RTM_NEWROUTE for ${lines.length} lines: ${run.stderr}`);
      let padding = 0;
      lines.forEach((line, i) => {
        const theirs = normaliseRequest(sent[i]!, RTMSG_LEN);
        padding += theirs.paddingChanged;
        const mine = ours(line, "add");
        assert.equal(normaliseRequest(mine, RTMSG_LEN).paddingChanged, 0, "ioam writes zero padding");
        assert.equal(toHex(mine), toHex(theirs.bytes), line);
      });
      // Stack bytes in iproute2's padding, never more than the 2 octets after RTA_ENCAP_TYPE.
      assert.ok(padding <= 2 * lines.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (lwtunnel) ip("-6", "route", "flush", "proto", "boot");
    }
  });

  it("sends from the ioam process the bytes ip sends, and on a kernel without the lwtunnel says so and leaves no route", () => {
    const lines = tableLines().filter((_, i) => i % 6 === 0 || i >= 86);
    for (const line of lines) {
      const before = routes();
      const theirs = straceSends(["ip", "-n", ns, "-6", "route", "add", ...line.split(" ")]);
      if (lwtunnel) ip("-6", "route", "del", ...line.split(" "));
      const run = straceSends([process.execPath, IOAM_MAIN, "--netns", ns, "route", "add", ...line.split(" ")], { ...process.env, PATH: bin.path });
      const [ipMsg] = routeMessages(theirs.messages, RTM.NEWROUTE);
      const [ioamMsg] = routeMessages(run.messages, RTM.NEWROUTE);
      assert.ok(ipMsg && ioamMsg, `${line}: no RTM_NEWROUTE captured (${run.stderr})`);
      assert.equal(toHex(normaliseRequest(ioamMsg, RTMSG_LEN).bytes), toHex(normaliseRequest(ipMsg, RTMSG_LEN).bytes), line);
      if (lwtunnel) {
        assert.equal(run.status, 0, run.stderr);
        ip("-6", "route", "del", ...line.split(" "));
      } else {
        assert.equal(run.status, 1, line);
        assert.match(run.stderr, /^ioam: adding route [^\n]*: this kernel has no ioam6 lightweight tunnel \(built without CONFIG_IPV6_IOAM6_LWTUNNEL[^\n]*no route was added\. [^\n]*`ioam node run`[^\n]*\n$/);
        assert.equal(routes(), before, "nothing left behind");
      }
    }
  });

  it("sends tunsrc (unknown to iproute2 6.1) exactly as ioam6_iptunnel.h lays it out", () => {
    const line = "2001:db8:abc::/48 encap ioam6 freq 2/5 mode auto tunsrc 2001:db8:1::1 tundst 2001:db8:1::200 trace prealloc type 0x800000 ns 7 size 8 dev vA";
    const run = straceSends([process.execPath, IOAM_MAIN, "--netns", ns, "route", "add", ...line.split(" ")], { ...process.env, PATH: bin.path });
    const [msg] = routeMessages(run.messages, RTM.NEWROUTE);
    const expected = hex(`
      90 00 00 00  18 00  05 06  00 00 00 00  00 00 00 00    # nlmsghdr: 144 bytes, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
      0a 30 00 00  fe 03 00 01  00 00 00 00                  # rtmsg: AF_INET6, /48, main, boot, universe, unicast
      14 00 01 00  20 01 0d b8 0a bc 00 00 00 00 00 00 00 00 00 00   # RTA_DST
      50 00 16 80                                            # RTA_ENCAP, nested, 80 bytes
        08 00 04 00  02 00 00 00                             # IOAM6_IPTUNNEL_FREQ_K = 2
        08 00 05 00  05 00 00 00                             # IOAM6_IPTUNNEL_FREQ_N = 5
        05 00 01 00  03 00 00 00                             # IOAM6_IPTUNNEL_MODE = 3 (auto)
        14 00 06 00  20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 01   # IOAM6_IPTUNNEL_SRC
        14 00 02 00  20 01 0d b8 00 01 00 00 00 00 00 00 00 00 02 00   # IOAM6_IPTUNNEL_DST
        0c 00 03 00  00 07 00 02 80 00 00 00                 # IOAM6_IPTUNNEL_TRACE: ns 7, RemainingLen 2, type 0x800000
      06 00 15 00  09 00 00 00                               # RTA_ENCAP_TYPE = LWTUNNEL_ENCAP_IOAM6
      08 00 04 00  ${oif.toString(16).padStart(2, "0")} 00 00 00   # RTA_OIF
    `);
    assert.ok(msg, run.stderr);
    assert.equal(toHex(normaliseRequest(msg, RTMSG_LEN).bytes), toHex(expected));
    assert.equal(run.status, lwtunnel ? 0 : 1, run.stderr);
  });

  it("deletes with the bytes ip -6 route del sends", () => {
    for (const line of ["2001:db8:200::/64 dev vA", "2001:db8:201::/64 via 2001:db8:1::2 metric 3 dev vA", "2001:db8:202::/64 encap ioam6 mode encap tundst 2001:db8:1::9 trace prealloc type 0x800000 ns 1 size 4 dev vA"]) {
      const theirs = routeMessages(straceSends(["ip", "-n", ns, "-6", "route", "del", ...line.split(" ")]).messages, RTM.DELROUTE)[0];
      const run = straceSends([process.execPath, IOAM_MAIN, "--netns", ns, "route", "del", ...line.split(" ")], { ...process.env, PATH: bin.path });
      const mine = routeMessages(run.messages, RTM.DELROUTE)[0];
      assert.ok(theirs && mine, line);
      assert.equal(toHex(normaliseRequest(mine, RTMSG_LEN).bytes), toHex(normaliseRequest(theirs, RTMSG_LEN).bytes), line);
      assert.equal(toHex(normaliseRequest(mine, RTMSG_LEN).bytes), toHex(ours(line, "del")), line);
      assert.equal(run.status, 1);
      assert.match(run.stderr, line.includes("encap") && !lwtunnel ? /no ioam6 lightweight tunnel/ : /no such route \(ESRCH\)/);
    }
  });

  it("prints dumps built from ioam6_iptunnel.h as ip monitor prints them", () => {
    const idx = oif.toString(16).padStart(2, "0");
    const common = `08 00 0f 00 fe 00 00 00  24 00 0c 00 ${"00 ".repeat(32)}`; // RTA_TABLE main, RTA_CACHEINFO
    // The kernel nests RTA_ENCAP without NLA_F_NESTED (nla_nest_start_noflag), and iproute2
    // ignores an RTA_ENCAP that has the flag.
    const route = (rtmsg: string, attrs: string) => {
      const payload = hex(rtmsg + common + attrs);
      return encodeMessage(RTM.NEWROUTE, 0, 0, payload);
    };
    const dumps = [
      // 2001:db8:10::/64, inline, type 0x800000 (NodeLen 1 → 0x08), ns 123, size 4; metric 1024, pref medium
      route("0a 40 00 00 fe 03 00 01 00 00 00 00", `14 00 01 00 20 01 0d b8 00 10 00 00 00 00 00 00 00 00 00 00
        08 00 06 00 00 04 00 00  08 00 04 00 ${idx} 00 00 00  05 00 14 00 00 00 00 00
        28 00 16 00 08 00 04 00 01 00 00 00 08 00 05 00 01 00 00 00 05 00 01 00 01 00 00 00 0c 00 03 00 00 7b 08 01 80 00 00 00
        06 00 15 00 09 00 00 00`),
      // encap toward 2001:db8:1::100, freq 3/10, type 0xfff002 (NodeLen 15 → 0x78), ns 65535, size 244; via, proto static
      route("0a 40 00 00 fe 04 00 01 00 00 00 00", `14 00 01 00 20 01 0d b8 00 11 00 00 00 00 00 00 00 00 00 00
        14 00 05 00 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 02
        08 00 06 00 0a 00 00 00  08 00 04 00 ${idx} 00 00 00  05 00 14 00 00 00 00 00
        3c 00 16 00 08 00 04 00 03 00 00 00 08 00 05 00 0a 00 00 00 05 00 01 00 02 00 00 00
          14 00 02 00 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 01 00  0c 00 03 00 ff ff 78 3d ff f0 02 00
        06 00 15 00 09 00 00 00`),
      // host route 2001:db8:12::1, auto toward 2001:db8:1::200, freq 1/1000000, type 0x000002 (OSS: NodeLen 0), ns 0, size 8; pref high
      route("0a 80 00 00 fe 03 00 01 00 00 00 00", `14 00 01 00 20 01 0d b8 00 12 00 00 00 00 00 00 00 00 00 01
        08 00 06 00 00 04 00 00  08 00 04 00 ${idx} 00 00 00  05 00 14 00 01 00 00 00
        3c 00 16 00 08 00 04 00 01 00 00 00 08 00 05 00 40 42 0f 00 05 00 01 00 03 00 00 00
          14 00 02 00 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 02 00  0c 00 03 00 00 00 00 02 00 00 02 00
        06 00 15 00 09 00 00 00`),
      // default route, inline, type 0xc00000 (NodeLen 2 → 0x10), ns 1, size 16, no RTA_PREF (line ends in a space)
      route("0a 00 00 00 fe 03 00 01 00 00 00 00", `08 00 06 00 00 04 00 00  08 00 04 00 ${idx} 00 00 00
        28 00 16 00 08 00 04 00 01 00 00 00 08 00 05 00 01 00 00 00 05 00 01 00 01 00 00 00 0c 00 03 00 00 01 10 04 c0 00 00 00
        06 00 15 00 09 00 00 00`),
      // encap with tunsrc 2001:db8:1::1 (iproute2 6.1 does not print tunsrc; newer ones do, before tundst)
      route("0a 40 00 00 fe 03 00 01 00 00 00 00", `14 00 01 00 20 01 0d b8 00 13 00 00 00 00 00 00 00 00 00 00
        08 00 06 00 00 04 00 00  08 00 04 00 ${idx} 00 00 00  05 00 14 00 00 00 00 00
        50 00 16 00 08 00 04 00 01 00 00 00 08 00 05 00 01 00 00 00 05 00 01 00 02 00 00 00
          14 00 06 00 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 01
          14 00 02 00 20 01 0d b8 00 01 00 00 00 00 00 00 00 00 01 00  0c 00 03 00 00 05 08 02 80 00 00 00
        06 00 15 00 09 00 00 00`),
    ];
    const dir = mkdtempSync(join(tmpdir(), "ioamkit-rtmon-"));
    try {
      const file = join(dir, "dump");
      writeFileSync(file, Buffer.concat(dumps));
      const printed = execFileSync("ip", ["-n", ns, "monitor", "file", file], { encoding: "utf8" }).split("\n").slice(0, -1);
      const names = new Map([[oif, "vA"]]);
      const mine = dumps.map((m) => routeLine(decodeRouteMessage(m.subarray(16))!, names));
      assert.equal(printed.length, dumps.length);
      assert.deepEqual(mine.slice(0, 4), printed.slice(0, 4));
      assert.equal(mine[0], "2001:db8:10::/64  encap ioam6 freq 1/1 mode inline trace prealloc type 0x800000 ns 123 size 4 dev vA metric 1024 pref medium");
      assert.equal(mine[3], "default  encap ioam6 freq 1/1 mode inline trace prealloc type 0xc00000 ns 1 size 16 dev vA metric 1024 ");
      // The tunsrc line: iproute2's display rule (upstream print_encap_ioam6), checked by hand.
      assert.equal(mine[4], "2001:db8:13::/64  encap ioam6 freq 1/1 mode encap tunsrc 2001:db8:1::1 tundst 2001:db8:1::100 trace prealloc type 0x800000 ns 5 size 8 dev vA metric 1024 pref medium");
      assert.equal(mine[4]!.replace("tunsrc 2001:db8:1::1 ", ""), printed[4]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("shows ordinary routes (--all) as ip -6 route show, and only ioam6 routes without --all", () => {
    for (const r of [
      "2001:db8:5::/64 via 2001:db8:1::2 dev vA metric 10",
      "2001:db8:6::1 dev vA proto static",
      "unreachable 2001:db8:7::/64",
      "blackhole 2001:db8:8::/64 metric 99",
      "prohibit 2001:db8:9::/64",
      "2001:db8:a::/64 dev vA mtu 1400 pref high",
      "2001:db8:b::/64 via 2001:db8:1::3 dev vA onlink",
      "::ffff:0:0/96 dev vA",
      "::1.2.3.0/120 dev vA",
      "default via fe80::1 dev vA",
    ]) execFileSync("ip", ["-n", ns, "-6", "route", "add", ...r.split(" ")]);
    const shown = ioam("route", "show", "--all");
    assert.equal(shown.code, 0, shown.err);
    assert.equal(shown.out, ip("-6", "route", "show").stdout);
    const only = ioam("route", "show");
    assert.equal(only.out, lwtunnel ? only.out : "");
    const json = JSON.parse(ioam("route", "show", "--all", "--json").out) as Array<{ dst: string; via?: string; metric?: number }>;
    assert.deepEqual(json.find((r) => r.dst === "2001:db8:5::/64"), { dst: "2001:db8:5::/64", via: "2001:db8:1::2", dev: "vA", table: "main", proto: "boot", metric: 10, pref: "medium" });
  });

  it("refuses bad input with one line naming the item: status 2 for usage, 1 for the system", () => {
    const encap = "encap ioam6 trace prealloc type 0x800000 ns 1 size 4".split(" ");
    for (const [args, pattern] of [
      [["route", "add", "2001:db8::/64", ...encap, "dev", "vA", "size", "8"], /"size" given twice/],
      [["route", "add", "2001:db8::/64", "encap", "ioam6", "trace", "prealloc", "type", "0x800000", "ns", "1", "size", "246", "dev", "vA"], /size "246"/],
      [["route", "add", "2001:db8::/64", "encap", "ioam6", "freq", "5/4", "trace", "prealloc", "type", "0x800000", "ns", "1", "size", "4"], /freq "5\/4"/],
      [["route", "add", "2001:db8::/64", "encap", "ioam6", "mode", "encap", "trace", "prealloc", "type", "0x800000", "ns", "1", "size", "4"], /tundst/],
      [["route", "add", "2001:db8::/64", "encap", "ioam6", "trace", "prealloc", "type", "0x000400", "ns", "1", "size", "4"], /type "0x000400": .*undefined bits/],
      [["route", "add", "2001:db8::/64", "frob", ...encap], /unexpected word "frob"/],
      [["route", "frob"], /unknown route command "frob"/],
      [["route", "show", "--frob"], /unknown option --frob/],
    ] as const) {
      const r = ioam(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.match(r.err, /^ioam: [^\n]+\n$/);
      assert.match(r.err, pattern);
    }
    const before = routes();
    const nodev = ioam("route", "add", "2001:db8::/64", ...encap, "dev", "nosuch0");
    assert.equal(nodev.code, 1);
    assert.equal(nodev.err, 'ioam: device "nosuch0" not found in this network namespace\n');
    // Without CAP_NET_ADMIN (root, with the capability dropped) the kernel answers EPERM.
    const unprivileged = spawnSync("nsenter", [`--net=/run/netns/${ns}`, "setpriv", "--bounding-set", "-net_admin", "--inh-caps", "-net_admin", process.execPath, IOAM_MAIN, "route", "add", "2001:db8::/64", ...encap, "dev", "vA"], { encoding: "utf8" });
    assert.equal(unprivileged.status, 1, unprivileged.stderr);
    assert.match(unprivileged.stderr, /^ioam: adding route 2001:db8::\/64: Operation not permitted \(EPERM\); changing routes needs CAP_NET_ADMIN \(run as root\)\n$/);
    if (!lwtunnel) {
      const unsupported = ioam("route", "add", "2001:db8::/64", ...encap, "dev", "vA");
      assert.equal(unsupported.code, 1);
      assert.match(unsupported.err, /^ioam: [^\n]*CONFIG_IPV6_IOAM6_LWTUNNEL[^\n]*`ioam node run`[^\n]*\n$/);
    }
    assert.equal(routes(), before, "no failed command changed the routes");
  });
});
