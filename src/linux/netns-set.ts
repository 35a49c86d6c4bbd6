// Network namespaces with unique names and veth links between them, all removed by cleanup():
// what the data plane's self-test, labs, tests and benches build on. Uses iproute2's `ip`.

import { execFileSync, spawnSync } from "node:child_process";

let counter = 0;

/** One end of a veth link: its netns, interface name and optional address with prefix. */
export interface VethEnd {
  ns: string;
  ifname: string;
  addr?: string;
}

/** Network namespaces with unique names, all removed by cleanup(). */
export class NetnsSet {
  readonly names: string[] = [];

  /** Creates a netns named ioamkit-<tag>-<pid>-<n> with loopback up. */
  add(tag: string): string {
    const name = `ioamkit-${tag}-${process.pid}-${counter++}`;
    execFileSync("ip", ["netns", "add", name]);
    this.names.push(name);
    execFileSync("ip", ["-n", name, "link", "set", "lo", "up"]);
    // No duplicate address detection: addresses (link-local too) are usable at once, so a test
    // can send through a fresh topology without waiting seconds for DAD.
    execFileSync("ip", ["netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"]);
    return name;
  }

  /** Runs `ip -n NS args…` and returns its output. */
  ip(ns: string, ...args: string[]): string {
    return execFileSync("ip", ["-n", ns, ...args], { encoding: "utf8" });
  }

  /** Runs a program inside netns `ns` (ip netns exec); `input` goes to its stdin. */
  exec(ns: string, cmd: string, args: readonly string[], input?: string): string {
    return execFileSync("ip", ["netns", "exec", ns, cmd, ...args], { encoding: "utf8", input });
  }

  /** A veth pair between two of these netns, both ends up, IPv6 addresses (no DAD) if given. */
  veth(a: VethEnd, b: VethEnd): void {
    execFileSync("ip", ["link", "add", "name", a.ifname, "netns", a.ns, "type", "veth", "peer", "name", b.ifname, "netns", b.ns]);
    for (const end of [a, b]) {
      if (end.addr) this.ip(end.ns, "-6", "addr", "add", end.addr, "dev", end.ifname, "nodad");
      this.ip(end.ns, "link", "set", end.ifname, "up");
    }
  }

  cleanup(): void {
    for (const n of this.names.splice(0)) spawnSync("ip", ["netns", "del", n]);
  }
}
