// OpenVEX documents (github.com/openvex/spec, v0.2.0; v0.0.1's string forms of `vulnerability`, `products`
// and `subcomponents` are read too) → VexRules, one per statement.
//
// What is refused, with an issue naming the statement, rather than applied (a statement that is not applied
// suppresses nothing, so refusing fails closed):
// - a statement that does not validate (unknown `status` or `justification` label, wrong types);
// - `not_affected` without a `justification` or an `impact_statement`: the spec says such a statement is invalid;
// - a statement without `products` (we have no encapsulating document to inherit them from), or whose products
//   have no purl we can match (`@id` or `identifiers.purl`);
// - a `timestamp` or `mamori_expires` that is not a date.
//
// Expiry: OpenVEX has none, so a statement may carry the extension field `mamori_expires` (`YYYY-MM-DD`, or an
// RFC 3339 timestamp). JSON-LD processors ignore unknown terms, so the document stays valid OpenVEX; the
// field is not `action_statement_timestamp`, which says when the action statement was issued, not until when
// the statement holds.
import { keyLines, keyPath, parseJson } from '../inventory/json.ts';
import { parseFileTime } from './dates.ts';
import { IssueList } from './issues.ts';
import { purlSelector, type PurlSelector } from './purl-match.ts';
import { OpenVexStatement, zodMessage, type OpenVexComponent } from './schema.ts';
import type { ParsedIgnoreFile, VexProduct, VexRule } from './types.ts';

const CONTEXT = 'https://openvex.dev/ns';
const KNOWN_CONTEXTS = new Set([CONTEXT, `${CONTEXT}/v0.2.0`, `${CONTEXT}/v0.0.2`, `${CONTEXT}/v0.0.1`]);
// statements beyond this are a hostile or broken document
const MAX_STATEMENTS = 100_000;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The purl that identifies a component: `identifiers.purl`, else an `@id` that is a purl. */
function componentPurl(c: OpenVexComponent): string | undefined {
  if (typeof c === 'string') return c.startsWith('pkg:') ? c : undefined;
  if (c.identifiers?.purl !== undefined) return c.identifiers.purl;
  return c['@id']?.startsWith('pkg:') ? c['@id'] : undefined;
}

function componentName(c: OpenVexComponent): string {
  return JSON.stringify((typeof c === 'string' ? c : (c['@id'] ?? c.identifiers?.purl ?? '?')).slice(0, 200));
}

