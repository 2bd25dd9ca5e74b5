// Every log source the SigmaHQ ruleset names is either bound to something a reader produces, or deliberately
// unsupported with a reason; and every SigmaHQ regression event carries a key its rule is bound to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import type { LogEvent, LogFormat } from '../../src/hunt/event.ts';
import { bindLogsource, eventKeys, fieldSourceOf, UNKNOWN_LOGSOURCE } from '../../src/hunt/logsource/index.ts';
import type { Logsource } from '../../src/hunt/sigma/types.ts';

const SIGMA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'sigma');
const REGRESSION = join(SIGMA, 'regression_data');
const skip = existsSync(SIGMA) ? false : 'needs ../shared/data/sigma: not present';

type RuleDoc = { path: string; id?: string; logsource: Logsource; detection: Record<string, unknown> };

async function ruleFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const top of (await readdir(SIGMA)).filter((d) => d.startsWith('rules'))) {
    for (const e of await readdir(join(SIGMA, top), { recursive: true, withFileTypes: true })) {
      if (e.isFile() && (e.name.endsWith('.yml') || e.name.endsWith('.yaml'))) out.push(join(e.parentPath, e.name));
    }
  }
  return out.sort();
}

let rulesCache: RuleDoc[] | undefined;
async function allRules(): Promise<RuleDoc[]> {
  if (rulesCache) return rulesCache;
  const out: RuleDoc[] = [];
  for (const path of await ruleFiles()) {
    for (const doc of parseAllDocuments(await readFile(path, 'utf8'))) {
      const j = doc.toJS() as Record<string, unknown> | null;
      if (!j || typeof j !== 'object' || typeof j['logsource'] !== 'object' || j['logsource'] === null) continue;
      out.push({
        path,
        ...(typeof j['id'] === 'string' ? { id: j['id'] } : {}),
        logsource: j['logsource'] as Logsource,
        detection: (j['detection'] ?? {}) as Record<string, unknown>,
      });
    }
  }
  return (rulesCache = out);
}

function lsKey(ls: Logsource): string {
  return `${ls.product ?? '-'}/${ls.category ?? '-'}/${ls.service ?? '-'}`;
}

test('every logsource in the SigmaHQ ruleset is bound or deliberately unsupported', { skip }, async () => {
  const rules = await allRules();
  assert.ok(rules.length > 1000, `expected the SigmaHQ ruleset, found ${rules.length} rules`);
  const tally = new Map<string, { ls: Logsource; n: number }>();
  for (const r of rules) {
    const k = lsKey(r.logsource);
    const t = tally.get(k);
    if (t) t.n++;
    else tally.set(k, { ls: r.logsource, n: 1 });
  }
  const rows: string[] = [];
  const undecided: string[] = [];
  let boundRules = 0;
  let unsupportedRules = 0;
  for (const [k, { ls, n }] of [...tally].sort((a, b) => b[1].n - a[1].n || a[0].localeCompare(b[0]))) {
    const b = bindLogsource(ls);
    if ('bindings' in b) {
      assert.ok(b.bindings.length > 0, `${k}: bound to nothing`);
      for (const x of b.bindings) assert.ok(x.key && x.label, `${k}: binding without key or label`);
      boundRules += n;
      const labels = [...new Set(b.bindings.map((x) => x.label.replace(/ EID \d+/, ' EID …')))];
      rows.push(`${String(n).padStart(5)}  ${k.padEnd(52)} bound: ${labels.join('; ')}`);
    } else {
      assert.ok(b.unsupported.length > 10, `${k}: unsupported without a reason`);
      if (b.unsupported.startsWith(UNKNOWN_LOGSOURCE)) undecided.push(`${k} (${n} rules): ${b.unsupported}`);
      unsupportedRules += n;
      rows.push(`${String(n).padStart(5)}  ${k.padEnd(52)} unsupported: ${b.unsupported}`);
    }
  }
  console.log(
    `${tally.size} distinct logsources; ${boundRules} rules bound, ${unsupportedRules} rules on log sources not read here\n` +
      rows.join('\n'),
  );
  assert.deepEqual(undecided, [], 'log sources nobody decided about');
});

