// OpenSCAP as a reference for `mamori harden`: runs `oscap xccdf eval` with SCAP Security Guide content over a
// directory tree (a fixture root, an unpacked image) instead of this machine's /, and returns its verdict per rule.
//
// How the offline scan works (OpenSCAP 1.3.7, Debian 12's openscap-scanner; SSG 0.1.65 from ssg-debderived):
// - OSCAP_PROBE_ROOT=<root> puts the probes in "offline own" mode: each probe prefixes <root> to the paths it reads
//   (no chroot). Probes without offline support (sysctl, uname, shadow: oscap warns "Requested offline mode is
//   not supported") collect nothing and their tests come out "not applicable"; an SSG sysctl rule is "static AND
//   runtime", so offline its verdict is the static one (the sysctl.d files).
// - the Ubuntu 22.04 content applies only when <root>/etc/lsb-release says DISTRIB_ID=Ubuntu and
//   DISTRIB_CODENAME=jammy (else every rule is "notapplicable"); sshd rules pass when dpkg does not list
//   openssh-server, login.defs rules need package `login`, PAM ones `libpam-runtime`. `ubuntuRootFacts()` gives
//   those files.
// - packages come from the dpkginfo probe, which (in 1.3.7) reads APT's binary cache: <root> +
//   Dir::Cache::pkgcache, with APT's RootDir set to <root>, so it also needs <root>/usr/share/dpkg/{cputable,
//   tupletable}. We build the cache from <root>/var/lib/dpkg/status with the host's apt-cache (same libapt), and
//   point APT_CONFIG at a file of our own: Debian container images switch the cache off
//   (Dir::Cache::pkgcache "" in apt.conf.d/docker-clean). When the probe cannot open the cache it fails SILENTLY
//   into wrong verdicts (sshd rules "pass" on a bad config), so its "dpkginfo_init has failed" is an error here.
// - those scaffold files are written into a scratch copy of the root by default (`scaffold: 'copy'`), or into the
//   root itself and removed afterwards (`'in-place'`, for big roots in benchmarks).
// - `--profile` supplies the refine-values (PASS_MAX_DAYS 365, MaxAuthTries 4, ...); `--rule` picks rules and also
//   evaluates rules the profile does not select. Exit status: 0 all passed, 2 something failed, 1 error.
// There is no Debian 12 data stream in SSG 0.1.65 (debian10/11 only, with ANSSI and "standard" profiles, no CIS).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SaxesParser } from 'saxes';

/** Where Debian's ssg-* packages put the SCAP Security Guide data streams. */
export const SSG_CONTENT_DIR = '/usr/share/xml/scap/ssg/content';
/** The prefix of every SSG XCCDF id (`xccdf_org.ssgproject.content_rule_<rule>`). */
export const SSG_PREFIX = 'xccdf_org.ssgproject.content_';

/** Our profile names → the XCCDF profile ids of the SSG Ubuntu 22.04 data stream. */
export const SSG_PROFILES: Readonly<Record<string, string>> = {
  'cis-l1-server': `${SSG_PREFIX}profile_cis_level1_server`,
  'cis-l2-server': `${SSG_PREFIX}profile_cis_level2_server`,
  'cis-l1-workstation': `${SSG_PREFIX}profile_cis_level1_workstation`,
  'cis-l2-workstation': `${SSG_PREFIX}profile_cis_level2_workstation`,
};

/** XCCDF 1.2 rule results. */
export type OscapResult =
  'pass' | 'fail' | 'error' | 'unknown' | 'notapplicable' | 'notchecked' | 'notselected' | 'informational' | 'fixed';

const RESULTS = new Set<string>([
  'pass',
  'fail',
  'error',
  'unknown',
  'notapplicable',
  'notchecked',
  'notselected',
  'informational',
  'fixed',
]);

export class OscapError extends Error {
  readonly code: 'NOT_INSTALLED' | 'NO_DPKG_STATUS' | 'APT_CACHE' | 'PROBE_FAILED' | 'EVAL_FAILED' | 'BAD_RESULTS';
  constructor(code: OscapError['code'], message: string) {
    super(message);
    this.code = code;
    this.name = 'OscapError';
  }
}

