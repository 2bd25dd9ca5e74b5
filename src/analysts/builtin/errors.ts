import { MamoriError } from '../../core/errors.ts';

/** Error codes of the built-in analysts. Each is raised when an analyst is created or closed, never from `judge`. */
export type BuiltinAnalystErrorCode =
  /** The known-benign patterns file does not exist or cannot be read. */
  | 'KNOWN_BENIGN_NOT_FOUND'
  /** The known-benign patterns file is not valid YAML or does not follow its schema (the message says where). */
  | 'KNOWN_BENIGN_INVALID'
  /**
   * The rarity history file exists but cannot be used: unreadable (permissions, a directory in its place), too
   * large, not JSON, or not a rarity history. Never silently replaced: the next close would overwrite the fleet's
   * baseline with one run's worth.
   */
  | 'HISTORY_UNREADABLE'
  /** The rarity history file was written by a newer Mamori (a format version this one does not know). */
  | 'HISTORY_VERSION'
  /** The rarity history could not be written (directory not creatable, disk full, permissions). */
  | 'HISTORY_WRITE'
  /** createBuiltinAnalyst was given a name that is not a built-in analyst (the message lists the known ones). */
  | 'UNKNOWN_ANALYST';

export class BuiltinAnalystError extends MamoriError<BuiltinAnalystErrorCode> {}
