// The nginx engine: judges TLS checks per TLS `server` block (one with `listen ... ssl` or `ssl on`) by the
// value nginx applies to it, and fixes a failed check with the smallest edit.
//
// Semantics (nginx 1.22, Debian 12):
// - `include` is expanded in place (load.ts). Directives of `http` apply to every server that does not set
//   them; a server's own line wins. ssl_protocols lines of one level add up (a bitmask); ssl_ciphers,
//   ssl_prefer_server_ciphers, ssl_session_tickets and server_tokens may appear once per level (nginx -t
//   refuses a duplicate: `error`). Flags and protocol names compare case-insensitively, as nginx reads them.
// - Not set: nginx 1.22's built-in default (ssl_protocols TLSv1 TLSv1.1 TLSv1.2, ssl_ciphers HIGH:!aNULL:!MD5,
//   ssl_prefer_server_ciphers off, ssl_session_tickets on, server_tokens on).
// - ssl_ciphers is resolved to the suites OpenSSL selects (ciphers.ts); `excludes` names OpenSSL families.
// - add_header: a level (server, location, if) with any add_header of its own drops every inherited one. HSTS
//   (key `Strict-Transport-Security`, judged on max-age) must hold for the server and for each location that
//   has headers of its own; the message names the location that drops it.
// - server_tokens is judged per server too (it is usually set once in http) and also counts locations.
// - The SNI quirk is not modelled: with several TLS servers on one address, the default server's
//   ssl_protocols decide the handshake's version.
// Fixes: the effective line is edited in place, where it is written (the server's own line, the http line it
// inherits, a snippet it includes; a shared line fixes every server using it, so only the first such server
// carries the edit and the others say so). A missing directive is one inserted line: in the server after its
// `listen ... ssl` line, with that line's indentation (server_tokens: in http after its commented default, or
// before http's closing brace); a missing HSTS header goes where it does not drop other headers (the level
// that has add_header lines already, else the server). Instances are named by server_name and file (not line),
// so inserted lines do not rename the servers after them.
import type { CheckResult, CheckSpec, Expectation, FileEdit, HardenEngine, LineEdit } from '../types.ts';
import { cipherStringPasses } from './ciphers.ts';
import { loadNginxConfig, NGINX_CONF, type NginxConfig, type Placed } from './load.ts';
import { describeExpectation as describe } from '../expect.ts';
import { MainFileEngine } from '../main-file.ts';

const DEFAULTS: Readonly<Record<string, string>> = {
  ssl_protocols: 'TLSv1 TLSv1.1 TLSv1.2',
  ssl_ciphers: 'HIGH:!aNULL:!MD5',
  ssl_prefer_server_ciphers: 'off',
  ssl_session_tickets: 'on',
  server_tokens: 'on',
};
const PROTOCOLS = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const FLAGS = new Set(['ssl_prefer_server_ciphers', 'ssl_session_tickets', 'server_tokens', 'ssl']);
const HSTS = 'strict-transport-security';
export const HSTS_KEY = 'Strict-Transport-Security';

type Server = { readonly http: Placed; readonly block: Placed; readonly instance: string; readonly tls: boolean };

/** Judges `engine: nginx` checks against etc/nginx/nginx.conf under a root. */
export class NginxEngine extends MainFileEngine<NginxConfig> {
  constructor(main: string = NGINX_CONF) {
    super({
      id: 'nginx',
      main,
      load: loadNginxConfig,
      judge: judgeAll,
      missing: `No ${main}.`,
      loadError: (why) => `nginx: ${why}.`,
      place: 'server',
    });
  }
}

export const nginxEngine: HardenEngine = new NginxEngine();

/** The servers of every http block, with their instance names. */
export function servers(config: NginxConfig): Server[] {
  const out: Server[] = [];
  const count = new Map<string, number>();
  for (const http of config.tree.filter((d) => d.name === 'http' && d.block)) {
    for (const block of http.block!.filter((d) => d.name === 'server' && d.block)) {
      const own = block.block!;
      const tls =
        own.some((d) => d.name === 'listen' && d.args.slice(1).includes('ssl')) ||
        own.some((d) => d.name === 'ssl' && d.args[0]?.toLowerCase() === 'on');
      const names = own.filter((d) => d.name === 'server_name').flatMap((d) => d.args);
      const base = `server ${names[0] && names[0] !== '_' ? names[0] : names.join(' ') || '(no server_name)'} (${block.file})`;
      const n = (count.get(base) ?? 0) + 1;
      count.set(base, n);
      out.push({ http, block, tls, instance: n === 1 ? base : `${base} #${n}` });
    }
  }
  return out;
}

