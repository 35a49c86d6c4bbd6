// Skip reasons for tests that need programs beyond iproute2: outside CI a missing program
// skips the test with a one-line reason; in CI (CI=true, .ci/run installs them) it never skips.

import { spawnSync } from "node:child_process";
import { rootSkip } from "./netns.js";

const has = (cmd: string, arg: string) => spawnSync(cmd, [arg], { stdio: "ignore" }).status !== null;

/** Root and every program in `programs` (name → Debian package), or why not. */
export function toolSkip(programs: Record<string, string>): string | false {
  const root = rootSkip();
  if (root || process.env.CI === "true") return root;
  for (const [cmd, pkg] of Object.entries(programs)) if (!has(cmd, "--version")) return `needs ${cmd} (apt-get install ${pkg}); runs in CI`;
  return false;
}

export const IPTABLES = { "ip6tables-restore": "iptables" };
export const TRAFGEN = { trafgen: "netsniff-ng" };
