// OpenSSL cipher strings (nginx ssl_ciphers, Apache SSLCipherSuite) resolved to the TLS 1.2-and-older suites
// they select, as SSL_CTX_set_cipher_list does: `:`/`,`/blank separated terms, `A+B` the intersection, a bare
// term adds, `-` removes, `!` removes for good, `+` reorders, `@...` (STRENGTH, SECLEVEL) ignored. Aliases
// are OpenSSL 3.0's (Debian 12), generated into openssl-data.ts; RC4, 3DES, DES and export suites no longer
// exist there, but a string naming one explicitly may run against an older OpenSSL: such names count.
// Security-level filtering is not applied (the string is judged for what it asks for).
import { OPENSSL_ALIASES, OPENSSL_SUITES } from './openssl-data.ts';

/** Suites OpenSSL 3 dropped, with the families an exclusion list names them by. */
const LEGACY: Readonly<Record<string, readonly string[]>> = {
  'RC4-SHA': ['RC4', 'kRSA', 'RSA', 'SHA1', 'SHA', 'MEDIUM'],
  'RC4-MD5': ['RC4', 'kRSA', 'RSA', 'MD5', 'MEDIUM'],
  'ECDHE-RSA-RC4-SHA': ['RC4', 'kECDHE', 'ECDHE', 'aRSA', 'SHA1', 'SHA', 'MEDIUM'],
  'ECDHE-ECDSA-RC4-SHA': ['RC4', 'kECDHE', 'ECDHE', 'aECDSA', 'SHA1', 'SHA', 'MEDIUM'],
  'DES-CBC3-SHA': ['3DES', 'kRSA', 'RSA', 'SHA1', 'SHA', 'CBC', 'MEDIUM'],
  'ECDHE-RSA-DES-CBC3-SHA': ['3DES', 'kECDHE', 'ECDHE', 'aRSA', 'SHA1', 'SHA', 'CBC', 'MEDIUM'],
  'ECDHE-ECDSA-DES-CBC3-SHA': ['3DES', 'kECDHE', 'ECDHE', 'aECDSA', 'SHA1', 'SHA', 'CBC', 'MEDIUM'],
  'EDH-RSA-DES-CBC3-SHA': ['3DES', 'kDHE', 'DHE', 'EDH', 'aRSA', 'SHA1', 'SHA', 'CBC', 'MEDIUM'],
  'DES-CBC-SHA': ['DES', 'kRSA', 'RSA', 'SHA1', 'SHA', 'CBC', 'LOW'],
  'EXP-RC4-MD5': ['EXP', 'EXPORT', 'RC4', 'kRSA', 'MD5'],
  'EXP-DES-CBC-SHA': ['EXP', 'EXPORT', 'DES', 'kRSA', 'SHA1', 'CBC'],
};

let aliasSets: Map<string, ReadonlySet<string>> | undefined;
function aliases(): Map<string, ReadonlySet<string>> {
  if (aliasSets) return aliasSets;
  const m = new Map<string, Set<string>>();
  for (const [name, idx] of Object.entries(OPENSSL_ALIASES))
    m.set(name, new Set(idx.split(' ').map((i) => OPENSSL_SUITES[Number(i)]!)));
  for (const [suite, fams] of Object.entries(LEGACY))
    for (const f of fams) {
      const s = m.get(f) ?? new Set<string>();
      s.add(suite);
      m.set(f, s);
    }
  aliasSets = m;
  return m;
}
const SUITES = new Set([...OPENSSL_SUITES, ...Object.keys(LEGACY)]);

/** The suites one term (`HIGH`, `ECDHE+AESGCM`, `AES128-SHA`) selects; undefined when a part is unknown. */
export function termSuites(term: string): ReadonlySet<string> | undefined {
  let acc: Set<string> | undefined;
  for (const part of term.split('+')) {
    const set = aliases().get(part) ?? (SUITES.has(part) ? new Set([part]) : undefined);
    if (set === undefined) return undefined;
    acc = acc === undefined ? new Set(set) : new Set([...acc].filter((s) => set.has(s)));
  }
  return acc ?? new Set();
}

export type CipherSelection = { readonly suites: readonly string[]; readonly unknown: readonly string[] };

/** The suites a cipher string selects, in OpenSSL's order of addition, and the terms it does not know. */
export function resolveCipherString(spec: string): CipherSelection {
  const selected: string[] = [];
  const banned = new Set<string>();
  const unknown: string[] = [];
  for (const raw of spec.split(/[:, ]+/)) {
    if (raw === '' || raw.startsWith('@')) continue;
    const op = '!-+'.includes(raw[0]!) ? raw[0]! : '';
    const body = op === '' ? raw : raw.slice(1);
    // TLS 1.3 suites are configured elsewhere (ssl_conf_command Ciphersuites / SSLCipherSuite TLSv1.3)
    if (body.startsWith('TLS_')) continue;
    const set = termSuites(body);
    if (set === undefined) {
      unknown.push(raw);
      continue;
    }
    if (op === '') {
      for (const s of OPENSSL_SUITES.concat(Object.keys(LEGACY)))
        if (set.has(s) && !banned.has(s) && !selected.includes(s)) selected.push(s);
    } else if (op === '-' || op === '!') {
      for (let i = selected.length - 1; i >= 0; i--) if (set.has(selected[i]!)) selected.splice(i, 1);
      if (op === '!') for (const s of set) banned.add(s);
    }
  }
  return { suites: selected, unknown };
}

/** The selected suites that belong to one of the excluded families or names. */
export function excludedSuites(sel: CipherSelection, excludes: readonly string[]): string[] {
  const sets = excludes.map((e) => termSuites(e) ?? new Set<string>());
  return sel.suites.filter((s) => sets.some((set) => set.has(s)));
}

/**
 * Whether an OpenSSL cipher string (nginx ssl_ciphers, Apache SSLCipherSuite) selects no excluded suite, with
 * what it selects wrong in `notes`. A term OpenSSL does not know, or a string selecting nothing, fails: closed.
 */
export function cipherStringPasses(value: string, excludes: readonly string[], notes: string[]): boolean {
  const sel = resolveCipherString(value);
  const bad = excludedSuites(sel, excludes);
  if (sel.unknown.length) notes.push(`OpenSSL does not know ${sel.unknown.join(', ')}.`);
  if (bad.length)
    notes.push(
      `It selects ${bad.length} excluded suite${bad.length > 1 ? 's' : ''}: ${bad.slice(0, 6).join(', ')}${bad.length > 6 ? ', ...' : ''}.`,
    );
  if (sel.suites.length === 0) notes.push('It selects no TLS 1.2 suite.');
  return bad.length === 0 && sel.unknown.length === 0 && sel.suites.length > 0;
}
