import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { ScanError } from '../errors.ts';
import { osvEcosystemBase } from '../versions/index.ts';
import { decodeEntries, decodeHeader, encodeEntries, encodeHeader } from './codec.ts';
import { normalizePackageName } from './names.ts';
import type { OsvAffected, OsvRecord } from './schema.ts';
import type { OsvCandidate, OsvDbStatus, OsvImport, OsvSkipped, OsvStore } from './store.ts';

/**
 * The OSV index in one SQLite file (Node's built-in `node:sqlite`, no native addon).
 *
 * Partitioned by base ecosystem, as the feed is (`<Ecosystem>/all.zip`): a record is stored once per partition
 * it was imported into, and that partition indexes only its own ecosystem's `affected[]` entries, so
 * re-importing one ecosystem replaces exactly its rows. Opening reads only the header pages (no load step);
 * a lookup is one primary-key range scan of `affected` joined to `vulns` by rowid.
 *
 *   meta(key PK, value)                                   schema version, creator
 *   imports(ecosystem PK, source, imported_at, archive_bytes, archive_sha256,
 *           members, records, withdrawn, skipped, newest_modified)     provenance, for `db status`
 *   skipped(ecosystem, member, reason)                    refused members, by zip entry name
 *   vulns(rowid PK, ecosystem, id, modified, withdrawn, doc)          one per (partition, record)
 *   affected(ecosystem, name, vuln, entries) PK(ecosystem, name, vuln) WITHOUT ROWID
 *                                                         (base, normalised name) → that package's entries
 *   index vulns_id(id)                                    `get(id)`
 *
 * `doc` and `entries` are compact JSON (see `codec.ts`).
 */
export const OSV_INDEX_SCHEMA_VERSION = 1;