/** The JSON values in a file: one document, or several written one after another (some regression samples). */
function jsonDocuments(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
  }
  return out;
}

type Case = { dir: string; ruleId: string; title: string };

async function regressionCases(): Promise<Case[]> {
  const out: Case[] = [];
  for (const e of await readdir(REGRESSION, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name !== 'info.yml') continue;
    const info = parseYaml(await readFile(join(e.parentPath, e.name), 'utf8')) as {
      rule_metadata: { id: string; title: string }[];
      regression_tests_info?: { type: string }[];
    };
    if (!info.regression_tests_info?.some((t) => t.type === 'evtx')) continue;
    const meta = info.rule_metadata[0]!;
    out.push({ dir: e.parentPath, ruleId: meta.id, title: meta.title });
  }
  return out.sort((a, b) => a.dir.localeCompare(b.dir));
}

function selectionFields(detection: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const [name, sel] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe' || name.startsWith('filter')) continue;
    for (const m of Array.isArray(sel) ? sel : [sel]) {
      if (m && typeof m === 'object') for (const k of Object.keys(m)) out.add(k.split('|')[0]!);
    }
  }
  return [...out];
}

test(
  'every SigmaHQ regression event carries a key its rule is bound to',
  { skip: existsSync(REGRESSION) ? false : 'needs ../shared/data/sigma/regression_data: not present' },
  async () => {
    const cases = await regressionCases();
    assert.ok(cases.length >= 100, `expected about 101 evtx cases, found ${cases.length}`);
    const byId = new Map<string, RuleDoc>();
    for (const r of await allRules()) if (r.id) byId.set(r.id, r);
    const failures: string[] = [];
    for (const c of cases) {
      const rule = byId.get(c.ruleId);
      if (!rule) {
        failures.push(`${c.title}: rule ${c.ruleId} not found`);
        continue;
      }
      const bound = bindLogsource(rule.logsource);
      if (!('bindings' in bound)) {
        failures.push(`${c.title}: logsource ${lsKey(rule.logsource)} unsupported: ${bound.unsupported}`);
        continue;
      }
      const files = (await readdir(c.dir)).filter((f) => f.endsWith('.json'));
      const events = (await Promise.all(files.map(async (f) => jsonDocuments(await readFile(join(c.dir, f), 'utf8')))))
        .flat()
        .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null);
      if (events.length === 0) {
        failures.push(`${c.title}: no JSON event in ${c.dir}`);
        continue;
      }
      // the same data as the EVTX reader yields it and as a JSON file of evtx_dump output
      for (const format of ['evtx', 'json'] as LogFormat[]) {
        const hit = events.some((data) => {
          const ev: LogEvent = { format, data, source: { file: c.dir } };
          const keys = eventKeys(ev);
          const fs = fieldSourceOf(ev);
          return bound.bindings.some(
            (b) =>
              keys.includes(b.key) &&
              Object.entries(b.where ?? {}).every(([f, vs]) =>
                vs.some((v) => String(fs.get(f)).toLowerCase() === String(v).toLowerCase()),
              ),
          );
        });
        if (!hit) {
          const keys = events.map((data) => eventKeys({ format, data, source: { file: c.dir } }).join(' ')).join(' | ');
          failures.push(
            `${c.title} (${format}): keys [${keys}] meet none of ${bound.bindings.map((b) => b.key).join(', ')}`,
          );
        }
      }
      // the rule's positive fields are found in the event (under EventData, UserData, System or a space-less name)
      const fields = selectionFields(rule.detection);
      const found = fields.filter((f) =>
        events.some((data) => fieldSourceOf({ format: 'evtx', data, source: { file: c.dir } }).get(f) !== undefined),
      );
      if (fields.length && found.length === 0) failures.push(`${c.title}: none of ${fields.join(', ')} found`);
    }
    assert.deepEqual(failures, []);
  },
);
