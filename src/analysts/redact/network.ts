// Addresses and internal host names in free text. IPv4 and IPv6 follow the address policy (private only by
// default: a public attacker address is threat intelligence the model needs); host names are masked under the
// configured internal suffixes; public names (microsoft.com) are kept.
import { parseIPv6 } from './checks.ts';
import { PRIO, type ScanContext, type Span, add, internalSuffixOf, ipMasked } from './context.ts';

/** A dotted quad at a boundary; not a piece of a longer dotted number (a version like 10.0.19041.1). */
const IPV4_RE = /(?<![0-9A-Za-z.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9]|\.[0-9])/g;
/**
 * An IPv6 candidate: hex and colons (and a trailing dotted quad) at a boundary, at most 45 characters. Validated
 * by the parser, so times (07:42:01), MAC addresses and `Class::Method` are not taken.
 */
const IPV6_RE = /(?<![0-9A-Za-z_:.])[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{1,44}/g;

export function ipSpans(ctx: ScanContext, s: string, out: Span[]): void {
  if (ctx.ips === 'none') return;
  if (s.includes('.')) {
    IPV4_RE.lastIndex = 0;
    for (let m = IPV4_RE.exec(s); m !== null; m = IPV4_RE.exec(s))
      if (ipMasked(ctx, m[0])) add(out, m.index, m.index + m[0].length, 'ip', PRIO.ip);
  }
  if (s.includes(':')) {
    IPV6_RE.lastIndex = 0;
    for (let m = IPV6_RE.exec(s); m !== null; m = IPV6_RE.exec(s)) {
      let t = m[0];
      // a trailing colon or dot is punctuation ("from fe80::1: ...")
      while (t.length > 2 && (t.endsWith('.') || (t.endsWith(':') && !t.endsWith('::')))) t = t.slice(0, -1);
      const after = s.charCodeAt(m.index + t.length);
      const glued = (after >= 48 && after <= 57) || (after >= 65 && after <= 90) || (after >= 97 && after <= 122);
      if (glued || (t.match(/:/g)?.length ?? 0) < 2 || parseIPv6(t) === undefined) continue;
      if (ipMasked(ctx, t)) add(out, m.index, m.index + t.length, 'ip', PRIO.ip);
    }
  }
}

/** Names under the internal suffixes, compiled once: `(?:label.)*(?:corp\.example\.jp|...)` at a boundary. */
export function compileInternalHosts(suffixes: readonly string[]): RegExp | undefined {
  if (suffixes.length === 0) return undefined;
  const alt = [...suffixes]
    .sort((a, b) => b.length - a.length)
    .map((x) => x.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))
    .join('|');
  // labels exclude the dot, so the repetition is unambiguous and a failed match backs off label by label
  return new RegExp(
    `(?<![A-Za-z0-9_.-])(?:[A-Za-z0-9_][A-Za-z0-9_-]{0,62}\\.)*(?:${alt})(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`,
    'gi',
  );
}

export function internalHostSpans(ctx: ScanContext, s: string, out: Span[]): void {
  const re = ctx.internalHostRe;
  if (re === undefined || !ctx.hosts || !s.includes('.')) return;
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const name = m[0].toLowerCase();
    const type = internalSuffixOf(ctx, name) === name ? 'domain' : 'host';
    add(out, m.index, m.index + m[0].length, type, PRIO.host);
  }
}
