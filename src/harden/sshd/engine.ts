// The sshd engine: judges checks on OpenSSH server settings by the value sshd really applies, and fixes a
// failed check with the smallest edit, verified by re-reading the patched files before it is offered.
//
// Semantics (where we follow `sshd -T` of OpenSSH 9.2, Debian 12, and where that differs from SSG):
// - First value wins, in the order sshd reads: `Include` is expanded in place, glob matches in lexical (byte)
//   order, relative paths under /etc/ssh, missing files skipped, nesting bounded at 16 as in sshd. So Debian's
//   `Include /etc/ssh/sshd_config.d/*.conf` at the top makes a drop-in (`50-cloud-init.conf`) beat a later
//   line in sshd_config. SSG's text checks (`sshd_set_*`) grep sshd_config and sshd_config.d for the expected
//   line and accept a file in which a duplicate, an earlier drop-in or an alias sets something else; we judge
//   the one line sshd uses and name the lines it ignores.
// - Keywords are case-insensitive, `Keyword=value` and `Keyword = value` are read as sshd reads them, quotes
//   and a `#` after the value are handled; ChallengeResponseAuthentication counts as KbdInteractiveAuthentication.
// - Repeated lines add up for Port, ListenAddress, HostKey, HostCertificate, AcceptEnv, Allow/DenyUsers,
//   Allow/DenyGroups and Subsystem (checked against sshd -T); every other keyword keeps its first value
//   (SetEnv, AuthorizedKeysFile, PermitOpen included).
// - `Match`: lines after a `Match` with conditions apply only to matching connections, and sshd really applies
//   them there (`sshd -T -C user=...,addr=...` shows it): a check fails when the global value fails OR a Match
//   block sets a failing value for the connections it matches (`Match Address 10.0.0.0/8` + `PermitRootLogin
//   yes` is root login from the internal network, whatever the global line says). The message names each Match
//   that changes the value; a stricter Match is only reported. `Match all` is different: sshd applies
//   the first value after it for every connection, over the global one, for keywords allowed after Match
//   (sshd -T shows it); SSG ignores Match blocks or treats any occurrence as set. A Match in an included file
//   ends with that file.
// - Not set: the compiled-in default of OpenSSH 9.2 applies (PermitRootLogin prohibit-password, which sshd -T
//   prints as `without-password`; X11Forwarding no, although Debian's shipped file sets yes; UsePAM no, ...).
//   SSG usually fails a rule whose line is absent even when the default satisfies it; we pass it and say that
//   the default applies. A keyword whose default we do not know fails closed (`error`).
// - Values compare as sshd -T prints them: yes/no lower-case, LoginGraceTime/ClientAliveInterval in seconds
//   (`1m` is 60), LogLevel upper-case (DEBUG1 is DEBUG), MaxStartups as start:rate:full, Ciphers/MACs/
//   KexAlgorithms resolved (`+` appends to, `-` removes from, `^` prepends to the default). A value sshd would
//   refuse is an `error`, not a pass.
// - Fixes: the effective line's value is replaced in place (whichever file holds it; keyword spelling,
//   indentation, separator and trailing comment kept). With no effective line a `Keyword value` line goes into
//   sshd_config's global section: after its commented default (`#MaxAuthTries 6`) when there is one, else
//   after the last directive before the first `Match` (or of the file). That is after the top
//   `Include`, which is safe because no included file sets the keyword for all connections (it would be the
//   effective line). A failing line in a Match block is edited in place like the effective one; a stricter one is
//   left alone. A line we rewrite gets a blank between keyword and value (`MaxAuthTries=6` → `MaxAuthTries 4`):
//   sshd reads both alike, and SSG's text checks, like most people's grep, see only the blank form. A check may
//   name settings that give its value its meaning (`with:` in the baseline: ClientAliveInterval's idle timeout
//   is interval × ClientAliveCountMax); the fix writes them too when no line sets them, so the result does not
//   rest on a compiled-in default.
import type { CheckResult, CheckSpec, Expectation, FileEdit, HardenEngine, LineEdit } from '../types.ts';
import { effectiveValue, type Effective } from './effective.ts';
import type { KeywordInfo } from './keywords.ts';
import { loadSshdConfig, SSHD_CONFIG, type PlacedDirective, type SshdConfig } from './load.ts';
import { parseLine } from './parse.ts';
import { matchPattern, normalise, resolveAlgorithms, splitList } from './values.ts';
import { describeExpectation as describe } from '../expect.ts';
import { MainFileEngine } from '../main-file.ts';
import { escapeRegex } from '../../core/text.ts';

/** Judges `engine: sshd` checks against `etc/ssh/sshd_config` (or another main file) under a root. */
export class SshdEngine extends MainFileEngine<SshdConfig> {
  constructor(main: string = SSHD_CONFIG) {
    super({
      id: 'sshd',
      main,
      load: loadSshdConfig,
      judge: (config, check) => [judge(config, check)],
      missing: `No ${main}: OpenSSH server is not installed here.`,
      loadError: (why) => `Could not read ${main} or a file it includes: ${why}.`,
      place: 'server',
    });
  }
}

