import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePurl } from '../inventory/purl.ts';
import { purlFor } from '../inventory/purl.ts';
import type { VulnerabilityFinding } from '../finding.ts';
import { compileGlob, globMatch } from './glob.ts';
import {
  applyIgnores,
  ignoreFormatOf,
  parseFileTime,
  parseIgnoreFile,
  type AppliedSuppression,
  type IgnoreRule,
  type VexNote,
} from './index.ts';
import { purlMatches } from './purl-match.ts';
import { finding, pkg } from './testkit.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'vex');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

const MAY = new Date('2024-05-01T12:00:00Z');

function npm(name: string, version: string, location = 'package-lock.json') {
  return pkg('npm', name, version, location, { purl: purlFor('npm', name, version) });
}

const byId = (list: readonly VulnerabilityFinding[], id: string, version?: string) =>
  list.find((f) => f.vulnerability.id === id && (version === undefined || f.package.version === version));

const vexOf = (f: VulnerabilityFinding | undefined): VexNote | undefined => f?.details?.['vex'] as VexNote | undefined;
const suppressionOf = (f: VulnerabilityFinding | undefined): AppliedSuppression | undefined => f?.suppressed;

describe('path globs', () => {
  const cases: [pattern: string, path: string, match: boolean][] = [
    ['package-lock.json', 'package-lock.json', true],
    ['package-lock.json', 'web/package-lock.json', false],
    ['*.json', 'package-lock.json', true],
    ['*.json', 'web/package-lock.json', false],
    ['**/package-lock.json', 'package-lock.json', true],
    ['**/package-lock.json', 'a/b/c/package-lock.json', true],
    ['**/*-lock.json', 'a/yarn-lock.json', true],
    ['web/**/package-lock.json', 'web/package-lock.json', true],
    ['web/**/package-lock.json', 'web/a/b/package-lock.json', true],
    ['web/**/package-lock.json', 'api/web/package-lock.json', false],
    ['vendor/**', 'vendor/x/go.mod', true],
    ['vendor/**', 'vendors/go.mod', false],
    ['./vendor/*', 'vendor/go.mod', true],
    ['/usr/lib/**', 'usr/lib/python3/dist-packages/x.dist-info/METADATA', true],
    ['req?.txt', 'req1.txt', true],
    ['req?.txt', 'req/.txt', false],
    ['a**b', 'axxb', true],
    ['a**b', 'ax/xb', false],
    ['**', 'anything/at/all', true],
    ['[abc].txt', '[abc].txt', true],
  ];
  for (const [pattern, path, match] of cases) {
    it(`${pattern} ${match ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(globMatch(compileGlob(pattern), path), match);
    });
  }

  it('stays fast on patterns that make a backtracking matcher explode', () => {
    const start = performance.now();
    const g = compileGlob(`${'*a'.repeat(200)}b`);
    assert.equal(globMatch(g, 'a'.repeat(4000)), false);
    assert.ok(performance.now() - start < 2000);
  });
});

describe('purl selectors', () => {
  const cases: [selector: string, target: string, match: boolean][] = [
    ['pkg:npm/lodash', 'pkg:npm/lodash@4.17.20', true],
    ['pkg:npm/lodash@4.17.20', 'pkg:npm/lodash@4.17.20', true],
    ['pkg:npm/lodash@4.17.21', 'pkg:npm/lodash@4.17.20', false],
    ['pkg:npm/lodash', 'pkg:npm/lodash-es@4.17.20', false],
    ['pkg:npm/%40babel/core', 'pkg:npm/%40babel/core@7.0.0', true],
    ['pkg:npm/core', 'pkg:npm/%40babel/core@7.0.0', false],
    ['pkg:pypi/Zope.Interface', 'pkg:pypi/zope-interface@5.0', true],
    ['pkg:deb/debian/openssl', 'pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12', true],
    ['pkg:deb/debian/openssl?distro=debian-12', 'pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12', true],
    ['pkg:deb/debian/openssl?distro=debian-11', 'pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12', false],
    ['pkg:deb/debian/openssl?distro=debian-12', 'pkg:deb/debian/openssl@3.0.11-1', false],
    ['pkg:deb/ubuntu/openssl', 'pkg:deb/debian/openssl@3.0.11-1', false],
    ['pkg:maven/org.apache/log4j-core', 'pkg:maven/org.apache/log4j-core@2.14.1', true],
    ['pkg:golang/github.com/x/y#sub', 'pkg:golang/github.com/x/y@v1.0.0', false],
  ];
  for (const [selector, target, match] of cases) {
    it(`${selector} ${match ? 'selects' : 'does not select'} ${target}`, () => {
      const s = parsePurl(selector);
      const t = parsePurl(target);
      assert.ok(s.ok && t.ok);
      assert.equal(purlMatches(s.purl, t.purl), match);
    });
  }
});

describe('dates', () => {
  const cases: [string, string | undefined][] = [
    ['2024-08-20', '2024-08-20'],
    ['2024-02-29', '2024-02-29'],
    ['2023-02-29', undefined],
    ['2024-13-01', undefined],
    ['2024-8-20', undefined],
    ['20240820', undefined],
    ['2023-01-16T19:07:16.853479631-06:00', '2023-01-17T01:07:16.853Z'],
    ['2024-03-01T10:00:00Z', '2024-03-01T10:00:00.000Z'],
    ['2024-03-01T24:00:00Z', undefined],
    ['2024-03-01T10:00:00', undefined],
    ['next tuesday', undefined],
  ];
  for (const [text, expect] of cases) {
    it(`${text} → ${expect ?? 'refused'}`, () => assert.equal(parseFileTime(text)?.text, expect));
  }
});

describe('format detection', () => {
  const cases: [text: string, path: string, format: string][] = [
    ['{}', 'vex.json', 'openvex'],
    ['{ "@context": "https://openvex.dev/ns/v0.2.0" }', 'ignore', 'openvex'],
    ['vulnerabilities: []', 'ignore', 'yaml'],
    ['CVE-2020-1', '.trivyignore.yaml', 'yaml'],
    ['CVE-2020-1\n', '.trivyignore', 'trivyignore'],
    ['# nothing\n', 'ignores.txt', 'trivyignore'],
  ];
  for (const [text, path, format] of cases) {
    it(`${path}: ${format}`, () => assert.equal(ignoreFormatOf(text, path), format));
  }
});

describe('OpenVEX', () => {
  const parsed = parseIgnoreFile(fixture('openvex.json'), 'openvex.json');

  it('reads the statements and refuses the invalid ones with their number and line', () => {
    assert.equal(parsed.format, 'openvex');
    assert.equal(parsed.rules.length, 9);
    const refused = parsed.issues.filter((i) => i.message.includes('not applied'));
    assert.deepEqual(
      refused.map((i) => i.statement),
      [4, 5],
    );
    assert.match(refused[0]!.message, /not_affected needs a justification or an impact_statement/);
    assert.match(refused[1]!.message, /status/);
    assert.ok(refused.every((i) => i.location === 'openvex.json' && typeof i.line === 'number'));
    // the line is the statement's opening brace
    const lines = fixture('openvex.json').split('\n');
    assert.match(lines[(refused[0]!.line as number) - 1]!, /^\s*\{\s*$/);
    assert.match(lines[refused[0]!.line as number]!, /CVE-2022-0003/);
  });

  const findings = [
    finding(npm('lodash', '4.17.20'), { id: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'] }),
    finding(npm('minimist', '1.2.5'), { id: 'CVE-2022-0001' }),
    finding(npm('minimist', '1.2.6'), { id: 'CVE-2022-0001' }),
    finding(npm('minimist', '1.2.5'), { id: 'CVE-2022-0002' }),
    finding(npm('minimist', '1.2.5'), { id: 'CVE-2022-0003' }),
    finding(npm('minimist', '1.2.5'), { id: 'CVE-2022-0005' }),
    finding(
      pkg('Debian:12', 'openssl', '3.0.11-1', 'image:var/lib/dpkg/status', {
        purl: 'pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12',
      }),
      { id: 'CVE-2022-0006' },
    ),
    finding(
      pkg('PyPI', 'zope.interface', '5.0', 'requirements.txt', { purl: purlFor('PyPI', 'zope.interface', '5.0') }),
      {
        id: 'CVE-2022-0007',
      },
    ),
    finding(npm('minimist', '1.2.5'), { id: 'CVE-2022-0008' }),
  ];

  it('suppresses by alias, with the justification and the statement as source', () => {
    const r = applyIgnores(findings, parsed.rules, MAY);
    const f = byId(r.suppressed, 'CVE-2021-23337');
    assert.deepEqual(suppressionOf(f), {
      status: 'not_affected',
      reason: 'template() is never called with user input',
      source: 'openvex.json#statement-1',
      justification: 'vulnerable_code_not_in_execute_path',
    });
    assert.equal(vexOf(f)?.status, 'not_affected');
  });

  it('fixed suppresses only the version named', () => {
    const r = applyIgnores(findings, parsed.rules, MAY);
    assert.equal(suppressionOf(byId(r.suppressed, 'CVE-2022-0001', '1.2.5'))?.status, 'fixed');
    assert.equal(suppressionOf(byId(r.suppressed, 'CVE-2022-0001', '1.2.5'))?.reason, 'backported the patch');
    assert.ok(byId(r.kept, 'CVE-2022-0001', '1.2.6'));
  });

  it('affected and under_investigation keep the finding and record the statement', () => {
    const r = applyIgnores(findings, parsed.rules, MAY);
    const affected = byId(r.kept, 'CVE-2022-0002');
    assert.deepEqual(vexOf(affected), {
      status: 'affected',
      source: 'openvex.json#statement-3',
      action_statement: 'upgrade to 1.2.6',
    });
    assert.equal(affected?.suppressed, undefined);
    // statement 9 (2024-01-01, under_investigation) is later than statement 10 (2023-12-01, not_affected)
    const investigated = byId(r.kept, 'CVE-2022-0008');
    assert.equal(vexOf(investigated)?.status, 'under_investigation');
  });

  it('an invalid not_affected statement suppresses nothing', () => {
    const r = applyIgnores(findings, parsed.rules, MAY);
    assert.ok(byId(r.kept, 'CVE-2022-0003'));
  });

  it('mamori_expires: suppresses until the date, then is reported as expired', () => {
    const before = applyIgnores(findings, parsed.rules, MAY);
    assert.equal(suppressionOf(byId(before.suppressed, 'CVE-2022-0005'))?.expires, '2024-06-01');
    const after = applyIgnores(findings, parsed.rules, new Date('2024-06-01T00:00:00Z'));
    assert.ok(byId(after.kept, 'CVE-2022-0005'));
    assert.deepEqual(
      after.expired.map((e) => [e.rule.source, e.matched]),
      [['openvex.json#statement-6', 1]],
    );
    assert.ok(!after.unused.some((r) => r.source === 'openvex.json#statement-6'));
  });

  it('subcomponents are cleared only when the product is the scanned target', () => {
    const without = applyIgnores(findings, parsed.rules, MAY);
    assert.ok(byId(without.kept, 'CVE-2022-0006'));
    const withTarget = applyIgnores(findings, parsed.rules, MAY, { targets: ['pkg:oci/app@sha256%3Aabc'] });
    assert.equal(
      suppressionOf(byId(withTarget.suppressed, 'CVE-2022-0006'))?.justification,
      'vulnerable_code_not_present',
    );
  });

  it('reads v0.0.1 string forms, and PyPI names match after PEP 503 normalisation', () => {
    const r = applyIgnores(findings, parsed.rules, MAY);
    assert.equal(suppressionOf(byId(r.suppressed, 'CVE-2022-0007'))?.status, 'fixed');
  });

  it('lists statements that matched nothing', () => {
    const r = applyIgnores(findings, parsed.rules, MAY);
    // statement 7 only applies with the target given
    assert.deepEqual(
      r.unused.map((u) => u.source),
      ['openvex.json#statement-7', 'openvex.json#statement-11'],
    );
  });

  it('later statements override earlier ones whatever their order in the file', () => {
    const doc = (statements: object[]) =>
      JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', timestamp: '2024-01-01T00:00:00Z', statements });
    const old = {
      timestamp: '2024-02-01T00:00:00Z',
      vulnerability: { name: 'CVE-2022-0001' },
      products: ['pkg:npm/minimist'],
      status: 'affected',
      action_statement: 'upgrade',
    };
    const recent = { ...old, timestamp: '2024-03-01T00:00:00Z', status: 'fixed' };
    for (const order of [
      [old, recent],
      [recent, old],
    ]) {
      const p = parseIgnoreFile(doc(order), 'v.json');
      const r = applyIgnores([findings[1]!], p.rules, MAY);
      assert.equal(r.suppressed.length, 1);
    }
  });

  it('refuses documents that are not OpenVEX, and bad JSON with its line', () => {
    const notVex = parseIgnoreFile('{"bomFormat": "CycloneDX"}', 'bom.json');
    assert.equal(notVex.rules.length, 0);
    assert.match(notVex.issues[0]!.message, /not an OpenVEX document/);
    const broken = parseIgnoreFile('{\n  "@context": "https://openvex.dev/ns",\n  "statements": [,]\n}', 'v.json');
    assert.equal(broken.rules.length, 0);
    assert.equal(broken.issues[0]!.line, 3);
    assert.match(broken.issues[0]!.message, /invalid JSON/);
  });

  it('refuses statements with bad timestamps or expiry, and products without purls', () => {
    const text = JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      timestamp: '2024-01-01T00:00:00Z',
      statements: [
        { vulnerability: { name: 'CVE-1' }, products: ['pkg:npm/a'], status: 'fixed', timestamp: 'yesterday' },
        { vulnerability: { name: 'CVE-2' }, products: ['pkg:npm/a'], status: 'fixed', mamori_expires: '2024-02-30' },
        { vulnerability: { name: 'CVE-3' }, products: [{ '@id': 'https://example.com/app' }], status: 'fixed' },
        { vulnerability: { name: 'CVE-4' }, status: 'fixed' },
        {
          vulnerability: { name: 'CVE-5' },
          products: ['pkg:npm/a'],
          status: 'not_affected',
          justification: 'trust_me',
        },
        { vulnerability: { name: 'CVE-6' }, products: ['pkg:npm/a'], status: 'fixed' },
        { vulnerability: { name: 'CVE-7' }, products: ['pkg:npm/a'], status: 'affected' },
      ],
    });
    const p = parseIgnoreFile(text, 'v.json');
    assert.deepEqual(
      p.rules.map((r) => r.source),
      ['v.json#statement-6', 'v.json#statement-7'],
    );
    // affected without an action_statement is reported but kept: it suppresses nothing anyway
    assert.ok(p.issues.some((i) => i.statement === 7 && /action_statement/.test(i.message)));
    const refused = p.issues.filter((i) => i.message.endsWith('not applied'));
    assert.deepEqual(
      refused.map((i) => i.statement),
      [1, 2, 3, 4, 5],
    );
  });
});

describe('YAML ignore file', () => {
  const parsed = parseIgnoreFile(fixture('trivyignore.yaml'), '.trivyignore.yaml');

  it('reads the valid entries and refuses the others with their line', () => {
    assert.equal(parsed.format, 'yaml');
    assert.deepEqual(
      parsed.rules.map((r) => r.source),
      [
        '.trivyignore.yaml:3',
        '.trivyignore.yaml:8',
        '.trivyignore.yaml:14',
        '.trivyignore.yaml:19',
        '.trivyignore.yaml:34',
      ],
    );
    const refused = parsed.issues.map((i) => [i.line, i.message]);
    assert.equal(refused.length, 3);
    assert.equal(refused[0]![0], 23);
    assert.match(String(refused[0]![1]), /path/);
    assert.equal(refused[1]![0], 28);
    assert.match(String(refused[1]![1]), /statement: required \(the reason for ignoring it\)/);
    assert.equal(refused[2]![0], 30);
    assert.match(String(refused[2]![1]), /expired_at "2024-02-30" is not a date/);
  });

  const findings = [
    finding(npm('ansi-regex', '5.0.0', 'web/app/package-lock.json'), { id: 'CVE-2021-3807' }),
    finding(npm('ansi-regex', '5.0.0', 'api/package-lock.json'), { id: 'CVE-2021-3807' }),
    finding(npm('semver', '7.3.5'), { id: 'CVE-2022-25883', aliases: ['GHSA-c2qf-rxjj-qqgw'] }),
    finding(npm('semver-x', '7.3.5'), { id: 'CVE-2022-25883', aliases: ['GHSA-c2qf-rxjj-qqgw'] }),
    finding(
      pkg('Debian:12', 'linux-libc-dev', '6.1.0', 'image:var/lib/dpkg/status', {
        purl: 'pkg:deb/debian/linux-libc-dev@6.1.0?distro=debian-12',
      }),
      { id: 'CVE-2024-0001' },
    ),
    finding(npm('glob-parent', '5.1.1'), { id: 'CVE-2020-28469' }),
  ];

  it('matches by id and path glob, by alias and purl, by purl alone', () => {
    const r = applyIgnores(findings, parsed.rules, MAY);
    assert.deepEqual(
      r.suppressed.map((f) => [f.package.name, f.package.location, f.suppressed?.source]),
      [
        ['ansi-regex', 'web/app/package-lock.json', '.trivyignore.yaml:3'],
        ['semver', 'package-lock.json', '.trivyignore.yaml:8'],
        ['linux-libc-dev', 'image:var/lib/dpkg/status', '.trivyignore.yaml:14'],
      ],
    );
    assert.deepEqual(r.suppressed[1]!.suppressed, {
      status: 'accepted',
      reason: 'version ranges come from our own package.json',
      source: '.trivyignore.yaml:8',
      expires: '2030-01-01',
    });
    assert.equal(r.suppressed[2]!.suppressed?.status, 'not_affected');
    assert.deepEqual(
      r.kept.map((f) => [f.package.name, f.package.location]),
      [
        ['ansi-regex', 'api/package-lock.json'],
        ['semver-x', 'package-lock.json'],
        ['glob-parent', 'package-lock.json'],
      ],
    );
  });

  it('reports the expired entry and the unused one', () => {
    const r = applyIgnores(findings, parsed.rules, MAY);
    assert.deepEqual(
      r.expired.map((e) => [e.rule.source, e.matched]),
      [['.trivyignore.yaml:19', 1]],
    );
    assert.deepEqual(
      r.unused.map((u) => u.source),
      ['.trivyignore.yaml:34'],
    );
  });

  it('an entry expires at the start of its day (UTC), as Trivy reads expired_at', () => {
    const glob = [findings[5]!];
    assert.equal(applyIgnores(glob, parsed.rules, new Date('2024-01-30T23:59:59Z')).suppressed.length, 1);
    assert.equal(applyIgnores(glob, parsed.rules, new Date('2024-01-31T00:00:00Z')).suppressed.length, 0);
  });

  it('refuses an entry that selects nothing, and reports invalid YAML with its line', () => {
    const nothing = parseIgnoreFile('vulnerabilities:\n  - statement: everything\n', 'i.yaml');
    assert.equal(nothing.rules.length, 0);
    assert.match(nothing.issues[0]!.message, /no id, purls or paths/);
    const broken = parseIgnoreFile('vulnerabilities:\n  - id: CVE-1\n    statement: "unclosed\n', 'i.yaml');
    assert.equal(broken.rules.length, 0);
    assert.match(broken.issues[0]!.message, /invalid YAML/);
    assert.equal(typeof broken.issues[0]!.line, 'number');
    const dup = parseIgnoreFile('vulnerabilities:\n  - id: CVE-1\n    id: CVE-2\n    statement: x\n', 'i.yaml');
    assert.equal(dup.rules.length, 0);
    assert.equal(dup.issues[0]!.line, 3);
  });

  it('bounds alias expansion (billion laughs)', () => {
    const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    lines.push('vulnerabilities: []');
    const p = parseIgnoreFile(lines.join('\n'), 'bomb.yaml');
    assert.equal(p.rules.length, 0);
    assert.match(p.issues[0]!.message, /invalid YAML/);
  });
});

describe('plain .trivyignore', () => {
  const parsed = parseIgnoreFile(fixture('trivyignore'), '.trivyignore');

  it('reads ids, exp: dates and comments as reasons, and refuses bad fields', () => {
    assert.equal(parsed.format, 'trivyignore');
    assert.deepEqual(
      parsed.rules.map((r) => [
        r.source,
        r.kind === 'ignore' ? r.id : '',
        r.expires,
        r.kind === 'ignore' ? r.reason : '',
      ]),
      [
        ['.trivyignore:2', 'CVE-2021-3807', undefined, 'ansi-regex: only used by the build tooling'],
        ['.trivyignore:4', 'CVE-2020-28469', '2024-01-31', 'glob-parent: waiting for upstream'],
        ['.trivyignore:5', 'GHSA-c2qf-rxjj-qqgw', '2030-01-01', 'listed in the ignore file'],
        ['.trivyignore:8', 'AVD-DS-0002', undefined, 'listed in the ignore file'],
      ],
    );
    assert.deepEqual(
      parsed.issues.map((i) => i.line),
      [6, 7],
    );
  });

  it('applies by id or alias, ignoring case', () => {
    const rules = parseIgnoreFile('cve-2021-3807\n', '.trivyignore').rules;
    const r = applyIgnores(
      [
        finding(npm('ansi-regex', '5.0.0'), { id: 'CVE-2021-3807' }),
        finding(npm('semver', '7.3.5'), { id: 'CVE-2022-25883', aliases: ['GHSA-c2qf-rxjj-qqgw'] }),
      ],
      [...rules, ...parsed.rules],
      MAY,
    );
    assert.deepEqual(
      r.suppressed.map((f) => f.suppressed?.source),
      ['.trivyignore:1', '.trivyignore:5'],
    );
  });
});

describe('applying', () => {
  it('a purl selector never matches a finding without a purl (fail closed)', () => {
    const rules = parseIgnoreFile(
      'vulnerabilities:\n  - id: CVE-1\n    purls: [pkg:npm/a]\n    statement: x\n',
      'i.yaml',
    ).rules;
    const f = finding(pkg('npm', 'a', '1.0.0'), { id: 'CVE-1' });
    const r = applyIgnores([f], rules, MAY);
    assert.equal(r.kept.length, 1);
    assert.equal(r.unused.length, 1);
  });

  it('the first matching ignore entry wins; VEX decides before ignore entries', () => {
    const yaml = parseIgnoreFile(
      'vulnerabilities:\n  - id: CVE-1\n    statement: first\n  - id: CVE-1\n    statement: second\n',
      'i.yaml',
    ).rules;
    const vex = parseIgnoreFile(
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        timestamp: '2024-01-01T00:00:00Z',
        statements: [
          {
            vulnerability: { name: 'CVE-1' },
            products: ['pkg:npm/a'],
            status: 'not_affected',
            impact_statement: 'vex',
          },
        ],
      }),
      'v.json',
    ).rules;
    const f = finding(npm('a', '1.0.0'), { id: 'CVE-1' });
    assert.equal(applyIgnores([f], yaml, MAY).suppressed[0]?.suppressed?.reason, 'first');
    const rules: IgnoreRule[] = [...yaml, ...vex];
    const r = applyIgnores([f], rules, MAY);
    assert.equal(r.suppressed[0]?.suppressed?.reason, 'vex');
    // the second YAML entry matched but was not needed: it is not unused
    assert.deepEqual(r.unused, []);
  });

  it('does not change the findings it is given', () => {
    const f = finding(npm('a', '1.0.0'), { id: 'CVE-1' });
    const frozen = structuredClone(f);
    applyIgnores([f], parseIgnoreFile('CVE-1\n', '.trivyignore').rules, MAY);
    assert.deepEqual(f, frozen);
  });
});

describe('hostile input', () => {
  it('refuses huge files without reading them', () => {
    const p = parseIgnoreFile('CVE-1\n'.repeat(6 * 1024 * 1024), '.trivyignore');
    assert.equal(p.rules.length, 0);
    assert.match(p.issues[0]!.message, /larger than/);
  });

  it('never throws on deep nesting, binary junk or wrong types', () => {
    const inputs: [string, string][] = [
      ['['.repeat(100_000), 'v.json'],
      ['{"@context":"https://openvex.dev/ns","statements":' + '['.repeat(50_000), 'v.json'],
      ['a:\n' + '  '.repeat(1).concat('- '.repeat(10_000)), 'i.yaml'],
      ['\u0000\u0001\u0002 junk', '.trivyignore'],
      ['{"@context":"https://openvex.dev/ns","statements":{"a":1}}', 'v.json'],
      ['{"@context":"https://openvex.dev/ns","statements":[1,"x",null,{"vulnerability":5}]}', 'v.json'],
      ['vulnerabilities: 7', 'i.yaml'],
      ['vulnerabilities:\n  - 7\n  - [1]\n  - id: [CVE-1]\n', 'i.yaml'],
      ['- just\n- a list\n', 'i.yaml'],
    ];
    for (const [text, path] of inputs) {
      const p = parseIgnoreFile(text, path);
      assert.equal(p.rules.length, 0, path);
      assert.ok(p.issues.length > 0, `${path}: ${text.slice(0, 40)}`);
    }
  });

  it('bounds the issues of a file full of bad lines', () => {
    const p = parseIgnoreFile('bad line here\n'.repeat(5000), '.trivyignore');
    assert.ok(p.issues.length <= 201);
    assert.match(p.issues.at(-1)!.message, /more problems not listed/);
  });
});
