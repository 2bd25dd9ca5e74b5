export {
  canonicalId,
  matchCandidates,
  matchPackage,
  selectEntries,
  type MatchOptions,
  type PackageMatch,
  type VulnerabilityMatch,
} from './match.ts';
export { evaluateEntries, evaluateEntry, schemeForRange, VersionCache, type Verdict } from './evaluate.ts';
export {
  assessSeverity,
  severityWord,
  UNKNOWN_SEVERITY,
  type FindingSeverity,
  type SeveritySource,
} from './severity.ts';
