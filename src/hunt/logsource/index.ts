// The logsource layer: which rules may apply to an event (bindings and index keys), and how the engine reads the
// event's fields (FieldSource per format). See docs/formats/logsources.md.
import type { FieldSource, LogEvent } from '../event.ts';
import { classify } from './keys.ts';
import { sourceFor } from './ruleset.ts';

export { bindLogsource, UNKNOWN_LOGSOURCE, type BindResult, type RuleBinding } from './bind.ts';
export { RuleSet, type CompileFn, type LogsourceCount, type RuleMatch, type RuleSetOptions } from './ruleset.ts';

/** All index keys under which rules may apply to this event (shared, frozen: do not modify). */
export function eventKeys(ev: LogEvent): readonly string[] {
  return classify(ev).keys;
}

/** The fields of an event as the Sigma engine reads them. Cheap: lookups happen lazily, in place. */
export function fieldSourceOf(ev: LogEvent): FieldSource {
  return sourceFor(ev, classify(ev));
}
