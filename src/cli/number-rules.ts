// The number rules of every surface, as one table: the help note, the man page's NUMBERS
// section and docs/cli.md's table are all generated from it (a test keeps the docs equal).
// Each rule has one parser; the surfaces say where each applies.

/** One way of writing numbers, where it applies, and what it follows. */
export interface NumberRule {
  rule: string;
  where: string;
  syntax: string;
  examples: string;
  anchor: string;
  parser: string;
}

export const NUMBER_RULES: readonly NumberRule[] = [
  {
    rule: "C notation",
    where: "every number on the ioam command line: --flags, ip ioam / ip route words, node and link ids (as sysctl), IOAM option words (also inside apply files' dataplane strings)",
    syntax: "0x or 0X and hex digits; 0 and octal digits; else decimal. No sign, spaces or suffix",
    examples: "0x1f = 31, 017 = 15, 010 = 8; 09, 1e3, -1 refused",
    anchor: "strtoul(3) base 0 with nothing after the digits: iproute2's get_u32/get_u64, the kernel's proc_get_long (sysctl -w)",
    parser: "parseCNumber, src/wire/number-text.ts",
  },
  {
    rule: "hex",
    where: "ioam namespace add ID wide DATA64",
    syntax: "hex digits, 0x optional",
    examples: "cafe = 0xcafe, 010 = 0x10",
    anchor: "ip ioam namespace add (get_u64 base 16)",
    parser: "parseHexNumber, src/wire/number-text.ts",
  },
  {
    rule: "seconds",
    where: "e2e ... ts SEC[.FRACTION]",
    syntax: "decimal seconds, optionally a dot and 1-9 decimal digits of a second (written as nanoseconds)",
    examples: "1.5 = 1 s 500000000 ns, 1.05 = 1 s 50000000 ns; 1.5000000000 refused",
    anchor: "a decimal time; the fraction word in nanoseconds, as the PTP truncated format (RFC 9197 §5, RFC 8877 §4.3)",
    parser: "parseSeconds, src/wire/number-text.ts",
  },
  {
    rule: "ratio",
    where: "ioam route ... freq K/N",
    syntax: "two decimal numbers and a slash",
    examples: "1/10",
    anchor: "ip route's encap ioam6 freq (sscanf %u/%u)",
    parser: "parseFreq, src/linux/route-spec.ts",
  },
  {
    rule: "YAML 1.2",
    where: "numbers in ioam apply files (node, interfaces, namespaces, schemas)",
    syntax: "YAML 1.2 core schema integers: decimal, 0x hex, 0o octal; a quoted number is a string and refused",
    examples: "010 = 10, 0o10 = 8, 0x10 = 16",
    anchor: "YAML 1.2 core schema (the yaml package's default)",
    parser: "Reader.uint, src/linux/apply/document.ts",
  },
];

/** The line help prints under any command that reads numbers. */
export const NUMBER_NOTE = "Numbers are read in C notation, as iproute2 and sysctl read them: 0x1f hex, 017 octal (15),\n31 decimal; 09 is refused (a leading 0 means octal). Apply files follow YAML 1.2 (010 is 10).";

/** The table as Markdown, for docs/cli.md. */
export function numberRulesMarkdown(): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [
    "| Rule | Where | Syntax | Examples | Follows | Parser |",
    "|---|---|---|---|---|---|",
    ...NUMBER_RULES.map((r) => `| ${[r.rule, r.where, r.syntax, r.examples, r.anchor, r.parser].map(esc).join(" | ")} |`),
  ].join("\n");
}
