// Reading a form's positional words in the commands that read them here (ip ioam's and
// sysctl's words): in order, keyword-value pairs, or settings in any order — each given at
// most once, and nothing left over, with messages that quote the usage line.

import { UsageError } from "../errors.js";
import type { Parsed } from "./args.js";
import { formUsage } from "./help.js";

/** A cursor over the form's words. */
export interface Words {
  /** The next word, which stands for `placeholder`; throws when there is none. */
  next(placeholder: string): string;
  /** `keyword VALUE` when the next word is `keyword`, read by `read`; undefined when absent. */
  keyword<T>(keyword: string, read: (text: string) => T, required?: boolean): T | undefined;
  /** Throws when words are left; `hint` says what may be wrong. */
  end(hint?: string): void;
  /** The words not read yet. */
  rest(): string[];
}

export function takeWords(a: Parsed): Words {
  const w = a.words;
  let i = 0;
  const usage = () => `usage: ${formUsage(a.spec, a.form)}`;
  return {
    next(placeholder) {
      const v = w[i++];
      if (v === undefined) throw new UsageError(`missing ${placeholder}; ${usage()}`);
      return v;
    },
    keyword(keyword, read, required = false) {
      if (w[i] !== keyword) {
        if (required) throw new UsageError(`missing "${keyword}"; ${usage()}`);
        return undefined;
      }
      const v = w[i + 1];
      if (v === undefined) throw new UsageError(`"${keyword}" needs a value; ${usage()}`);
      i += 2;
      return read(v);
    },
    end(hint) {
      if (i < w.length) throw new UsageError(`unexpected word "${w[i]}"${hint ? ` (${hint})` : ""}; ${usage()}`);
    },
    rest: () => w.slice(i),
  };
}

/**
 * Settings in any order: `handlers` maps each keyword to a reader of its value (null for a
 * keyword without one, as enable). A setting given twice, or two of one `exclusive` group,
 * is refused: the last one would otherwise win silently.
 */
export function readSettings(a: Parsed, words: readonly string[], handlers: Record<string, ((text: string) => void) | null>, exclusive: readonly string[][] = []): void {
  const seen = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const k = words[i]!;
    if (!(k in handlers)) throw new UsageError(`unexpected word "${k}" (expected ${Object.keys(handlers).join(", ")}); usage: ${formUsage(a.spec, a.form)}`);
    const group = exclusive.find((g) => g.includes(k)) ?? [k];
    const clash = group.find((g) => seen.has(g));
    if (clash) throw new UsageError(clash === k ? `"${k}" given twice: give it once` : `"${clash}" and "${k}" contradict each other: give one`);
    seen.add(k);
    const read = handlers[k];
    if (read === null) continue;
    const v = words[++i];
    if (v === undefined) throw new UsageError(`"${k}" needs a value; usage: ${formUsage(a.spec, a.form)}`);
    read!(v);
  }
}
