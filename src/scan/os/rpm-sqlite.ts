// The rpm database in its SQLite form (rpm >= 4.16: RHEL/AlmaLinux/Rocky 9+, Fedora 33+, Amazon Linux 2023,
// openSUSE Tumbleweed): `var/lib/rpm/rpmdb.sqlite`, `usr/lib/sysimage/rpm/rpmdb.sqlite` (and the
// `usr/share/rpm/` of ostree systems). Each row of its Packages table is one installed package's header blob
// (rpm-header.ts); NAME, EPOCH, VERSION, RELEASE, ARCH and SOURCERPM are read.
//
// Pure, without a temporary file: node:sqlite opens the bytes in memory (`deserialize`). rpm keeps the
// database in WAL mode, which an in-memory database cannot be opened in, so the copy's header is switched to
// the rollback-journal mode first (bytes 18-19, "file format write/read version"): the pages are the same.
// Transactions still in a `rpmdb.sqlite-wal` beside it are not seen (rpm checkpoints when it closes the
// database, so that file is empty on a quiescent system).
//
// Not read: the BerkeleyDB `Packages` (rpm < 4.16: RHEL/CentOS 7-8, Amazon Linux 2, older SUSE) and the ndb
// `Packages.db` (SUSE's rpm 4.15+ default before sqlite). This extractor claims those paths too, only to say
// so as an issue when no rpmdb.sqlite is beside them: a root whose packages cannot be listed must not look
// clean.
//
// Versions are OSV's Red Hat-family form `[epoch:]version-release`. Packages are named by their binary rpm
// (AlmaLinux, Rocky and Red Hat records name binary rpms: `openssl-libs`, `krb5-libs`), with the source rpm's
// name as `sourceName` (SUSE and openSUSE records name source rpms). The gpg-pubkey entries (imported signing
// keys, not software) are skipped.
import { DatabaseSync } from 'node:sqlite';
import { Collector, errorMessage, type Extractor, type RelatedFiles } from '../inventory/extract.ts';
import type { ExtractIssue, Extracted } from '../inventory/types.ts';
import { osPurl, prefixOf, releaseFilesFor, resolveTarget } from './common.ts';
import { parseRpmHeader, parseSourceRpm, rpmEvr, type RpmHeader } from './rpm-header.ts';

const RPM_DIRS = ['var/lib/rpm', 'usr/lib/sysimage/rpm', 'usr/share/rpm'] as const;
const SQLITE_FILES = RPM_DIRS.map((d) => `${d}/rpmdb.sqlite`);
const BDB_FILES = RPM_DIRS.map((d) => `${d}/Packages`);
const NDB_FILES = RPM_DIRS.map((d) => `${d}/Packages.db`);
const SQLITE_MAGIC = 'SQLite format 3\u0000';
// BerkeleyDB hash database magic (at byte 12, in the writer's byte order), ndb's "RpmP" at byte 0
const BDB_HASH_MAGIC = 0x00061561;
const NDB_MAGIC = 'RpmP';

type Form = 'sqlite' | 'bdb' | 'ndb';

function formOf(path: string): { form: Form; prefix: string } | undefined {
  let prefix = prefixOf(path, SQLITE_FILES);
  if (prefix !== undefined) return { form: 'sqlite', prefix };
  prefix = prefixOf(path, BDB_FILES);
  if (prefix !== undefined) return { form: 'bdb', prefix };
  prefix = prefixOf(path, NDB_FILES);
  if (prefix !== undefined) return { form: 'ndb', prefix };
  return undefined;
}

function isSqlite(bytes: Uint8Array): boolean {
  if (bytes.length < 100) return false;
  for (let i = 0; i < SQLITE_MAGIC.length; i++) if (bytes[i] !== SQLITE_MAGIC.charCodeAt(i)) return false;
  return true;
}

