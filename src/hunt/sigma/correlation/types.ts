// Data shapes of Sigma correlation rules (Sigma specification v2.1, plus pySigma's `value_median`).
import type { Severity } from '../../../core/severity.ts';

/** A base rule's id or name (both are registered), or a correlation's id or name (for chaining). */
export type RuleKey = string;

/** One detection a correlation can consume: a base rule matched an event (or a referenced correlation fired). */
export type BaseMatch = {
  /** Id and name of the matched rule (or of a correlation that fired, for chaining). */
  readonly rules: readonly RuleKey[];
  /** Event time in ms since the epoch (UTC). Events without a time cannot take part in correlations. */
  readonly time: number;
  /** Only the fields the correlations need (see fieldsNeeded). */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Opaque handle of the event for the caller (kept, bounded, in hits). */
  readonly ref: unknown;
};

/** One firing of a correlation: a group whose window met the condition (overlapping windows merged, see docs). */
export type CorrelationHit = {
  readonly correlation: CompiledCorrelation;
  /** Group-by field values (alias names as written in `group-by`). Empty without group-by. */
  readonly group: Readonly<Record<string, unknown>>;
  readonly firstTime: number;
  readonly lastTime: number;
  /** The count / distinct count / sum / avg / percentile that met the condition (the peak, see docs). */
  readonly value: number;
  /** The contributing events' refs in time order, at most MAX_HIT_REFS. */
  readonly refs: readonly unknown[];
  /** How many events contributed (refs may hold fewer). */
  readonly total: number;
};

export type CorrelationType =
  | 'event_count'
  | 'value_count'
  | 'temporal'
  | 'temporal_ordered'
  | 'value_sum'
  | 'value_avg'
  | 'value_percentile'
  | 'value_median';

export const CORRELATION_TYPES: readonly CorrelationType[] = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
  'value_median',
];

export type ConditionOp = 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';

export const CONDITION_OPS: readonly ConditionOp[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

/** The comparisons of a correlation condition; all present ones must hold (a range is gte + lte, etc.). */
export type CorrelationCondition = { readonly [K in ConditionOp]?: number };

/** A validated correlation rule. `chained` is filled by resolveCorrelations. */
export type CompiledCorrelation = {
  readonly kind: 'correlation';
  readonly type: CorrelationType;
  readonly id?: string;
  readonly name?: string;
  readonly title: string;
  readonly level: Severity;
  readonly tags: readonly string[];
  /** Where it came from (as SigmaCorrelationDoc.path). */
  readonly path: string;
  readonly status?: string;
  readonly description?: string;
  readonly author?: string;
  readonly references: readonly string[];
  readonly falsepositives: readonly string[];
  /** The referenced rules or correlations, by id or name, in the order written (temporal_ordered uses it). */
  readonly rules: readonly RuleKey[];
  /** Group-by entries: field names or alias names. Empty: one group for everything. */
  readonly groupBy: readonly string[];
  /** alias -> (rule id or name -> field name in the events that rule matches). */
  readonly aliases: ReadonlyMap<string, ReadonlyMap<RuleKey, string>>;
  /** As written (`5m`). */
  readonly timespan: string;
  readonly timespanMs: number;
  readonly condition: CorrelationCondition;
  /** value_count: the field(s) whose distinct values are counted; metric types: the one numeric field. */
  readonly field: readonly string[];
  /** value_percentile (0–100); value_median is 50. */
  readonly percentile?: number;
  /** Spec `generate`: when false (default), the referenced rules' own detections are not output. */
  readonly generate: boolean;
  /** Referenced correlations by the key used in `rules` (filled by resolveCorrelations; empty before). */
  readonly chained: ReadonlyMap<RuleKey, CompiledCorrelation>;
};
