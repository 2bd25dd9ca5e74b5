// Severity as the report formats want it: a 0–10 score for every finding (SARIF `security-severity`), and the
// CVSS method names of CycloneDX.
import { severityRank, type Severity } from '../../core/severity.ts';
import type { CvssVersion } from '../cvss/index.ts';
import type { FindingSeverity } from '../match/severity.ts';

/**
 * A representative score for a severity without a CVSS score, in the middle of GitHub's bands for the
 * level (critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9), as Trivy's SARIF writer does.
 */
const LEVEL_SCORE: Readonly<Record<Severity, number>> = {
  critical: 9.5,
  high: 8.0,
  medium: 5.5,
  low: 2.0,
  informational: 0.0,
};

/** The score of a finding's severity: the CVSS base score when it has one, else its level's representative. */
export function severityScore(s: FindingSeverity): number {
  return s.source === 'cvss' && s.score !== undefined ? s.score : LEVEL_SCORE[s.level];
}

/** The more severe of two (by level, then score). */
export function worse(a: FindingSeverity, b: FindingSeverity): FindingSeverity {
  const d = severityRank(a.level) - severityRank(b.level);
  if (d !== 0) return d > 0 ? a : b;
  return severityScore(a) >= severityScore(b) ? a : b;
}

/** CycloneDX `scoreMethod` of a CVSS version. */
export function cycloneDxMethod(v: CvssVersion): 'CVSSv2' | 'CVSSv3' | 'CVSSv31' | 'CVSSv4' {
  switch (v) {
    case '2.0':
      return 'CVSSv2';
    case '3.0':
      return 'CVSSv3';
    case '3.1':
      return 'CVSSv31';
    case '4.0':
      return 'CVSSv4';
  }
}