const own = (level: Placed, name: string): Placed[] => (level.block ?? []).filter((d) => d.name === name);

/** Judges one check for every server it concerns. */
export function judgeAll(config: NginxConfig, check: CheckSpec): CheckResult[] {
  const expected = describe(check.expect);
  const all = servers(config);
  const list = check.key === 'server_tokens' ? all : all.filter((s) => s.tls);
  if (list.length === 0) {
    return [
      {
        check,
        status: 'not-applicable',
        expected,
        message: 'No TLS server block (listen ... ssl) in the nginx configuration.',
      },
    ];
  }
  return list.map((s) => (check.key === HSTS_KEY ? judgeHsts(config, s, check) : judgeDirective(config, s, check)));
}

function judgeDirective(config: NginxConfig, s: Server, check: CheckSpec): CheckResult {
  const key = check.key.toLowerCase();
  const expected = describe(check.expect);
  const atServer = own(s.block, key);
  const lines = atServer.length ? atServer : own(s.http, key);
  const level = atServer.length ? 'server' : 'http';
  const src = lines[0];
  const base = { check, instance: s.instance, expected, ...(src ? { file: src.file, line: src.line } : {}) };
  if (key !== 'ssl_protocols' && lines.length > 1) {
    const at = lines.map((d) => `${d.file}:${d.line}`).join(', ');
    return {
      ...base,
      status: 'error',
      current: lines.map((d) => d.args.join(' ')).join(' | '),
      message: `${key} is set twice in one ${level} block (${at}): nginx -t refuses a duplicate.`,
    };
  }
  const raw = src ? lines.flatMap((d) => d.args).join(' ') : DEFAULTS[key];
  if (raw === undefined)
    return { ...base, status: 'error', message: `${key} is not set and Mamori does not know nginx's default for it.` };
  const value = normalise(key, raw);
  if (typeof value !== 'string')
    return { ...base, status: 'error', current: raw, message: `${key} ${raw}: ${value.error}; nginx -t refuses it.` };
  const where = src
    ? ` (${lines.map((d) => `${d.file}:${d.line}`).join(', ')}${level === 'http' ? ', inherited from http' : ''})`
    : ' (built-in default)';
  const current = src ? value : `(default) ${value}`;
  const notes: string[] = [];
  let ok = satisfies(key, check.expect, value, src !== undefined, notes);
  if (key === 'server_tokens') {
    for (const loc of descendants(s.block)) {
      for (const d of own(loc, key)) {
        const v = normalise(key, d.args.join(' '));
        const good = typeof v === 'string' && satisfies(key, check.expect, v, true, []);
        if (!good) {
          ok = false;
          notes.push(`location ${loc.args.join(' ')} sets ${d.args.join(' ')} at ${d.file}:${d.line}.`);
        }
      }
    }
  }
  const message = [`${key} is ${value}${where}${ok ? '' : `; expected ${expected}`}.`, ...notes].join(' ');
  if (ok) return { ...base, status: 'pass', current, message };
  const fix = directiveFix(config, s, key, lines, check.fix);
  return typeof fix === 'string'
    ? { ...base, status: 'fail', current, message, unfixable: fix }
    : { ...base, status: 'fail', current, message, fix };
}

function descendants(level: Placed): Placed[] {
  const out: Placed[] = [];
  for (const d of level.block ?? [])
    if (d.block && (d.name === 'location' || d.name === 'if')) out.push(d, ...descendants(d));
  return out;
}

function normalise(key: string, raw: string): string | { error: string } {
  if (FLAGS.has(key) || key === 'server_tokens') {
    const v = raw.toLowerCase();
    const allowed = key === 'server_tokens' ? ['on', 'off', 'build'] : ['on', 'off'];
    return allowed.includes(v) ? v : { error: `"${raw}" is not ${allowed.join(' or ')}` };
  }
  if (key === 'ssl_protocols') {
    const set = new Set<string>();
    for (const p of raw.split(/\s+/).filter(Boolean)) {
      const canon = PROTOCOLS.find((q) => q.toLowerCase() === p.toLowerCase());
      if (!canon) return { error: `invalid value "${p}"` };
      set.add(canon);
    }
    return PROTOCOLS.filter((p) => set.has(p)).join(' ');
  }
  return raw;
}

