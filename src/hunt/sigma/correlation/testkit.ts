// Helpers for the correlation tests: build documents and matches directly (no dependency on the base engine).
import { parse as parseYaml } from 'yaml';
import { isSeverity } from '../../../core/severity.ts';
import type { SigmaCorrelationDoc } from '../types.ts';
import { parseCorrelation } from './parse.ts';
import type { BaseMatch, CompiledCorrelation } from './types.ts';

/** A SigmaCorrelationDoc as the base engine would produce it from one YAML document. */
export function docFrom(text: string, path = 'test.yml'): SigmaCorrelationDoc {
  const raw = parseYaml(text) as Record<string, unknown>;
  const level = typeof raw['level'] === 'string' && isSeverity(raw['level']) ? raw['level'] : 'medium';
  return {
    kind: 'correlation',
    ...(typeof raw['id'] === 'string' ? { id: raw['id'] } : {}),
    ...(typeof raw['name'] === 'string' ? { name: raw['name'] } : {}),
    title: typeof raw['title'] === 'string' ? raw['title'] : 'untitled',
    level,
    tags: Array.isArray(raw['tags']) ? raw['tags'].map(String) : [],
    path,
    raw,
  };
}

export function correlationFrom(text: string, path?: string): CompiledCorrelation {
  return parseCorrelation(docFrom(text, path));
}

export const T0 = Date.UTC(2024, 0, 1);

/** A base match of `rule` (id or name; a list for id + name) `s` seconds after T0. */
export function match(rule: string | readonly string[], s: number, fields: Record<string, unknown> = {}): BaseMatch {
  const rules = typeof rule === 'string' ? [rule] : rule;
  return { rules, time: T0 + s * 1000, fields, ref: { rule: rules[0], s, fields } };
}
