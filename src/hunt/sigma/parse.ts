import { parseAllDocuments } from 'yaml';
import { isSeverity, type Severity } from '../../core/severity.ts';
import type { RuleIssue, SigmaDocument, SigmaRule } from './types.ts';

const strList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
const str = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : v instanceof Date
      ? v.toISOString().slice(0, 10)
      : v === undefined || v === null
        ? undefined
        : String(v);

/** Parses a YAML text holding one or more Sigma documents. Unusable documents become issues with the reason. */
export function parseSigmaText(text: string, path: string): { documents: SigmaDocument[]; issues: RuleIssue[] } {
  const documents: SigmaDocument[] = [];
  const issues: RuleIssue[] = [];
  // the YAML comes from outside: bound alias expansion (billion laughs)
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  let global: Record<string, unknown> = {};
  list.forEach((d, i) => {
    const where = list.length > 1 ? `${path}#${i + 1}` : path;
    if (d.errors.length) {
      const e = d.errors[0]!;
      issues.push({
        path: where,
        reason: `YAML error at line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`,
      });
      return;
    }
    let raw: unknown;
    try {
      raw = d.toJS({ maxAliasCount: 100 });
    } catch (err) {
      issues.push({ path: where, reason: `YAML error: ${(err as Error).message}` });
      return;
    }
    if (raw === null || raw === undefined) return;
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      issues.push({ path: where, reason: 'a Sigma document must be a map' });
      return;
    }
    let obj = raw as Record<string, unknown>;
    // legacy rule collections: `action: global` sets defaults for the following documents
    const action = obj['action'];
    if (action === 'global') {
      const { action: _a, ...rest } = obj;
      global = rest;
      return;
    }
    if (action === 'reset') {
      global = {};
      return;
    }
    obj = merge(global, obj);
    const title = str(obj['title']);
    const id = str(obj['id']);
    const name = str(obj['name']);
    const levelRaw = str(obj['level'])?.toLowerCase();
    const level: Severity = levelRaw && isSeverity(levelRaw) ? levelRaw : 'medium';
    const base = { ...(id ? { id } : {}), ...(name ? { name } : {}), path: where, raw: obj };
    if (!title) {
      issues.push({ path: where, ...(id ? { id } : {}), reason: 'missing title' });
      return;
    }
    if (obj['correlation'] !== undefined) {
      documents.push({ kind: 'correlation', ...base, title, level, tags: strList(obj['tags']) });
      return;
    }
    if (obj['filter'] !== undefined) {
      documents.push({ kind: 'filter', ...base, title });
      return;
    }
    const det = obj['detection'];
    const ls = obj['logsource'];
    if (!det || typeof det !== 'object' || Array.isArray(det)) {
      issues.push({ path: where, ...(id ? { id } : {}), title, reason: 'missing detection map' });
      return;
    }
    if (!('condition' in det)) {
      issues.push({ path: where, ...(id ? { id } : {}), title, reason: 'detection has no condition' });
      return;
    }
    if (!ls || typeof ls !== 'object' || Array.isArray(ls)) {
      issues.push({ path: where, ...(id ? { id } : {}), title, reason: 'missing logsource map' });
      return;
    }
    const l = ls as Record<string, unknown>;
    const logsource = Object.fromEntries(
      (['product', 'category', 'service', 'definition'] as const).flatMap((k) => (str(l[k]) ? [[k, str(l[k])!]] : [])),
    );
    const desc = str(obj['description']);
    const author = str(obj['author']);
    const status = str(obj['status']);
    const date = str(obj['date']);
    const modified = str(obj['modified']);
    const rule: SigmaRule = {
      kind: 'rule',
      ...base,
      title,
      ...(status ? { status } : {}),
      ...(desc ? { description: desc } : {}),
      ...(author ? { author } : {}),
      ...(date ? { date } : {}),
      ...(modified ? { modified } : {}),
      references: strList(obj['references']),
      tags: strList(obj['tags']),
      level,
      falsepositives: strList(obj['falsepositives']),
      fields: strList(obj['fields']),
      logsource,
      detection: det as Record<string, unknown>,
    };
    documents.push(rule);
  });
  return { documents, issues };
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const av = out[k];
    out[k] =
      av && v && typeof av === 'object' && typeof v === 'object' && !Array.isArray(av) && !Array.isArray(v)
        ? merge(av as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