/** The rows' headers, or the reason the database cannot be read. */
function readPackagesTable(
  bytes: Uint8Array,
): { ok: true; rows: { hnum: number; header?: RpmHeader; reason?: string }[] } | { ok: false; reason: string } {
  if (!isSqlite(bytes)) return { ok: false, reason: 'not an SQLite database' };
  // the copy is ours to patch: WAL (2) → rollback journal (1), which an in-memory database accepts
  const copy = bytes.slice();
  if (copy[18] === 2) copy[18] = 1;
  if (copy[19] === 2) copy[19] = 1;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(':memory:', { readOnly: true, defensive: true });
    db.deserialize(copy);
    // the file is hostile until proven otherwise: a view named Packages could run an endless recursive query
    const kind = db.prepare("SELECT type, sql FROM sqlite_master WHERE name = 'Packages'").get() as
      { type: string; sql: string | null } | undefined;
    if (kind === undefined) return { ok: false, reason: 'no Packages table: not an rpm database' };
    if (kind.type !== 'table' || /^\s*create\s+virtual/i.test(kind.sql ?? ''))
      return { ok: false, reason: `Packages is a ${kind.type}, not a table: not read` };
    const rows: { hnum: number; header?: RpmHeader; reason?: string }[] = [];
    for (const row of db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').iterate()) {
      const r = row as { hnum: unknown; blob: unknown };
      const hnum = typeof r.hnum === 'number' ? r.hnum : Number(r.hnum);
      if (!(r.blob instanceof Uint8Array)) {
        rows.push({ hnum, reason: 'blob is not binary' });
        continue;
      }
      const h = parseRpmHeader(r.blob);
      rows.push(h.ok ? { hnum, header: h.header } : { hnum, reason: h.reason });
    }
    return { ok: true, rows };
  } catch (e) {
    return { ok: false, reason: `cannot read the SQLite database: ${errorMessage(e)}` };
  } finally {
    db?.close();
  }
}

/** Parses an rpmdb.sqlite file's bytes. */
export function parseRpmSqlite(bytes: Uint8Array, path: string, related?: RelatedFiles): Extracted {
  const prefix = formOf(path)?.prefix ?? '';
  const table = readPackagesTable(bytes);
  if (!table.ok) return { packages: [], issues: [{ location: path, message: `${table.reason}: no packages listed` }] };
  const packages = table.rows.filter((r) => r.header?.name !== 'gpg-pubkey');
  const resolved = resolveTarget(path, prefix, related, 'rpm');
  if (!resolved.ok) {
    const n = packages.filter((r) => r.header !== undefined).length;
    return {
      packages: [],
      issues: [
        {
          location: path,
          message: resolved.issue.message.replace(/: packages not listed$/, `: ${n} packages not listed`),
        },
      ],
    };
  }
  const t = resolved.target;
  const c = new Collector(path, t.ecosystem);
  if (t.note !== undefined) c.issue(t.note);
  for (const row of packages) {
    const h = row.header;
    if (h === undefined) {
      c.issue(`package #${row.hnum}: ${row.reason ?? 'unreadable'}: skipped`);
      continue;
    }
    if (h.version === undefined || h.version === '') {
      c.issue(`package #${row.hnum} ${h.name}: no VERSION: skipped`);
      continue;
    }
    const version = rpmEvr({
      version: h.version,
      ...(h.release !== undefined ? { release: h.release } : {}),
      ...(h.epoch !== undefined ? { epoch: h.epoch } : {}),
    });
    let sourceName: string | undefined;
    let sourceVersion: string | undefined;
    if (h.sourceRpm !== undefined) {
      const s = parseSourceRpm(h.sourceRpm);
      if (s === undefined)
        c.issue(`${h.name}: SOURCERPM ${JSON.stringify(h.sourceRpm)} is not name-version-release.src.rpm`);
      else {
        sourceName = s.name;
        sourceVersion = rpmEvr({
          version: s.version,
          release: s.release,
          ...(h.epoch !== undefined ? { epoch: h.epoch } : {}),
        });
      }
    }
    const purlVersion = h.release === undefined || h.release === '' ? h.version : `${h.version}-${h.release}`;
    c.add({
      name: h.name,
      version,
      ...(sourceName !== undefined ? { sourceName } : {}),
      ...(sourceVersion !== undefined ? { sourceVersion } : {}),
      purl: osPurl(t, h.name, purlVersion, {
        ...(h.arch !== undefined ? { arch: h.arch } : {}),
        ...(h.epoch !== undefined && h.epoch !== 0 ? { epoch: String(h.epoch) } : {}),
        ...(sourceName !== undefined ? { sourceName } : {}),
        ...(sourceVersion !== undefined && sourceVersion !== version ? { sourceVersion } : {}),
      }),
    });
  }
  return c.result();
}

