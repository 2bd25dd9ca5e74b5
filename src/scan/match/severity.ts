import type { Severity } from '../../core/severity.ts';
import { severityRank } from '../../core/severity.ts';
import { bandSeverity, cvssBand, scoreSeverityVector, type CvssVersion } from '../cvss/index.ts';
import type { OsvSeverity } from '../osv/schema.ts';
import type { OsvRecordHeader } from '../osv/store.ts';

/**
 * The severity of a vulnerability, from the best evidence its records give, in this order:
 *
 * 1. `severity[]` CVSS vectors (v4.0, v3.x, v2; record level and the matched entries' own): the highest base
 *    score computed from the vector (the vector is the evidence; a feed's precomputed number is not trusted);
 * 2. a severity word from the database: `database_specific.severity` (GHSA: LOW, MODERATE, HIGH, CRITICAL) or
 *    an `Ubuntu` severity entry — the highest of them;
 * 3. the Red Hat-style word that starts the summary (`Important: kernel security update`), as AlmaLinux,
 *    Rocky and Red Hat advisories carry it and nothing else;
 * 4. none: `unknown`, reported as medium (fail closed: not understated, and marked so it can be told apart).
 */
export type SeveritySource = 'cvss' | 'database' | 'summary' | 'none';

export type FindingSeverity = {
  readonly level: Severity;
  readonly source: SeveritySource;
  /** For `cvss`: the base score, its version and the vector it came from. */
  readonly score?: number;
  readonly cvssVersion?: CvssVersion;
  readonly vector?: string;
  /** For `database` and `summary`: the word as the feed wrote it. */
  readonly label?: string;
};

/** Severity when nothing grades the vulnerability. */
export const UNKNOWN_SEVERITY: FindingSeverity = { level: 'medium', source: 'none' };

const WORDS: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  high: 'high',
  important: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
  negligible: 'informational',
  unimportant: 'informational',
  none: 'informational',
};

/** Our severity for a feed's severity word, or `undefined` for words that grade nothing (`untriaged`). */
export function severityWord(word: string): Severity | undefined {
  return WORDS[word.trim().toLowerCase()];
}

const SUMMARY_PREFIX = /^(Low|Moderate|Important|Critical):\s/;

/** The severity of a vulnerability known by these records (entries: the matched package's entries). */
export function assessSeverity(
  records: readonly OsvRecordHeader[],
  entrySeverity: readonly OsvSeverity[] = [],
): FindingSeverity {
  let best: FindingSeverity | undefined;
  const vectors = [...entrySeverity, ...records.flatMap((r) => r.severity)];
  for (const s of vectors) {
    const scored = scoreSeverityVector(s.type, s.score);
    if (scored === undefined) continue;
    if (best === undefined || (best.score as number) < scored.score) {
      best = {
        level: bandSeverity(cvssBand(scored.score, scored.version)),
        source: 'cvss',
        score: scored.score,
        cvssVersion: scored.version,
        vector: scored.vector,
      };
    }
  }
  if (best !== undefined) return best;
  const words: string[] = [];
  for (const r of records) if (r.databaseSeverity !== undefined) words.push(r.databaseSeverity);
  for (const s of vectors) if (s.type === 'Ubuntu') words.push(s.score);
  const fromWords = highestWord(words);
  if (fromWords !== undefined) return { ...fromWords, source: 'database' };
  const prefixes: string[] = [];
  for (const r of records) {
    const m = r.summary === undefined ? null : SUMMARY_PREFIX.exec(r.summary);
    if (m !== null) prefixes.push(m[1] as string);
  }
  const fromSummary = highestWord(prefixes);
  if (fromSummary !== undefined) return { ...fromSummary, source: 'summary' };
  return UNKNOWN_SEVERITY;
}

function highestWord(words: readonly string[]): { level: Severity; label: string } | undefined {
  let best: { level: Severity; label: string } | undefined;
  for (const w of words) {
    const level = severityWord(w);
    if (level !== undefined && (best === undefined || severityRank(level) > severityRank(best.level))) {
      best = { level, label: w };
    }
  }
  return best;
}
