// Agreement with OpenSCAP. For each fixture root under test/fixtures/harden/{sshd,sysctl,logindefs} (and a few
// held-out variants made from them here with seeded random edits), our `harden()` with the bundled CIS Level 1 +
// Level 2 Server checks that cite an SSG rule is compared, rule by rule, with `oscap xccdf eval` of the SSG Ubuntu
// 22.04 data stream on the same root (one run per root and profile). Each root holds one family's files, so only
// that family's rules are compared (on an sshd-only root, SSG's sysctl rules fail for want of files: not a
// finding about either tool). Then our combined patch is applied with the real patch(1) and oscap runs again:
// every rule we fixed must pass in oscap too, and our own re-assessment must pass the fixed checks.
//
// Every difference needs a reason in REASONS: a predicate over the root, as oscap and sshd/systemd read it, tied to
// the documented semantics (the header comments of src/harden/baselines/*.yaml, or the OVAL pattern quoted). The
// fixture roots list theirs explicitly in DELIBERATE / PATCH_DELIBERATE, so a difference that goes away fails too;
// the held-out roots must be explained by the same reasons. A reason no root uses is an error (no dead excuses).
// Agreement: pass/pass, fail/fail, not-applicable/notapplicable. oscap's notchecked, error or unknown is never an
// agreement: it needs a reason like any other difference.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadBaselines } from '../../src/harden/baselines.ts';
import { ENGINES, syntaxCheck } from '../../src/harden/engines.ts';
import { DirectoryRoot } from '../../src/harden/root.ts';
import { assess, harden } from '../../src/harden/run.ts';
import type { CheckResult, CheckSpec } from '../../src/harden/types.ts';
import { oscapMissing, oscapRun, ubuntuRootFacts, type OscapResult } from '../support/oscap.ts';
import { seededRandom } from '../../src/core/random.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'harden');
const PROFILES = ['cis-l1-server', 'cis-l2-server'] as const;
type Profile = (typeof PROFILES)[number];
const ENGINE_OF = { sshd: 'sshd', sysctl: 'sysctl', logindefs: 'login.defs' } as const;
type Family = keyof typeof ENGINE_OF;
const FAMILIES = Object.keys(ENGINE_OF) as Family[];

function skipReason(): string | false {
  const missing = oscapMissing();
  if (missing) return missing;
  if (spawnSync('patch', ['--version'], { stdio: 'ignore' }).status !== 0)
    return 'needs patch(1) (apt-get install patch)';
  return false;
}
const skip = skipReason();

// ---------------------------------------------------------------------------------------------------------------
// The roots as oscap reads them (only what the predicates below need)

const SSHD_CONFIG = 'etc/ssh/sshd_config';
/** SSG reads only the first line of these (`<ind:instance>1`); every line of the others (`>= 1`). */
const FIRST_LINE_ONLY = new Set(['maxauthtries', 'maxsessions', 'clientaliveinterval']);
/** sysctl.yaml's header: the files SSG's sysctl rules read (`*.conf` in the directories). */
const OSCAP_SYSCTL_DIRS = ['etc/sysctl.d', 'run/sysctl.d', 'usr/lib/sysctl.d', 'usr/local/lib/sysctl.d'];

type SshLine = {
  readonly line: number;
  /** Lower-case (oscap's patterns match keywords case-insensitively). */
  readonly key: string;
  readonly value: string;
  readonly equalsSeparator: boolean;
  readonly inMatch: boolean;
};
type SysctlLine = { readonly file: string; readonly line: number; readonly key: string; readonly value: string };

type RootView = {
  readonly sshd: readonly SshLine[];
  /** Assignments (not `-key = value`, which SSG's pattern does not match) in the files oscap reads. */
  readonly sysctl: readonly SysctlLine[];
  /** The values of login.defs' UMASK lines, as SSG's pattern `^[\s]*(?i)UMASK(?-i)[\s]+([^#\s]*)` reads them. */
  readonly umask: readonly string[];
};

