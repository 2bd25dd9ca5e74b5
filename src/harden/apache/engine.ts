// The Apache httpd engine: judges TLS checks per TLS `<VirtualHost>` (SSLEngine on, its own or inherited) by
// the value httpd applies to it, and fixes a failed check with the smallest edit.
//
// Semantics (httpd 2.4, Debian 12):
// - Include/IncludeOptional are expanded in place (load.ts). Directive names compare case-insensitively.
//   `<IfModule>` is judged against the modules loaded so far (LoadModule lines, plus the compiled-in ones);
//   `<IfDefine X>` is false (no -D), `<IfDefine !X>` true; `<IfVersion>`/`<IfFile>` are taken as true.
// - A vhost uses its own directive, else the server config's; in each context the last line wins (SSLProtocol
//   lines do not add up: each one is parsed afresh). Not set: httpd's default (SSLProtocol all -SSLv3,
//   SSLCipherSuite DEFAULT, SSLHonorCipherOrder off, SSLSessionTickets on, ServerTokens Full, ServerSignature Off).
// - SSLProtocol: `all` is SSLv3..TLSv1.3, `+`/bare adds, `-` removes. SSLCipherSuite: the TLS 1.2 string (a
//   `TLSv1.3` first argument configures TLS 1.3 and is not judged), resolved with the OpenSSL evaluator of the
//   nginx engine.
// - Header: the server config's Header lines run before the vhost's, so a vhost's `Header always set` overrides
//   the global one; `unset` removes it; `always` and the default (onsuccess) tables are kept apart.
// - ServerTokens is server config only (one result); ServerSignature is judged per vhost.
// Fixes: the effective line is edited in place, in whichever file it is (a shared global line fixes every vhost
// using it: only the first carries the edit, the others say so). A missing directive is one line inserted in
// the vhost after its `SSLEngine on` line, with that indentation; a missing ServerTokens is appended to
// apache2.conf. Instances are `vhost <ServerName or address> (<file>)`: no line numbers, so inserted lines do
// not rename the vhosts after them.
import { cipherStringPasses } from '../nginx/ciphers.ts';
import { describeExpectation as describe } from '../expect.ts';
import type { CheckResult, CheckSpec, Expectation, FileEdit, HardenEngine } from '../types.ts';
import { APACHE_CONF, loadApacheConfig, type ApacheConfig, type Placed } from './load.ts';
import { MainFileEngine } from '../main-file.ts';

const DEFAULTS: Readonly<Record<string, string>> = {
  sslprotocol: 'all -SSLv3',
  sslciphersuite: 'DEFAULT',
  sslhonorcipherorder: 'off',
  sslsessiontickets: 'on',
  servertokens: 'Full',
  serversignature: 'Off',
};
const PROTOCOLS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const FLAGS = new Set(['sslhonorcipherorder', 'sslsessiontickets', 'sslengine']);
const HSTS = 'strict-transport-security';
export const HSTS_KEY = 'Strict-Transport-Security';
/** Modules httpd 2.4 on Debian has compiled in (`apache2 -l`). */
const STATIC = ['core', 'so', 'watchdog', 'http', 'log_config', 'logio', 'version', 'unixd'];
const CONDITIONALS = new Set(['ifmodule', 'ifdefine', 'ifversion', 'iffile', 'ifdirective', 'ifsection']);

export type Vhost = {
  readonly block: Placed;
  /** Its own directives (through conditional sections, not Directory/Location). */
  readonly own: readonly Placed[];
  readonly instance: string;
  readonly tls: boolean;
};
export type Scope = { readonly server: readonly Placed[]; readonly vhosts: readonly Vhost[] };

const moduleId = (s: string): string =>
  s
    .replace(/^!/, '')
    .replace(/^mod_(.*)\.c$/, '$1')
    .replace(/_module$/, '');