/** The engine with the default main file. */
export const sshdEngine: HardenEngine = new SshdEngine();

/** Judges one check on a loaded configuration (with a fix proposal, not yet verified). */
export function judge(config: SshdConfig, check: CheckSpec): CheckResult {
  const eff = effectiveValue(config, check.key);
  const name = eff.info?.name ?? check.key;
  const expected = describe(check.expect);
  const at = eff.source ? ` (${where(eff.source)})` : ' (built-in default)';
  const base = { check, expected, ...(eff.source ? { file: eff.source.file, line: eff.source.line } : {}) };
  const notes = [...ignoredNote(eff), ...overrideNotes(eff, check.expect)];

  if (eff.error !== undefined) {
    return {
      ...base,
      status: 'error',
      current: eff.source?.args.join(' '),
      message: `${eff.error}${at}: sshd refuses it.`,
    };
  }
  if (eff.value === undefined && !('present' in check.expect)) {
    return {
      ...base,
      status: 'error',
      message: `${name} is not set and Mamori does not know sshd's default for it; set it explicitly.`,
    };
  }
  const value = eff.value ?? '';
  const current = eff.source ? value : eff.value === undefined ? '(not set)' : `(default) ${value}`;
  const verdict = satisfies(eff.info, check.expect, value, eff.source !== undefined);
  if (typeof verdict === 'string') return { ...base, status: 'error', current, message: `${name}: ${verdict}.` };
  // sshd -T's spelling of prohibit-password is the old alias: say both so nobody thinks root may use a password
  const alias = value === 'without-password' ? ' (= prohibit-password)' : '';
  const shown = eff.value === undefined ? 'not set' : `${value}${alias}${at}`;
  const badOverrides = eff.info?.matchable ? eff.overrides.filter((d) => failing(eff, d, check)) : [];
  if (verdict && badOverrides.length === 0) {
    return { ...base, status: 'pass', current, message: [`${name} is ${shown}.`, ...notes].join(' ') };
  }
  const head = verdict
    ? `${name} is ${shown}, but a Match block sets a failing value for the connections it matches; expected ${expected}.`
    : `${name} is ${shown}; expected ${expected}.`;
  const message = [head, ...notes].join(' ');
  const fix = proposeFix(config, eff, check, !verdict, badOverrides);
  return typeof fix === 'string'
    ? { ...base, status: 'fail', current, message, unfixable: fix }
    : { ...base, status: 'fail', current, message, fix };
}

function where(d: PlacedDirective): string {
  return `${d.file}:${d.line}`;
}

function ignoredNote(eff: Effective): string[] {
  if (eff.ignored.length === 0 || eff.info?.accumulates) return [];
  const why = eff.source?.context.kind === 'all' ? 'the Match all line wins' : 'first value wins';
  return [`Also set at ${eff.ignored.map(where).join(', ')} (ignored: ${why}).`];
}

function overrideNotes(eff: Effective, expect: Expectation): string[] {
  return eff.overrides.map((d) => {
    const m = d.context.kind === 'match' ? d.context.match : undefined;
    const head = `Match ${m?.criteria ?? ''} (${m ? `${m.file}:${m.line}` : d.file})`;
    if (eff.info && !eff.info.matchable) {
      return `${head} sets ${eff.info.name} at ${where(d)}, which sshd does not allow after Match: sshd refuses to start.`;
    }
    const n = normalise(eff.info, d.args);
    const value = 'error' in n ? d.args.join(' ') : n.value;
    const ok = 'error' in n ? false : satisfies(eff.info, expect, value, true) === true;
    return `${head} sets ${value} for matching connections at ${where(d)}${ok ? '' : ', which would fail this check'}.`;
  });
}

/** Whether a normalised value meets the expectation; a string says why it cannot be judged. */
function satisfies(info: KeywordInfo | undefined, expect: Expectation, value: string, set: boolean): boolean | string {
  const norm = (v: string): string => {
    const n = normalise(info, [v]);
    return 'error' in n ? v : n.value;
  };
  if ('equals' in expect) return value === norm(expect.equals);
  if ('oneOf' in expect) return expect.oneOf.some((v) => value === norm(v));
  if ('present' in expect) return set;
  if ('excludes' in expect) return !listItems(info, value).some((a) => expect.excludes.some((p) => matchPattern(p, a)));
  if (!/^\d+$/.test(value)) return `"${value}" is not a number`;
  const n = Number(value);
  return (expect.min === undefined || n >= expect.min) && (expect.max === undefined || n <= expect.max);
}

function listItems(info: KeywordInfo | undefined, value: string): string[] {
  return info?.kind === 'algos' ? splitList(value) : value.split(/[\s,]+/).filter((s) => s !== '');
}

/**
 * The edits that fix a failed check, or why there are none. When the global value fails: the effective line in
 * place, and the later lines of the same keyword that sshd ignores (first value wins) but that carry a failing
 * value too, so the file no longer says two things (and a tool or a person reading the last line is not misled);
 * with no effective line, a new global line, plus the check's `with` settings no line sets. Then every Match-block
 * line that sets a failing value, in place.
 */
