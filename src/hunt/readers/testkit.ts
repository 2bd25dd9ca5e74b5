// Helpers for the readers' tests: read bytes through a reader, and run real SigmaHQ rules over a fixture.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEvent, LogFormat, LogReader, ReadIssue } from '../event.ts';
import { bytesSource } from '../input.ts';
import { HuntEngine } from '../engine.ts';

/** Every event and issue of `bytes` read by `reader`, delivered in `chunk`-byte pieces when given. */
export async function readAll(
  reader: LogReader,
  bytes: Uint8Array | string,
  opts: { path?: string; chunk?: number } = {},
): Promise<{ events: LogEvent[]; issues: ReadIssue[]; batches: number[] }> {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const path = opts.path ?? 'test.log';
  const source =
    opts.chunk === undefined
      ? bytesSource(path, buf)
      : {
          path,
          chunks: async function* () {
            for (let i = 0; i < buf.length; i += opts.chunk!) yield buf.subarray(i, i + opts.chunk!);
          },
        };
  const events: LogEvent[] = [];
  const issues: ReadIssue[] = [];
  const batches: number[] = [];
  for await (const b of reader.read(source, { onIssue: (i) => issues.push(i) })) {
    batches.push(b.length);
    events.push(...b);
  }
  return { events, issues, batches };
}

/** The SigmaHQ checkout beside the repo (../shared/data/sigma), when present. */
export const SIGMA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'data', 'sigma');
export const SIGMA_SKIP = existsSync(join(SIGMA, 'rules'))
  ? false
  : 'needs the SigmaHQ rules in ../shared/data/sigma: not present';

/**
 * Rule title → number of detections, running the given SigmaHQ rule files (relative to SIGMA) over `file` (its
 * format detected, or `format`).
 */
export async function sigmaHits(
  ruleFiles: readonly string[],
  file: string,
  format?: LogFormat,
): Promise<Map<string, number>> {
  const rules = ruleFiles.map((r) => join(SIGMA, r));
  const engine = await HuntEngine.create({ rules, status: ['stable', 'test', 'experimental', ''] });
  const problems = [...engine.report.rejected, ...engine.report.unbound];
  if (problems.length) throw new Error(`rules not usable: ${problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`);
  const hits = new Map<string, number>();
  await engine.huntFile(
    file,
    { selection: { rules, status: ['stable', 'test', 'experimental', ''] }, ...(format ? { format } : {}) },
    {
      findings: (b) => {
        for (const f of b) hits.set(f.rule.title, (hits.get(f.rule.title) ?? 0) + 1);
      },
      baseMatches: () => {},
      progress: () => {},
      issue: (i) => {
        throw new Error(`read issue in ${i.file}: ${i.message}`);
      },
    },
  );
  return hits;
}