/** Bound on the refused members listed in `status()` (all are counted). */
const STATUS_SKIPPED_LIMIT = 200;

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE imports (
  ecosystem TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  archive_bytes INTEGER,
  archive_sha256 TEXT,
  members INTEGER NOT NULL,
  records INTEGER NOT NULL,
  withdrawn INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  newest_modified TEXT
) WITHOUT ROWID;
CREATE TABLE skipped (ecosystem TEXT NOT NULL, member TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE vulns (
  rowid INTEGER PRIMARY KEY,
  ecosystem TEXT NOT NULL,
  id TEXT NOT NULL,
  modified TEXT,
  withdrawn TEXT,
  doc TEXT NOT NULL
);
CREATE TABLE affected (
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  vuln INTEGER NOT NULL,
  entries TEXT NOT NULL,
  PRIMARY KEY (ecosystem, name, vuln)
) WITHOUT ROWID;
`;
/** Created after a bulk load: building an index once is cheaper than maintaining it per row. */
const LATE_INDEXES = `CREATE INDEX IF NOT EXISTS vulns_id ON vulns (id); CREATE INDEX IF NOT EXISTS vulns_eco ON vulns (ecosystem);`;

const SQLITE_MAGIC = 'SQLite format 3\0';

/** True when the first bytes are SQLite's file header. */
export function isSqliteHeader(head: Uint8Array): boolean {
  if (head.byteLength < 16) return false;
  for (let i = 0; i < 16; i++) if (head[i] !== SQLITE_MAGIC.charCodeAt(i)) return false;
  return true;
}

type LookupRow = { id: string; modified: string | null; withdrawn: string | null; doc: string; entries: string };

export class SqliteOsvStore implements OsvStore {
  readonly location: string;
  readonly #db: DatabaseSync;
  readonly #lookup: StatementSync;
  #closed = false;

  private constructor(db: DatabaseSync, location: string) {
    this.#db = db;
    this.location = location;
    this.#lookup = db.prepare(
      'SELECT v.id AS id, v.modified AS modified, v.withdrawn AS withdrawn, v.doc AS doc, a.entries AS entries ' +
        'FROM affected a JOIN vulns v ON v.rowid = a.vuln WHERE a.ecosystem = ? AND a.name = ?',
    );
  }

  /** Opens an index file read-only. Throws `ScanError('DB_INVALID')` when it is not one this version reads. */
  static open(path: string): SqliteOsvStore {
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path, { readOnly: true });
    } catch (err) {
      throw new ScanError('DB_NOT_FOUND', `cannot open the OSV index ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let version: number | undefined;
    try {
      const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
        { value: string } | undefined;
      version = row === undefined ? undefined : Number(row.value);
    } catch {
      version = undefined;
    }
    if (version !== OSV_INDEX_SCHEMA_VERSION) {
      db.close();
      throw new ScanError(
        'DB_INVALID',
        version === undefined
          ? `${path} is not a Mamori OSV index; rebuild it with \`mamori db update\``
          : `${path} is an OSV index of schema ${version}, this version reads ${OSV_INDEX_SCHEMA_VERSION}; run \`mamori db update\``,
      );
    }
    return new SqliteOsvStore(db, path);
  }

  /**
   * Opens an index for writing, creating the schema when the file is new (`':memory:'` for an index that lives
   * only as long as the process). Writes go through `writer()`.
   */
  static create(path: string): SqliteOsvStore {
    const db = new DatabaseSync(path);
    // the file being written is a temporary that is renamed into place only when complete, so a crash loses
    // nothing: the journal stays in memory (for ROLLBACK) and nothing is fsynced per transaction
    db.exec('PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY;');
    const has = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
    if (has === undefined) {
      db.exec(SCHEMA);
      db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?), ('created_by', 'mamori')").run(
        String(OSV_INDEX_SCHEMA_VERSION),
      );
    }
    return new SqliteOsvStore(db, path);
  }

  lookup(ecosystem: string, name: string): readonly OsvCandidate[] {
    const base = osvEcosystemBase(ecosystem) ?? ecosystem;
    const key = normalizePackageName(base, name);
    const rows = this.#lookup.all(base, key) as unknown as LookupRow[];
    return rows.map((r) => ({
      record: decodeHeader(r.id, r.modified, r.withdrawn, r.doc),
      entries: decodeEntries(r.entries, base, key),
    }));
  }

  get(id: string): readonly OsvRecord[] {
    const vulns = this.#db
      .prepare('SELECT rowid, ecosystem, id, modified, withdrawn, doc FROM vulns WHERE id = ?')
      .all(id) as unknown as {
      rowid: number;
      ecosystem: string;
      id: string;
      modified: string | null;
      withdrawn: string | null;
      doc: string;
    }[];
    const entries = this.#db.prepare('SELECT ecosystem, name, entries FROM affected WHERE vuln = ?');
    return vulns.map((v) => {
      const affected: OsvAffected[] = [];
      for (const row of entries.all(v.rowid) as unknown as { ecosystem: string; name: string; entries: string }[]) {
        affected.push(...decodeEntries(row.entries, row.ecosystem, row.name));
      }
      return { ...decodeHeader(v.id, v.modified, v.withdrawn, v.doc), affected };
    });
  }

  status(): OsvDbStatus {
    const imports = (this.#db.prepare('SELECT * FROM imports ORDER BY ecosystem').all() as unknown as ImportRow[]).map(
      fromImportRow,
    );
    const skipped = this.#db
      .prepare(`SELECT ecosystem, member, reason FROM skipped ORDER BY ecosystem, member LIMIT ${STATUS_SKIPPED_LIMIT}`)
      .all() as unknown as OsvSkipped[];
    const total = this.#db.prepare('SELECT count(*) AS n FROM skipped').get() as { n: number };
    return {
      location: this.location,
      schemaVersion: OSV_INDEX_SCHEMA_VERSION,
      imports,
      skipped: skipped.map((s) => ({ ecosystem: s.ecosystem, member: s.member, reason: s.reason })),
      skippedTotal: total.n,
    };
  }

  /** Starts replacing partitions; nothing is visible to readers of the file until `commit()`. */
  writer(): OsvIndexWriter {
    return new OsvIndexWriter(this.#db);
  }

  /** Rewrites the file without the free pages left by replaced partitions. */
  compact(): void {
    this.#db.exec('VACUUM');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}

type ImportRow = {
  ecosystem: string;
  source: string;
  imported_at: string;
  archive_bytes: number | null;
  archive_sha256: string | null;
  members: number;
  records: number;
  withdrawn: number;
  skipped: number;
  newest_modified: string | null;
};

function fromImportRow(r: ImportRow): OsvImport {
  return {
    ecosystem: r.ecosystem,
    source: r.source,
    importedAt: r.imported_at,
    ...(r.archive_bytes === null ? {} : { archiveBytes: r.archive_bytes }),
    ...(r.archive_sha256 === null ? {} : { archiveSha256: r.archive_sha256 }),
    members: r.members,
    records: r.records,
    withdrawn: r.withdrawn,
    skipped: r.skipped,
    ...(r.newest_modified === null ? {} : { newestModified: r.newest_modified }),
  };
}

type PartitionState = {
  members: number;
  records: number;
  withdrawn: number;
  skipped: number;
  newest?: string;
  ids: Set<string>;
};

/** Provenance given when a partition is finished; the counts are the writer's own. */
export type PartitionSource = {
  readonly source: string;
  readonly importedAt: string;
  readonly archiveBytes?: number;
  readonly archiveSha256?: string;
};

/**
 * Replaces whole partitions inside one transaction: `begin(E)` drops partition E, `put`/`skip` fill it,
 * `finish(E, provenance)` records its counts, `commit()` makes it all visible at once (`rollback()` undoes it).
 */
export class OsvIndexWriter {
  readonly #db: DatabaseSync;
  readonly #parts = new Map<string, PartitionState>();
  readonly #insertVuln: StatementSync;
  readonly #insertAffected: StatementSync;
  readonly #insertSkipped: StatementSync;
  #open = true;

  constructor(db: DatabaseSync) {
    this.#db = db;
    db.exec('BEGIN');
    this.#insertVuln = db.prepare('INSERT INTO vulns (ecosystem, id, modified, withdrawn, doc) VALUES (?, ?, ?, ?, ?)');
    this.#insertAffected = db.prepare(
      'INSERT OR IGNORE INTO affected (ecosystem, name, vuln, entries) VALUES (?, ?, ?, ?)',
    );
    this.#insertSkipped = db.prepare('INSERT INTO skipped (ecosystem, member, reason) VALUES (?, ?, ?)');
  }

  /** Empties partition `ecosystem` (a base ecosystem name) so it can be filled anew. */
  begin(ecosystem: string): void {
    this.#check();
    if (this.#parts.has(ecosystem)) return;
    this.#db.prepare('DELETE FROM affected WHERE ecosystem = ?').run(ecosystem);
    this.#db.prepare('DELETE FROM vulns WHERE ecosystem = ?').run(ecosystem);
    this.#db.prepare('DELETE FROM skipped WHERE ecosystem = ?').run(ecosystem);
    this.#db.prepare('DELETE FROM imports WHERE ecosystem = ?').run(ecosystem);
    this.#parts.set(ecosystem, { members: 0, records: 0, withdrawn: 0, skipped: 0, ids: new Set() });
  }

  #part(ecosystem: string): PartitionState {
    const p = this.#parts.get(ecosystem);
    if (p === undefined) throw new Error(`OsvIndexWriter: begin(${JSON.stringify(ecosystem)}) first`);
    return p;
  }

  /**
   * Stores a record in partition `ecosystem`, indexing its entries of that base ecosystem. A second record with
   * the same id in one partition is refused (skipped, reported) rather than silently replacing the first.
   */
  put(ecosystem: string, record: OsvRecord, member: string): void {
    this.#check();
    const p = this.#part(ecosystem);
    p.members++;
    if (p.ids.has(record.id)) {
      p.skipped++;
      this.#insertSkipped.run(ecosystem, member, `duplicate id ${record.id}`);
      return;
    }
    p.ids.add(record.id);
    p.records++;
    if (record.withdrawn !== undefined) p.withdrawn++;
    if (record.modified !== undefined && (p.newest === undefined || record.modified > p.newest))
      p.newest = record.modified;
    const res = this.#insertVuln.run(
      ecosystem,
      record.id,
      record.modified ?? null,
      record.withdrawn ?? null,
      encodeHeader(record),
    );
    const rowid = Number(res.lastInsertRowid);
    // group this partition's entries by normalised name: one row per (package, record)
    const byName = new Map<string, OsvAffected[]>();
    for (const a of record.affected) {
      if ((osvEcosystemBase(a.ecosystem) ?? a.ecosystem.split(':')[0]) !== ecosystem) continue;
      const key = normalizePackageName(ecosystem, a.name);
      const list = byName.get(key);
      if (list === undefined) byName.set(key, [a]);
      else list.push(a);
    }
    for (const [key, list] of byName)
      this.#insertAffected.run(ecosystem, key, rowid, encodeEntries(list, ecosystem, key));
  }

  /** Counts and reports a member that could not be used. */
  skip(ecosystem: string, member: string, reason: string): void {
    this.#check();
    const p = this.#part(ecosystem);
    p.members++;
    p.skipped++;
    this.#insertSkipped.run(ecosystem, member, reason);
  }

  /** Records the partition's provenance and counts. */
  finish(ecosystem: string, src: PartitionSource): OsvImport {
    this.#check();
    const p = this.#part(ecosystem);
    const imp: OsvImport = {
      ecosystem,
      source: src.source,
      importedAt: src.importedAt,
      ...(src.archiveBytes === undefined ? {} : { archiveBytes: src.archiveBytes }),
      ...(src.archiveSha256 === undefined ? {} : { archiveSha256: src.archiveSha256 }),
      members: p.members,
      records: p.records,
      withdrawn: p.withdrawn,
      skipped: p.skipped,
      ...(p.newest === undefined ? {} : { newestModified: p.newest }),
    };
    this.#db
      .prepare(
        'INSERT INTO imports (ecosystem, source, imported_at, archive_bytes, archive_sha256, members, records, withdrawn, skipped, newest_modified) ' +
          'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        ecosystem,
        imp.source,
        imp.importedAt,
        imp.archiveBytes ?? null,
        imp.archiveSha256 ?? null,
        imp.members,
        imp.records,
        imp.withdrawn,
        imp.skipped,
        imp.newestModified ?? null,
      );
    p.ids.clear();
    return imp;
  }

  commit(): void {
    this.#check();
    this.#db.exec(LATE_INDEXES);
    this.#db.exec('COMMIT');
    this.#open = false;
  }

  rollback(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#db.exec('ROLLBACK');
  }

  #check(): void {
    if (!this.#open) throw new Error('OsvIndexWriter: already committed or rolled back');
  }
}
