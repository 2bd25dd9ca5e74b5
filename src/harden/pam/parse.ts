// The files the PAM checks read, parsed as their readers do. Pure.
//   - pwquality.conf (libpwquality settings.c) and faillock.conf (pam_faillock faillock_config.c): one
//     setting a line, `name = value` with blanks around `=` ignored, or a bare `name` for a flag
//     (`enforce_for_root`, `audit`); `#` starts a comment; a later line of a name overrides an earlier one.
//   - pam.d files (libpam pam_handlers.c): `type control module [args...]`, the control either a word or a
//     `[value=action ...]` list; a `-` before the type means "skip silently if the module is missing"; `#`
//     starts a comment; a line ending in `\` continues. Arguments are `name=value` or bare words; `[...]`
//     quoting of arguments with blanks is kept as one argument.
import { splitLines } from '../edit.ts';

export type ConfSetting = {
  readonly line: number;
  readonly name: string;
  /** Undefined for a bare flag. */
  readonly value?: string;
  /** The line up to where the value starts (`minlen = `): a replacement keeps it. */
  readonly prefix: string;
};

/** Every setting of a pwquality.conf / faillock.conf style file, in order (the last of a name wins). */
export function parseConf(text: string): ConfSetting[] {
  const out: ConfSetting[] = [];
  splitLines(text).forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const s = (hash < 0 ? raw : raw.slice(0, hash)).trimEnd();
    const m = /^([ \t]*)([A-Za-z_][A-Za-z0-9_]*)(?:([ \t]*=[ \t]*)(.*))?$/.exec(s);
    if (!m) return;
    const prefix = `${m[1]}${m[2]}${m[3] ?? ''}`;
    out.push({ line: i + 1, name: m[2]!, prefix, ...(m[3] !== undefined ? { value: m[4]!.trim() } : {}) });
  });
  return out;
}

/** A commented-out default (`# minlen = 8`): where an inserted setting goes. */
export function commentedDefault(text: string, name: string): number | undefined {
  const re = new RegExp(`^[ \\t]*#[ \\t]*${name}(?:[ \\t]*=.*)?$`);
  const i = splitLines(text).findIndex((l) => re.test(l));
  return i < 0 ? undefined : i + 1;
}

export type PamArg = { readonly text: string; readonly name: string; readonly value?: string };

export type PamLine = {
  readonly line: number;
  readonly type: string;
  /** `-` before the type: the line is skipped when the module is missing. */
  readonly optional: boolean;
  readonly control: string;
  readonly module: string;
  readonly args: readonly PamArg[];
  /** The physical text (for an in-place argument edit). */
  readonly raw: string;
};

/** Splits a pam.d line into fields, keeping `[ ... ]` together. */
function fields(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /[ \t]/.test(s[i]!)) i++;
    if (i >= s.length) break;
    let j = i;
    if (s[i] === '[') {
      j = s.indexOf(']', i);
      j = j < 0 ? s.length : j + 1;
    } else while (j < s.length && !/[ \t]/.test(s[j]!)) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

/** The module lines of a pam.d file (continued lines are reported at their first physical line). */
export function parsePamFile(text: string): PamLine[] {
  const out: PamLine[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const first = i;
    let raw = lines[i]!;
    while (raw.endsWith('\\') && i + 1 < lines.length) raw = `${raw.slice(0, -1)} ${lines[++i]!}`;
    const hash = raw.indexOf('#');
    const f = fields(hash < 0 ? raw : raw.slice(0, hash));
    if (f.length < 3 || f[0]!.startsWith('@')) continue;
    const optional = f[0]!.startsWith('-');
    const args = f.slice(3).map((t) => {
      const eq = t.indexOf('=');
      return eq < 0 ? { text: t, name: t } : { text: t, name: t.slice(0, eq), value: t.slice(eq + 1) };
    });
    out.push({
      line: first + 1,
      type: f[0]!.replace(/^-/, '').toLowerCase(),
      optional,
      control: f[1]!,
      module: f[2]!,
      args,
      raw: lines[first]!,
    });
  }
  return out;
}

/** Whether a module path names `name` (`pam_pwquality.so`, `/lib/x86_64-linux-gnu/security/pam_pwquality.so`). */
export const isModule = (l: PamLine, name: string): boolean => l.module.split('/').at(-1) === name;
