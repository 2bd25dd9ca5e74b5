// The redactor: a deep copy of a finding (or any JSON value) with every string masked, before it is sent to an
// external model. Threats it answers: secrets and personal data in evidence leaving the bank (a password typed on
// a command line, a customer's card number in a web log); hidden text steering the model (zero-width, bidi and tag
// characters); text that forges our own masks; and hostile shapes meant to crash or stall the step that guards
// the boundary (cycles, deep nesting, megabyte lines, broken UTF-16). It never throws for its input: a string it
// cannot process is replaced, never passed through (fail closed).
import type { z } from 'zod';
import type { Redactor } from '../analyst.ts';
import { looksLikeKeyMaterial, isCardNumber, isMyNumber, maskKey, parseCidr } from './checks.ts';
import {
  type Known,
  type ScanContext,
  type Span,
  domainValueSpans,
  hostValueSpans,
  userValueSpans,
} from './context.ts';
import { RedactError } from './errors.ts';
import { type NameKind, NOT_NAMES, WELL_KNOWN_USERS, fieldKind, isPlaceholderValue, normalizeName } from './fields.ts';
import { MASK_TYPES, type MaskMapping, type MaskType, MaskTable } from './masks.ts';
import { compileInternalHosts } from './network.ts';
import { authValueSpans, cookieSpans } from './pairs.ts';
import { RedactorOptions } from './schema.ts';
import { applySpans, redactText, resolveSpans } from './text.ts';
import { makeVisible } from './unicode.ts';

/** Options as the caller writes them (every field optional; see schema.ts for defaults). */
export type RedactorOptionsInput = z.input<typeof RedactorOptions>;

/** What was masked, for the audit record: counts only, never an original. */
export type RedactionReport = {
  /** Occurrences masked, per type. */
  readonly masked: Readonly<Record<MaskType, number>>;
  /** Distinct originals behind the masks, per type. */
  readonly distinct: Readonly<Record<MaskType, number>>;
  /** Invisible or control characters written visibly, and broken surrogates replaced. */
  readonly escapedCharacters: number;
  /** Mask-shaped text in the input that this redactor had not issued, rewritten as `<not-a-mask:...>`. */
  readonly forgedMasks: number;
  readonly truncatedStrings: number;
  readonly cycles: number;
  readonly depthLimited: number;
  /** Values that could not be read or processed and were replaced by a marker. */
  readonly failures: number;
};

/** A Redactor with the local-only extras: learning names ahead, the audit report, the mapping. */
export interface MaskingRedactor extends Redactor {
  /**
   * Learns user, host and domain names from the fields of `value` without masking anything, so that text redacted
   * afterwards masks them wherever they occur (call it with all findings of a run before sending the first).
   */
  learn(value: unknown): void;
  report(): RedactionReport;
  /** The mapping mask → original. It holds the originals: keep it local (store.ts writes it with mode 0600). */
  exportMapping(): MaskMapping;
}

const CYCLE = '[cycle]';
const DEPTH = '[depth limit]';
const UNREADABLE = '[unreadable]';
const FAILED = '[redaction failed]';
/** Strings up to this length are cached: field names and values repeat across events of one log. */
const CACHE_MAX_LEN = 256;
const CACHE_MAX_ENTRIES = 50_000;

type Stats = {
  escaped: number;
  forged: number;
  truncated: number;
  cycles: number;
  depth: number;
  failures: number;
};

type Cached = { readonly out: string; readonly types: readonly MaskType[] };

/**
 * Creates a redactor. Throws RedactError('OPTIONS_INVALID') for bad options; after that it never throws for
 * what it is given.
 */
