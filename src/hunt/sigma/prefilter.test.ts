import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldSource, LogEvent } from '../event.ts';
import { RuleSet } from '../logsource/index.ts';
import { seededRandom } from '../../core/random.ts';
import { Automaton } from './automaton.ts';
import { compileRule } from './compile.ts';
import { lower } from './lower.ts';
import { Prefilter, regexRequirement, type Atom, type Requirement } from './prefilter.ts';
import { testFields, testRule } from './testkit.ts';
import type { SigmaRule } from './types.ts';

const fields = testFields;
const rule = (detection: Record<string, unknown>, title = 't'): SigmaRule =>
  testRule(detection, {
    id: `id-${title}`,
    title,
    logsource: { product: 'windows', category: 'process_creation' },
    path: `${title}.yml`,
  });

const req = (detection: Record<string, unknown>): Requirement => compileRule(rule(detection)).requirement;
const show = (r: Requirement): string[][] => r.map((c) => c.map((a) => `${a.field ?? '*'} ${a.kind} ${a.text}`).sort());

/** The requirement checked the slow way, on every text of each field, as the evaluator sees them. */
function holds(r: Requirement, fs: FieldSource): boolean {
  const textsOf = (a: Atom): string[] => {
    if (a.field === undefined) return [...fs.values()];
    const out: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'string') out.push(v);
      else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
    };
    walk(fs.get(a.field));
    return out;
  };
  const atomHolds = (a: Atom): boolean =>
    textsOf(a).some((raw) => {
      const t = raw.toLowerCase();
      if (a.kind === 'exact') return t === a.text;
      if (a.kind === 'prefix') return t.startsWith(a.text);
      if (a.kind === 'suffix') return t.endsWith(a.text);
      return t.includes(a.text);
    });
  return r.every((clause) => clause.some(atomHolds));
}

test('requirements follow the condition: AND keeps clauses, OR pairs them, NOT and opaque tests need nothing', () => {
  const cases: [string, Record<string, unknown>, string[][]][] = [
    ['endswith', { s: { 'Image|endswith': '\\rundll32.exe' }, condition: 's' }, [['Image suffix \\rundll32.exe']]],
    [
      'a list is one clause',
      { s: { 'Image|endswith': ['\\a.exe', '\\b.exe'] }, condition: 's' },
      [['Image suffix \\a.exe', 'Image suffix \\b.exe']],
    ],
    [
      'AND: one clause per child, most selective first',
      { s: { 'Image|endswith': '\\rundll32.exe', 'CommandLine|contains': 'javascript:' }, condition: 's' },
      [['Image suffix \\rundll32.exe'], ['CommandLine contains javascript:']],
    ],
    [
      'OR pairs clauses; equality is exact, case folded',
      { a: { OriginalFileName: 'RUNDLL32.EXE' }, b: { 'Image|endswith': '\\x.exe' }, condition: 'a or b' },
      [['Image suffix \\x.exe', 'OriginalFileName exact rundll32.exe']],
    ],
    ['NOT needs nothing', { s: { Image: 'a' }, condition: 'not s' }, []],
    [
      'and not: the filter adds nothing',
      { s: { 'CommandLine|contains': 'mimikatz' }, f: { User: 'x' }, condition: 's and not f' },
      [['CommandLine contains mimikatz']],
    ],
    [
      'an OR with an unindexable side needs nothing',
      { a: { 'CommandLine|contains': 'abc' }, b: { 'Ip|cidr': '10.0.0.0/8' }, condition: '1 of them' },
      [],
    ],
    ['numbers need nothing', { s: { EventID: 4688 }, condition: 's' }, []],
    [
      'inner wildcards: the literal runs, anchored where the pattern is',
      // in Sigma a backslash before * escapes it, so a path separator there is written \\
      { s: { Image: 'C:\\Users\\\\*\\AppData\\\\*.exe' }, condition: 's' },
      [['Image prefix c:\\users\\'], ['Image contains \\appdata\\'], ['Image suffix .exe']],
    ],
    [
      'cased: the value as a needle, lower-cased (the index folds case)',
      { s: { 'CommandLine|contains|cased': 'IEX' }, condition: 's' },
      [['CommandLine contains iex']],
    ],
    [
      'cased with non-ASCII letters: only the stable runs',
      { s: { 'CommandLine|contains|cased': 'ÄbcDef' }, condition: 's' },
      [['CommandLine contains bcdef']],
    ],
    [
      'windash: every dash variant',
      { s: { 'CommandLine|windash|contains': ' -enc ' }, condition: 's' },
      [
        [
          'CommandLine contains  -enc ',
          'CommandLine contains  /enc ',
          'CommandLine contains  \u2013enc ',
          'CommandLine contains  \u2014enc ',
          'CommandLine contains  \u2015enc ',
        ],
      ],
    ],
    ['keywords search every value', { k: ['*evil.exe*'], condition: 'k' }, [['* contains evil.exe']]],
    [
      're: literal runs',
      { s: { 'CommandLine|re': 'ipconfig\\s+/all' }, condition: 's' },
      [['CommandLine contains ipconfig'], ['CommandLine contains /all']],
    ],
    [
      'weak extra clauses are dropped',
      { s: { 'CommandLine|contains': 'mimikatz', 'ParentImage|contains': '\\' }, condition: 's' },
      [['CommandLine contains mimikatz']],
    ],
  ];
  for (const [name, det, want] of cases)
    assert.deepEqual(
      show(req(det)),
      want.map((c) => c.sort()),
      name,
    );
});