function proposeFix(
  config: SshdConfig,
  eff: Effective,
  check: CheckSpec,
  globalFails: boolean,
  badOverrides: readonly PlacedDirective[],
): FileEdit[] | string {
  const value = fixValue(eff, check);
  if (typeof value !== 'string') return value.unfixable;
  const replaced: PlacedDirective[] = [];
  const inserts: [key: string, text: string][] = [];
  if (globalFails) {
    const src = eff.source;
    if (src) replaced.push(src, ...(eff.info?.accumulates ? [] : eff.ignored.filter((d) => failing(eff, d, check))));
    else inserts.push([eff.key, `${eff.info?.name ?? check.key} ${value}`]);
    for (const [keyword, pinned] of Object.entries(check.with ?? {})) {
      const other = effectiveValue(config, keyword);
      if (other.source === undefined) inserts.push([other.key, `${other.info?.name ?? keyword} ${pinned}`]);
    }
  }
  replaced.push(...badOverrides);
  const byFile = new Map<string, LineEdit[]>();
  const add = (path: string, edit: LineEdit): void => {
    byFile.set(path, [...(byFile.get(path) ?? []), edit]);
  };
  for (const d of replaced) {
    if (byFile.get(d.file)?.some((e) => e.kind === 'replace' && e.line === d.line)) continue;
    const kwEnd = d.raw.length - d.raw.trimStart().length + d.keyword.length;
    const sep = d.raw.slice(kwEnd, d.valueStart);
    const prefix = sep.includes('=') ? `${d.raw.slice(0, kwEnd)} ` : d.raw.slice(0, d.valueStart);
    add(d.file, { kind: 'replace', line: d.line, text: prefix + value + d.raw.slice(d.valueEnd) });
  }
  // two new lines that land in the same place go in as one insertion (edits never overlap)
  const at = new Map<number, string[]>();
  for (const [key, text] of inserts) {
    const before = insertionPoint(config, key);
    at.set(before, [...(at.get(before) ?? []), text]);
  }
  for (const [before, lines] of at) add(config.main, { kind: 'insert', before, lines });
  return [...byFile].map(([path, edits]) => ({ path, edits }));
}

/** A line of the keyword whose own value fails the check (a dead duplicate, or a Match-block line). */
function failing(eff: Effective, d: PlacedDirective, check: CheckSpec): boolean {
  const n = normalise(eff.info, d.args);
  return 'error' in n || satisfies(eff.info, check.expect, n.value, true) !== true;
}

/** The value text to write: the check's `fix`, or for `excludes` the current list without the excluded entries. */
function fixValue(eff: Effective, check: CheckSpec): string | { unfixable: string } {
  const expect = check.expect;
  const accept = (text: string): boolean => {
    const parsed = parseLine(`${eff.key} ${text}`, 1);
    if (parsed.kind !== 'directive') return false;
    const n = normalise(eff.info, parsed.args);
    return !('error' in n) && satisfies(eff.info, expect, n.value, true) === true;
  };
  if ('excludes' in expect) {
    const out = (a: string): boolean => expect.excludes.some((p) => matchPattern(p, a));
    const spec = eff.source?.args[0];
    const def = eff.info?.default ?? '';
    const op = spec?.[0];
    const candidates: string[] = [];
    if (spec !== undefined && (op === '+' || op === '^')) {
      // keep the operator's form when the default itself is clean: `+3des-cbc,aes256-cbc` → `+aes256-cbc`...
      const kept = splitList(spec.slice(1)).filter((a) => !out(a));
      if (kept.length > 0) candidates.push(op + kept.join(','));
    } else if (spec !== undefined && op === '-') {
      const still = resolveAlgorithms(spec, def).filter(out);
      candidates.push(`${spec},${still.join(',')}`);
    }
    const resolved = eff.value === undefined ? [] : listItems(eff.info, eff.value).filter((a) => !out(a));
    if (resolved.length > 0) candidates.push(resolved.join(','));
    candidates.push(check.fix);
    const pick = candidates.find(accept);
    return (
      pick ?? { unfixable: `no entry of ${eff.info?.name ?? check.key} is left once ${describe(expect)} are removed` }
    );
  }
  return accept(check.fix)
    ? check.fix
    : { unfixable: `the baseline's fix value "${check.fix}" does not meet its own expectation (${describe(expect)})` };
}

/** Where a new global line goes in the main file (see the header: any point of the global section is equivalent). */
function insertionPoint(config: SshdConfig, key: string): number {
  const lines = config.files.get(config.main)?.lines ?? [];
  const firstMatch = lines.find((l) => l.kind === 'directive' && l.key === 'match')?.line ?? lines.length + 1;
  const commented = new RegExp(`^#${escapeRegex(key)}[\\s=]`, 'i');
  const hint = lines.find((l) => l.line < firstMatch && l.kind === 'comment' && commented.test(l.raw));
  if (hint) return hint.line + 1;
  let before = firstMatch;
  // the comments (and blank lines) above a Match or at the end describe what follows: go right after the last line
  while (before > 1 && (lines[before - 2]?.kind === 'comment' || lines[before - 2]?.kind === 'blank')) before--;
  return before;
}
