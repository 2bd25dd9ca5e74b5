import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldSource, LogEvent, LogFormat } from '../event.ts';
import type { CompileOptions, CompiledRule, Logsource, SigmaRule } from '../sigma/types.ts';
import { RuleSet, type CompileFn } from './index.ts';

function ev(format: LogFormat, data: Record<string, unknown>): LogEvent {
  return { format, data, source: { file: 'test' } };
}

function win(channel: string, eventId: number, eventData: Record<string, unknown>): LogEvent {
  return ev('evtx', { Event: { System: { Channel: channel, EventID: eventId }, EventData: eventData } });
}

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

function rule(title: string, logsource: Logsource, detection: Record<string, unknown>): SigmaRule {
  return {
    kind: 'rule',
    id: `id-${title}`,
    title,
    references: [],
    tags: [],
    level: 'high',
    falsepositives: [],
    fields: [],
    logsource,
    detection,
    path: `${title}.yml`,
    raw: {},
  };
}

/**
 * A tiny stand-in for the Sigma engine: `selection` (and an optional negated `filter`) as maps of
 * `field[|endswith]: value`, compared case-insensitively. Records every compile and match call.
 */
function fakeCompiler() {
  const compiles: { title: string; mapped: Record<string, string> }[] = [];
  const matches = new Map<string, number>();
  const compile: CompileFn = (r: SigmaRule, opts: CompileOptions): CompiledRule => {
    const det = r.detection;
    if (det['broken']) throw new Error(`cannot compile ${r.title}: broken detection`);
    const mapField = opts.mapField ?? ((f: string) => f);
    const tests = (sel: unknown) =>
      Object.entries((sel ?? {}) as Record<string, string>).map(([key, raw]) => {
        const [field, mod] = key.split('|') as [string, string | undefined];
        let value = raw;
        const ph = /^%(\w+)%$/.exec(raw);
        if (ph) {
          const vals = opts.placeholders?.get(ph[1]!);
          if (!vals?.length) throw new Error(`placeholder %${ph[1]}% has no values`);
          value = vals[0]!;
        }
        return { field: mapField(field), mod, value: value.toLowerCase() };
      });
    const sel = tests(det['selection']);
    const filter = det['filter'] ? tests(det['filter']) : undefined;
    const mapped: Record<string, string> = {};
    for (const f of Object.keys((det['selection'] ?? {}) as object)) {
      const name = f.split('|')[0]!;
      mapped[name] = mapField(name);
    }
    compiles.push({ title: r.title, mapped });
    const holds = (ts: typeof sel, fs: FieldSource) =>
      ts.every((t) => {
        const v = fs.get(t.field);
        if (v === undefined || v === null) return false;
        const s = String(v).toLowerCase();
        return t.mod === 'endswith' ? s.endsWith(t.value) : s === t.value;
      });
    return {
      rule: r,
      fields: sel.map((t) => t.field),
      match(fs) {
        matches.set(r.title, (matches.get(r.title) ?? 0) + 1);
        if (det['throws']) throw new Error('boom');
        return holds(sel, fs) && !(filter && holds(filter, fs));
      },
    };
  };
  return { compile, compiles, matches };
}

const PROC = { product: 'windows', category: 'process_creation' };

const sysmonCmd = win(SYSMON, 1, {
  Image: 'C:\\Windows\\System32\\cmd.exe',
  OriginalFileName: 'Cmd.Exe',
  ParentImage: 'C:\\Windows\\explorer.exe',
});
const security4688Cmd = win('Security', 4688, {
  NewProcessName: 'C:\\Windows\\System32\\cmd.exe',
  ParentProcessName: 'C:\\Windows\\explorer.exe',
  CommandLine: 'cmd.exe',
});

