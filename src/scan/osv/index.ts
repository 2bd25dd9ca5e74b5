export type { OsvCandidate, OsvDbStatus, OsvImport, OsvRecordHeader, OsvSkipped, OsvStore } from './store.ts';
export {
  parseOsvJson,
  parseOsvRecord,
  type OsvAffected,
  type OsvEvent,
  type OsvRange,
  type OsvRecord,
  type OsvReference,
  type OsvSeverity,
  type RecordParse,
} from './schema.ts';
export { normalizePackageName } from './names.ts';
export { SqliteOsvStore, OsvIndexWriter, OSV_INDEX_SCHEMA_VERSION, type PartitionSource } from './sqlite-store.ts';
export { importZip, importJsonDir, findEcosystemZips, type ImportProgress } from './build.ts';
export { openOsvDb, OSV_INDEX_FILE, type OsvDbForm, type OpenOsvDbOptions } from './open.ts';
export { readZipDirectory, extractZipMember, type ZipMember } from './zip.ts';