/** Parses an OpenVEX JSON document. Never throws. */
export function parseOpenVex(text: string, path: string): ParsedIgnoreFile {
  const issues = new IssueList(path);
  const done = (rules: VexRule[] = []): ParsedIgnoreFile => ({ format: 'openvex', rules, issues: issues.result() });
  const r = parseJson(text);
  if (!r.ok) {
    issues.add(r.message, r.line === undefined ? {} : { line: r.line });
    return done();
  }
  const doc = r.value;
  if (!isRecord(doc)) {
    issues.add('not an OpenVEX document: the top level is not an object');
    return done();
  }
  const context = doc['@context'];
  if (typeof context !== 'string' || !context.startsWith(CONTEXT)) {
    issues.add(`not an OpenVEX document: "@context" is not ${CONTEXT}/v0.2.0`);
    return done();
  }
  if (!KNOWN_CONTEXTS.has(context))
    issues.add(
      `"@context" ${JSON.stringify(context.slice(0, 100))} is not a version this reader knows; read as v0.2.0`,
    );
  let docTime: number | undefined;
  if (typeof doc['timestamp'] === 'string') {
    const t = parseFileTime(doc['timestamp']);
    if (t === undefined)
      issues.add(`document timestamp ${JSON.stringify(doc['timestamp'].slice(0, 64))} is not a date`);
    else docTime = t.ms;
  } else {
    issues.add('the document has no timestamp (the spec requires one): statements are ordered by position');
  }
  const statements = doc['statements'];
  if (!Array.isArray(statements)) {
    issues.add('"statements" is not a list: nothing to apply');
    return done();
  }
  if (statements.length > MAX_STATEMENTS) {
    issues.add(`more than ${MAX_STATEMENTS} statements: none applied`);
    return done();
  }
  const lines = keyLines(text, 2, new Set(['statements']));
  const rules: VexRule[] = [];
  statements.forEach((raw: unknown, i) => {
    const n = i + 1;
    const line = lines.get(keyPath('statements', i));
    const where = line === undefined ? { statement: n } : { statement: n, line };
    const refuse = (why: string): void => issues.add(`statement ${n}: ${why}; not applied`, where);
    const p = OpenVexStatement.safeParse(raw);
    if (!p.success) return refuse(zodMessage(p.error));
    const s = p.data;
    const ids =
      typeof s.vulnerability === 'string'
        ? [s.vulnerability]
        : [...new Set([s.vulnerability.name, ...(s.vulnerability.aliases ?? [])])];
    const impact = s.impact_statement?.trim() || undefined;
    if (s.status === 'not_affected' && s.justification === undefined && impact === undefined)
      return refuse('not_affected needs a justification or an impact_statement (OpenVEX spec)');
    if (s.status === 'affected' && !s.action_statement?.trim())
      issues.add(`statement ${n}: affected without an action_statement (the spec requires one)`, where);
    let time = docTime;
    if (s.timestamp !== undefined) {
      const t = parseFileTime(s.timestamp);
      if (t === undefined) return refuse(`timestamp ${JSON.stringify(s.timestamp)} is not a date`);
      time = t.ms;
    }
    let expires: { text: string; ms: number } | undefined;
    if (s.mamori_expires !== undefined) {
      expires = parseFileTime(s.mamori_expires);
      if (expires === undefined)
        return refuse(`mamori_expires ${JSON.stringify(s.mamori_expires)} is not a date (YYYY-MM-DD)`);
    }
    if (s.products === undefined || s.products.length === 0)
      return refuse('no products: there is nothing to match it to');
    const products: VexProduct[] = [];
    const selector = (c: OpenVexComponent, what: string): PurlSelector | undefined => {
      const text = componentPurl(c);
      if (text === undefined) {
        issues.add(`statement ${n}: ${what} ${componentName(c)} has no purl; it matches nothing`, where);
        return undefined;
      }
      const sel = purlSelector(text);
      if (!sel.ok) {
        issues.add(
          `statement ${n}: ${what} purl ${JSON.stringify(text.slice(0, 200))} is invalid (${sel.reason})`,
          where,
        );
        return undefined;
      }
      return sel.selector;
    };
    for (const prod of s.products) {
      const sel = selector(prod, 'product');
      if (sel === undefined) continue;
      const subs = typeof prod === 'string' ? [] : (prod.subcomponents ?? []);
      const subcomponents = subs.flatMap((c) => selector(c, 'subcomponent') ?? []);
      // a product whose subcomponents were all unreadable would otherwise widen to the product alone: drop it
      if (subs.length > 0 && subcomponents.length === 0) continue;
      products.push({ selector: sel, subcomponents });
    }
    if (products.length === 0) return refuse('no product with a usable purl');
    rules.push({
      kind: 'vex',
      source: `${path}#statement-${n}`,
      ...(line !== undefined ? { line } : {}),
      ids,
      products,
      status: s.status,
      ...(s.justification !== undefined ? { justification: s.justification } : {}),
      ...(impact !== undefined ? { impactStatement: impact } : {}),
      ...(s.action_statement?.trim() ? { actionStatement: s.action_statement.trim() } : {}),
      ...(s.status_notes?.trim() ? { statusNotes: s.status_notes.trim() } : {}),
      ...(time !== undefined ? { time } : {}),
      ...(expires !== undefined ? { expires: expires.text, expiresAt: expires.ms } : {}),
    });
  });
  return done(rules);
}
