import type { Severity } from '../../core/severity.ts';
import { cvss2BaseScore, parseCvss2 } from './v2.ts';
import { cvss3BaseScore, parseCvss3 } from './v3.ts';
import { cvss4BaseScore, parseCvss4 } from './v4.ts';

export { cvss2BaseScore, parseCvss2 } from './v2.ts';
export { cvss3BaseScore, parseCvss3, roundup30, roundup31 } from './v3.ts';
export { cvss4BaseScore, cvss4Score, macroVector, parseCvss4 } from './v4.ts';

/** CVSS qualitative rating (v3.1 §5, v4.0 §6): None 0, Low 0.1–3.9, Medium 4–6.9, High 7–8.9, Critical 9–10. */
export type CvssBand = 'none' | 'low' | 'medium' | 'high' | 'critical';

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

export type CvssScore = { readonly version: CvssVersion; readonly score: number; readonly vector: string };

/**
 * The base score of an OSV `severity[]` entry (`CVSS_V2`, `CVSS_V3`, `CVSS_V4`), or `undefined` for another
 * type or a vector that does not parse. The version is read from the vector, so a `CVSS_V3` entry holding a
 * `CVSS:3.0/` vector is scored by v3.0's rules.
 */
export function scoreSeverityVector(type: string, vector: string): CvssScore | undefined {
  if (vector.length > 512) return undefined;
  if (type === 'CVSS_V3') {
    const v = parseCvss3(vector);
    return v === undefined ? undefined : { version: v.version, score: cvss3BaseScore(v), vector };
  }
  if (type === 'CVSS_V4') {
    const v = parseCvss4(vector);
    return v === undefined ? undefined : { version: '4.0', score: cvss4BaseScore(v), vector };
  }
  if (type === 'CVSS_V2') {
    const v = parseCvss2(vector);
    return v === undefined ? undefined : { version: '2.0', score: cvss2BaseScore(v), vector };
  }
  return undefined;
}

/** The qualitative rating of a score. v2 has no Critical: NVD's v2 bands are Low < 4, Medium < 7, High. */
export function cvssBand(score: number, version: CvssVersion = '3.1'): CvssBand {
  if (score <= 0) return 'none';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (version === '2.0' || score < 9) return 'high';
  return 'critical';
}

/** Our severity for a CVSS band: `none` (a score of 0) is informational. */
export function bandSeverity(band: CvssBand): Severity {
  return band === 'none' ? 'informational' : band;
}