export function createRedactor(options: RedactorOptionsInput = {}): MaskingRedactor {
  const parsed = RedactorOptions.safeParse(options);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new RedactError(
      'OPTIONS_INVALID',
      `redaction options: ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}; fix the option and retry`,
      { cause: parsed.error },
    );
  }
  const opts = parsed.data;
  const table = new MaskTable();
  if (opts.mapping !== undefined) {
    try {
      table.load(opts.mapping);
    } catch (e) {
      throw new RedactError('MAPPING_INVALID', `redaction mapping: ${(e as Error).message}`, { cause: e });
    }
  }
  const known = new Map<string, Known>();
  const keepUsers = new Set<string>(opts.maskWellKnownAccounts ? [] : WELL_KNOWN_USERS);
  for (const u of opts.keepUsers) keepUsers.add(u.toLowerCase());
  const base = {
    ips: opts.ips,
    internalNetworks: opts.internalNetworks.map((c) => parseCidr(c.trim())!),
    hosts: opts.hosts,
    hostFields: opts.hostFields,
    internalSuffixes: [...new Set(opts.internalDomains)],
    internalHostRe: opts.hosts ? compileInternalHosts(opts.internalDomains) : undefined,
    keepUsers,
    known,
  };
  const inner: ScanContext = { ...base, nested: undefined };
  const ctx: ScanContext = { ...base, nested: (text) => plain(inner, text) };
  const stats: Stats = { escaped: 0, forged: 0, truncated: 0, cycles: 0, depth: 0, failures: 0 };
  const cache = new Map<string, Map<string, Cached>>();
  let cacheSize = 0;
  const kinds = new Map<string, Map<string, NameKind | null>>();

  /** Visible, bounded, with forged masks defanged: the text every detector then sees. */
  function prepare(s: string): string {
    const vis = makeVisible(s);
    stats.escaped += vis.escaped;
    let t = vis.text;
    if (t.length > opts.maxStringLength) {
      // cut a little early so the marker keeps the result under the bound (and a second pass does not cut again),
      // and back to a space so no half secret (the first 30 characters of a key) is left at the cut
      let cut = opts.maxStringLength - 64;
      const sp = t.lastIndexOf(' ', cut);
      if (sp > cut - 256) cut = sp;
      t = `${t.slice(0, cut)} [truncated: ${t.length - cut} more characters]`;
      stats.truncated++;
    }
    const d = table.defangForged(t);
    stats.forged += d.forged;
    return d.text;
  }

  /** Free text through every detector. */
  function plain(c: ScanContext, s: string): string {
    return redactText(c, table, prepare(s));
  }

  /** One string value, with what its field name says about it. */
  function redactString(s: string, kind: NameKind | undefined): string {
    const t = prepare(s);
    switch (kind) {
      case 'secret':
        if (isPlaceholderValue(t) || isIssuedOnly(t)) return t;
        return table.mask('secret', t, t);
      case 'auth':
      case 'cookie': {
        if (t.includes('<')) break;
        const spans: Span[] = [];
        if (kind === 'auth') authValueSpans(t, 0, t.length, spans);
        else cookieSpans(t, 0, t.length, spans);
        // a cookie header without name=value pairs is one opaque secret
        if (spans.length === 0 && !isPlaceholderValue(t)) return table.mask('secret', t, t);
        return applySpans(table, t, resolveSpans(spans));
      }
      case 'keyish':
        if (looksLikeKeyMaterial(t)) return table.mask('secret', t, t);
        break;
      case 'user':
      case 'host':
      case 'machine':
      case 'domain': {
        if (t.includes('<')) break; // already masked, or odd: scan as text
        const spans: Span[] = [];
        const ok =
          kind === 'user'
            ? userValueSpans(ctx, t, 0, t.length, spans)
            : kind === 'domain'
              ? domainValueSpans(ctx, t, 0, t.length, spans, true)
              : hostValueSpans(ctx, t, 0, t.length, ctx.hostFields, spans, kind === 'machine');
        if (ok) return applySpans(table, t, resolveSpans(spans));
        break;
      }
      default:
        break;
    }
    return redactText(ctx, table, t);
  }

  function isIssuedOnly(t: string): boolean {
    return t.length <= 24 && t.startsWith('<') && table.issued(t);
  }

  /** Cached redaction of a short string (most field names and many values repeat in every event). */
  function cachedString(s: string, kind: NameKind | undefined): string {
    if (s.length > CACHE_MAX_LEN) return redactString(s, kind);
    const k = kind ?? '';
    let byKind = cache.get(k);
    if (byKind === undefined) cache.set(k, (byKind = new Map()));
    const hit = byKind.get(s);
    if (hit !== undefined) {
      for (const t of hit.types) table.count(t);
      return hit.out;
    }
    const escaped = stats.escaped;
    const forged = stats.forged;
    const types: MaskType[] = [];
    table.recording = types;
    let out: string;
    try {
      out = redactString(s, kind);
    } finally {
      table.recording = undefined;
    }
    // a string with escapes or forgeries is not cached: the report counts each occurrence of those
    if (stats.escaped === escaped && stats.forged === forged) {
      if (++cacheSize > CACHE_MAX_ENTRIES) {
        cache.clear();
        cacheSize = 0;
      } else byKind.set(s, { out, types });
    }
    return out;
  }

  /** The kind of a field, by key and parent key; cached, since the same few hundred keys recur. */
  function kindOf(k: string, parent: string | undefined): NameKind | undefined {
    const p = parent ?? '';
    let m = kinds.get(p);
    if (m === undefined) kinds.set(p, (m = new Map()));
    let r = m.get(k);
    if (r === undefined) {
      r = fieldKind(k, parent) ?? null;
      if (m.size < 10_000) m.set(k, r);
    }
    return r ?? undefined;
  }

  function redactNumber(v: number, kind: NameKind | undefined, key: string | undefined): unknown {
    if (kind === 'secret' || kind === 'auth' || kind === 'cookie') return table.mask('secret', String(v), String(v));
    if (!Number.isSafeInteger(v) || v < 1e11) return v;
    // a card or My Number stored as a JSON number; not an id field (record ids, account ids are ids)
    if (key !== undefined && normalizeName(key).endsWith('id')) return v;
    const digits = String(v);
    if (isCardNumber(digits)) return table.mask('card', digits, digits);
    if (isMyNumber(digits)) return table.mask('mynumber', digits, digits);
    return v;
  }

  function walk(
    v: unknown,
    kind: NameKind | undefined,
    key: string | undefined,
    depth: number,
    stack: Set<object>,
  ): unknown {
    switch (typeof v) {
      case 'string':
        try {
          return cachedString(v, kind);
        } catch {
          stats.failures++;
          return FAILED;
        }
      case 'number':
        return redactNumber(v, kind, key);
      case 'bigint':
        return walk(v.toString(), kind, key, depth, stack);
      case 'boolean':
      case 'undefined':
        return v;
      case 'symbol':
      case 'function':
        return undefined;
    }
    if (v === null) return null;
    const obj = v as object;
    if (stack.has(obj)) {
      stats.cycles++;
      return CYCLE;
    }
    if (depth >= opts.maxDepth) {
      stats.depth++;
      return DEPTH;
    }
    stack.add(obj);
    try {
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        const j: unknown = toJSON.call(obj);
        if (j !== obj) return walk(j, kind, key, depth + 1, stack);
      }
      if (Array.isArray(obj)) {
        const out: unknown[] = new Array<unknown>(obj.length);
        for (let i = 0; i < obj.length; i++) out[i] = walk(obj[i], kind, key, depth + 1, stack);
        return out;
      }
      const src = obj as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const assetHost = key === 'asset' && safeGet(src, 'kind') === 'host';
      for (const k of Object.keys(src)) {
        const child =
          kind === 'secret' || kind === 'auth' || kind === 'cookie'
            ? 'secret'
            : assetHost && k === 'name'
              ? 'machine'
              : kindOf(k, key);
        const value = walk(safeGet(src, k), child, k, depth + 1, stack);
        if (value === undefined) continue;
        const nk = redactKey(k);
        // defineProperty: a key "__proto__" from a hostile JSON must stay a key, not replace the prototype
        Object.defineProperty(out, nk, { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    } catch {
      stats.failures++;
      return UNREADABLE;
    } finally {
      stack.delete(obj);
    }
  }

  function safeGet(o: Record<string, unknown>, k: string): unknown {
    try {
      return o[k];
    } catch {
      stats.failures++;
      return UNREADABLE;
    }
  }

  /** Keys are kept unless they themselves are secret or personal (a dictionary keyed by tokens or addresses). */
  function redactKey(k: string): string {
    try {
      return cachedString(k, undefined);
    } catch {
      stats.failures++;
      return FAILED;
    }
  }

  // ---- learning ----

  function learnFrom(kind: NameKind, s: string): void {
    const t = makeVisible(s).text; // not prepare(): learning counts nothing, redact() counts once
    if (t.includes('<') || t.length > 256) return;
    const spans: Span[] = [];
    if (kind === 'user') userValueSpans(ctx, t, 0, t.length, spans);
    else if (kind === 'host' || kind === 'machine')
      hostValueSpans(ctx, t, 0, t.length, ctx.hostFields, spans, kind === 'machine');
    else domainValueSpans(ctx, t, 0, t.length, spans, true);
    for (const sp of spans) {
      if (sp.type !== 'user' && sp.type !== 'host' && sp.type !== 'domain') continue;
      if (sp.key !== undefined) continue; // already learned (an alias)
      const original = t.slice(sp.start, sp.end);
      remember(sp.type, original, maskKey(sp.type, original));
      const dot = original.indexOf('.');
      // an internal FQDN's first label is how Windows names the machine: WS01 shares WS01.corp.example.jp's mask
      if (sp.type === 'host' && dot > 0) remember('host', original.slice(0, dot), maskKey('host', original), original);
    }
  }

  function remember(type: Known['type'], text: string, key: string, original = text): void {
    const lower = text.toLowerCase();
    if (lower.length < 3 || /^\d+$/.test(lower) || known.has(lower) || NOT_NAMES.has(lower)) return;
    if (type === 'user' && keepUsers.has(lower)) return;
    known.set(lower, { type, key, original });
    cache.clear(); // cached results did not know this name
    cacheSize = 0;
  }

  function learnWalk(
    v: unknown,
    kind: NameKind | undefined,
    key: string | undefined,
    depth: number,
    stack: Set<object>,
  ): void {
    if (typeof v === 'string') {
      if (opts.learnNames && (kind === 'user' || kind === 'host' || kind === 'machine' || kind === 'domain'))
        learnFrom(kind, v);
      return;
    }
    if (typeof v !== 'object' || v === null || depth >= opts.maxDepth || stack.has(v)) return;
    stack.add(v);
    try {
      if (Array.isArray(v)) {
        for (const x of v) learnWalk(x, kind, key, depth + 1, stack);
        return;
      }
      const src = v as Record<string, unknown>;
      const assetHost = key === 'asset' && src['kind'] === 'host';
      for (const k of Object.keys(src)) {
        const child = assetHost && k === 'name' ? 'machine' : kindOf(k, key);
        learnWalk(src[k], child, k, depth + 1, stack);
      }
    } catch {
      // a value we cannot read teaches nothing; redact() will replace it
    } finally {
      stack.delete(v);
    }
  }

  function learn(value: unknown): void {
    learnWalk(value, undefined, undefined, 0, new Set());
  }

  return {
    redact<T>(value: T): T {
      learn(value);
      return walk(value, undefined, undefined, 0, new Set()) as T;
    },
    restore(text: string): string {
      return typeof text === 'string' ? table.restore(text) : text;
    },
    learn,
    report(): RedactionReport {
      const masked = {} as Record<MaskType, number>;
      const distinct = {} as Record<MaskType, number>;
      const d = table.distinct();
      for (const t of MASK_TYPES) {
        masked[t] = table.occurrences.get(t) ?? 0;
        distinct[t] = d.get(t) ?? 0;
      }
      return {
        masked,
        distinct,
        escapedCharacters: stats.escaped,
        forgedMasks: stats.forged,
        truncatedStrings: stats.truncated,
        cycles: stats.cycles,
        depthLimited: stats.depth,
        failures: stats.failures,
      };
    },
    exportMapping(): MaskMapping {
      return table.export();
    },
  };
}
