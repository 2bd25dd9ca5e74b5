// The Finding of `mamori scan`: one per (package, vulnerability). A core Finding of kind `vulnerability`, with
// the package and the vulnerability also at the top level, spelled as the issue's jsonl contract names them
// (`package.name`, `package.version`, `package.ecosystem`, `package.location`, `vulnerability.id`,
// `vulnerability.aliases`, `vulnerability.fixed`), so a consumer need not dig through `details`.
import type { Finding } from '../core/finding.ts';
import { findingId } from '../core/ids.ts';
import type { Severity } from '../core/severity.ts';
import type { Package } from './inventory/types.ts';
import type { PackageMatch, VulnerabilityMatch } from './match/match.ts';
import type { FindingSeverity } from './match/severity.ts';

/** The package a vulnerability finding is about, as reported. */
export type ScannedPackage = {
  readonly name: string;
  readonly version: string;
  readonly ecosystem: string;
  /** The file it was found in: relative to the scanned path, or `image:<path in the image>` for images. */
  readonly location: string;
  readonly line?: number;
  readonly purl?: string;
  readonly direct?: boolean;
  readonly sourceName?: string;
  readonly sourceVersion?: string;
};

/** The vulnerability of a finding, as reported. */
export type ScannedVulnerability = {
  /** The reported id: the earliest CVE when there is one, else a GHSA id, else the record id. */
  readonly id: string;
  /** Every other id it is known by (the records merged, and their aliases). */
  readonly aliases: readonly string[];
  /** The OSV record ids merged into this vulnerability. */
  readonly records: readonly string[];
  /** `affected`, or `unknown` when no record could be evaluated against the version (see `reasons`). */
  readonly status: 'affected' | 'unknown';
  readonly reasons?: readonly string[];
  readonly summary?: string;
  readonly severity: FindingSeverity;
  /** Versions that fix it, in the ecosystem's order. */
  readonly fixed: readonly string[];
  /** The smallest upgrade of the package that clears every known vulnerability of it, when there is one. */
  readonly upgrade?: string;
  readonly published?: string;
  readonly modified?: string;
  readonly references: readonly string[];
};

/** A suppression that applied (an ignore/VEX statement), kept on the finding when suppressed ones are shown. */
export type Suppression = {
  readonly status: 'not_affected' | 'fixed' | 'false_positive' | 'accepted';
  readonly reason: string;
  /** Where the statement came from: the ignore file, and its line or statement index. */
  readonly source: string;
  readonly expires?: string;
};

export type VulnerabilityFinding = Finding & {
  readonly kind: 'vulnerability';
  readonly package: ScannedPackage;
  readonly vulnerability: ScannedVulnerability;
  readonly suppressed?: Suppression;
};

function scannedPackage(p: Package): ScannedPackage {
  return {
    name: p.name,
    version: p.version,
    ecosystem: p.ecosystem,
    location: p.location,
    ...(p.line !== undefined ? { line: p.line } : {}),
    ...(p.purl !== undefined ? { purl: p.purl } : {}),
    ...(p.direct !== undefined ? { direct: p.direct } : {}),
    ...(p.sourceName !== undefined ? { sourceName: p.sourceName } : {}),
    ...(p.sourceVersion !== undefined ? { sourceVersion: p.sourceVersion } : {}),
  };
}

/**
 * The Finding for one vulnerability of one package. Its id hashes the package (ecosystem, name, version,
 * location) and the reported vulnerability id, so re-scanning the same tree gives the same ids and verdicts
 * stay attached. `time` is when the scan ran.
 */
export function vulnerabilityFinding(
  match: PackageMatch,
  v: VulnerabilityMatch,
  time: string,
  target?: string,
): VulnerabilityFinding {
  const p = match.package;
  const level: Severity = v.severity.level;
  const pkg = scannedPackage(p);
  const vulnerability: ScannedVulnerability = {
    id: v.id,
    aliases: v.aliases,
    records: v.records,
    status: v.status,
    ...(v.reasons.length ? { reasons: v.reasons } : {}),
    ...(v.summary !== undefined ? { summary: v.summary } : {}),
    severity: v.severity,
    fixed: v.fixed,
    ...(match.upgrade !== undefined ? { upgrade: match.upgrade } : {}),
    ...(v.published !== undefined ? { published: v.published } : {}),
    ...(v.modified !== undefined ? { modified: v.modified } : {}),
    references: v.references.map((r) => r.url),
  };
  return {
    id: findingId(['vulnerability', target, p.ecosystem, p.name, p.version, p.location, v.id]),
    kind: 'vulnerability',
    severity: level,
    title: `${v.id}: ${p.name} ${p.version}${v.summary ? ` — ${v.summary}` : ''}`,
    rule: {
      id: v.id,
      title: v.summary ?? v.id,
      level,
      tags: v.aliases.length ? [...v.aliases] : [],
      ...(vulnerability.references.length ? { references: vulnerability.references } : {}),
    },
    asset: { kind: 'package', name: p.purl ?? `${p.ecosystem}/${p.name}@${p.version}` },
    time,
    evidence: [
      {
        source: { file: p.location, ...(p.line !== undefined ? { line: p.line } : {}) },
        time,
        data: { package: pkg, vulnerability: { id: v.id, records: v.records, status: v.status } },
      },
    ],
    ...(target !== undefined ? { details: { target } } : {}),
    package: pkg,
    vulnerability,
  };
}