test('accounts for every rule: compiled, unbound, rejected', () => {
  const { compile } = fakeCompiler();
  const set = new RuleSet(
    [
      rule('proc', PROC, { selection: { 'Image|endswith': '\\cmd.exe' }, condition: 'selection' }),
      rule('mac', { product: 'macos', category: 'process_creation' }, { selection: { Image: 'x' } }),
      rule('mac-broken', { product: 'macos', category: 'process_creation' }, { broken: true }),
      rule('broken', PROC, { broken: true }),
      rule('sec', { product: 'windows', service: 'security' }, { selection: { EventID: '4625' } }),
    ],
    compile,
  );
  assert.equal(set.loaded, 5);
  assert.equal(set.compiled, 2);
  assert.deepEqual(
    set.unbound.map((i) => i.title),
    ['mac'],
  );
  assert.match(set.unbound[0]!.reason, /^log source not read here: macOS/);
  assert.deepEqual(set.rejected.map((i) => i.title).sort(), ['broken', 'mac-broken']);
  assert.match(set.rejected.find((i) => i.title === 'broken')!.reason, /broken detection/);
  const proc = set.logsources.find((l) => l.logsource === 'windows/process_creation/-');
  assert.deepEqual(
    { rules: proc?.rules, compiled: proc?.compiled, rejected: proc?.rejected, unbound: proc?.unbound },
    { rules: 2, compiled: 1, rejected: 1, unbound: 0 },
  );
  assert.deepEqual(proc?.bindings, ['windows/sysmon EID 1', 'windows/security EID 4688']);
  const mac = set.logsources.find((l) => l.logsource === 'macos/process_creation/-');
  assert.deepEqual(
    { unbound: mac?.unbound, rejected: mac?.rejected, bindings: mac?.bindings },
    { unbound: 1, rejected: 1, bindings: [] },
  );
});

test('compiles once per distinct field mapping, not once per binding', () => {
  const { compile, compiles } = fakeCompiler();
  new RuleSet(
    [
      rule('proc', PROC, { selection: { Image: 'a', CommandLine: 'b' }, condition: 'selection' }),
      rule('reg', { product: 'windows', category: 'registry_event' }, { selection: { TargetObject: 'x' } }),
      rule('ps', { product: 'windows', service: 'powershell' }, { selection: { EventID: '4104' } }),
    ],
    compile,
  );
  assert.deepEqual(
    compiles.map((c) => c.title),
    ['proc', 'proc', 'reg', 'ps'],
  );
  assert.deepEqual(compiles[0]!.mapped, { Image: 'Image', CommandLine: 'CommandLine' });
  assert.deepEqual(compiles[1]!.mapped, { Image: 'NewProcessName', CommandLine: 'CommandLine' });
});

test('process_creation runs on Sysmon EID 1 and, mapped, on Security 4688', () => {
  const { compile } = fakeCompiler();
  const set = new RuleSet(
    [
      rule('cmd', PROC, {
        selection: { 'Image|endswith': '\\cmd.exe', 'ParentImage|endswith': '\\explorer.exe' },
        condition: 'selection',
      }),
    ],
    compile,
  );
  const s = set.match(sysmonCmd);
  assert.equal(s.length, 1);
  assert.equal(s[0]!.binding.label, 'windows/sysmon EID 1');
  assert.equal(s[0]!.fields.get('Image'), 'C:\\Windows\\System32\\cmd.exe');
  const w = set.match(security4688Cmd);
  assert.equal(w.length, 1);
  assert.equal(w[0]!.binding.label, 'windows/security EID 4688');
  assert.equal(w[0]!.compiled.rule.title, 'cmd');
  assert.deepEqual(w[0]!.compiled.fields, ['NewProcessName', 'ParentProcessName']);
});

test('a rule whose negated filter reads a field 4688 lacks stays off 4688', () => {
  const { compile, compiles } = fakeCompiler();
  const r = rule('cmd-not-renamed', PROC, {
    selection: { 'Image|endswith': '\\cmd.exe' },
    filter: { OriginalFileName: 'cmd.exe' },
    condition: 'selection and not filter',
  });
  const set = new RuleSet([r], compile);
  assert.equal(compiles.length, 1, 'compiled for Sysmon only');
  assert.deepEqual(
    set.bindingsOf(r).map((b) => b.label),
    ['windows/sysmon EID 1'],
  );
  assert.equal(set.narrowed.length, 1);
  assert.match(set.narrowed[0]!.reason, /windows\/security EID 4688: it needs field OriginalFileName/);
  // on 4688 the filter could never match, so the rule would fire wrongly: it must not run there
  assert.equal(set.match(security4688Cmd).length, 0);
  // on Sysmon the filter works: this cmd.exe is the real one
  assert.equal(set.match(sysmonCmd).length, 0);
  const renamed = win(SYSMON, 1, { Image: 'C:\\Users\\x\\cmd.exe', OriginalFileName: 'evil.exe' });
  assert.equal(set.match(renamed).length, 1);
});