test('regular expressions: runs every match must contain; anything unclear gives up', () => {
  const cases: [string, string[][]][] = [
    // \x41 is read whole, not as the literal "41"; one-letter runs are too weak to keep beside "bc"
    ['a\\x41bc', [['bc']]],
    ['ab*cd+e?f{2}g{0,3}h', [['cd']]],
    ['foo|bar', [['bar', 'foo']]],
    ['foo|', []],
    ['\\cAxyz\\u0041qq', [['xyz']]],
    ['x[abc]yy(z|q)+ww', [['ww']]],
    ['powershell.+-enc(odedcommand)?\\s+[a-z0-9+/=]{20,}', [['powershell'], ['-enc']]],
    ['(?<n>ab)\\k<n>cd', [['cd']]],
    ['a{', []],
    ['\\$PSHome\\[\\s*\\d', [['$pshome[']]],
  ];
  for (const [src, want] of cases) {
    const got = regexRequirement('F', src).map((c) => c.map((a) => a.text).sort());
    assert.deepEqual(got, want, src);
  }
});

test('the automaton finds every occurrence, A-Z folded, ASCII and not', () => {
  const random = seededRandom(7);
  const int = (n: number): number => Math.floor(random() * n);
  const alphabet = ['a', 'b', 'c', '\\', '.', 'é', '\u2013', 'x'];
  const word = (n: number): string => Array.from({ length: n }, () => alphabet[int(alphabet.length)]!).join('');
  for (let round = 0; round < 20; round++) {
    const patterns = [...new Set(Array.from({ length: 30 }, () => word(1 + int(5))))];
    const ac = new Automaton(patterns);
    for (let k = 0; k < 20; k++) {
      const text = word(int(40));
      const upper = text.replace(/[a-z]/g, (c) => (random() < 0.5 ? c.toUpperCase() : c));
      const got: string[] = [];
      ac.scan(upper, (id, end) => got.push(`${id}@${end}`));
      const want: string[] = [];
      for (let end = 0; end < text.length; end++)
        patterns.forEach((p, id) => {
          if (end + 1 >= p.length && text.slice(end + 1 - p.length, end + 1) === p) want.push(`${id}@${end}`);
        });
      assert.deepEqual(got.sort(), want.sort(), `${JSON.stringify(patterns)} in ${JSON.stringify(upper)}`);
    }
  }
});

