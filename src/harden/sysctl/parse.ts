// One sysctl.d / sysctl.conf file, parsed as both readers parse it (systemd `parse_file`, procps
// `parse_setting_line`): blank lines and lines whose first non-blank character is `#` or `;` are comments;
// `key = value` with blanks around either side; a leading `-` on an assignment means "ignore a failure to
// set it"; `-key` without `=` excludes the key from glob assignments. There are no trailing comments: in
// `kernel.sysrq = 0 # off` the value is `0 # off`, which the kernel rejects. Pure.
import { isGlob, keyPath } from './key.ts';
import { splitLines } from '../edit.ts';

export type SysctlEntry = {
  readonly line: number;
  readonly kind: 'assign' | 'exclude';
  /** The key in /proc/sys path form (`net/ipv4/ip_forward`). */
  readonly key: string;
  readonly glob: boolean;
  /** The value as written, blanks around it removed (absent for an exclusion). */
  readonly value?: string;
  readonly ignoreFailure: boolean;
  /** The raw line and where the value sits in it (editing replaces exactly that span). */
  readonly raw: string;
  readonly valueStart: number;
  readonly valueEnd: number;
  /** The key as written (without the `-`), for rewriting an exclusion into an assignment. */
  readonly keyText: string;
  readonly indent: string;
};

export function parseSysctlConf(text: string): SysctlEntry[] {
  const out: SysctlEntry[] = [];
  splitLines(text).forEach((raw, i) => {
    const e = parseLine(raw, i + 1);
    if (e) out.push(e);
  });
  return out;
}

export function parseLine(raw: string, line: number): SysctlEntry | undefined {
  const start = raw.length - raw.trimStart().length;
  const body = raw.trim();
  if (body === '' || body[0] === '#' || body[0] === ';') return undefined;
  const eq = raw.indexOf('=');
  const dash = body[0] === '-';
  const keyFrom = start + (dash ? 1 : 0);
  const indent = raw.slice(0, start);
  if (eq < 0) {
    // "Line is not an assignment, ignoring" unless it is a `-key` exclusion
    if (!dash) return undefined;
    const keyText = raw.slice(keyFrom).trim();
    if (keyText === '') return undefined;
    const key = keyPath(keyText);
    return {
      line,
      kind: 'exclude',
      key,
      glob: isGlob(key),
      ignoreFailure: false,
      raw,
      valueStart: raw.length,
      valueEnd: raw.length,
      keyText,
      indent,
    };
  }
  const keyText = raw.slice(keyFrom, eq).trim();
  if (keyText === '') return undefined;
  const after = raw.slice(eq + 1);
  const valueStart = eq + 1 + (after.length - after.trimStart().length);
  const value = after.trim();
  const key = keyPath(keyText);
  return {
    line,
    kind: 'assign',
    key,
    glob: isGlob(key),
    value,
    ignoreFailure: dash,
    raw,
    valueStart,
    valueEnd: valueStart + value.length,
    keyText,
    indent,
  };
}
