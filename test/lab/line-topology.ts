// A long line of routers, h1 — r1 — … — rN — h2, as topology text: the emulation's scale test.
// Hosts are inside the IOAM domain (the probes carry the trace from h1); routers have node id
// k, IOAM enabled on both interfaces and namespace 1; with `dataplane`, each also runs the data
// plane (transit: all), which processes Incremental Traces.

export function lineTopology(name: string, routers: number, opts: { dataplane: boolean }): string {
  const hex = (k: number) => k.toString(16);
  const lines = [`name: ${name}`, "topology:", "  nodes:", "    h1: { kind: host, domain: true }", "    h2: { kind: host, domain: true }"];
  for (let k = 1; k <= routers; k++) {
    const dp = opts.dataplane ? ", dataplane: { transit: all }" : "";
    lines.push(`    r${k}: { kind: router, ioam: { node: { id: ${k} }, interfaces: { w: { enabled: true, id: ${k} }, e: { enabled: true, id: ${1000 + k} } }, namespaces: { 1: {} }${dp} } }`);
  }
  lines.push("  links:");
  const names = ["h1", ...Array.from({ length: routers }, (_, i) => `r${i + 1}`), "h2"];
  for (let k = 0; k + 1 < names.length; k++) {
    const a = names[k] === "h1" ? "h1:eth1" : `${names[k]}:e`;
    const b = names[k + 1] === "h2" ? "h2:eth1" : `${names[k + 1]}:w`;
    lines.push(`    - { endpoints: ["${a}", "${b}"], prefix: "fd00:0:0:${hex(k)}::/64" }`);
  }
  return lines.join("\n") + "\n";
}
