// Reading `ip6tables-save -c -t mangle` (the iptables-save format both backends print):
// "*table", ":CHAIN POLICY [p:b]", "[p:b] -A CHAIN args…", "COMMIT".

/** One rule line with its counters. */
export interface SavedRule {
  chain: string;
  /** The rule's arguments after "-A CHAIN", as printed. */
  args: string;
  packets: number;
  bytes: number;
}

export interface SavedTable {
  chains: Set<string>;
  rules: SavedRule[];
}

/** Parses the lines of one table; unknown lines are ignored. */
export function parseSave(text: string): SavedTable {
  const out: SavedTable = { chains: new Set(), rules: [] };
  for (const line of text.split("\n")) {
    const chain = /^:(\S+) /.exec(line);
    if (chain) {
      out.chains.add(chain[1]!);
      continue;
    }
    const rule = /^(?:\[(\d+):(\d+)\] )?-A (\S+)(?: (.*))?$/.exec(line);
    if (rule) out.rules.push({ chain: rule[3]!, args: rule[4] ?? "", packets: Number(rule[1] ?? 0), bytes: Number(rule[2] ?? 0) });
  }
  return out;
}

/** The chain a rule jumps to (-j / -g), if any. */
export function jumpTarget(args: string): string | undefined {
  return /(?:^| )-[jg] (\S+)/.exec(args)?.[1];
}