/** The data stream of an SSG product (`ubuntu2204`, `debian11`, ...), or undefined when it is not installed. */
export function dataStreamPath(product = 'ubuntu2204', dir = SSG_CONTENT_DIR): string | undefined {
  const path = join(dir, `ssg-${product}-ds.xml`);
  return existsSync(path) ? path : undefined;
}

/**
 * The SSG product for a root's os-release text (`ubuntu2204`, `debian11`), or undefined for a system SSG has no
 * content for. Only Ubuntu's data streams carry CIS profiles.
 */
export function ssgProductFor(osRelease: string): string | undefined {
  const field = (name: string): string | undefined => {
    const m = new RegExp(`^${name}=(.*)$`, 'm').exec(osRelease);
    return m?.[1]?.trim().replace(/^"(.*)"$/, '$1');
  };
  const id = field('ID');
  const version = field('VERSION_ID');
  if (id === 'ubuntu' && version && /^\d\d\.04$/.test(version)) return `ubuntu${version.replace('.', '')}`;
  if (id === 'debian' && version && /^\d+$/.test(version)) return `debian${version}`;
  return undefined;
}

/** The full XCCDF id of an SSG rule given by its short id (`sshd_disable_root_login`); full ids pass through. */
export function xccdfRuleId(rule: string): string {
  return rule.startsWith(SSG_PREFIX) ? rule : `${SSG_PREFIX}rule_${rule}`;
}

