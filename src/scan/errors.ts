import { MamoriError } from '../core/errors.ts';

/** Error codes of `scan`: each names what went wrong so the CLI and server can map it (exit code, HTTP status). */
export type ScanErrorCode =
  /** No OSV database at the given path, or not in any of the forms `--db` accepts. */
  | 'DB_NOT_FOUND'
  /** The database file exists but is not a Mamori index (or is a newer schema than this version reads). */
  | 'DB_INVALID'
  /** A zip archive that cannot be read: truncated, not a zip, or a member that does not inflate. */
  | 'ARCHIVE_INVALID'
  /** A download that failed for a reason retrying will not fix (404, 403, a size bound, a bad archive). */
  | 'DOWNLOAD_FAILED'
  /** `db update` was asked for nothing it can do (no ecosystem named and none installed). */
  | 'NOTHING_TO_UPDATE'
  /** A path, `--root` or `--image` given to scan that does not exist or is not of that kind. */
  | 'TARGET_NOT_FOUND'
  /** An ignore/VEX file that cannot be read at all. */
  | 'IGNORE_INVALID';

export class ScanError extends MamoriError<ScanErrorCode> {}