/** The server config's directives and the vhosts, with `<IfModule>` judged against LoadModule lines so far. */
export function scope(config: ApacheConfig): Scope {
  const loaded = new Set(STATIC);
  const server: Placed[] = [];
  const blocks: Placed[] = [];
  const holds = (d: Placed): boolean => {
    const arg = d.args[0] ?? '';
    const neg = arg.startsWith('!');
    if (d.name === 'ifmodule') return loaded.has(moduleId(arg)) !== neg;
    if (d.name === 'ifdefine') return neg;
    return true;
  };
  const walk = (list: readonly Placed[], into: Placed[], top: boolean): void => {
    for (const d of list) {
      if (d.block && CONDITIONALS.has(d.name)) {
        if (holds(d)) walk(d.block, into, top);
      } else if (d.block) {
        if (top && d.name === 'virtualhost') blocks.push(d);
      } else {
        if (top && d.name === 'loadmodule' && d.args[0]) loaded.add(moduleId(d.args[0]));
        into.push(d);
      }
    }
  };
  walk(config.tree, server, true);
  const serverEngine = last(server, 'sslengine');
  const count = new Map<string, number>();
  const vhosts = blocks.map((block): Vhost => {
    const own: Placed[] = [];
    walk(block.block ?? [], own, false);
    const eng = last(own, 'sslengine') ?? serverEngine;
    const name = last(own, 'servername')?.args[0] ?? block.args.join(' ');
    const base = `vhost ${name} (${block.file})`;
    const n = (count.get(base) ?? 0) + 1;
    count.set(base, n);
    return { block, own, tls: eng?.args[0]?.toLowerCase() === 'on', instance: n === 1 ? base : `${base} #${n}` };
  });
  return { server, vhosts };
}

const all = (list: readonly Placed[], name: string): Placed[] => list.filter((d) => d.name === name);
const last = (list: readonly Placed[], name: string): Placed | undefined => all(list, name).at(-1);

/** Judges `engine: apache` checks against etc/apache2/apache2.conf under a root. */
export class ApacheEngine extends MainFileEngine<ApacheConfig> {
  constructor(main: string = APACHE_CONF) {
    super({
      id: 'apache',
      main,
      load: loadApacheConfig,
      judge: judgeAll,
      missing: `No ${main}.`,
      loadError: (why) => `apache: ${why}.`,
      place: 'vhost',
    });
  }
}

export const apacheEngine: HardenEngine = new ApacheEngine();

/** Judges one check for every vhost it concerns (ServerTokens: once, for the server). */
export function judgeAll(config: ApacheConfig, check: CheckSpec): CheckResult[] {
  const s = scope(config);
  const key = check.key.toLowerCase();
  if (key === 'servertokens') return [judgeDirective(config, s, undefined, check)];
  const list = key === 'serversignature' ? s.vhosts : s.vhosts.filter((v) => v.tls);
  if (list.length === 0) {
    if (key === 'serversignature') return [judgeDirective(config, s, undefined, check)];
    return [
      {
        check,
        status: 'not-applicable',
        expected: describe(check.expect),
        message: 'No TLS <VirtualHost> (SSLEngine on) in the Apache configuration.',
      },
    ];
  }
  return list.map((v) =>
    check.key === HSTS_KEY ? judgeHsts(config, s, v, check) : judgeDirective(config, s, v, check),
  );
}

/** The TLS 1.2 SSLCipherSuite lines (a first argument `TLSv1.3` configures TLS 1.3 suites). */
const relevant = (list: readonly Placed[], key: string): Placed[] =>
  all(list, key).filter((d) => key !== 'sslciphersuite' || d.args.length < 2 || d.args[0]?.toLowerCase() !== 'tlsv1.3');

function judgeDirective(config: ApacheConfig, s: Scope, v: Vhost | undefined, check: CheckSpec): CheckResult {
  const key = check.key.toLowerCase();
  const expected = describe(check.expect);
  const mine = v && key !== 'servertokens' ? relevant(v.own, key).at(-1) : undefined;
  const src = mine ?? relevant(s.server, key).at(-1);
  const base = {
    check,
    ...(v ? { instance: v.instance } : {}),
    expected,
    ...(src ? { file: src.file, line: src.line } : {}),
  };
  const raw = src ? (key === 'sslciphersuite' ? (src.args.at(-1) ?? '') : src.args.join(' ')) : DEFAULTS[key];
  if (raw === undefined)
    return { ...base, status: 'error', message: `${check.key} is not set and Mamori does not know httpd's default.` };
  const value = normalise(key, raw);
  if (typeof value !== 'string')
    return {
      ...base,
      status: 'error',
      current: raw,
      message: `${check.key} ${raw}: ${value.error}; httpd refuses it.`,
    };
  const where = src
    ? ` (${src.file}:${src.line}${v && !mine ? ', inherited from the server config' : ''})`
    : ' (built-in default)';
  const current = src ? value : `(default) ${value}`;
  const notes: string[] = [];
  const ok = satisfies(key, check.expect, value, src !== undefined, notes);
  const message = [`${check.key} is ${value}${where}${ok ? '' : `; expected ${expected}`}.`, ...notes].join(' ');
  if (ok) return { ...base, status: 'pass', current, message };
  const fix = src
    ? replaceArgs(config, src, check.fix)
    : v
      ? vhostInsert(config, v, `${check.key} ${check.fix}`)
      : mainAppend(config, `${check.key} ${check.fix}`);
  return typeof fix === 'string'
    ? { ...base, status: 'fail', current, message, unfixable: fix }
    : { ...base, status: 'fail', current, message, fix: [fix] };
}