/** The short SSG rule id (`ssg:<rule>` in our baselines) of a full XCCDF rule id. */
export function shortRuleId(xccdfId: string): string {
  return xccdfId.startsWith(`${SSG_PREFIX}rule_`) ? xccdfId.slice(SSG_PREFIX.length + 5) : xccdfId;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Whether oscap, apt-cache and the Ubuntu 22.04 data stream are installed (else: `oscapMissing()` says what). */
export function oscapAvailable(): boolean {
  return oscapMissing() === undefined;
}

/** What is missing for `oscapEval`, in words, or undefined when nothing is. */
export function oscapMissing(product = 'ubuntu2204'): string | undefined {
  const missing: string[] = [];
  if (!onPath('oscap')) missing.push('oscap (apt-get install openscap-scanner)');
  if (!onPath('apt-cache')) missing.push('apt-cache (apt)');
  if (!existsSync('/usr/share/dpkg/cputable')) missing.push('/usr/share/dpkg/cputable (dpkg)');
  if (!dataStreamPath(product)) missing.push(`ssg-${product}-ds.xml (apt-get install ssg-debderived)`);
  return missing.length ? `needs ${missing.join(', ')}` : undefined;
}

/** The files that make a root look like an Ubuntu 22.04 system with these dpkg packages installed, to SSG. */
export function ubuntuRootFacts(
  packages: readonly string[] = ['openssh-server', 'login', 'libpam-runtime'],
): Record<string, string> {
  const status = packages
    .map((name) =>
      [
        `Package: ${name}`,
        'Status: install ok installed',
        'Priority: optional',
        'Architecture: amd64',
        'Version: 1:0.0-0ubuntu0',
        `Description: ${name} (test fixture)`,
        '',
      ].join('\n'),
    )
    .join('\n');
  return {
    'etc/lsb-release':
      'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04 LTS"\n',
    'etc/os-release': 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n',
    'var/lib/dpkg/status': status,
  };
}

export type OscapEvalOptions = {
  /** Data stream path; default: the Ubuntu 22.04 one. */
  readonly dataStream?: string;
  /** One of SSG_PROFILES' names or a full XCCDF profile id; default `cis-l1-server`. */
  readonly profile?: string;
  /** `copy` (default): scaffold a scratch copy of the root; `in-place`: write into the root and clean up after. */
  readonly scaffold?: 'copy' | 'in-place';
  /** Validate the data stream against the XSDs first (adds ~0.3 s); default false. */
  readonly validate?: boolean;
  readonly timeoutMs?: number;
};

export type OscapRun = {
  /** Short SSG rule id → result, for every rule evaluated (not the `notselected` ones). */
  readonly results: Map<string, OscapResult>;
  /** Wall time of `oscap xccdf eval` alone (without scaffolding and parsing). */
  readonly evalMs: number;
  readonly exitCode: number;
  readonly stderr: string;
};

/** `oscapRun(...).results`: oscap's verdict per short SSG rule id. */
export async function oscapEval(
  root: string,
  ruleIds: readonly string[],
  opts: OscapEvalOptions = {},
): Promise<Map<string, OscapResult>> {
  return (await oscapRun(root, ruleIds, opts)).results;
}

/**
 * Evaluates SSG rules (short or full ids; all of the profile's when `ruleIds` is empty) against the tree at `root`.
 * Throws OscapError when oscap is missing, the root has no dpkg status file, the package probe fails, or oscap
 * reports an error (unknown rule or profile, bad content).
 */
export async function oscapRun(
  root: string,
  ruleIds: readonly string[],
  opts: OscapEvalOptions = {},
): Promise<OscapRun> {
  const missing = oscapMissing();
  if (missing && !opts.dataStream) throw new OscapError('NOT_INSTALLED', `oscap: ${missing}`);
  const dataStream = opts.dataStream ?? (dataStreamPath() as string);
  const profileName = opts.profile ?? 'cis-l1-server';
  const profile = SSG_PROFILES[profileName] ?? profileName;
  const work = await mkdtemp(join(tmpdir(), 'mamori-oscap-'));
  const created: string[] = [];
  try {
    let target = resolve(root);
    if ((opts.scaffold ?? 'copy') === 'copy') {
      const copy = join(work, 'root');
      await cp(target, copy, { recursive: true, verbatimSymlinks: true });
      target = copy;
    }
    const aptConfig = await scaffold(target, work, created);
    const resultsPath = join(work, 'results.xml');
    const args = ['xccdf', 'eval', '--profile', profile, '--results', resultsPath];
    if (!opts.validate) args.push('--skip-valid');
    for (const r of ruleIds) args.push('--rule', xccdfRuleId(r));
    args.push(dataStream);
    const started = performance.now();
    const run = await runCommand('oscap', args, {
      env: { ...process.env, OSCAP_PROBE_ROOT: target, APT_CONFIG: aptConfig },
      timeoutMs: opts.timeoutMs ?? 300_000,
    });
    const evalMs = performance.now() - started;
    if (/dpkginfo_init has failed/.test(run.stderr)) {
      throw new OscapError(
        'PROBE_FAILED',
        `oscap: the dpkginfo probe could not read the APT cache built for ${root}; its verdicts would be wrong`,
      );
    }
    if (run.code !== 0 && run.code !== 2) {
      throw new OscapError('EVAL_FAILED', `oscap xccdf eval exited ${run.code} on ${root}: ${run.stderr.trim()}`);
    }
    const results = parseXccdfResults(await readFile(resultsPath, 'utf8'));
    for (const r of ruleIds) {
      if (!results.has(shortRuleId(xccdfRuleId(r)))) {
        throw new OscapError('BAD_RESULTS', `oscap: no result for rule ${r} in ${resultsPath}`);
      }
    }
    return { results, evalMs, exitCode: run.code, stderr: run.stderr };
  } finally {
    for (const f of created.reverse()) await rm(f, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
}

/** Writes what the dpkginfo probe needs into `root` (recording what it created) and returns the APT_CONFIG path. */
async function scaffold(root: string, work: string, created: string[]): Promise<string> {
  const status = join(root, 'var/lib/dpkg/status');
  if (!(await isFile(status))) {
    throw new OscapError(
      'NO_DPKG_STATUS',
      `oscap: ${root} has no var/lib/dpkg/status; SSG's package checks (openssh-server, login) cannot be ` +
        'judged without it (ubuntuRootFacts() gives a minimal one)',
    );
  }
  for (const dir of ['var/cache/apt', 'usr/share/dpkg']) await mkdirRecording(join(root, dir), created);
  for (const table of ['cputable', 'tupletable']) {
    const dest = join(root, 'usr/share/dpkg', table);
    if (!(await isFile(dest))) {
      await copyFile(join('/usr/share/dpkg', table), dest);
      created.push(dest);
    }
  }
  const emptyDir = join(work, 'apt-empty');
  await mkdir(emptyDir);
  // our own APT configuration: the host's apt.conf.d is not read (it may switch the binary cache off)
  const aptConfig = join(work, 'apt.conf');
  await writeFile(
    aptConfig,
    [
      'Dir "/";',
      `Dir::Etc::parts "${emptyDir}";`,
      'Dir::Etc::main "/dev/null";',
      'Dir::Etc::sourcelist "/dev/null";',
      `Dir::Etc::sourceparts "${emptyDir}";`,
      `Dir::Etc::preferencesparts "${emptyDir}";`,
      'Dir::Cache "var/cache/apt";',
      'Dir::Cache::pkgcache "pkgcache.bin";',
      'Dir::Cache::srcpkgcache "";',
      '',
    ].join('\n'),
  );
  const cache = join(root, 'var/cache/apt/pkgcache.bin');
  const hadCache = await isFile(cache);
  const gen = await runCommand(
    'apt-cache',
    ['-q', '-o', `Dir=${root}/`, '-o', `Dir::State::status=${status}`, 'gencaches'],
    { env: { ...process.env, APT_CONFIG: aptConfig }, timeoutMs: 60_000 },
  );
  // apt-cache exits 0 without writing anything when the cache directory is missing: check the file
  if (gen.code !== 0 || !(await isFile(cache))) {
    throw new OscapError('APT_CACHE', `apt-cache gencaches for ${root} failed: ${gen.stderr.trim()}`);
  }
  if (!hadCache) created.push(cache);
  return aptConfig;
}

async function mkdirRecording(dir: string, created: string[]): Promise<void> {
  const first = await mkdir(dir, { recursive: true });
  if (first !== undefined) created.push(first);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function runCommand(
  cmd: string,
  args: readonly string[],
  opts: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === null) {
        reject(new OscapError('EVAL_FAILED', `${cmd} stopped by ${signal} (timeout ${opts.timeoutMs} ms?): ${stderr}`));
        return;
      }
      resolvePromise({ code, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

/**
 * The rule results of the (last) TestResult in an XCCDF 1.2 results document: short SSG rule id → result.
 * `notselected` rules are left out. Throws on a result word outside XCCDF's list.
 */
export function parseXccdfResults(xml: string): Map<string, OscapResult> {
  const results = new Map<string, OscapResult>();
  const parser = new SaxesParser({ xmlns: true });
  let inTestResult = false;
  let rule: string | undefined;
  let inResult = false;
  let text = '';
  parser.on('opentag', (tag) => {
    if (tag.local === 'TestResult') {
      inTestResult = true;
      results.clear();
    } else if (inTestResult && tag.local === 'rule-result') {
      const idref = tag.attributes['idref'];
      rule = typeof idref === 'string' ? idref : idref?.value;
    } else if (rule !== undefined && tag.local === 'result') {
      inResult = true;
      text = '';
    }
  });
  parser.on('text', (t) => {
    if (inResult) text += t;
  });
  parser.on('closetag', (tag) => {
    if (tag.local === 'TestResult') inTestResult = false;
    else if (tag.local === 'rule-result') rule = undefined;
    else if (inResult && tag.local === 'result' && rule !== undefined) {
      inResult = false;
      const word = text.trim();
      if (!RESULTS.has(word)) throw new OscapError('BAD_RESULTS', `oscap: unknown result "${word}" for ${rule}`);
      if (word !== 'notselected') results.set(shortRuleId(rule), word as OscapResult);
    }
  });
  parser.write(xml).close();
  return results;
}
