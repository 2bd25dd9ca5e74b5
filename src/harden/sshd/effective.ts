// The value sshd applies for one keyword, with sshd's two passes (what `sshd -T` prints without `-C`):
//   1. the whole file with no connection: lines in the global section and after `Match all` count, in reading
//      order, and the first value wins (or every line adds up, for accumulating keywords);
//   2. the Match pass: for keywords allowed after `Match`, the first value after a `Match all` replaces the
//      result of pass 1 (servconf.c copy_set_server_options), so `Match all` at the end beats the global section.
// Lines under other `Match` conditions apply to some connections only: they are reported, never judged.
import { keywordInfo, type KeywordInfo } from './keywords.ts';
import type { PlacedDirective, SshdConfig } from './load.ts';
import { normalise } from './values.ts';

export type Effective = {
  readonly key: string;
  readonly info: KeywordInfo | undefined;
  /** The normalised value (sshd -T text), or why sshd would refuse it. Absent with no line and no known default. */
  readonly value?: string;
  readonly error?: string;
  /** The line sshd applies (the first one, for accumulating keywords); absent when the default applies. */
  readonly source?: PlacedDirective;
  /** Lines that set the keyword for every connection but lose to `source` (first value wins). */
  readonly ignored: readonly PlacedDirective[];
  /** Lines under a `Match` with conditions: they change the value for matching connections. */
  readonly overrides: readonly PlacedDirective[];
};

/** The effective global value of `keyword` (any spelling). */
export function effectiveValue(config: SshdConfig, keyword: string): Effective {
  const info = keywordInfo(keyword);
  const key = info ? info.name.toLowerCase() : keyword.toLowerCase();
  const lines = config.directives.filter((d) => d.key === key);
  const pass1 = lines.filter((d) => d.context.kind !== 'match');
  const afterAll = lines.filter((d) => d.context.kind === 'all');
  const overrides = lines.filter((d) => d.context.kind === 'match');
  const applied = info?.matchable && afterAll.length > 0 ? afterAll : pass1;
  const base = { key, info, overrides };

  if (applied.length === 0) {
    return info?.default === undefined ? { ...base, ignored: [] } : { ...base, value: info.default, ignored: [] };
  }
  if (info?.accumulates) {
    const values: string[] = [];
    for (const d of applied) {
      const n = normalise(info, d.args);
      if ('error' in n) return { ...base, source: d, error: n.error, ignored: [] };
      values.push(n.value);
    }
    const ignored = pass1.filter((d) => !applied.includes(d));
    return { ...base, source: applied[0]!, value: values.join(' '), ignored };
  }
  const source = applied[0]!;
  const ignored = pass1.filter((d) => d !== source);
  const n = normalise(info, source.args);
  return 'error' in n ? { ...base, source, error: n.error, ignored } : { ...base, source, value: n.value, ignored };
}
