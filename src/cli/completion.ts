// bash and zsh completion scripts, generated from the command table. The data (commands,
// verbs, flags and their values, the keywords of each form's words) is written as shell
// functions of `case` statements that bash and zsh both read; a small driver per shell finds
// the command, form and position and offers what fits there. test/cli/completion.test.ts runs
// the functions in bash and zsh.

import { phraseGrammar, readGrammar } from "./grammar.js";
import type { CommandSpec, FormSpec, ValueSpec } from "./spec.js";

/** How a value is completed: "@file", "@dev", "@netns", words, or "" (nothing to offer). */
function offer(v: ValueSpec | undefined): string {
  if (!v) return "";
  if (v.kind === "file" || v.kind === "outfile") return "@file";
  if (v.kind === "dev" || v.kind === "netns") return "@" + v.kind;
  return (v.choices ?? []).join(" ");
}

/** The key of a form in the generated case statements: "cmd verb", "cmd --flag", "cmd -", "cmd .". */
function formKey(cmd: CommandSpec, f: FormSpec): string {
  return `${cmd.name} ${f.verb ?? (f.whenFlag ? "--" + f.whenFlag : f.whenWord ?? ".")}`;
}

const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
const caseFn = (name: string, arms: Array<[string, string]>) => [`${name}() {`, "  case \"$1\" in", ...arms.filter(([, v]) => v !== "").map(([k, v]) => `    ${q(k)}) echo ${q(v)} ;;`), "  esac", "}"].join("\n");

/** Keywords, keyword values and placeholder offers of one form (and of each phrase). */
function formWords(cmd: CommandSpec, f: FormSpec) {
  const key = formKey(cmd, f);
  const g = readGrammar(f.words);
  const keywordValues: Array<[string, string]> = [];
  const phrases: Array<[string, string]> = [];
  const add = (k: string, gram: ReturnType<typeof readGrammar>) => {
    for (const [kw, v] of gram.values) {
      if (v.optional) continue; // "seq [SEQ]": the next word may be a keyword
      const words = [...(v.choices ?? []), offer(v.placeholder ? cmd.values[v.placeholder] : undefined)].filter(Boolean).join(" ");
      keywordValues.push([`${k} ${kw}`, words || " "]);
    }
  };
  add(key, g);
  for (const [starter, words] of Object.entries(f.phrases ?? {})) {
    const pg = phraseGrammar(starter, words);
    phrases.push([`${key} ${starter}`, pg.keywords.filter((k) => k !== starter).join(" ")]);
    add(key, pg);
  }
  const standalone = g.placeholders.filter((p) => ![...g.values.values()].some((v) => v.placeholder === p)).map((p) => offer(cmd.values[p])).filter(Boolean);
  const keywords = [...g.keywords, ...Object.keys(f.phrases ?? {}), ...standalone];
  return { key, keywords: keywords.join(" "), keywordValues, phrases };
}

/** The shell functions that hold the table's data (valid bash and zsh). */
function dataFunctions(table: readonly CommandSpec[]): string {
  const flags: Array<[string, string]> = [];
  const flagValues: Array<[string, string]> = [];
  const takesValue: string[] = [];
  const verbs: Array<[string, string]> = [];
  const selectors: Array<[string, string]> = [];
  const keywords: Array<[string, string]> = [];
  const keywordValues: Array<[string, string]> = [];
  const phrases: Array<[string, string]> = [];
  for (const c of table) {
    flags.push([c.name, c.flags.map((f) => "--" + f.name).join(" ")]);
    for (const f of c.flags) if (f.value) (takesValue.push(`${c.name} --${f.name}`), flagValues.push([`${c.name} --${f.name}`, offer(f.value.spec) || " "]));
    const vf = c.forms.filter((f) => f.verb);
    if (vf.length) verbs.push([c.name, vf.map((f) => f.verb!).join(" ")]);
    for (const f of vf) for (const alias of [f.verb!, ...(f.aliases ?? [])]) selectors.push([`${c.name} ${alias}`, formKey(c, f)]);
    for (const f of c.forms) {
      if (f.whenFlag) selectors.push([`${c.name} --${f.whenFlag}`, formKey(c, f)]);
      if (f.whenWord) selectors.push([`${c.name} ${f.whenWord}`, formKey(c, f)]);
      flags.push([formKey(c, f), f.flags.map((n) => "--" + n).join(" ")]);
      const w = formWords(c, f);
      keywords.push([w.key, w.keywords]);
      keywordValues.push(...w.keywordValues);
      phrases.push(...w.phrases);
    }
  }
  return [
    `_ioam_commands=${q(table.map((c) => c.name).join(" "))}`,
    `_ioam_command_help=${q(table.map((c) => `${c.name}:${c.summary.replace(/:/g, "\\:")}`).join("\n"))}`,
    caseFn("_ioam_flags", flags),
    caseFn("_ioam_flag_value", flagValues),
    `_ioam_takes_value() {\n  case "$1" in\n    ${takesValue.map(q).join("|")}) return 0 ;;\n  esac\n  return 1\n}`,
    caseFn("_ioam_verbs", verbs),
    caseFn("_ioam_select", selectors),
    caseFn("_ioam_keywords", keywords),
    caseFn("_ioam_keyword_value", keywordValues),
    caseFn("_ioam_phrase", phrases),
  ].join("\n\n");
}

