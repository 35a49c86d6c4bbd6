// The description of `ioam lab` for --help and the man page (the usage lines, flags and
// examples come from the command table entry in lab.ts).

export const LAB_DESCRIPTION = `A lab is an IOAM domain described by a topology file (docs/lab.md): containerlab's layout
(name, topology.nodes with kind host|router, topology.links with endpoints ["r1:eth1",
"r2:eth1"] and a prefix), and per node an ioam: block in the 'ioam apply' format — with a
dataplane: section for nodes that run the userspace data plane (ioam node run). Addresses
are ::1 and ::2 of each link's prefix unless given; routes are shortest paths (ties go to the
neighbour whose name sorts first) unless the node's routes: say otherwise. Links between a
node of the IOAM domain (routers, and hosts with domain: true) and one outside it are domain
edges: IOAM arriving there is dropped, IOAM leaving is removed (or dropped by a kernel-only
node). \${VAR:=default} in the file takes VAR from NAME=VALUE words or the environment.

up        creates one network namespace per node (ioamkit.LAB.NODE; root), the links,
          addresses, routes, the edge filter, each node's IOAM config (ioam apply) and its
          data plane. With --emulate: builds the lab in this process on the IOAM engine (no
          root) and pings between its hosts. Bad input is refused, naming file:line, before
          anything exists. With --agents nats://HOST:PORT every IOAM node gets an ioam agent
          (run beside the lab, reading the node's kernel events and its data plane's sink)
          publishing to ioam.LAB.NODE; credentials from IOAM_NATS_* (docs/deployment.md).
down      stops the agents and the data planes (and runs ioam node cleanup), removes the namespaces and the
          lab's state (/run/ioamkit/labs/NAME).
status    the labs that are up, their namespaces and data planes.
exec      runs a command inside a node's namespace.
trace     sends probes (ICMPv6 echo and UDP; --count N of each) from SRC to DST (node names)
          and prints each hop's IOAM data, read where the probe was last seen inside the
          domain: a decapsulating node's sink, or a capture on the last link. --insert makes
          the probes leave SRC carrying those IOAM options, empty (as ioam encode builds
          them), for labs without an encapsulating node. --json prints one line per probe
          with the canonical IOAM option records. With --emulate the same probes cross the
          emulation: the same file and probes give the same traces, timestamps aside.`;
