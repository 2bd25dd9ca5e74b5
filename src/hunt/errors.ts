import { MamoriError } from '../core/errors.ts';

export type HuntErrorCode =
  | 'UNKNOWN_FORMAT'
  | 'NO_INPUT'
  | 'RULES_NOT_FOUND'
  | 'RULES_INVALID'
  | 'RULE_INVALID'
  | 'ARCHIVE_INVALID'
  | 'DOWNLOAD_FAILED';

export class HuntError extends MamoriError<HuntErrorCode> {}
