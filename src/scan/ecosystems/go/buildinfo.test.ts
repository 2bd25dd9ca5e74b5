import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ids } from '../../inventory/testkit.ts';
import { walkInventory } from '../../inventory/walk.ts';
import { executableFormat, goBinary, parseGoBinary } from './buildinfo.ts';

// Synthetic executables built from the format: an ELF magic, padding, the 32-byte header at a 16-byte
// aligned offset, then the inline Go version and module info (uvarint length + bytes each).
const MAGIC = [0xff, ...new TextEncoder().encode(' Go buildinf:')];
const START = [0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6];
const END = [0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2];
const ELF = [0x7f, 0x45, 0x4c, 0x46];

function uvarint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

const bytesOf = (s: string) => [...new TextEncoder().encode(s)];
const lengthPrefixed = (b: number[]) => [...uvarint(b.length), ...b];
const framed = (text: string) => [...START, ...bytesOf(text), ...END];

type Options = { ptrSize?: number; flags?: number; head?: number[]; before?: number[]; tail?: number[] };

/** An executable holding a build-info header followed by `payload` (default: the inline strings). */
function exe(payload: number[], o: Options = {}): Uint8Array {
  const out = [...(o.head ?? ELF)];
  const pad = () => {
    while (out.length % 16 !== 0) out.push(0);
  };
  pad();
  out.push(...(o.before ?? []));
  pad();
  out.push(...MAGIC, o.ptrSize ?? 8, o.flags ?? 2, ...new Array<number>(16).fill(0), ...payload, ...(o.tail ?? []));
  return Uint8Array.from(out);
}

const inline = (goVersion: string, modInfo: number[]) => [
  ...lengthPrefixed(bytesOf(goVersion)),
  ...lengthPrefixed(modInfo),
];

const MOD_INFO = [
  'path\texample.com/hello/cmd/hello',
  'mod\texample.com/hello\t(devel)\t',
  'dep\tgithub.com/a/b\tv1.2.3\th1:abc=',
  'dep\texample.com/local\tv0.0.0',
  '=>\t./local\t(devel)\t',
  '',
  'dep\tgolang.org/x/net\tv0.17.0',
  '=>\tgithub.com/fork/net\tv0.17.1-0.20231001000000-abcdefabcdef\th1:def=',
  'dep\tgithub.com/docker/docker\tv24.0.7+incompatible\th1:x=',
  'build\t-compiler=gc',
  'build\t-ldflags="-X main.version=1.0.0"',
  'build\tGOOS=linux',
  '',
].join('\n');

test('Go binary: stdlib, the main module as root when (devel), deps with replacements applied', () => {
  // decoys first: a misaligned magic, and an aligned one whose header is impossible (the go command holds the
  // magic as a string constant)
  const decoy = [0, ...MAGIC, 8, 2, ...new Array<number>(16).fill(0), ...MAGIC, 0, 0];
  const r = parseGoBinary(exe(inline('go1.22.3', framed(MOD_INFO)), { before: decoy }), 'usr/local/bin/hello');
  assert.deepEqual(r.issues, []);
  assert.deepEqual(ids(r), [
    'example.com/hello@(devel) (root)',
    'github.com/a/b@v1.2.3',
    'github.com/docker/docker@v24.0.7+incompatible',
    'github.com/fork/net@v0.17.1-0.20231001000000-abcdefabcdef',
    'stdlib@1.22.3',
  ]);
  const std = r.packages.find((p) => p.name === 'stdlib')!;
  assert.equal(std.purl, 'pkg:golang/stdlib@1.22.3');
  assert.equal(std.ecosystem, 'Go');
  assert.equal(std.location, 'usr/local/bin/hello');
  assert.equal(
    r.packages.find((p) => p.name === 'github.com/docker/docker')?.purl,
    'pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible',
  );
});

test('Go binary: a `go install`ed main module is matched; toolchain versions in SemVer', () => {
  const text = 'path\texample.com/tool\nmod\texample.com/tool\tv1.4.0\th1:x=\n';
  const cases: [string, string | undefined][] = [
    ['go1.22.3', '1.22.3'],
    ['go1.22.3 X:boringcrypto', '1.22.3'],
    ['go1.20', '1.20.0'],
    ['go1.21rc2', '1.21.0-rc.2'],
    ['go1.18beta1', '1.18.0-beta.1'],
    ['devel go1.23-abcdef Tue Jan 1 00:00:00 2024 +0000', undefined],
  ];
  for (const [goVersion, std] of cases) {
    const r = parseGoBinary(exe(inline(goVersion, framed(text))), 'bin/tool');
    assert.deepEqual(
      ids(r),
      [...(std === undefined ? [] : [`stdlib@${std}`]), 'example.com/tool@v1.4.0'].sort(),
      goVersion,
    );
    assert.equal(r.issues.length, std === undefined ? 1 : 0, goVersion);
  }
  // no module info (GOPATH mode): the toolchain alone
  assert.deepEqual(ids(parseGoBinary(exe(inline('go1.19.8', [])), 'bin/x')), ['stdlib@1.19.8']);
});

