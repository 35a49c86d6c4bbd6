// The kernel's two timestamp cases, against the engine (net/ipv6/ioam6.c ioam6_fill_trace_data):
// a received packet with an skb timestamp records that one time in every IOAM option; without
// one, the kernel reads the real-time clock once per option, so a packet's second and third
// traces carry later times. Whether skbs are stamped is host-wide (any socket with SO_TIMESTAMP
// turns it on), so this test sets the state itself — it holds such a socket open for the second
// case — runs serially with the other netns tests, and asserts which case it observed.

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, describe, it } from "node:test";
import { chain } from "../../src/lab/line.js";
import { createNodeState } from "../../src/node/state.js";
import { bytesToHex } from "../../src/wire/hex.js";
import { configureWithIproute2, fixtureNodeConfig, routerFixture } from "../fixtures/node-config.js";
import { NetnsSet, pathWithoutIproute2, rootSkip } from "../harness/netns.js";
import { type TimeFeed, kernelOptionValues, runEngine, runKernel } from "./kernel-run.js";
import { casePacket, timestampCases } from "./transit-cases.js";

const skip = rootSkip();
const HOPS = 3;

/** A process holding a socket with SO_TIMESTAMP: while it runs, the kernel stamps every received skb. */
async function holdRxTimestamping(): Promise<ChildProcess> {
  // SO_TIMESTAMP is 29 on Linux (asm-generic/socket.h); Python's socket module may not name it.
  const script = "import socket,sys,time\ns=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\ns.setsockopt(socket.SOL_SOCKET,getattr(socket,'SO_TIMESTAMP',29),1)\nprint('holding',flush=True)\ntime.sleep(600)";
  const child = spawn("python3", ["-c", script]);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`the SO_TIMESTAMP holder exited (${code})`)));
  });
  await new Promise((r) => setTimeout(r, 200)); // the kernel enables stamping from a work queue
  return child;
}

/** A time a kernel fill recorded: seconds, and microseconds when the type carries bit 3. */
interface RecordedTime {
  sec?: number;
  usec?: number;
}
/** Per packet and router, the times the kernel recorded, option by option. */
type OptionTimes = RecordedTime[][];

/** a ≤ b on the fields both carry (a type with bit 2 only records whole seconds). */
function notAfter(a: RecordedTime, b: RecordedTime): boolean {
  if (a.sec !== undefined && b.sec !== undefined && a.sec !== b.sec) return a.sec < b.sec;
  return a.usec === undefined || b.usec === undefined || a.sec === undefined || b.sec === undefined || a.usec <= b.usec;
}

function sameTime(a: RecordedTime, b: RecordedTime): boolean {
  return (a.sec === undefined || b.sec === undefined || a.sec === b.sec) && (a.usec === undefined || b.usec === undefined || a.usec === b.usec);
}

const show = (ts: RecordedTime[]) => ts.map((t) => `${t.sec ?? "-"}.${t.usec ?? "-"}`).join(", ");

describe("timestamps per IOAM option equal the kernel's in both cases", { skip }, () => {
  const nets = new NetnsSet();
  const bin = pathWithoutIproute2();
  let holder: ChildProcess | undefined;
  after(() => (holder?.kill("SIGKILL"), nets.cleanup(), bin.cleanup()));

  const net = skip ? undefined : chain(nets, HOPS, "tts");
  const setUp = () => {
    net!.routers.forEach((r, k) => configureWithIproute2(r, routerFixture(k + 1)));
    nets.exec(net!.h1, "ping", ["-c1", "-W2", net!.h2Addr]); // neighbours resolved
  };

  /** Runs the timestamp cases through the kernel and the engine; returns each packet's per-router option times. */
  async function compare(feed: TimeFeed): Promise<OptionTimes[]> {
    const cases = timestampCases(HOPS);
    const packets = cases.map((c, i) => casePacket(c, i, net!.h1Addr, net!.h2Addr));
    const kernel = await runKernel(nets, net!, cases, packets, bin.path, cases.length);
    const routers = net!.routers.map((_, k) => createNodeState(fixtureNodeConfig(routerFixture(k + 1))));
    const cursor = routers.map(() => 0);
    const perPacket: OptionTimes[] = [];
    for (const [i, c] of cases.entries()) {
      const run = runEngine(packets[i]!, c, routers, (k, n) => kernel.events[k]!.slice(cursor[k]!, cursor[k]! + n), feed);
      perPacket.push(run.events.map((evs, k) => kernel.events[k]!.slice(cursor[k]!, cursor[k]! + evs.length).flatMap((line, j) => (run.filled[k]![j] ? timeOf(line) : []))));
      run.events.forEach((evs, k) => (cursor[k]! += evs.length));
      if (feed === "rx-timestamp") assert.deepEqual(run.clockReads, routers.map(() => 0), `${c.name}: with a receive timestamp the clock is never read`);
      assert.ok(run.out && kernel.arrived.get(i), `${c.name}: forwarded by both`);
      assert.equal(bytesToHex(run.out), bytesToHex(kernel.arrived.get(i)!), `${c.name}: bytes after ${HOPS} routers`);
    }
    return perPacket;
  }

  it("without receive timestamps: a clock reading per option, never decreasing, and the bytes equal", async () => {
    setUp();
    await new Promise((r) => setTimeout(r, 500)); // let the ping's SO_TIMESTAMP reference drop
    const times = await compare("clock-per-option");
    const multi = times.flat().filter((opts) => opts.length > 1);
    for (const opts of multi) for (let j = 1; j < opts.length; j++) assert.ok(notAfter(opts[j - 1]!, opts[j]!), `times decrease in option order: ${show(opts)}`);
    const differing = multi.filter((opts) => opts.some((t) => !sameTime(t, opts[0]!))).length;
    process.stdout.write(`clock per option: ${differing} of ${multi.length} multi-option fills carry different times\n`);
    assert.ok(multi.length >= 32, `${multi.length} multi-option fills`);
    assert.ok(differing >= multi.length / 2, `only ${differing} of ${multi.length} fills differ: the kernel stamped skbs, so some socket on this host has SO_TIMESTAMP open (ping?) — this case needs none`);
  });

  it("with receive timestamps (a SO_TIMESTAMP socket open): one time for every option, and the bytes equal", async () => {
    holder = await holdRxTimestamping();
    const times = await compare("rx-timestamp");
    const multi = times.flat().filter((opts) => opts.length > 1);
    assert.ok(multi.length >= 32, `${multi.length} multi-option fills`);
    for (const opts of multi) assert.ok(opts.every((t) => sameTime(t, opts[0]!)), `one receive time for every option of a packet: ${show(opts)}`);
  });
});

/** The time a filled option's event recorded, if its type carries one. */
function timeOf(line: string): RecordedTime[] {
  const v = kernelOptionValues(line);
  if (v.sec === 0xffffffff || v.usec === 0xffffffff || (v.sec === undefined && v.usec === undefined)) return [];
  return [{ ...(v.sec !== undefined ? { sec: v.sec } : {}), ...(v.usec !== undefined ? { usec: v.usec } : {}) }];
}