function satisfies(key: string, expect: Expectation, value: string, set: boolean, notes: string[]): boolean {
  if ('present' in expect) return set;
  if ('equals' in expect) return value === normalise(key, expect.equals);
  if ('oneOf' in expect) return expect.oneOf.some((v) => value === normalise(key, v));
  if ('excludes' in expect) {
    if (key === 'ssl_ciphers') {
      return cipherStringPasses(value, expect.excludes, notes);
    }
    const items = value.split(/\s+/);
    return !items.some((i) => expect.excludes.some((e) => e.toLowerCase() === i.toLowerCase()));
  }
  if (!/^\d+$/.test(value)) return false;
  const n = Number(value);
  return (expect.min === undefined || n >= expect.min) && (expect.max === undefined || n <= expect.max);
}

function lineOf(config: NginxConfig, file: string, line: number): string {
  return config.files.get(file)?.split('\n')[line - 1]?.replace(/\r$/, '') ?? '';
}
const indentOf = (text: string): string => /^[ \t]*/.exec(text)![0];

/** Replaces a one-line directive's arguments, keeping indentation, spacing and a trailing comment. */
function replaceArgs(config: NginxConfig, d: Placed, value: string): LineEdit | string {
  if (d.endLine !== d.line || d.argsEnd < 0)
    return `${d.name} at ${d.file}:${d.line} spans several lines; edit it by hand`;
  const raw = lineOf(config, d.file, d.line);
  const sep = d.argsStart === d.argsEnd ? ' ' : '';
  return { kind: 'replace', line: d.line, text: raw.slice(0, d.argsStart) + sep + value + raw.slice(d.argsEnd) };
}

function directiveFix(
  config: NginxConfig,
  s: Server,
  key: string,
  lines: readonly Placed[],
  value: string,
): FileEdit[] | string {
  if (lines.length > 0) {
    const [first, ...rest] = lines;
    const e = replaceArgs(config, first!, /\s/.test(value) || key !== 'ssl_ciphers' ? value : value);
    if (typeof e === 'string') return e;
    const edits = new Map<string, LineEdit[]>([[first!.file, [e]]]);
    // further ssl_protocols lines of the level add their protocols: remove them
    for (const d of rest) edits.set(d.file, [...(edits.get(d.file) ?? []), { kind: 'delete', line: d.line }]);
    return [...edits].map(([path, es]) => ({ path, edits: es }));
  }
  if (key === 'server_tokens') return [httpInsert(config, s, key, `${key} ${value};`)];
  return [serverInsert(config, s, `${key} ${value};`)];
}

/** One line into the server, after its last `listen ... ssl` line (or its opening line), with that indentation. */
function serverInsert(config: NginxConfig, s: Server, text: string): FileEdit {
  const listen = own(s.block, 'listen')
    .filter((d) => d.file === s.block.file && d.args.slice(1).includes('ssl'))
    .at(-1);
  const anchor = listen ?? (s.block.block ?? []).find((d) => d.file === s.block.file);
  const indent = anchor
    ? indentOf(lineOf(config, anchor.file, anchor.line))
    : `${indentOf(lineOf(config, s.block.file, s.block.line))}\t`;
  const after = listen ? listen.endLine : s.block.endLine;
  return { path: s.block.file, edits: [{ kind: 'insert', before: after + 1, lines: [indent + text] }] };
}

/** One line into http: after its commented default (`# server_tokens off;`) unless a server follows it there. */
function httpInsert(config: NginxConfig, s: Server, key: string, text: string): FileEdit {
  const file = s.http.file;
  const all = (config.files.get(file) ?? '').split('\n');
  const first = (s.http.block ?? []).find((d) => d.file === file);
  const hintRe = new RegExp(`^\\s*#\\s*${key}\\b`);
  const serversHere = (s.http.block ?? []).filter((d) => d.name === 'server' && d.file === file).map((d) => d.line);
  for (let n = s.http.endLine + 1; n < (s.http.closeLine ?? 0); n++) {
    if (hintRe.test(all[n - 1] ?? '') && !serversHere.some((l) => l > n)) {
      return { path: file, edits: [{ kind: 'insert', before: n + 1, lines: [indentOf(all[n - 1]!) + text] }] };
    }
  }
  const indent = first ? indentOf(all[first.line - 1] ?? '') : '\t';
  return {
    path: file,
    edits: [{ kind: 'insert', before: s.http.closeLine ?? s.http.endLine + 1, lines: [indent + text] }],
  };
}

type Hsts = { readonly header?: Placed; readonly maxAge?: number; readonly always: boolean };

function hstsOf(headers: readonly Placed[]): Hsts {
  const h = headers.find((d) => d.args[0]?.toLowerCase() === HSTS);
  if (!h) return { always: false };
  const m = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(h.args[1] ?? '');
  return { header: h, ...(m ? { maxAge: Number(m[1]) } : {}), always: h.args[2] === 'always' };
}

