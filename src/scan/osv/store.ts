import type { OsvAffected, OsvRecord } from './schema.ts';

/**
 * The OSV database as matching sees it: "which records may affect package P of ecosystem E". One
 * implementation today (`SqliteOsvStore`); the interface keeps matching and the CLI free of how it is stored.
 */
export interface OsvStore {
  /**
   * Records with an `affected[]` entry for this package: `ecosystem` may carry a release suffix (the lookup is by
   * its base), `name` is normalised here. Each candidate carries only that package's entries (every release
   * suffix of the base), and withdrawn records are included: choosing entries and skipping withdrawn records
   * is the matcher's job.
   */
  lookup(ecosystem: string, name: string): readonly OsvCandidate[];
  /** Every stored copy of a record by its id (one per ecosystem partition it was imported into). */
  get(id: string): readonly OsvRecord[];
  /** Where the data came from and what it holds (`mamori db status`). */
  status(): OsvDbStatus;
  close(): void;
}

/** A record's fields other than `affected`, shared by every package it names. */
export type OsvRecordHeader = Omit<OsvRecord, 'affected'>;

export type OsvCandidate = {
  readonly record: OsvRecordHeader;
  /** The record's entries for the looked-up package (same base ecosystem and normalised name). */
  readonly entries: readonly OsvAffected[];
};

/** One import of one ecosystem: where from, when, and what it held. */
export type OsvImport = {
  /** The partition: the base ecosystem (`AlmaLinux`), as the `<Ecosystem>/all.zip` folder names it. */
  readonly ecosystem: string;
  /** URL or path the data was read from. */
  readonly source: string;
  /** ISO 8601 UTC. */
  readonly importedAt: string;
  /** Size and SHA-256 of the archive, when it was one. */
  readonly archiveBytes?: number;
  readonly archiveSha256?: string;
  /** Files seen (zip members or JSON files) that could hold a record. */
  readonly members: number;
  /** Records stored: `members - skipped`, withdrawn ones included. */
  readonly records: number;
  readonly withdrawn: number;
  /** Members refused (not JSON, not an OSV record, damaged in the archive, duplicate id). */
  readonly skipped: number;
  /** The newest `modified` among the records: how fresh the data is, whatever the import time. */
  readonly newestModified?: string;
};

/** A member that was refused, by name, with the reason. */
export type OsvSkipped = { readonly ecosystem: string; readonly member: string; readonly reason: string };

export type OsvDbStatus = {
  /** The index file, or a description of the in-memory index (`memory: <folder>`). */
  readonly location: string;
  readonly schemaVersion: number;
  readonly imports: readonly OsvImport[];
  /** The first refused members (bounded), for the report. */
  readonly skipped: readonly OsvSkipped[];
  readonly skippedTotal: number;
};