/** The issue for a BerkeleyDB or ndb database, unless an rpmdb.sqlite of the same root was found. */
function legacyIssue(
  form: 'bdb' | 'ndb',
  path: string,
  prefix: string,
  related: RelatedFiles | undefined,
  bytes?: Uint8Array,
): ExtractIssue[] {
  if (SQLITE_FILES.some((f) => related?.has(`${prefix}${f}`) === true)) return [];
  let what = form === 'bdb' ? 'BerkeleyDB' : 'ndb';
  if (bytes !== undefined) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const bdb =
      bytes.length >= 16 &&
      (view.getUint32(12, true) === BDB_HASH_MAGIC || view.getUint32(12, false) === BDB_HASH_MAGIC);
    const ndb = bytes.length >= 4 && String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!) === NDB_MAGIC;
    what = bdb ? 'BerkeleyDB' : ndb ? 'ndb' : `${what} (by its name; its first bytes are not that format's)`;
  }
  return [
    {
      location: path,
      message:
        `rpm database in ${what} form, which is not read (only rpmdb.sqlite is): the rpm packages of this root ` +
        'are not listed. Convert a copy with `rpmdb --rebuilddb --dbpath` on rpm >= 4.16, or scan an SBOM instead',
    },
  ];
}

/** The rpm database of a rootfs: rpmdb.sqlite read from its bytes; the older forms reported as not read. */
export const rpmSqlite: Extractor = {
  id: 'os/rpm-sqlite',
  // the rpm family (Red Hat, AlmaLinux, Rocky Linux, SUSE, ...) by os-release: its first ecosystem stands here
  ecosystem: 'Red Hat',
  kind: 'installed',
  matches(path) {
    return formOf(path) !== undefined;
  },
  related(path) {
    const f = formOf(path);
    if (f === undefined) return [];
    const release = releaseFilesFor(path, [...SQLITE_FILES, ...BDB_FILES, ...NDB_FILES]);
    // for the legacy forms: whether an rpmdb.sqlite is there too (only its presence is used)
    return f.form === 'sqlite' ? release : [...release, ...SQLITE_FILES.map((s) => `${f.prefix}${s}`)];
  },
  extract(_text, path, related) {
    const f = formOf(path);
    if (f !== undefined && f.form !== 'sqlite')
      return { packages: [], issues: legacyIssue(f.form, path, f.prefix, related) };
    return {
      packages: [],
      issues: [
        { location: path, message: 'rpmdb.sqlite is binary: it is read from its bytes (extractBytes), not as text' },
      ],
    };
  },
  extractBytes(bytes, path, related) {
    const f = formOf(path);
    if (f !== undefined && f.form !== 'sqlite')
      return { packages: [], issues: legacyIssue(f.form, path, f.prefix, related, bytes) };
    return parseRpmSqlite(bytes, path, related);
  },
};

/** The directory names the rpm database is looked for in, for tests and the walker's documentation. */
export const RPM_DB_DIRS: readonly string[] = RPM_DIRS;