function judgeHsts(config: NginxConfig, s: Server, check: CheckSpec): CheckResult {
  const expected = describe(check.expect);
  const serverOwn = own(s.block, 'add_header');
  const httpOwn = own(s.http, 'add_header');
  const serverSet = serverOwn.length ? serverOwn : httpOwn;
  const places: { where: string; level: Placed; ownHeaders: readonly Placed[]; hsts: Hsts }[] = [
    { where: 'the server', level: s.block, ownHeaders: serverOwn, hsts: hstsOf(serverSet) },
  ];
  for (const loc of descendants(s.block)) {
    const mine = own(loc, 'add_header');
    if (mine.length)
      places.push({
        where: `${loc.name} ${loc.args.join(' ')} (${loc.file}:${loc.line})`,
        level: loc,
        ownHeaders: mine,
        hsts: hstsOf(mine),
      });
  }
  const good = (h: Hsts): boolean =>
    h.maxAge !== undefined && satisfies('hsts', check.expect, String(h.maxAge), true, []);
  const main = places[0]!.hsts;
  const src = main.header;
  const base = { check, instance: s.instance, expected, ...(src ? { file: src.file, line: src.line } : {}) };
  const current =
    main.maxAge !== undefined ? String(main.maxAge) : src ? `(no max-age) ${src.args[1] ?? ''}` : '(not set)';
  const bad = places.filter((p) => !good(p.hsts));
  const notes = bad
    .filter((p) => p !== places[0])
    .map((p) =>
      p.hsts.header
        ? `${p.where} sends max-age=${p.hsts.maxAge ?? '?'}.`
        : `${p.where} has add_header lines of its own, so it drops the inherited Strict-Transport-Security header.`,
    );
  if (main.header && !main.always && good(main))
    notes.push('Without `always` the header is sent on 2xx/3xx responses only.');
  const head = src
    ? `Strict-Transport-Security max-age is ${main.maxAge ?? 'missing'} (${src.file}:${src.line}${serverOwn.length ? '' : ', inherited from http'})`
    : 'No Strict-Transport-Security header';
  if (bad.length === 0) return { ...base, status: 'pass', current, message: [`${head}.`, ...notes].join(' ') };
  const message = [`${head}; expected max-age ${expected}.`, ...notes].join(' ');
  const edits: FileEdit[] = [];
  const line = (indent: string): string =>
    `${indent}add_header Strict-Transport-Security "max-age=${check.fix}" always;`;
  for (const p of bad) {
    const h = p.hsts.header;
    if (h) {
      if (h.line !== h.endLine)
        return {
          ...base,
          status: 'fail',
          current,
          message,
          unfixable: `add_header at ${h.file}:${h.line} spans several lines`,
        };
      const raw = lineOf(config, h.file, h.line);
      const text = /max-age\s*=\s*"?\d+/i.test(raw)
        ? raw.replace(/(max-age\s*=\s*"?)\d+/i, `$1${check.fix}`)
        : undefined;
      if (text === undefined)
        return {
          ...base,
          status: 'fail',
          current,
          message,
          unfixable: `the header at ${h.file}:${h.line} has no max-age to edit`,
        };
      edits.push({ path: h.file, edits: [{ kind: 'replace', line: h.line, text }] });
    } else if (p !== places[0] || serverOwn.length) {
      const last = p.ownHeaders.filter((d) => d.file === p.ownHeaders[p.ownHeaders.length - 1]!.file).at(-1)!;
      edits.push({
        path: last.file,
        edits: [
          { kind: 'insert', before: last.endLine + 1, lines: [line(indentOf(lineOf(config, last.file, last.line)))] },
        ],
      });
    } else if (httpOwn.length) {
      // the server inherits http's headers: a line of its own would drop them; add HSTS beside them instead
      const last = httpOwn.at(-1)!;
      edits.push({
        path: last.file,
        edits: [
          { kind: 'insert', before: last.endLine + 1, lines: [line(indentOf(lineOf(config, last.file, last.line)))] },
        ],
      });
    } else {
      const ins = serverInsert(config, s, '');
      const e = ins.edits[0] as Extract<LineEdit, { kind: 'insert' }>;
      edits.push({ path: ins.path, edits: [{ ...e, lines: [line(e.lines[0]!)] }] });
    }
  }
  return { ...base, status: 'fail', current, message, fix: mergeEdits(edits) };
}

function mergeEdits(fixes: readonly FileEdit[]): FileEdit[] {
  const m = new Map<string, LineEdit[]>();
  for (const f of fixes) m.set(f.path, [...(m.get(f.path) ?? []), ...f.edits]);
  return [...m].map(([path, edits]) => ({ path, edits }));
}