test('only the rules indexed under the event’s keys are tried, and `where` is checked first', () => {
  const { compile, matches } = fakeCompiler();
  const set = new RuleSet(
    [
      rule('proc', PROC, { selection: { Image: 'x' } }),
      rule('sec', { product: 'windows', service: 'security' }, { selection: { EventID: '4625' } }),
      rule('add', { product: 'windows', category: 'registry_add' }, { selection: { TargetObject: 'k' } }),
      rule('web', { category: 'webserver' }, { selection: { 'cs-method': 'GET' } }),
    ],
    compile,
  );
  set.match(sysmonCmd);
  set.match(sysmonCmd);
  set.match(win(SYSMON, 12, { EventType: 'DeleteKey', TargetObject: 'k' }));
  assert.deepEqual(Object.fromEntries(matches), { proc: 2 });
  assert.equal(set.match(win(SYSMON, 12, { EventType: 'createkey', TargetObject: 'K' })).length, 1);
  assert.equal(set.match(ev('web', { 'cs-method': 'GET' })).length, 1);
  assert.deepEqual(Object.fromEntries(matches), { proc: 2, add: 1, web: 1 });
  assert.equal(set.match(ev('json', { unrelated: true })).length, 0);
  assert.deepEqual(Object.fromEntries(matches), { proc: 2, add: 1, web: 1 });
});

test('a rule fires once per event even when two of its bindings apply', () => {
  const { compile } = fakeCompiler();
  const set = new RuleSet(
    [rule('auth', { product: 'linux', service: 'auth' }, { selection: { appname: 'sshd' } })],
    compile,
  );
  const both = ev('syslog', { appname: 'sshd', facility: 'auth', message: 'Failed password' });
  assert.equal(set.match(both).length, 1);
  assert.equal(set.match(both).length, 1, 'and again on the next event');
});

test('a rule that throws does not stop the others', () => {
  const { compile } = fakeCompiler();
  const set = new RuleSet(
    [
      rule('thrower', PROC, { selection: { Image: 'x' }, throws: true }),
      rule('ok', PROC, { selection: { 'Image|endswith': 'cmd.exe' } }),
    ],
    compile,
  );
  assert.deepEqual(
    set.match(sysmonCmd).map((m) => m.compiled.rule.title),
    ['ok'],
  );
});

test('placeholders reach the compiler; a rule with an unknown placeholder is rejected', () => {
  const { compile } = fakeCompiler();
  const placeholders = new Map([['admins', ['C:\\Windows\\System32\\cmd.exe']]]);
  const set = new RuleSet(
    [
      rule('ph', PROC, { selection: { Image: '%admins%' } }),
      rule('ph-missing', PROC, { selection: { Image: '%nobody%' } }),
    ],
    compile,
    { placeholders },
  );
  assert.equal(set.compiled, 1);
  assert.match(set.rejected[0]!.reason, /%nobody%/);
  assert.equal(set.match(sysmonCmd).length, 1);
});

test('matches come back in rule order', () => {
  const { compile } = fakeCompiler();
  const titles = ['c', 'a', 'b'];
  const set = new RuleSet(
    titles.map((t) =>
      rule(t, t === 'a' ? { product: 'windows' } : PROC, { selection: { 'Image|endswith': 'cmd.exe' } }),
    ),
    compile,
  );
  assert.deepEqual(
    set.match(sysmonCmd).map((m) => m.compiled.rule.title),
    titles,
  );
});