function normalise(key: string, raw: string): string | { error: string } {
  const v = raw.toLowerCase();
  if (FLAGS.has(key)) return v === 'on' || v === 'off' ? v : { error: `"${raw}" is not on or off` };
  if (key === 'servertokens') {
    if (v === 'prod' || v === 'productonly') return 'Prod';
    if (v === 'major' || v === 'minor' || v === 'os') return v === 'os' ? 'OS' : v[0]!.toUpperCase() + v.slice(1);
    return v === 'min' || v === 'minimal' ? 'Minimal' : 'Full';
  }
  if (key === 'serversignature') {
    const known = ['on', 'off', 'email'];
    return known.includes(v) ? v : { error: `"${raw}" is not On, Off or EMail` };
  }
  if (key === 'sslprotocol') {
    const set = new Set<string>();
    for (const word of raw.split(/\s+/).filter(Boolean)) {
      const op = word[0] === '+' || word[0] === '-' ? word[0] : '';
      const name = word.slice(op.length).toLowerCase();
      const names = name === 'all' ? PROTOCOLS : PROTOCOLS.filter((p) => p.toLowerCase() === name);
      if (names.length === 0) return { error: `unknown protocol "${word}"` };
      for (const p of names)
        if (op === '-') set.delete(p);
        else set.add(p);
    }
    return PROTOCOLS.filter((p) => set.has(p)).join(' ');
  }
  return raw;
}

function satisfies(key: string, expect: Expectation, value: string, set: boolean, notes: string[]): boolean {
  if ('present' in expect) return set;
  if ('equals' in expect) return value === normalise(key, expect.equals);
  if ('oneOf' in expect) return expect.oneOf.some((e) => value === normalise(key, e));
  if ('excludes' in expect) {
    if (key === 'sslciphersuite') {
      return cipherStringPasses(value, expect.excludes, notes);
    }
    const items = value.toLowerCase().split(/\s+/);
    return !expect.excludes.some((e) => items.includes(e.toLowerCase()));
  }
  if (!/^\d+$/.test(value)) return false;
  const n = Number(value);
  return (expect.min === undefined || n >= expect.min) && (expect.max === undefined || n <= expect.max);
}

function lineOf(config: ApacheConfig, file: string, line: number): string {
  return config.files.get(file)?.split('\n')[line - 1]?.replace(/\r$/, '') ?? '';
}
const indentOf = (text: string): string => /^[ \t]*/.exec(text)![0];

/** Replaces a one-line directive's arguments, keeping indentation, name spelling and spacing. */
function replaceArgs(config: ApacheConfig, d: Placed, value: string): FileEdit | string {
  if (d.endLine !== d.line) return `${d.spelling} at ${d.file}:${d.line} spans several lines; edit it by hand`;
  const raw = lineOf(config, d.file, d.line);
  const sep = /\s$/.test(raw.slice(0, d.argsStart)) ? '' : ' ';
  return { path: d.file, edits: [{ kind: 'replace', line: d.line, text: raw.slice(0, d.argsStart) + sep + value }] };
}

/** One line into the vhost after its `SSLEngine on` line (else its opening line), with that indentation. */
function vhostInsert(config: ApacheConfig, v: Vhost, text: string): FileEdit {
  const anchor = v.own.filter((d) => d.name === 'sslengine' && d.file === v.block.file).at(-1);
  const first = v.own.find((d) => d.file === v.block.file);
  const indent = anchor
    ? indentOf(lineOf(config, anchor.file, anchor.line))
    : first
      ? indentOf(lineOf(config, first.file, first.line))
      : `${indentOf(lineOf(config, v.block.file, v.block.line))}\t`;
  const after = anchor ? anchor.endLine : v.block.endLine;
  return { path: v.block.file, edits: [{ kind: 'insert', before: after + 1, lines: [indent + text] }] };
}

