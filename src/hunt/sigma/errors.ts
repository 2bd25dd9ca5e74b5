import { MamoriError } from '../../core/errors.ts';

export type SigmaErrorCode =
  | 'YAML_INVALID'
  | 'RULE_INVALID'
  | 'MODIFIER_UNSUPPORTED'
  | 'CONDITION_INVALID'
  | 'PLACEHOLDER_UNRESOLVED'
  | 'REGEX_INVALID';

export class SigmaError extends MamoriError<SigmaErrorCode> {}