test('Go binary: only executables are scanned; other binaries and text give nothing', () => {
  const payload = inline('go1.22.3', framed('mod\tm\tv1.0.0\n'));
  assert.equal(executableFormat(Uint8Array.from([0x4d, 0x5a, 0x90, 0])), 'pe');
  assert.equal(executableFormat(Uint8Array.from([0xcf, 0xfa, 0xed, 0xfe])), 'macho');
  assert.equal(executableFormat(Uint8Array.from([0xca, 0xfe, 0xba, 0xbe])), 'macho');
  assert.equal(executableFormat(Uint8Array.from([0x7f, 0x45])), undefined);
  for (const head of [
    [0x4d, 0x5a],
    [0xfe, 0xed, 0xfa, 0xcf],
  ])
    assert.deepEqual(ids(parseGoBinary(exe(payload, { head }), 'bin/x')), ['m@v1.0.0', 'stdlib@1.22.3']);
  // a script holding the blob is not an executable
  assert.deepEqual(parseGoBinary(exe(payload, { head: bytesOf('#!/bin/sh\n') }), 'bin/x'), {
    packages: [],
    issues: [],
  });
  // an ELF that is not a Go program
  assert.deepEqual(parseGoBinary(Uint8Array.from([...ELF, ...new Array<number>(4096).fill(7)]), 'bin/ls'), {
    packages: [],
    issues: [],
  });
  assert.deepEqual(parseGoBinary(new Uint8Array(0), 'bin/empty'), { packages: [], issues: [] });
});

