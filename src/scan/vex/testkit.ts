// Test helpers: vulnerability findings built the way `mamori scan` builds them (through vulnerabilityFinding).
import { vulnerabilityFinding, type VulnerabilityFinding } from '../finding.ts';
import type { Package } from '../inventory/types.ts';
import type { PackageMatch, VulnerabilityMatch } from '../match/match.ts';
import type { FindingSeverity } from '../match/severity.ts';

export const SCAN_TIME = '2024-05-01T12:00:00.000Z';

export type FindingSpec = {
  readonly id: string;
  readonly aliases?: readonly string[];
  readonly summary?: string;
  readonly severity?: FindingSeverity;
  readonly fixed?: readonly string[];
  readonly upgrade?: string;
  readonly references?: readonly string[];
  readonly status?: 'affected' | 'unknown';
  readonly reasons?: readonly string[];
  readonly published?: string;
  readonly modified?: string;
};

export function pkg(
  ecosystem: string,
  name: string,
  version: string,
  location = 'package-lock.json',
  extra: Partial<Package> = {},
): Package {
  return { ecosystem: ecosystem as Package['ecosystem'], name, version, location, ...extra };
}

export function vulnMatch(spec: FindingSpec): VulnerabilityMatch {
  return {
    id: spec.id,
    aliases: spec.aliases ?? [],
    records: [spec.id, ...(spec.aliases ?? [])].filter((x) => !x.startsWith('CVE-')),
    status: spec.status ?? 'affected',
    reasons: spec.reasons ?? [],
    ...(spec.summary !== undefined ? { summary: spec.summary } : {}),
    severity: spec.severity ?? { level: 'medium', source: 'none' },
    fixed: spec.fixed ?? [],
    ecosystems: [],
    ...(spec.published !== undefined ? { published: spec.published } : {}),
    ...(spec.modified !== undefined ? { modified: spec.modified } : {}),
    references: (spec.references ?? []).map((url) => ({ type: 'WEB', url })),
  };
}

/** The finding for one vulnerability of one package. */
export function finding(p: Package, spec: FindingSpec, target?: string): VulnerabilityFinding {
  const match: PackageMatch = {
    package: p,
    vulnerabilities: [],
    unknown: [],
    ...(spec.upgrade !== undefined ? { upgrade: spec.upgrade } : {}),
  };
  return vulnerabilityFinding(match, vulnMatch(spec), SCAN_TIME, target);
}