/**
 * What to offer at the cursor, as a word list or @file/@dev/@netns, from the words before it
 * ($@, the command line from the first word after ioam) and the word being typed ($cur).
 */
const RESOLVE = String.raw`_ioam_resolve() {
  local cur=$1 cmd= key= phrase= prev= w skip= npos=0 sel kv used=" " flagsgiven=" "
  shift
  for w in "$@"; do
    if [ -n "$skip" ]; then skip=; prev=$w; continue; fi
    case "$w" in
      --netns) skip=1 ;;
      -?*) flagsgiven="$flagsgiven$w "
           if [ -n "$cmd" ]; then
             _ioam_takes_value "$cmd $w" && skip=1
             sel=$(_ioam_select "$cmd $w"); [ -n "$sel" ] && key=$sel
           fi ;;
      *) if [ -z "$cmd" ]; then cmd=$w
         elif [ -z "$key" ] && [ "$npos" = 0 ] && [ -n "$(_ioam_select "$cmd $w")" ]; then
           key=$(_ioam_select "$cmd $w")
         else
           npos=$((npos + 1))
           used="$used$w "
           [ -n "$(_ioam_phrase "$(_ioam_key "$cmd" "$key") $w")" ] && { phrase=$w; used=" "; }
         fi ;;
    esac
    prev=$w
  done
  if [ -n "$skip" ]; then
    if [ "$prev" = --netns ]; then echo @netns; elif [ -n "$cmd" ]; then _ioam_flag_value "$cmd $prev"; fi
    return
  fi
  if [ -z "$cmd" ]; then
    case "$cur" in -*) echo "--netns --help --version" ;; *) echo "$_ioam_commands" ;; esac
    return
  fi
  key=$(_ioam_key "$cmd" "$key")
  case "$cur" in -?*)
    if [ "$key" = "$cmd ." ]; then kv=$(_ioam_flags "$cmd"); else kv=$(_ioam_flags "$key"); fi
    _ioam_unused "$kv" "$flagsgiven"
    return ;;
  esac
  if [ "$key" = "$cmd ." ] && [ -n "$(_ioam_verbs "$cmd")" ]; then _ioam_verbs "$cmd"; return; fi
  kv=$(_ioam_keyword_value "$key $prev")
  if [ -n "$kv" ]; then echo "$kv"; return; fi
  if [ -n "$phrase" ]; then echo "$(_ioam_unused "$(_ioam_phrase "$key $phrase")" "$used") $(_ioam_keywords "$key")"; else _ioam_unused "$(_ioam_keywords "$key")" "$used"; fi
}

_ioam_unused() {
  local w out=
  for w in $(echo $1); do case "$2" in *" $w "*) ;; *) out="${"${out:+$out }"}$w" ;; esac; done
  echo $out
}

_ioam_key() {
  if [ -n "$2" ]; then echo "$2"; else echo "$1 ."; fi
}`;

const BASH_DRIVER = String.raw`_ioam() {
  local line=${"${COMP_LINE:0:COMP_POINT}"} cur=
  local -a words
  read -ra words <<< "$line"
  if [[ $line != *[[:space:]] ]]; then cur=${"${words[-1]}"}; unset 'words[-1]'; fi
  local what
  what=$(_ioam_resolve "$cur" "${"${words[@]:1}"}")
  case "$what" in
    @file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
    @dev) COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$cur")) ;;
    @netns) COMPREPLY=($(compgen -W "$(ls /run/netns 2>/dev/null)" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "$what" -- "$cur")) ;;
  esac
}
complete -F _ioam ioam`;

const ZSH_DRIVER = String.raw`_ioam() {
  local cur=${"${words[CURRENT]}"} what
  what=$(_ioam_resolve "$cur" "${"${(@)words[2,CURRENT-1]}"}")
  case "$what" in
    @file) _files ;;
    @dev) compadd -- ${"${(f)\"$(ls /sys/class/net 2>/dev/null)\"}"} ;;
    @netns) compadd -- ${"${(f)\"$(ls /run/netns 2>/dev/null)\"}"} ;;
    *)
      if [ "$what" = "$_ioam_commands" ]; then
        local -a cmds; cmds=(${"${(f)_ioam_command_help}"}); _describe command cmds
      else
        compadd -- ${"${=what}"}
      fi ;;
  esac
}
compdef _ioam ioam`;

const HEADER = (shell: string) => `# ${shell} completion for ioam(1), generated by 'ioam completion ${shell}' from ioam's command table.`;

/** The bash completion script. */
export function bashCompletion(table: readonly CommandSpec[]): string {
  return [HEADER("bash"), dataFunctions(table), RESOLVE, BASH_DRIVER, ""].join("\n\n");
}

/** The zsh completion script (#compdef file for $fpath, or source it after compinit). */
export function zshCompletion(table: readonly CommandSpec[]): string {
  return ["#compdef ioam", HEADER("zsh"), dataFunctions(table), RESOLVE, ZSH_DRIVER, ""].join("\n\n");
}