function sshLines(text: string): SshLine[] {
  const out: SshLine[] = [];
  let inMatch = false;
  text.split('\n').forEach((raw, i) => {
    const m = /^\s*([^\s=#]+)(\s*=\s*|\s+)(.*)$/.exec(raw);
    if (!m) return;
    const key = m[1]!.toLowerCase();
    if (key === 'match') inMatch = true;
    const value = m[3]!.replace(/(^|\s+)#.*$/, '').trim();
    out.push({ line: i + 1, key, value, equalsSeparator: m[2]!.includes('='), inMatch });
  });
  return out;
}

async function viewOf(dir: string): Promise<RootView> {
  const root = new DirectoryRoot(dir);
  const sshd = sshLines((await root.read(SSHD_CONFIG)) ?? '');
  const files = ['etc/sysctl.conf'];
  for (const d of OSCAP_SYSCTL_DIRS)
    for (const n of await root.list(d)) if (n.endsWith('.conf')) files.push(`${d}/${n}`);
  const sysctl: SysctlLine[] = [];
  for (const file of files) {
    // a /dev/null link reads as nothing here and as an empty file to oscap
    const text = (await root.read(file)) ?? '';
    text.split('\n').forEach((raw, i) => {
      const m = /^\s*([^\s=#;-][^\s=]*)\s*=(.*)$/.exec(raw);
      if (m) sysctl.push({ file, line: i + 1, key: m[1]!, value: m[2]!.replace(/^\s+/, '') });
    });
  }
  const umask = ((await root.read('etc/login.defs')) ?? '')
    .split('\n')
    .flatMap((l) => /^\s*umask\s+([^#\s]*)/i.exec(l)?.[1] ?? []);
  return { sshd, sysctl, umask };
}

// ---------------------------------------------------------------------------------------------------------------
// Why our verdict and oscap's differ

type Ctx = {
  readonly family: Family;
  readonly rule: string;
  readonly check: CheckSpec;
  readonly ours: CheckResult;
  readonly theirs: OscapResult;
  readonly view: RootView;
};
type Reason = { readonly why: string; readonly applies: (c: Ctx) => boolean };

const sshdFor = (c: Ctx): readonly SshLine[] => c.view.sshd.filter((l) => l.key === c.check.key.toLowerCase());
const expected = (c: Ctx): string | undefined => ('equals' in c.check.expect ? c.check.expect.equals : undefined);
/** SSG's sysctl pattern: the key's dots are regex wildcards (`net/ipv4/ip_forward` matches too). */
const sysctlFor = (c: Ctx): readonly SysctlLine[] => {
  const re = new RegExp(`^${c.check.key}$`);
  return c.view.sysctl.filter((l) => re.test(l.key));
};
const passFail = (c: Ctx): boolean => c.ours.status === 'pass' && c.theirs === 'fail';

const REASONS = {
  'sshd-drop-in': {
    why:
      'oscap reads /etc/ssh/sshd_config only; sshd applies this keyword from an Included drop-in ' +
      '(sshd_config.d/*.conf is included at the top, so its line comes first)',
    applies: (c) => c.family === 'sshd' && c.ours.file !== undefined && c.ours.file !== SSHD_CONFIG,
  },
  'sshd-default': {
    why:
      'no line sets the keyword: oscap fails it as missing, we pass on the compliant built-in default ' +
      "(sshd.yaml: 'a missing keyword fails, even where sshd's built-in default is compliant')",
    applies: (c) => c.family === 'sshd' && passFail(c) && c.ours.file === undefined && sshdFor(c).length === 0,
  },
  'sshd-match-block': {
    why:
      'oscap counts a line inside a Match block as a global one; sshd applies it only to matching connections, ' +
      'and we judge the global value (naming the Match)',
    applies: (c) => {
      const lines = sshdFor(c);
      // oscap reads the first line only of some keywords: then only a Match line that comes first matters
      if (FIRST_LINE_ONLY.has(c.check.key.toLowerCase())) return c.family === 'sshd' && lines[0]?.inMatch === true;
      return c.family === 'sshd' && lines.some((l) => l.inMatch);
    },
  },
  'sshd-value-case': {
    why: 'oscap matches values case-sensitively (`No`, `info` fail); sshd reads them in any case',
    applies: (c) => {
      const want = expected(c);
      return (
        c.family === 'sshd' &&
        want !== undefined &&
        sshdFor(c).some((l) => l.value !== want && l.value.toLowerCase() === want.toLowerCase())
      );
    },
  },
  'sshd-equals-separator': {
    why:
      "oscap's patterns want blanks between keyword and value (`^[ \\t]*(?i)Keyword(?-i)[ \\t]+(.+?)`, " +
      '`[\\s]+(\\d+)`): in `Keyword = value` or `Keyword=value`, which sshd reads, it sees the value `= value` or ' +
      'no line at all',
    applies: (c) => c.family === 'sshd' && sshdFor(c).some((l) => l.equalsSeparator),
  },
  'sshd-idle-count-max': {
    why:
      "oscap's sshd_set_idle_timeout also requires ClientAliveCountMax 3 in sshd_config; we judge that in " +
      "sshd-client-alive-count-max only, which passes on sshd's default of 3 (and never writes it)",
    applies: (c) => {
      if (c.rule !== 'sshd_set_idle_timeout' || !passFail(c)) return false;
      const counts = c.view.sshd.filter((l) => l.key === 'clientalivecountmax' && !l.equalsSeparator);
      return counts.length === 0 || counts.some((l) => l.value !== '3');
    },
  },
  'sysctl-every-line': {
    why:
      'oscap requires every line that sets the key, in every sysctl file it lists, to carry the value — also ' +
      'lines systemd-sysctl and procps never apply: a vendor file hidden by a same-name file in /etc/sysctl.d or ' +
      'masked by a /dev/null link, a value a later file overrides. We judge the value both readers apply',
    applies: (c) => c.family === 'sysctl' && passFail(c) && sysctlFor(c).some((l) => l.value.trim() !== expected(c)),
  },
  'sysctl-not-ours': {
    why:
      'every line under etc/ carries the value (so every line a patch of ours could touch); oscap fails on a line in a file we do not ' +
      "edit: usr/lib/ and lib/ hold the packages' files (the next upgrade overwrites them; sysctl.d(5) says to " +
      'override them from etc/, which the patch does), run/ is rewritten at boot',
    applies: (c) => {
      const bad = sysctlFor(c).filter((l) => l.value.trim() !== expected(c));
      return c.family === 'sysctl' && passFail(c) && bad.length > 0 && bad.every((l) => !l.file.startsWith('etc/'));
    },
  },
  'sysctl-trailing-blank': {
    why:
      "oscap's pattern `=[\\s]*(.*)[\\s]*$` keeps the blanks after a value: `1   ` is no integer to it " +
      '("Conversion of the string \\"1   \\" ... failed") and the rule is an error; systemd-sysctl and procps ' +
      'strip them',
    applies: (c) => c.family === 'sysctl' && c.theirs === 'error' && sysctlFor(c).some((l) => /\s$/.test(l.value)),
  },
  'login-defs-umask-as-written': {
    why:
      'oscap requires EVERY UMASK line to pass and reads the first three characters of each value as written ' +
      '(login-defs.yaml): a line no consumer applies, or `"027"` (shadow strips the quotes; oscap reads `"02`), ' +
      'fails it; we judge the lines shadow (last) and pam_umask (first) apply',
    applies: (c) =>
      c.rule === 'accounts_umask_etc_login_defs' &&
      passFail(c) &&
      c.view.umask.some((v) => !/^[0-7]{3}/.test(v) || (parseInt(v.slice(0, 3), 8) & 0o027) !== 0o027),
  },
} satisfies Record<string, Reason>;
type ReasonKey = keyof typeof REASONS;

function explain(c: Ctx): ReasonKey[] {
  return (Object.keys(REASONS) as ReasonKey[]).filter((k) => REASONS[k].applies(c));
}

/**
 * The differences on the fixture roots, `variant/rule` → their reasons (all that apply, as explain() finds them).
 * A difference not listed, or listed and gone, fails the suite.
 */
const DELIBERATE: Readonly<Record<string, readonly ReasonKey[]>> = {
  'sshd/crypto-dropins/sshd_set_loglevel_info': ['sshd-default'],
  'sshd/crypto-dropins/sshd_disable_rhosts': ['sshd-default'],
  'sshd/crypto-dropins/disable_host_auth': ['sshd-default'],
  'sshd/crypto-dropins/sshd_disable_root_login': ['sshd-drop-in'],
  'sshd/crypto-dropins/sshd_disable_empty_passwords': ['sshd-default'],
  'sshd/crypto-dropins/sshd_do_not_permit_user_env': ['sshd-default'],
  'sshd/crypto-dropins/sshd_set_idle_timeout': ['sshd-drop-in', 'sshd-idle-count-max'],
  'sshd/crypto-dropins/sshd_set_keepalive': ['sshd-default'],
  'sshd/crypto-dropins/sshd_set_max_sessions': ['sshd-default'],
  'sshd/debian12/sshd_set_loglevel_info': ['sshd-default'],
  'sshd/debian12/sshd_disable_rhosts': ['sshd-default'],
  'sshd/debian12/disable_host_auth': ['sshd-default'],
  'sshd/debian12/sshd_disable_empty_passwords': ['sshd-default'],
  'sshd/debian12/sshd_do_not_permit_user_env': ['sshd-default'],
  'sshd/debian12/sshd_set_keepalive': ['sshd-default'],
  'sshd/debian12/sshd_set_max_sessions': ['sshd-default'],
  'sshd/debian12-cloud-init/sshd_set_loglevel_info': ['sshd-default'],
  'sshd/debian12-cloud-init/sshd_set_max_auth_tries': ['sshd-drop-in'],
  'sshd/debian12-cloud-init/sshd_disable_rhosts': ['sshd-default'],
  'sshd/debian12-cloud-init/disable_host_auth': ['sshd-default'],
  'sshd/debian12-cloud-init/sshd_disable_empty_passwords': ['sshd-default'],
  'sshd/debian12-cloud-init/sshd_do_not_permit_user_env': ['sshd-default'],
  'sshd/debian12-cloud-init/sshd_set_idle_timeout': ['sshd-drop-in', 'sshd-idle-count-max'],
  'sshd/debian12-cloud-init/sshd_set_max_sessions': ['sshd-default'],
  'sshd/hand-edited/sshd_disable_rhosts': ['sshd-default'],
  'sshd/hand-edited/disable_host_auth': ['sshd-default'],
  'sshd/hand-edited/sshd_disable_empty_passwords': ['sshd-equals-separator'],
  'sshd/hand-edited/sshd_do_not_permit_user_env': ['sshd-default'],
  'sshd/hand-edited/sshd_set_max_sessions': ['sshd-default'],
  'sshd/match-blocks/sshd_disable_rhosts': ['sshd-default'],
  'sshd/match-blocks/disable_host_auth': ['sshd-default'],
  'sshd/match-blocks/sshd_disable_empty_passwords': ['sshd-default'],
  'sshd/match-blocks/sshd_do_not_permit_user_env': ['sshd-default'],
  'sshd/match-blocks/sshd_disable_tcp_forwarding': ['sshd-match-block'],
  'sshd/match-blocks/sshd_set_max_sessions': ['sshd-default'],
  'sysctl/layered/sysctl_kernel_randomize_va_space': ['sysctl-every-line', 'sysctl-not-ours'],
  'sysctl/layered/sysctl_net_ipv4_conf_default_accept_source_route': ['sysctl-trailing-blank'],
  'sysctl/layered/sysctl_net_ipv4_tcp_syncookies': ['sysctl-every-line', 'sysctl-not-ours'],
};

/** Rules we fixed that oscap still fails after `patch -p1`, on the fixture roots. */
const PATCH_DELIBERATE: Readonly<Record<string, readonly ReasonKey[]>> = {
  'sshd/debian12-cloud-init/sshd_set_keepalive': ['sshd-drop-in'],
  'sshd/match-blocks/sshd_set_loglevel_info': ['sshd-default'],
  'sysctl/layered/sysctl_fs_suid_dumpable': ['sysctl-every-line', 'sysctl-not-ours'],
  'sysctl/layered/sysctl_net_ipv4_conf_all_send_redirects': ['sysctl-every-line', 'sysctl-not-ours'],
  'sysctl/layered/sysctl_net_ipv4_conf_default_rp_filter': ['sysctl-every-line', 'sysctl-not-ours'],
  'sysctl/layered/sysctl_net_ipv6_conf_all_accept_ra': ['sysctl-every-line', 'sysctl-not-ours'],
  'sysctl/layered/sysctl_net_ipv6_conf_default_accept_ra': ['sysctl-every-line', 'sysctl-not-ours'],
  'logindefs/messy/accounts_umask_etc_login_defs': ['login-defs-umask-as-written'],
};

// ---------------------------------------------------------------------------------------------------------------
// Held-out variants: seeded random edits of a fixture

type Edit = 'flip' | 'uncomment' | 'duplicate' | 'lowercase' | 'value-case' | 'move' | 'slash-key';
type HeldOut = {
  readonly name: string;
  readonly family: Family;
  readonly base: string;
  readonly seed: number;
  readonly edits: readonly Edit[];
};

const HELD_OUT: readonly HeldOut[] = [
  {
    name: 'held-out/sshd-debian12-s11',
    family: 'sshd',
    base: 'debian12',
    seed: 11,
    edits: ['uncomment', 'uncomment', 'uncomment', 'uncomment', 'flip', 'duplicate', 'lowercase', 'move', 'value-case'],
  },
  {
    name: 'held-out/sshd-cloud-init-s12',
    family: 'sshd',
    base: 'debian12-cloud-init',
    seed: 12,
    edits: ['uncomment', 'uncomment', 'flip', 'flip', 'duplicate', 'duplicate', 'lowercase', 'move'],
  },
  {
    name: 'held-out/sysctl-layered-s13',
    family: 'sysctl',
    base: 'layered',
    seed: 13,
    edits: ['uncomment', 'uncomment', 'flip', 'flip', 'duplicate', 'slash-key', 'move'],
  },
  {
    name: 'held-out/logindefs-debian12-s14',
    family: 'logindefs',
    base: 'debian12',
    seed: 14,
    edits: ['flip', 'flip', 'duplicate', 'lowercase', 'flip'],
  },
];

/** Values an edit may write, per key: compliant and not. */
const VALUES: Readonly<Record<string, readonly string[]>> = {
  loglevel: ['INFO', 'VERBOSE', 'DEBUG'],
  x11forwarding: ['no', 'yes'],
  maxauthtries: ['3', '4', '6', '10'],
  ignorerhosts: ['yes', 'no'],
  hostbasedauthentication: ['no', 'yes'],
  permitrootlogin: ['no', 'yes', 'prohibit-password'],
  permitemptypasswords: ['no', 'yes'],
  permituserenvironment: ['no', 'yes'],
  clientaliveinterval: ['0', '300', '600'],
  clientalivecountmax: ['0', '2', '3'],
  allowtcpforwarding: ['no', 'yes'],
  maxsessions: ['4', '10', '12'],
  PASS_MAX_DAYS: ['90', '365', '99999'],
  PASS_MIN_DAYS: ['0', '1', '7'],
  PASS_WARN_AGE: ['3', '7', '14'],
  UMASK: ['022', '027', '077', '0027'],
};
const valuesFor = (key: string): readonly string[] => VALUES[key] ?? VALUES[key.toLowerCase()] ?? ['0', '1'];

type Files = Map<string, string[]>;
type Op = { readonly file: string; readonly index: number; readonly key: string };

/** One family's view of where its settings sit in the editable files. */
type Editor = {
  readonly files: (f: Files) => string[];
  readonly parse: (line: string) => { key: string; sep: string; value: string; keyStart: number } | undefined;
  readonly commented: (line: string) => string | undefined;
  readonly write: (key: string, value: string) => string;
  readonly dropIn?: string;
  /** Where a duplicate goes: later in the same file (before a Match), or a later file. */
  readonly duplicateAt: (f: Files, from: Op) => { file: string; index: number };
};

function editorFor(family: Family, keys: ReadonlySet<string>): Editor {
  const known = (k: string): boolean => keys.has(family === 'sshd' ? k.toLowerCase() : k);
  if (family === 'sshd')
    return {
      files: () => [SSHD_CONFIG],
      parse: (l) => {
        const m = /^(\s*)([A-Za-z]+)(\s*=\s*|\s+)(\S+)/.exec(l);
        return m && known(m[2]!) ? { key: m[2]!, sep: m[3]!, value: m[4]!, keyStart: m[1]!.length } : undefined;
      },
      commented: (l) => /^#([A-Za-z]+)\s+\S/.exec(l)?.[1],
      write: (k, v) => `${k} ${v}`,
      dropIn: 'etc/ssh/sshd_config.d/40-moved.conf',
      duplicateAt: (f, from) => {
        const lines = f.get(from.file)!;
        const match = lines.findIndex((l) => /^\s*match\s/i.test(l));
        return { file: from.file, index: match < 0 ? lines.length : match };
      },
    };
  if (family === 'sysctl')
    return {
      files: (f) => [...f.keys()].filter((p) => p === 'etc/sysctl.conf' || /^etc\/sysctl\.d\/[^/]+\.conf$/.test(p)),
      parse: (l) => {
        const m = /^(\s*)([a-z0-9_./]+)(\s*=\s*)(\S+)/.exec(l);
        return m && known(m[2]!.replace(/\//g, '.'))
          ? { key: m[2]!, sep: m[3]!, value: m[4]!, keyStart: m[1]!.length }
          : undefined;
      },
      commented: (l) => /^#\s*([a-z0-9_.]+)\s*=/.exec(l)?.[1],
      write: (k, v) => `${k} = ${v}`,
      dropIn: 'etc/sysctl.d/40-moved.conf',
      duplicateAt: (f) => {
        const path = 'etc/sysctl.d/90-duplicate.conf';
        if (!f.has(path)) f.set(path, []);
        return { file: path, index: f.get(path)!.length };
      },
    };
  return {
    files: () => ['etc/login.defs'],
    parse: (l) => {
      const m = /^(\s*)([A-Za-z_]+)(\s+)(\S+)/.exec(l);
      return m && known(m[2]!.toUpperCase())
        ? { key: m[2]!, sep: m[3]!, value: m[4]!, keyStart: m[1]!.length }
        : undefined;
    },
    commented: () => undefined,
    write: (k, v) => `${k}\t${v}`,
    duplicateAt: (f, from) => ({ file: from.file, index: f.get(from.file)!.length }),
  };
}

/** Applies the held-out variant's edits to the files of a root; returns what was done, in words. */
function applyHeldOut(h: HeldOut, files: Files, keys: ReadonlySet<string>): string[] {
  const rand = seededRandom(h.seed);
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(rand() * xs.length)] : undefined);
  const ed = editorFor(h.family, keys);
  const active = (): Op[] =>
    ed.files(files).flatMap((file) =>
      (files.get(file) ?? []).flatMap((l, index) => {
        const p = ed.parse(l);
        if (!p) return [];
        // sshd: only the global section (a Match block is its own case, covered by the match-blocks fixture)
        if (h.family === 'sshd' && (files.get(file) ?? []).slice(0, index).some((x) => /^\s*match\s/i.test(x)))
          return [];
        return [{ file, index, key: p.key }];
      }),
    );
  const other = (key: string, current: string): string =>
    pick(valuesFor(key).filter((v) => v.toLowerCase() !== current.toLowerCase())) ?? current;
  const log: string[] = [];
  for (const edit of h.edits) {
    if (edit === 'uncomment') {
      const cands = ed.files(files).flatMap((file) =>
        (files.get(file) ?? []).flatMap((l, index) => {
          const k = ed.commented(l);
          return k !== undefined && ed.parse(ed.write(k, '0')) ? [{ file, index, key: k }] : [];
        }),
      );
      const op = pick(cands);
      if (!op) continue;
      const value = pick(valuesFor(op.key))!;
      files.get(op.file)![op.index] = ed.write(op.key, value);
      log.push(`uncomment ${op.file}:${op.index + 1} as ${op.key} ${value}`);
      continue;
    }
    const op = pick(active());
    if (!op) {
      log.push(`${edit}: nothing to edit`);
      continue;
    }
    const lines = files.get(op.file)!;
    const line = lines[op.index]!;
    const p = ed.parse(line)!;
    const at = `${op.file}:${op.index + 1}`;
    const head = line.slice(0, p.keyStart);
    const rest = line.slice(p.keyStart + p.key.length + p.sep.length + p.value.length);
    if (edit === 'flip') {
      const v = other(p.key, p.value);
      lines[op.index] = `${head}${p.key}${p.sep}${v}${rest}`;
      log.push(`flip ${at} ${p.key} ${p.value} → ${v}`);
    } else if (edit === 'duplicate') {
      const v = other(p.key, p.value);
      const to = ed.duplicateAt(files, op);
      files.get(to.file)!.splice(to.index, 0, ed.write(p.key, v));
      log.push(`duplicate ${at} ${p.key} with ${v} at ${to.file}:${to.index + 1}`);
    } else if (edit === 'lowercase') {
      lines[op.index] = `${head}${p.key.toLowerCase()}${line.slice(p.keyStart + p.key.length)}`;
      log.push(`lowercase the keyword at ${at} (${p.key})`);
    } else if (edit === 'value-case') {
      const v = p.value[0]!.toUpperCase() + p.value.slice(1);
      lines[op.index] = `${head}${p.key}${p.sep}${v}${rest}`;
      log.push(`value case ${at} ${p.key} ${p.value} → ${v}`);
    } else if (edit === 'slash-key') {
      lines[op.index] = `${head}${p.key.replace(/\./g, '/')}${line.slice(p.keyStart + p.key.length)}`;
      log.push(`slash form of the key at ${at} (${p.key})`);
    } else if (edit === 'move' && ed.dropIn !== undefined) {
      lines.splice(op.index, 1);
      files.set(ed.dropIn, [...(files.get(ed.dropIn) ?? []), line]);
      log.push(`move ${at} (${p.key}) into ${ed.dropIn}`);
    }
  }
  return log;
}

// ---------------------------------------------------------------------------------------------------------------
// One root: assess, compare, patch, compare again

type Difference = {
  readonly key: string;
  readonly profiles: string;
  readonly ours: string;
  readonly theirs: string;
  readonly reasons: readonly ReasonKey[];
};
type Outcome = {
  readonly compared: number;
  readonly agreed: number;
  readonly differences: readonly Difference[];
  readonly fixed: readonly string[];
  readonly patchDifferences: readonly Difference[];
  readonly refixFailures: readonly string[];
};

let CHECKS: CheckSpec[] = [];
let tmp = '';
const used = new Set<ReasonKey>();

const ssgRule = (c: CheckSpec): string => c.refs.find((r) => r.startsWith('ssg:'))!.slice(4);

function agrees(ours: CheckResult['status'], theirs: OscapResult | undefined): boolean {
  return (
    (ours === 'pass' && theirs === 'pass') ||
    (ours === 'fail' && theirs === 'fail') ||
    (ours === 'not-applicable' && theirs === 'notapplicable')
  );
}

async function oscapBoth(dir: string, checks: readonly CheckSpec[]): Promise<Map<Profile, Map<string, OscapResult>>> {
  const runs = await Promise.all(
    PROFILES.map(async (p) => {
      const rules = checks.filter((c) => c.profiles.includes(p)).map(ssgRule);
      return [p, rules.length ? (await oscapRun(dir, rules, { profile: p })).results : new Map()] as const;
    }),
  );
  return new Map(runs);
}

/** Differences between our results and oscap's, per rule (the profiles that disagree named together). */
async function compare(
  variant: string,
  family: Family,
  dir: string,
  results: readonly CheckResult[],
  theirs: Map<Profile, Map<string, OscapResult>>,
  only?: ReadonlySet<string>,
): Promise<{ compared: number; agreed: number; differences: Difference[] }> {
  const view = await viewOf(dir);
  let compared = 0;
  let agreed = 0;
  const differences: Difference[] = [];
  for (const ours of results) {
    if (only && !only.has(ours.check.id)) continue;
    const rule = ssgRule(ours.check);
    const off: [Profile, OscapResult | undefined][] = [];
    for (const p of PROFILES) {
      if (!ours.check.profiles.includes(p)) continue;
      compared++;
      const t = theirs.get(p)?.get(rule);
      // after the patch the question is only whether oscap passes what we fixed
      if (only ? t === 'pass' : agrees(ours.status, t)) agreed++;
      else off.push([p, t]);
    }
    if (off.length === 0) continue;
    const reasons = new Set<ReasonKey>();
    for (const [, t] of off)
      for (const r of explain({ family, rule, check: ours.check, ours, theirs: t ?? 'unknown', view })) reasons.add(r);
    differences.push({
      key: `${variant}/${rule}`,
      profiles: off.map(([p]) => p).join(','),
      ours: ours.status,
      theirs: [...new Set(off.map(([, t]) => t ?? 'missing'))].join('/'),
      reasons: [...reasons].sort(),
    });
  }
  return { compared, agreed, differences };
}

async function runRoot(variant: string, family: Family, dir: string): Promise<Outcome> {
  for (const [path, text] of Object.entries(ubuntuRootFacts())) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  const checks = CHECKS.filter((c) => c.engine === ENGINE_OF[family]);
  const root = new DirectoryRoot(dir);
  const result = await harden(root, checks, ENGINES, { syntax: syntaxCheck });
  const before = result.checks.map((c) => c.result);
  const first = await compare(variant, family, dir, before, await oscapBoth(dir, checks));

  const fixed = result.checks.filter((c) => c.patch !== undefined).map((c) => c.result.check.id);
  assert.ok(
    result.combined.verification.ok,
    `${variant}: combined patch: ${result.combined.verification.reasons.join('; ')}`,
  );
  assert.equal(result.combined.fixes, fixed.length);
  let patchDifferences: Difference[] = [];
  let refixFailures: string[] = [];
  if (fixed.length) {
    const r = spawnSync('patch', ['-p1', '--batch', '--forward'], {
      cwd: dir,
      input: result.combined.patch,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `${variant}: patch -p1 failed: ${r.stdout}${r.stderr}`);
    const again = await assess(root, checks, ENGINES);
    const was = new Map(before.map((x) => [x.check.id, x.status]));
    refixFailures = again
      .filter(
        (x) =>
          (fixed.includes(x.check.id) && x.status !== 'pass') ||
          (was.get(x.check.id) === 'pass' && x.status !== 'pass'),
      )
      .map((x) => `${x.check.id}: ${x.status}: ${x.message}`);
    const theirs = await oscapBoth(dir, checks);
    patchDifferences = (await compare(variant, family, dir, again, theirs, new Set(fixed))).differences;
  }
  for (const d of [...first.differences, ...patchDifferences]) for (const r of d.reasons) used.add(r);
  return {
    compared: first.compared,
    agreed: first.agreed,
    differences: first.differences,
    fixed,
    patchDifferences,
    refixFailures,
  };
}

function summary(o: Outcome): string {
  const diff = o.differences.map(
    (d) => `${d.key.split('/').pop()} ours=${d.ours} oscap=${d.theirs} [${d.reasons.join(', ') || 'UNEXPLAINED'}]`,
  );
  const patched = o.patchDifferences.map(
    (d) => `${d.key.split('/').pop()} oscap=${d.theirs} [${d.reasons.join(', ') || 'UNEXPLAINED'}]`,
  );
  return (
    `${o.agreed}/${o.compared} verdicts agree; ${o.differences.length} differences${diff.length ? `: ${diff.join('; ')}` : ''}. ` +
    `Patched ${o.fixed.length} checks; oscap still fails ${o.patchDifferences.length}${patched.length ? `: ${patched.join('; ')}` : ''}`
  );
}

const tableFor = (
  table: Readonly<Record<string, readonly ReasonKey[]>>,
  variant: string,
): Record<string, readonly ReasonKey[]> =>
  Object.fromEntries(Object.entries(table).filter(([k]) => k.startsWith(`${variant}/`)));
const asTable = (ds: readonly Difference[]): Record<string, readonly ReasonKey[]> =>
  Object.fromEntries(ds.map((d) => [d.key, d.reasons]));

// ---------------------------------------------------------------------------------------------------------------

const variants = FAMILIES.flatMap((family) =>
  readdirSync(join(FIXTURES, family), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ family, name: `${family}/${e.name}` }))
    .sort((a, b) => (a.name < b.name ? -1 : 1)),
);

describe('harden agrees with oscap (SSG 0.1.65, Ubuntu 22.04, CIS L1 + L2 Server)', { skip }, () => {
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'mamori-harden-oscap-'));
    CHECKS = (await loadBaselines()).filter(
      (c) =>
        c.profiles.some((p) => (PROFILES as readonly string[]).includes(p)) && c.refs.some((r) => r.startsWith('ssg:')),
    );
  });
  after(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('every family has fixtures and the tables name only them', () => {
    assert.ok(variants.length >= 9, `${variants.length} fixture roots`);
    for (const key of [...Object.keys(DELIBERATE), ...Object.keys(PATCH_DELIBERATE)])
      assert.ok(
        variants.some((v) => key.startsWith(`${v.name}/`)),
        `${key}: no such fixture root`,
      );
  });

  for (const v of variants) {
    it(v.name, async (t) => {
      const dir = join(tmp, v.name.replace('/', '__'));
      await cp(join(FIXTURES, v.name), dir, { recursive: true, verbatimSymlinks: true });
      const o = await runRoot(v.name, v.family, dir);
      t.diagnostic(summary(o));
      assert.deepEqual(asTable(o.differences), tableFor(DELIBERATE, v.name), 'differences from oscap (DELIBERATE)');
      assert.deepEqual(
        asTable(o.patchDifferences),
        tableFor(PATCH_DELIBERATE, v.name),
        'after patch -p1 (PATCH_DELIBERATE)',
      );
      assert.deepEqual(o.refixFailures, [], 'our re-assessment of the patched root');
    });
  }

  for (const h of HELD_OUT) {
    it(h.name, async (t) => {
      const dir = join(tmp, h.name.replace('/', '__'));
      await cp(join(FIXTURES, h.family, h.base), dir, { recursive: true, verbatimSymlinks: true });
      const root = new DirectoryRoot(dir);
      const files: Files = new Map();
      const paths =
        h.family === 'sshd'
          ? [SSHD_CONFIG]
          : h.family === 'logindefs'
            ? ['etc/login.defs']
            : ['etc/sysctl.conf', ...(await root.list('etc/sysctl.d')).map((n) => `etc/sysctl.d/${n}`)];
      for (const p of paths) {
        // only regular files are edited (a sysctl.d link to ../sysctl.conf or /dev/null stays as it is)
        const real = await root.resolve(p);
        if (real !== p) continue;
        const text = await root.read(p);
        if (text !== undefined && (h.family !== 'sysctl' || p.endsWith('.conf')))
          files.set(p, text.replace(/\n$/, '').split('\n'));
      }
      const keys = new Set(
        CHECKS.filter((c) => c.engine === ENGINE_OF[h.family]).map((c) =>
          h.family === 'sshd' ? c.key.toLowerCase() : c.key,
        ),
      );
      const log = applyHeldOut(h, files, keys);
      for (const [p, lines] of files) {
        await mkdir(dirname(join(dir, p)), { recursive: true });
        await writeFile(join(dir, p), `${lines.join('\n')}\n`);
      }
      t.diagnostic(`edits: ${log.join('; ')}`);
      const o = await runRoot(h.name, h.family, dir);
      t.diagnostic(summary(o));
      const unexplained = [...o.differences, ...o.patchDifferences].filter((d) => d.reasons.length === 0);
      if (unexplained.length) t.diagnostic(`root kept for inspection: ${await keep(dir)}`);
      assert.deepEqual(unexplained, [], 'differences with no reason');
      assert.deepEqual(o.refixFailures, [], 'our re-assessment of the patched root');
    });
  }

  it('every reason explains some difference', () => {
    assert.deepEqual(
      (Object.keys(REASONS) as ReasonKey[]).filter((k) => !used.has(k)),
      [],
    );
  });
});

/** Copies a root out of the scratch directory (removed after the suite) for a look by hand. */
async function keep(dir: string): Promise<string> {
  const dest = await mkdtemp(join(tmpdir(), 'mamori-harden-oscap-kept-'));
  await cp(dir, dest, { recursive: true, verbatimSymlinks: true });
  return dest;
}
