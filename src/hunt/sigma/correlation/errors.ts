import { MamoriError } from '../../../core/errors.ts';

export type CorrelationErrorCode =
  | 'MISSING_FIELD'
  | 'UNKNOWN_TYPE'
  | 'BAD_RULES'
  | 'BAD_GROUP_BY'
  | 'BAD_TIMESPAN'
  | 'BAD_CONDITION'
  | 'BAD_FIELD'
  | 'BAD_ALIASES'
  | 'BAD_GENERATE'
  | 'UNSUPPORTED';

/**
 * A correlation document that cannot be used. The message names the key (`correlation.timespan`), what is wrong
 * and what to write instead; the caller adds the file and title (RuleIssue).
 */
export class CorrelationError extends MamoriError<CorrelationErrorCode> {}
