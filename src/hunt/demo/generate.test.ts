import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateDemo } from './generate.ts';

const DAY = Date.UTC(2026, 10, 2);

test('the demo is deterministic for a seed and differs for another', () => {
  const a = generateDemo({ start: DAY });
  const b = generateDemo({ start: DAY });
  const c = generateDemo({ start: DAY, seed: 7 });
  assert.deepEqual([...a.entries()], [...b.entries()]);
  assert.notEqual(a.get('web/access.log'), c.get('web/access.log'));
});

test('windows demo events are evtx_dump-shaped JSON lines with increasing record ids', () => {
  const files = generateDemo({ start: DAY });
  for (const name of ['windows/BR042-WS07-sysmon.jsonl', 'windows/BR042-DC01-security-system.jsonl']) {
    const lines = files.get(name)!.trim().split('\n');
    let last = 0;
    for (const line of lines) {
      const ev = JSON.parse(line) as {
        Event: {
          System: { EventRecordID: number; Channel: string; TimeCreated: { '#attributes': { SystemTime: string } } };
        };
      };
      assert.ok(ev.Event.System.EventRecordID > last);
      last = ev.Event.System.EventRecordID;
      assert.match(ev.Event.System.TimeCreated['#attributes'].SystemTime, /^2026-11-0[23]T\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
  }
});

test('the attacks are present and the routine volume scales', () => {
  const one = generateDemo({ start: DAY });
  const ten = generateDemo({ start: DAY, scale: 10 });
  assert.match(one.get('windows/BR042-WS07-sysmon.jsonl')!, /comsvcs\.dll, MiniDump/);
  assert.equal((one.get('linux/auth.log')!.match(/Failed password/g) ?? []).length, 60);
  assert.match(one.get('web/access.log')!, /UNION%20SELECT/);
  assert.match(one.get('linux/audit.log')!, /type=EXECVE msg=audit\(\d+\.\d{3}:\d+\): argc=5 a0="nc" a1="-e"/);
  const lines = (s: string | undefined): number => (s ?? '').split('\n').length;
  assert.ok(lines(ten.get('web/access.log')) > 9 * lines(one.get('web/access.log')));
  assert.equal((ten.get('linux/auth.log')!.match(/Failed password/g) ?? []).length, 60);
});