function mainAppend(config: ApacheConfig, text: string): FileEdit {
  const body = config.files.get(config.main) ?? '';
  const count = body.split('\n').length - (body.endsWith('\n') ? 1 : 0);
  return { path: config.main, edits: [{ kind: 'insert', before: count + 1, lines: [text] }] };
}

type Hsts = { readonly header?: Placed; readonly maxAge?: number; readonly always: boolean };

/** The Strict-Transport-Security header a vhost sends: server config Header lines first, then the vhost's. */
function hstsOf(lines: readonly Placed[]): Hsts {
  const table = new Map<string, Placed | undefined>();
  for (const d of lines) {
    const a = [...d.args];
    const cond = /^(always|onsuccess)$/i.test(a[0] ?? '') ? a.shift()!.toLowerCase() : 'onsuccess';
    const action = (a[0] ?? '').toLowerCase();
    if ((a[1] ?? '').toLowerCase().replace(/:$/, '') !== HSTS) continue;
    if (action === 'unset') table.set(cond, undefined);
    else if (['set', 'add', 'append', 'merge'].includes(action)) table.set(cond, d);
    else if (action === 'setifempty' && !table.get(cond)) table.set(cond, d);
  }
  const always = table.get('always');
  const h = always ?? table.get('onsuccess');
  if (!h) return { always: false };
  const a = /^(always|onsuccess)$/i.test(h.args[0] ?? '') ? h.args.slice(1) : h.args;
  const m = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(a[2] ?? '');
  return { header: h, ...(m ? { maxAge: Number(m[1]) } : {}), always: always !== undefined };
}

function judgeHsts(config: ApacheConfig, s: Scope, v: Vhost, check: CheckSpec): CheckResult {
  const expected = describe(check.expect);
  const h = hstsOf([...all(s.server, 'header'), ...all(v.own, 'header')]);
  const src = h.header;
  const base = { check, instance: v.instance, expected, ...(src ? { file: src.file, line: src.line } : {}) };
  const current = h.maxAge !== undefined ? String(h.maxAge) : src ? `(no max-age) ${src.args.join(' ')}` : '(not set)';
  const ok = h.maxAge !== undefined && satisfies('hsts', check.expect, String(h.maxAge), true, []);
  const inherited = src && !v.own.includes(src) ? ', inherited from the server config' : '';
  const head = src
    ? `Strict-Transport-Security max-age is ${h.maxAge ?? 'missing'} (${src.file}:${src.line}${inherited})`
    : 'No Strict-Transport-Security header';
  const notes = src && !h.always && ok ? ['Without `always` the header is sent on 2xx responses only.'] : [];
  if (ok) return { ...base, status: 'pass', current, message: [`${head}.`, ...notes].join(' ') };
  const message = `${head}; expected max-age ${expected}.`;
  const fail = { ...base, status: 'fail' as const, current, message };
  if (!s.server.some((d) => d.name === 'loadmodule' && moduleId(d.args[0] ?? '') === 'headers'))
    return { ...fail, unfixable: 'mod_headers is not loaded: enable it (a2enmod headers), then add the header' };
  const line = `Header always set Strict-Transport-Security "max-age=${check.fix}"`;
  if (src && h.maxAge !== undefined) {
    if (src.line !== src.endLine)
      return { ...fail, unfixable: `Header at ${src.file}:${src.line} spans several lines` };
    const raw = lineOf(config, src.file, src.line);
    const text = raw.replace(/(max-age\s*=\s*"?)\d+/i, `$1${check.fix}`);
    return { ...fail, fix: [{ path: src.file, edits: [{ kind: 'replace', line: src.line, text }] }] };
  }
  // after the vhost's own Header lines, so a later `unset` cannot drop it
  const lastHeader = v.own.filter((d) => d.name === 'header' && d.file === v.block.file).at(-1);
  if (lastHeader) {
    const indent = indentOf(lineOf(config, lastHeader.file, lastHeader.line));
    const edit = { kind: 'insert' as const, before: lastHeader.endLine + 1, lines: [indent + line] };
    return { ...fail, fix: [{ path: lastHeader.file, edits: [edit] }] };
  }
  return { ...fail, fix: [vhostInsert(config, v, line)] };
}
