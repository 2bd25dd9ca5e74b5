// The contract of the Sigma engine (src/hunt/sigma). Pure: no I/O; rules arrive as text, events as FieldSource.
import type { Severity } from '../../core/severity.ts';
import type { FieldSource } from '../event.ts';

export type Logsource = {
  readonly product?: string;
  readonly category?: string;
  readonly service?: string;
  readonly definition?: string;
};

/** A Sigma detection rule as parsed (after `action: global` merging), not yet compiled. */
export type SigmaRule = {
  readonly kind: 'rule';
  readonly id?: string;
  /** Sigma v2 `name`, used by correlations and filters to refer to rules. */
  readonly name?: string;
  readonly title: string;
  readonly status?: string;
  readonly description?: string;
  readonly references: readonly string[];
  readonly author?: string;
  readonly date?: string;
  readonly modified?: string;
  readonly tags: readonly string[];
  /** Rule level; a rule without one gets `medium` (docs/DECISIONS.md). */
  readonly level: Severity;
  readonly falsepositives: readonly string[];
  readonly fields: readonly string[];
  readonly logsource: Logsource;
  /** The raw `detection` map. */
  readonly detection: Readonly<Record<string, unknown>>;
  /** Where it came from: file path, or `archive.zip!inner/path.yml`, plus `#n` for the n-th YAML document. */
  readonly path: string;
  /** The whole YAML document, for fields we do not model. */
  readonly raw: Readonly<Record<string, unknown>>;
};

/** A Sigma correlation rule document, validated by src/hunt/sigma/correlation. */
export type SigmaCorrelationDoc = {
  readonly kind: 'correlation';
  readonly id?: string;
  readonly name?: string;
  readonly title: string;
  readonly level: Severity;
  readonly tags: readonly string[];
  readonly path: string;
  readonly raw: Readonly<Record<string, unknown>>;
};

/** A Sigma meta filter document (`filter:` section), applied to the rules it names. */
export type SigmaFilterDoc = {
  readonly kind: 'filter';
  readonly id?: string;
  readonly name?: string;
  readonly title: string;
  readonly path: string;
  readonly raw: Readonly<Record<string, unknown>>;
};

export type SigmaDocument = SigmaRule | SigmaCorrelationDoc | SigmaFilterDoc;

/** A rule (or document) that cannot be used, and why. Reported, never silently dropped. */
export type RuleIssue = {
  readonly path: string;
  readonly id?: string;
  readonly title?: string;
  readonly reason: string;
};

export type CompileOptions = {
  /** Renames a Sigma field for one logsource binding (e.g. Image -> NewProcessName on Security 4688). */
  readonly mapField?: (field: string) => string;
  /** Values for `|expand` placeholders (`%name%` -> values). A placeholder with no values rejects the rule. */
  readonly placeholders?: ReadonlyMap<string, readonly string[]>;
};

/** A compiled rule: matching allocates little and never compiles anything per event. */
export interface CompiledRule {
  readonly rule: SigmaRule;
  /** True when the event satisfies the rule's condition. */
  match(event: FieldSource): boolean;
  /** Field names (after mapping) the rule reads; for output of matched fields. */
  readonly fields: readonly string[];
}
