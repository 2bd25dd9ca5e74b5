// The literal prefilter against plain evaluation, on the whole SigmaHQ ruleset: every event must give the same
// findings, in the same order, with the prefilter on and off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Finding } from '../core/finding.ts';
import { generateDemo } from './demo/generate.ts';
import { HuntEngine, type RuleSelection } from './engine.ts';
import type { LogEvent } from './event.ts';
import { readLogFile } from './open.ts';
import { loadRules } from './rules/load.ts';

const SIGMA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'sigma');
const RULE_DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(SIGMA, d));
const skip = existsSync(RULE_DIRS[0]!) ? false : 'needs the SigmaHQ ruleset in ../shared/data/sigma: not present';

async function eventsOf(paths: string[]): Promise<LogEvent[]> {
  const out: LogEvent[] = [];
  for (const p of paths) for await (const batch of readLogFile(p, { onIssue: () => {} })) out.push(...batch);
  return out;
}

/** The same Windows event with its EventData text changed: case flipped, or an 'İ' (longer when lower-cased) added. */
function variant(ev: LogEvent, change: (s: string) => string): LogEvent | undefined {
  const e = (ev.data as { Event?: { EventData?: Record<string, unknown> } }).Event;
  if (!e?.EventData || typeof e.EventData !== 'object') return undefined;
  const ed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e.EventData)) ed[k] = typeof v === 'string' ? change(v) : v;
  return { ...ev, data: { ...ev.data, Event: { ...e, EventData: ed } } };
}

test(
  'the whole SigmaHQ ruleset: the prefilter changes no finding (demo day, regression events)',
  { skip },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mamori-prefilter-'));
    try {
      for (const [name, text] of generateDemo({ start: Date.UTC(2026, 10, 2) })) {
        await mkdir(dirname(join(dir, name)), { recursive: true });
        await writeFile(join(dir, name), text);
      }
      const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name));
      const events = await eventsOf(files);
      const regression = join(SIGMA, 'regression_data');
      if (existsSync(regression)) {
        const json = (await readdir(regression, { recursive: true, withFileTypes: true }))
          .filter((e) => e.isFile() && e.name.endsWith('.json'))
          .map((e) => join(e.parentPath, e.name));
        const samples = await eventsOf(json);
        events.push(...samples);
        for (const ev of samples) {
          const up = variant(ev, (s) => s.toUpperCase());
          const dotted = variant(ev, (s) => `İ${s.replace(/i/g, 'İ')}`);
          if (up) events.push(up);
          if (dotted) events.push(dotted);
        }
      }
      assert.ok(events.length > 1000, `only ${events.length} events`);

      const loaded = await loadRules([...RULE_DIRS, join(import.meta.dirname, '..', '..', 'rules', 'mamori')]);
      // every status, so deprecated and unsupported rules are compared too
      const base: RuleSelection = {
        rules: [],
        status: ['stable', 'test', 'experimental', 'deprecated', 'unsupported', ''],
      };
      const on = HuntEngine.fromLoaded(loaded, base);
      const off = HuntEngine.fromLoaded(loaded, { ...base, prefilter: false });
      assert.ok(on.report.active > 3000, `only ${on.report.active} rules active`);
      let findings = 0;
      for (const ev of events) {
        const a: Finding[] = [];
        const b: Finding[] = [];
        on.matchEvent(ev, a, [], base);
        off.matchEvent(ev, b, [], base);
        assert.deepEqual(
          a.map((f) => f.id),
          b.map((f) => f.id),
          `${ev.source.file} ${JSON.stringify(ev.data).slice(0, 300)}`,
        );
        findings += a.length;
      }
      assert.ok(findings > 100, `only ${findings} findings`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