// Detections with every kind of test, and events made to meet and nearly meet them.
const DETECTIONS: Record<string, unknown>[] = [
  { s: { 'Image|endswith': '\\rundll32.exe', 'CommandLine|contains': 'javascript:' }, condition: 's' },
  {
    s: { 'Image|endswith': ['\\powershell.exe', '\\pwsh.exe'] },
    e: { 'CommandLine|contains': ' -enc' },
    condition: 's and e',
  },
  { s: { OriginalFileName: ['Cmd.Exe', 'İnstall.exe'] }, condition: 's' },
  { s: { 'CommandLine|contains|cased': 'IEX' }, condition: 's' },
  { s: { 'CommandLine|contains|cased': 'Straße' }, condition: 's' },
  { s: { 'CommandLine|windash|contains': [' -nop ', ' -w hidden'] }, condition: 's' },
  { s: { 'CommandLine|base64offset|contains': 'http://' }, condition: 's' },
  { s: { 'CommandLine|wide|base64offset|contains': 'IEX' }, condition: 's' },
  { s: { 'CommandLine|re': '(?i)invoke-(web|rest)request\\s+-uri' }, condition: 's' },
  { s: { 'CommandLine|re': 'ÄÖ+x' }, condition: 's' },
  { s: { Image: 'C:\\Users\\\\*\\AppData\\\\*.exe' }, condition: 's' },
  { s: { Image: '*\\?md.exe' }, condition: 's' },
  { s: { 'CommandLine|contains|all': ['net', ' user ', '/add'] }, condition: 's' },
  {
    s: { 'CommandLine|startswith': '"C:\\Windows\\' },
    f: { 'CommandLine|contains': 'svchost' },
    condition: 's and not f',
  },
  { s: { ParentImage: null, 'Image|endswith': '\\x.exe' }, condition: 's' },
  { s: { 'User|contains': ['AUTHORI', 'AUTORI'] }, condition: 's' },
  { s: { 'Image|fieldref': 'ParentImage' }, condition: 's' },
  {
    s: { 'Hashes|contains': 'SHA256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    condition: 's',
  },
  { k: ['*mimikatz*', 'sekurlsa::logonpasswords'], condition: 'k' },
  {
    a: { 'CommandLine|contains': 'whoami' },
    b: { 'Image|endswith': '\\whoami.exe' },
    c: { 'TerminalSessionId|gt': 0 },
    condition: '1 of them',
  },
  {
    a: { 'CommandLine|contains': 'vssadmin' },
    b: { 'CommandLine|contains': 'delete' },
    c: { 'CommandLine|contains': 'shadows' },
    condition: '2 of them',
  },
  { s: { 'CommandLine|endswith': ['.dat,#1', '.dat #1'] }, condition: 's' },
  { s: { IntegrityLevel: ['High', 'System'], 'Image|contains': '\\temp\\' }, condition: 's' },
  { s: { 'CommandLine|contains': '' }, condition: 's' },
  { s: { CommandLine: '' }, condition: 's' },
  { s: { 'CommandLine|contains': '*️⃣' }, condition: 's' },
  { s: { 'Description|contains': 'ΣΟΦΙΑ' }, condition: 's' },
  { s: { 'CommandLine|expand': '%tool% run' }, condition: 's' },
];

const BASE: Record<string, unknown> = {
  Image: 'C:\\Windows\\System32\\rundll32.exe',
  OriginalFileName: 'RUNDLL32.EXE',
  CommandLine: 'rundll32.exe javascript:"\\..\\mshtml,RunHTMLApplication ";alert(1)',
  ParentImage: 'C:\\Windows\\explorer.exe',
  User: 'NT AUTHORITY\\SYSTEM',
  IntegrityLevel: 'System',
  TerminalSessionId: 1,
  Hashes: 'SHA256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
};

const VARIANTS: Record<string, unknown>[] = [
  {},
  { CommandLine: 'powershell.exe -NoP -W Hidden -Enc SQBFAFgA' },
  {
    CommandLine: 'powershell.exe \u2013nop \u2013w hidden',
    Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\POWERSHELL.EXE',
  },
  { CommandLine: 'cmd /c iex (New-Object Net.WebClient)' },
  { CommandLine: 'cmd /c IEX (New-Object Net.WebClient)' },
  { CommandLine: `x ${Buffer.from('GET http://evil').toString('base64')}` },
  { CommandLine: Buffer.from('xIEX (New', 'utf16le').toString('base64') },
  { CommandLine: 'powershell Invoke-WebRequest  -Uri http://x' },
  { CommandLine: 'ÄÖÖÖx and STRASSE and Straße' },
  { Image: 'C:\\Users\\bob\\AppData\\Local\\Temp\\a.EXE', IntegrityLevel: 'High' },
  { Image: 'C:\\Tools\\Cmd.exe', OriginalFileName: 'cmd.exe' },
  { Image: 'C:\\x.exe', ParentImage: null },
  { Image: 'C:\\x.exe', ParentImage: undefined },
  { Image: 'C:\\x.exe', ParentImage: '' },
  { OriginalFileName: 'İNSTALL.EXE' },
  { OriginalFileName: 'i̇nstall.exe' },
  { CommandLine: 'net  user bob /ADD' },
  { CommandLine: 'NET USER bob pw /add' },
  { CommandLine: '"C:\\Windows\\system32\\svchost.exe" -k x' },
  { CommandLine: '"c:\\windows\\notepad.exe"' },
  { User: ['x', 'NT AUTORITÄT\\SYSTEM'] },
  { Image: 'C:\\a.exe', ParentImage: 'c:\\A.EXE' },
  { Hashes: 'MD5=1,SHA256=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' },
  { CommandLine: 'run Invoke-Mimikatz' },
  { Description: 'sekurlsa::LOGONPASSWORDS' },
  { CommandLine: 'whoami /all', TerminalSessionId: '0' },
  { CommandLine: 'vssadmin delete shadows /all' },
  { CommandLine: 'vssadmin list shadows' },
  { CommandLine: 'rundll32 perfc.dat,#1' },
  { CommandLine: '' },
  { CommandLine: 'pick *\ufe0f\u20e3 now' },
  { Description: 'σοφια', CommandLine: 12345 },
  { Description: 'ΣΟΦΙΑ' },
  { CommandLine: 'psexec run' },
  { CommandLine: ['a', 'b javascript:'], Image: ['C:\\x', 'D:\\RUNDLL32.EXE'] },
];

function events(): LogEvent[] {
  const out: LogEvent[] = [];
  for (const v of VARIANTS) {
    const data: Record<string, unknown> = { ...BASE, ...v };
    for (const k of Object.keys(data)) if (data[k] === undefined) delete data[k];
    for (const channel of ['Microsoft-Windows-Sysmon/Operational', 'Security']) {
      const ed = channel === 'Security' ? { ...data, NewProcessName: data['Image'] } : data;
      out.push({
        format: 'evtx',
        data: { Event: { System: { Channel: channel, EventID: channel === 'Security' ? 4688 : 1 }, EventData: ed } },
        source: { file: 'test' },
      });
    }
  }
  return out;
}

test('prefiltered and plain evaluation agree on every event of the table', () => {
  const rules = DETECTIONS.map((d, i) => rule(d, `r${i}`));
  const placeholders = new Map([['tool', ['psexec', 'paexec']]]);
  const on = new RuleSet(rules, compileRule, { placeholders });
  const off = new RuleSet(rules, compileRule, { placeholders, prefilter: false });
  assert.equal(on.rejected.length, 0, JSON.stringify(on.rejected));
  let matched = 0;
  for (const e of events()) {
    const a = on.match(e).map((m) => `${m.compiled.rule.title} ${m.binding.label}`);
    const b = off.match(e).map((m) => `${m.compiled.rule.title} ${m.binding.label}`);
    assert.deepEqual(a, b, JSON.stringify(e.data));
    matched += a.length;
  }
  // the table means something only if many rules fire
  assert.ok(matched > 60, `only ${matched} matches`);
  assert.ok(on.prefilterStats(events()[0]!)!.entries >= DETECTIONS.length);
});

test('a rule matches only where its requirement holds, and the index selects exactly those rules', () => {
  const compiled = DETECTIONS.map((d) =>
    compileRule(rule(d), { placeholders: new Map([['tool', ['psexec', 'paexec']]]) }),
  );
  const pf = new Prefilter(compiled.map((c) => c.requirement));
  for (const v of VARIANTS) {
    const fs = fields({ ...BASE, ...v });
    const n = pf.select(fs);
    const selected = new Set(pf.positions.subarray(0, n));
    compiled.forEach((c, i) => {
      const need = holds(c.requirement, fs);
      if (c.match(fs)) assert.ok(need, `rule ${i} matched without its requirement on ${JSON.stringify(v)}`);
      assert.equal(selected.has(i), need, `rule ${i} on ${JSON.stringify(v)}`);
    });
  }
});

test('case-insensitive equality holds when lower-casing lengthens the text', () => {
  const r = compileRule(rule({ s: { OriginalFileName: 'i̇nstall.exe' }, condition: 's' }));
  assert.ok(r.match(fields({ OriginalFileName: 'İnstall.exe' })));
  assert.equal(lower('İ').length, 2);
  assert.ok(!r.match(fields({ OriginalFileName: 'install.exe' })));
});

test('a value nested too deep to scan lets every rule look at the event', () => {
  let deep: unknown = 'rundll32.exe javascript:alert(1)';
  for (let i = 0; i < 100; i++) deep = [deep];
  const compiled = DETECTIONS.map((d) =>
    compileRule(rule(d), { placeholders: new Map([['tool', ['psexec', 'paexec']]]) }),
  );
  const pf = new Prefilter(compiled.map((c) => c.requirement));
  const fs = fields({ ...BASE, CommandLine: deep });
  assert.equal(pf.select(fs), compiled.length);
  assert.ok(compiled[0]!.match(fs));
});
