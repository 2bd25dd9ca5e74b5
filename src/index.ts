// Mamori's public library surface. Everything not exported here is internal.
export * from './core/index.ts';
export type { LogEvent, LogFormat, LogReader, ReadIssue, ReadOptions, ByteSource, FieldSource } from './hunt/event.ts';
export { readLogFile, readerFor } from './hunt/open.ts';
export { hunt, type HuntOptions, type HuntCallbacks, type HuntResult, type HuntProgress } from './hunt/pipeline.ts';
export { HuntEngine, type RuleSelection, type RulesReport } from './hunt/engine.ts';
export { loadRules } from './hunt/rules/load.ts';
export type { Package } from './scan/inventory/types.ts';
export { openOsvDb, type OsvDbForm } from './scan/osv/open.ts';
export {
  updateOsvDb,
  OSV_BUCKET_URL,
  type UpdateOptions,
  type UpdateProgress,
  type UpdateResult,
} from './scan/osv/update.ts';
export type { OsvStore, OsvCandidate, OsvDbStatus, OsvImport } from './scan/osv/store.ts';
export { SqliteOsvStore } from './scan/osv/sqlite-store.ts';
export { matchPackage, type PackageMatch, type VulnerabilityMatch, type FindingSeverity } from './scan/match/index.ts';
export { scoreSeverityVector, cvssBand, type CvssScore, type CvssBand } from './scan/cvss/index.ts';
export { ScanError, type ScanErrorCode } from './scan/errors.ts';
export type { ExtractIssue, Extracted } from './scan/inventory/types.ts';
export type { Extractor, ExtractorKind, RelatedFiles } from './scan/inventory/extract.ts';
export { walkInventory, type WalkOptions, type WalkResult, type WalkMode } from './scan/inventory/walk.ts';
export { EXTRACTORS } from './scan/ecosystems/extractors.ts';
export { SBOM_EXTRACTORS } from './scan/sbom/index.ts';
export { parsePurl, buildPurl, purlToPackage, type Purl } from './scan/inventory/purl.ts';
export {
  scan,
  inventoryPath,
  inventoryRoot,
  type ScanOptions,
  type ScanResult,
  type ScanTarget,
  type TargetResult,
} from './scan/run.ts';
export type { VulnerabilityFinding, ScannedPackage, ScannedVulnerability, Suppression } from './scan/finding.ts';
export { walkImage, openImage, ImageError, type ImageWalkOptions, type ImageWalkResult } from './scan/image/index.ts';
export { OS_EXTRACTORS } from './scan/os/index.ts';
export { walkTree, type FileTree } from './scan/inventory/walk.ts';
export { parseIgnoreFile, applyIgnores, type IgnoreRule, type AppliedIgnores } from './scan/vex/index.ts';
export { vulnerabilitySarif } from './scan/report/sarif.ts';
export { cycloneDxBom } from './scan/report/cyclonedx.ts';
export type {
  CheckSpec,
  CheckResult,
  ConfigRoot,
  Expectation,
  FileEdit,
  LineEdit,
  HardenEngine,
} from './harden/types.ts';
export { harden, assess, type HardenResult, type AssessedCheck, type SyntaxChecker } from './harden/run.ts';
export { loadBaselines, parseBaseline, selectProfile, HardenError } from './harden/baselines.ts';
export { ENGINES as HARDEN_ENGINES, syntaxCheck as hardenSyntaxCheck } from './harden/engines.ts';
export { DirectoryRoot, OverlayRoot } from './harden/root.ts';
export { applyEdits, unifiedDiff } from './harden/edit.ts';
export { applyFiles, rollback } from './harden/apply.ts';
export { hardenFinding, type HardenFinding } from './harden/finding.ts';
