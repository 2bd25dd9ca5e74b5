// Sigma correlation rules (specification v2.1): parse, resolve chains, and evaluate over buffered base matches.
// Semantics and limits: docs/formats/sigma-correlation.md.
export type {
  BaseMatch,
  CompiledCorrelation,
  ConditionOp,
  CorrelationCondition,
  CorrelationHit,
  CorrelationType,
  RuleKey,
} from './types.ts';
export { CONDITION_OPS, CORRELATION_TYPES } from './types.ts';
export { CorrelationError, type CorrelationErrorCode } from './errors.ts';
export { parseCorrelation, parseTimespan } from './parse.ts';
export { resolveCorrelations, fieldsNeeded, suppressedBaseRules } from './resolve.ts';
export { evaluateCorrelations, MAX_HIT_REFS } from './evaluate.ts';