test('Go binary: hostile or damaged build info gives issues naming the file, never a throw', () => {
  const good = exe(inline('go1.22.3', framed(MOD_INFO)));
  const cases: [string, Uint8Array, RegExp][] = [
    ['before Go 1.18', exe(new Array<number>(32).fill(0), { flags: 0 }), /before Go 1\.18/],
    ['no length', exe([]), /truncated length/],
    ['version past the end', exe([...uvarint(500), ...bytesOf('go1.2')]), /Go version.*past the end/],
    ['huge varint', exe([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), /past the end/],
    ['endless varint', exe([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0]), /longer than 10/],
    [
      'module info past the end',
      exe([...lengthPrefixed(bytesOf('go1.22.3')), ...uvarint(1e6), 1, 2]),
      /module info.*past the end/,
    ],
    ['no sentinels', exe(inline('go1.22.3', bytesOf('mod\tm\tv1.0.0\n'))), /not framed/],
    ['not UTF-8', exe(inline('go1.22.3', [...START, 0x6d, 0xc3, 0x28, 0x0a, ...END])), /not UTF-8/],
  ];
  for (const [name, bytes, re] of cases) {
    const r = parseGoBinary(bytes, 'opt/svc/bin/svc');
    assert.equal(r.issues.length, 1, name);
    assert.match(r.issues[0]!.message, re, name);
    assert.equal(r.issues[0]!.location, 'opt/svc/bin/svc', name);
  }
  // bad lines are skipped with an issue, the rest kept
  const lines = 'mod\tm\tv1.0.0\ndep\tx y\tv1\ndep\tz\nwat\n=>\tr\tv2\ndep\tok\tv1.1.0\n';
  const r = parseGoBinary(exe(inline('go1.22.3', framed(lines))), 'bin/x');
  assert.deepEqual(ids(r), ['m@v1.0.0', 'ok@v1.1.0', 'stdlib@1.22.3']);
  assert.equal(r.issues.length, 4);
  // every truncation of a good file
  for (let n = 0; n <= good.length; n++) {
    const t = parseGoBinary(good.subarray(0, n), 'bin/x');
    assert.ok(Array.isArray(t.packages) && Array.isArray(t.issues), `truncated at ${n}`);
  }
});

test('Go binary: claims executables in the usual places, not libraries, scripts or data', () => {
  const claimed = [
    'bin/app',
    'usr/bin/kubectl',
    'usr/sbin/x',
    'usr/local/bin/terraform',
    'usr/local/sbin/x',
    'root/go/bin/gopls',
    'opt/consul/consul',
    'opt/x/bin/tool.exe',
    'app/server',
    'ko-app/manager',
    'usr/libexec/docker/cli-plugins/docker-buildx',
    'usr/lib/docker/cli-plugins/docker-compose',
    'manager',
    'server.exe',
  ];
  const notClaimed = [
    'usr/lib/x86_64-linux-gnu/libc.so.6',
    'opt/app/lib/libfoo.so',
    'usr/bin/script.sh',
    'usr/bin/.hidden',
    'opt/app/config.yaml',
    'opt/app/app.jar',
    'app/main.go',
    'app/README.md',
    'src/cmd/tool',
    'etc/passwd',
    'go.mod',
    'README.md',
  ];
  for (const p of claimed) assert.ok(goBinary.matches(p), p);
  for (const p of notClaimed) assert.ok(!goBinary.matches(p), p);
  assert.equal(goBinary.kind, 'installed');
  assert.match(goBinary.extract('', 'bin/x').issues[0]!.message, /bytes/);
});

const hasGo = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;

test(
  'Go binary: a program built here reads as `go version -m` reads it',
  { skip: hasGo ? false : 'the go toolchain is not installed: skipped (apt-get install golang-go to run it)' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mamori-gobin-'));
    try {
      // offline: the versioned modules are vendored, and one more is replaced by a local directory
      const src = join(dir, 'src');
      const files: Record<string, string> = {
        'go.mod': [
          'module example.com/hello',
          '',
          'go 1.18',
          '',
          'require (',
          '\texample.com/dep v1.2.3',
          '\texample.com/old v1.0.0',
          '\texample.com/local v0.0.0',
          ')',
          '',
          'replace example.com/old v1.0.0 => example.com/new v1.1.0',
          '',
          'replace example.com/local => ./local',
          '',
        ].join('\n'),
        'main.go':
          'package main\n\nimport (\n\t"example.com/dep"\n\t"example.com/local"\n\t"example.com/old"\n)\n\n' +
          'func main() { println(dep.X + old.X + local.X) }\n',
        'vendor/modules.txt': [
          '# example.com/dep v1.2.3',
          '## explicit',
          'example.com/dep',
          '# example.com/old v1.0.0 => example.com/new v1.1.0',
          '## explicit',
          'example.com/old',
          '# example.com/local v0.0.0 => ./local',
          '## explicit',
          'example.com/local',
          '# example.com/local => ./local',
          '',
        ].join('\n'),
        'vendor/example.com/dep/dep.go': 'package dep\n\nconst X = "d"\n',
        'vendor/example.com/old/old.go': 'package old\n\nconst X = "o"\n',
        'vendor/example.com/local/local.go': 'package local\n\nconst X = "l"\n',
        'local/go.mod': 'module example.com/local\n',
        'local/local.go': 'package local\n\nconst X = "l"\n',
      };
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(join(src, name, '..'), { recursive: true });
        writeFileSync(join(src, name), text);
      }
      const root = join(dir, 'root');
      const binary = join(root, 'usr', 'local', 'bin', 'hello');
      const env = {
        ...process.env,
        GOFLAGS: '-mod=vendor',
        GOPROXY: 'off',
        GOWORK: 'off',
        GOTOOLCHAIN: 'local',
        CGO_ENABLED: '0',
        GOPATH: join(dir, 'gopath'),
        GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'mamori-test-gocache'),
      };
      execFileSync('go', ['build', '-o', binary, '.'], { cwd: src, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const listed = execFileSync('go', ['version', '-m', binary], { env, encoding: 'utf8' });

      // what `go version -m` says, with replacements applied and directory replacements left out
      const [head, ...rows] = listed.split('\n');
      const goVersion = /: go(\d+\.\d+(?:\.\d+)?)/.exec(head!)![1]!;
      const expected: string[] = [`stdlib@${goVersion.split('.').length === 2 ? `${goVersion}.0` : goVersion}`];
      let pending: { kind: string; id: string } | undefined;
      const flush = () => {
        if (pending !== undefined) expected.push(pending.id);
        pending = undefined;
      };
      for (const row of rows) {
        const [, key, path, version] = row.split('\t');
        if (key === 'mod' || key === 'dep') {
          flush();
          pending = {
            kind: key,
            id: version === '(devel)' ? `${path!}@(devel) (root)` : `${path!}@${version!}`,
          };
        } else if (key === '=>') {
          if (version !== '(devel)' && version !== '') pending = { kind: 'dep', id: `${path!}@${version!}` };
          else pending = undefined;
        }
      }
      flush();

      const walked = await walkInventory(root, { mode: 'rootfs' });
      assert.deepEqual(walked.issues, []);
      assert.deepEqual(ids(walked).sort(), expected.sort());
      assert.deepEqual(
        ids(walked).filter((id) => !id.startsWith('stdlib@')),
        ['example.com/dep@v1.2.3', 'example.com/hello@(devel) (root)', 'example.com/new@v1.1.0'],
      );
      assert.ok(walked.packages.every((p) => p.location === 'usr/local/bin/hello'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
