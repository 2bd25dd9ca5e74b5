// One string through every detector: collect spans, keep the best non-overlapping set, and write the masks.
import { type ScanContext, type Span, PRIO, add } from './context.ts';
import { type MaskTable, MASK_PATTERN, FORGED_PREFIX } from './masks.ts';
import { maskKey } from './checks.ts';
import { emailSpans, ibanSpans, numberSpans, profilePathSpans, uncSpans } from './personal.ts';
import { internalHostSpans, ipSpans } from './network.ts';
import { commandSpans, flagSpans, messageUserSpans, pairSpans, secretWordSpans, urlUserinfoSpans } from './pairs.ts';
import { authSchemeSpans, hashSpans, pemSpans, tokenSpans } from './secrets.ts';

/** Issued masks and defanged forgeries already in the text: nothing may overlap them. */
const MASK_OR_FORGED = new RegExp(`${MASK_PATTERN}|${FORGED_PREFIX}[a-z]{1,10}-\\d{1,9}>`, 'g');

/** A learned name appearing as a whole word: `WS01`, `ws01$`, `CONTOSO\bob` (the user after a known domain). */
const WORD_RE = /[A-Za-z0-9_$][A-Za-z0-9_.$-]*/g;
/** The same word shape, anchored (sticky) at a given position. */
const USER_AT = /[A-Za-z0-9_$][A-Za-z0-9_.$-]*/y;

function knownSpans(ctx: ScanContext, s: string, out: Span[]): void {
  if (ctx.known.size === 0) return;
  WORD_RE.lastIndex = 0;
  for (let m = WORD_RE.exec(s); m !== null; m = WORD_RE.exec(s)) {
    let w = m[0];
    const at = m.index;
    while (w.length > 0 && (w.endsWith('.') || w.endsWith('-'))) w = w.slice(0, -1);
    if (w.length < 3 || w.length > 253) continue;
    let lower = w.toLowerCase();
    let k = ctx.known.get(lower);
    if (k === undefined && lower.endsWith('$')) {
      lower = lower.slice(0, -1);
      w = w.slice(0, -1);
      k = ctx.known.get(lower);
    }
    if (k === undefined) continue;
    add(out, at, at + w.length, k.type, PRIO.known, k.key, k.original);
    // DOMAIN\user in free text: the name after a known domain is a user
    if (k.type === 'domain' && s.charCodeAt(at + w.length) === 0x5c) {
      let u = at + w.length + 1;
      if (s.charCodeAt(u) === 0x5c) u++;
      USER_AT.lastIndex = u;
      const um = USER_AT.exec(s);
      if (um !== null) {
        const name = um[0].replace(/[.-]+$/, '');
        if (!ctx.keepUsers.has(name.toLowerCase()) && !name.endsWith('$'))
          add(out, u, u + name.length, 'user', PRIO.known);
      }
    }
  }
}

/** Every detector's spans for `s`. Exposed for the detector tests; the redactor calls redactText. */
export function collectSpans(ctx: ScanContext, text: string): Span[] {
  const out: Span[] = [];
  let s = text;
  if (text.indexOf('<') >= 0) {
    MASK_OR_FORGED.lastIndex = 0;
    for (let m = MASK_OR_FORGED.exec(text); m !== null; m = MASK_OR_FORGED.exec(text))
      out.push({ start: m.index, end: m.index + m[0].length, prio: PRIO.keep, keep: true });
    // detectors see each mask as a word of the same length, as they saw the original it replaced: `<user-1>\Desktop`
    // must not become a UNC path on the second pass (idempotence). Spans inside it lose to the keep span.
    if (out.length > 0) s = text.replace(MASK_OR_FORGED, (m) => 'x'.repeat(m.length));
  }
  pemSpans(s, out);
  tokenSpans(s, out);
  hashSpans(ctx, s, out);
  authSchemeSpans(s, out);
  pairSpans(ctx, s, out);
  flagSpans(ctx, s, out);
  commandSpans(ctx, s, out);
  secretWordSpans(s, out);
  if (s.includes('@')) {
    urlUserinfoSpans(ctx, s, out);
    emailSpans(ctx, s, out);
  }
  numberSpans(s, out);
  ibanSpans(s, out);
  ipSpans(ctx, s, out);
  internalHostSpans(ctx, s, out);
  uncSpans(ctx, s, out);
  profilePathSpans(ctx, s, out);
  messageUserSpans(ctx, s, out);
  knownSpans(ctx, s, out);
  return out;
}

/**
 * The spans that win: a lower priority number first; within one priority the earlier, then the longer; a span
 * overlapping one already chosen is dropped. Returned in text order. One sort and one merge per priority level, so
 * a hostile line with 100 000 candidate spans costs O(k log k), not O(k²).
 */
export function resolveSpans(spans: Span[]): Span[] {
  if (spans.length <= 1) return spans;
  spans.sort((a, b) => a.prio - b.prio || a.start - b.start || b.end - a.end);
  let chosen: Span[] = [];
  let g = 0;
  while (g < spans.length) {
    const prio = spans[g]!.prio;
    const taken: Span[] = [];
    let p = 0;
    for (; g < spans.length && spans[g]!.prio === prio; g++) {
      const sp = spans[g]!;
      while (p < chosen.length && chosen[p]!.end <= sp.start) p++;
      if (p < chosen.length && chosen[p]!.start < sp.end) continue;
      const last = taken[taken.length - 1];
      if (last !== undefined && last.end > sp.start) continue;
      taken.push(sp);
    }
    if (taken.length === 0) continue;
    // merge two start-sorted, mutually disjoint lists
    const merged: Span[] = [];
    let a = 0;
    let b = 0;
    while (a < chosen.length || b < taken.length) {
      if (b >= taken.length || (a < chosen.length && chosen[a]!.start < taken[b]!.start)) merged.push(chosen[a++]!);
      else merged.push(taken[b++]!);
    }
    chosen = merged;
  }
  return chosen;
}

/** Writes the chosen spans into `s`: masks from the table, literal replacements, kept text. */
export function applySpans(table: MaskTable, s: string, spans: readonly Span[]): string {
  if (spans.length === 0) return s;
  let out = '';
  let pos = 0;
  for (const sp of spans) {
    if (sp.keep) continue;
    out += s.slice(pos, sp.start);
    if (sp.replace !== undefined) out += sp.replace;
    else {
      const original = sp.original ?? s.slice(sp.start, sp.end);
      out += table.mask(sp.type!, sp.key ?? maskKey(sp.type!, original), original);
    }
    pos = sp.end;
  }
  return out + s.slice(pos);
}

/** Runs every detector over `s` and writes the masks. */
export function redactText(ctx: ScanContext, table: MaskTable, s: string): string {
  const spans = collectSpans(ctx, s);
  return spans.length === 0 ? s : applySpans(table, s, resolveSpans(spans));
}
