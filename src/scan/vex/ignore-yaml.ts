// The YAML ignore file, in the form of Trivy's .trivyignore.yaml:
//
//   vulnerabilities:
//     - id: CVE-2022-40897          # or a GHSA/OSV id: matched against the finding's id and aliases
//       purls: [pkg:pypi/setuptools] # optional: only these packages (a version, qualifiers narrow it)
//       paths: ["**/requirements.txt"] # optional: globs over the package's location
//       statement: not reachable from our code   # required: the reason, shown with the suppression
//       expired_at: 2025-06-30       # optional (`expires` is accepted too): the entry stops applying that day
//       status: accepted             # optional: not_affected | fixed | false_positive | accepted (default)
//
// As in Trivy, `id` may be left out when `purls` or `paths` say what is ignored (every vulnerability there).
// Unlike Trivy, `statement` is required, and an entry with an unknown key is refused (a misspelt `path:`
// would otherwise ignore the id everywhere). `misconfigurations`, `secrets` and `licenses` sections are
// Trivy's and are skipped. Each refused entry is an issue with its line; the others still apply.
import { isMap, isNode, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { parseFileTime, type FileTime } from './dates.ts';
import { compileGlob, type Glob } from './glob.ts';
import { IssueList } from './issues.ts';
import { purlSelector, type PurlSelector } from './purl-match.ts';
import { YamlIgnoreEntry, zodMessage } from './schema.ts';
import type { IgnoreEntry, ParsedIgnoreFile } from './types.ts';

const TRIVY_SECTIONS = new Set(['misconfigurations', 'secrets', 'licenses']);
const MAX_ENTRIES = 100_000;

function dateOf(v: string | Date): FileTime | undefined {
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return undefined;
    return { ms: v.getTime(), text: v.toISOString().slice(0, 10) };
  }
  return parseFileTime(v);
}

/** Parses a .trivyignore.yaml-style document. Never throws. */
export function parseIgnoreYaml(text: string, path: string): ParsedIgnoreFile {
  const issues = new IssueList(path);
  const done = (rules: IgnoreEntry[] = []): ParsedIgnoreFile => ({ format: 'yaml', rules, issues: issues.result() });
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  let value: unknown;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const err = doc.errors[0];
    if (err !== undefined) {
      const line = lineCounter.linePos(err.pos[0]).line;
      issues.add(`invalid YAML: ${err.message.split('\n')[0]?.slice(0, 200) ?? ''}`, { line });
      return done();
    }
    // aliases expand: bound them (a billion-laughs document)
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    issues.add(`invalid YAML: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`);
    return done();
  }
  if (value === null || value === undefined) return done();
  if (typeof value !== 'object' || Array.isArray(value) || !isMap(doc.contents)) {
    issues.add('not an ignore file: expected a mapping with a "vulnerabilities" list');
    return done();
  }
  const top = value as Record<string, unknown>;
  for (const k of Object.keys(top)) {
    if (k !== 'vulnerabilities' && !TRIVY_SECTIONS.has(k)) issues.add(`unknown section ${JSON.stringify(k)} ignored`);
  }
  const list = top['vulnerabilities'];
  if (list === undefined || list === null) return done();
  const node = doc.get('vulnerabilities', true);
  if (!Array.isArray(list) || !isSeq(node)) {
    issues.add('"vulnerabilities" is not a list');
    return done();
  }
  if (list.length > MAX_ENTRIES) {
    issues.add(`more than ${MAX_ENTRIES} entries: none applied`);
    return done();
  }
  const rules: IgnoreEntry[] = [];
  list.forEach((raw: unknown, i) => {
    const item = node.items[i];
    const offset = isNode(item) ? item.range?.[0] : undefined;
    const line = offset === undefined ? 1 : lineCounter.linePos(offset).line;
    const refuse = (why: string): void => issues.add(`vulnerabilities[${i}]: ${why}; not applied`, { line });
    const p = YamlIgnoreEntry.safeParse(raw);
    if (!p.success) return refuse(zodMessage(p.error));
    const e = p.data;
    if (e.id === undefined && !e.purls?.length && !e.paths?.length)
      return refuse('no id, purls or paths: it would ignore every vulnerability');
    let expires: FileTime | undefined;
    for (const [key, v] of [
      ['expired_at', e.expired_at],
      ['expires', e.expires],
    ] as const) {
      if (v === undefined) continue;
      const t = dateOf(v);
      if (t === undefined) return refuse(`${key} ${JSON.stringify(String(v))} is not a date (YYYY-MM-DD)`);
      // both given: the earlier one holds
      if (expires === undefined || t.ms < expires.ms) expires = t;
    }
    const purls: PurlSelector[] = [];
    for (const text of e.purls ?? []) {
      const s = purlSelector(text);
      if (!s.ok) return refuse(`purl ${JSON.stringify(text.slice(0, 200))} is invalid (${s.reason})`);
      purls.push(s.selector);
    }
    const paths: Glob[] = (e.paths ?? []).map(compileGlob);
    rules.push({
      kind: 'ignore',
      format: 'yaml',
      source: `${path}:${line}`,
      line,
      ...(e.id !== undefined ? { id: e.id } : {}),
      purls,
      paths,
      status: e.status ?? 'accepted',
      reason: e.statement,
      ...(expires !== undefined ? { expires: expires.text, expiresAt: expires.ms } : {}),
    });
  });
  return done(rules);
}
