// npm's install step for ioamkit's own addon (native/nfqueue, the NFQUEUE socket): runs
// node-gyp, which npm puts on PATH. If the build fails (no C compiler, make or python3), the
// install still succeeds so that everything but the userspace data plane works; the data
// plane then refuses to start with a message naming this build (src/linux/nfqueue/native.ts).

import { spawnSync } from "node:child_process";

const r = spawnSync("node-gyp", ["rebuild"], { stdio: "inherit", shell: false });
if (r.status !== 0) {
  process.stderr.write(
    "ioamkit: the NFQUEUE addon did not build (needs a C compiler, make and python3; Debian: apt-get install build-essential python3).\n" +
      "ioamkit: everything works except the userspace data plane (ioam node run); run `npx node-gyp rebuild` here once the tools are installed.\n",
  );
}
