// Reading the iproute2 notation of a form's words ("ID [data DATA32] [wide DATA64]",
// "trace prealloc|incremental type TYPE …") into what help, completion and the man page need:
// the keywords, the value each keyword takes (a placeholder or choices), the placeholders.

/** What a keyword is followed by. */
export interface KeywordValue {
  placeholder?: string;
  choices?: readonly string[];
  optional?: boolean;
}

export interface Grammar {
  /** Keywords that stand for themselves, in order of appearance. */
  keywords: string[];
  /** Keywords that take a value, and the value. */
  values: Map<string, KeywordValue>;
  /** Every placeholder (upper case), in order, without "...". */
  placeholders: string[];
}

const isPlaceholder = (t: string) => /^[A-Z][A-Z0-9_/]*$/.test(t);
const isWordToken = (t: string) => t !== "[" && t !== "]" && t !== "{" && t !== "}";

function tokens(words: string): string[] {
  return words.replace(/([[\]{}])/g, " $1 ").split(/\s+/).filter((t) => t !== "" && t !== "|").map((t) => t.replace(/\.\.\.$/, ""));
}

/** Splits a|b|C into choices (literals) and a placeholder (upper case), if any. */
function alternatives(t: string): KeywordValue {
  const parts = t.split("|");
  const placeholder = parts.find(isPlaceholder);
  const choices = parts.filter((p) => !isPlaceholder(p));
  return { ...(placeholder ? { placeholder } : {}), ...(choices.length ? { choices } : {}) };
}

/** Reads a form's words (with a phrase's starter in front, for phrases). */
export function readGrammar(words: string): Grammar {
  const t = tokens(words);
  const g: Grammar = { keywords: [], values: new Map(), placeholders: [] };
  const addPlaceholder = (p: string | undefined) => p && !g.placeholders.includes(p) && g.placeholders.push(p);
  for (let i = 0; i < t.length; i++) {
    const w = t[i]!;
    if (!isWordToken(w)) continue;
    const alt = alternatives(w);
    if (alt.placeholder && !alt.choices) {
      addPlaceholder(alt.placeholder);
      continue;
    }
    if (!alt.choices || alt.choices.length > 1 || alt.placeholder) {
      // a standalone alternation of keywords (enable|disable) or of a value and literals
      if (alt.placeholder) addPlaceholder(alt.placeholder);
      for (const c of alt.choices ?? []) if (!g.keywords.includes(c)) g.keywords.push(c);
      continue;
    }
    if (!g.keywords.includes(w)) g.keywords.push(w);
    const next = t[i + 1];
    const optional = next === "[" && t[i + 2] !== undefined && isWordToken(t[i + 2]!) && t[i + 3] === "]";
    const valueToken = optional ? t[i + 2]! : next !== undefined && isWordToken(next) ? next : undefined;
    if (valueToken === undefined) continue;
    const v = alternatives(valueToken);
    g.values.set(w, { ...v, ...(optional ? { optional } : {}) });
    addPlaceholder(v.placeholder);
    i += optional ? 3 : 1;
  }
  return g;
}

/**
 * The grammar of a phrase: its starter keyword followed by its words. The starter takes a
 * value only when the phrase begins with one (trace prealloc|incremental …), not a keyword
 * (e2e ns NS …).
 */
export function phraseGrammar(starter: string, words: string): Grammar {
  const first = tokens(words)[0] ?? "";
  if (first.includes("|") || isPlaceholder(first)) return readGrammar(`${starter} ${words}`);
  const g = readGrammar(words);
  g.keywords.unshift(starter);
  return g;
}
