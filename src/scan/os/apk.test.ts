import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parsePurl, purlToPackage } from '../inventory/purl.ts';
import { byId, ids } from '../inventory/testkit.ts';
import { apkInstalled, parseApkInstalled } from './apk.ts';

const ROOTFS = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'rootfs');
const read = (p: string) => readFileSync(join(ROOTFS, p), 'utf8');
const ALPINE = new Map([['etc/os-release', read('alpine319/etc/os-release')]]);

test('apk installed: name, version, arch, origin as the source; issues with lines', () => {
  const r = parseApkInstalled(read('alpine319/lib/apk/db/installed'), 'lib/apk/db/installed', ALPINE);
  assert.deepEqual(ids(r), ['libcrypto3@3.1.4-r5', 'libssl3@3.1.4-r5', 'musl@1.2.4_git20230717-r4']);
  const m = byId(r);
  const crypto = m.get('libcrypto3@3.1.4-r5')!;
  assert.equal(crypto.ecosystem, 'Alpine:v3.19');
  assert.equal(crypto.sourceName, 'openssl');
  assert.equal(crypto.sourceVersion, '3.1.4-r5');
  assert.equal(crypto.line, 22);
  assert.equal(crypto.purl, 'pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl');
  assert.equal(
    m.get('musl@1.2.4_git20230717-r4')?.purl,
    'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1',
  );
  // the purl maps back to the same OSV package
  const back = purlToPackage((parsePurl(crypto.purl!) as { ok: true; purl: Parameters<typeof purlToPackage>[0] }).purl);
  assert.deepEqual(back, {
    ok: true,
    pkg: { ecosystem: 'Alpine:v3.19', name: 'libcrypto3', version: '3.1.4-r5', sourceName: 'openssl' },
  });
  assert.deepEqual(
    r.issues.map((i) => [i.line, i.message]),
    [
      [37, 'not an "X:value" line: "garbage without a colon"'],
      [41, 'nover: no V: (version) line: skipped'],
    ],
  );
});

test('apk installed: CRLF, a P: without a blank line, duplicates, no P:, garbage', () => {
  const text =
    'P:a\r\nV:1.0-r0\r\nV:2.0-r0\r\nP:b\r\nV:2-r1\r\no:b-src\r\n\r\nV:3\r\nA:x86_64\r\n\r\nP:bad name\r\nV:1\r\n';
  const r = parseApkInstalled(text, 'lib/apk/db/installed', ALPINE);
  assert.deepEqual(ids(r), ['a@1.0-r0', 'b@2-r1']);
  assert.equal(byId(r).get('b@2-r1')?.sourceName, 'b-src');
  assert.deepEqual(
    r.issues.map((i) => [i.line, i.message]),
    [
      [3, 'V: given twice in one entry: the first is used'],
      [4, 'P: line without a blank line before it: a new entry is started'],
      [8, 'entry without a P: (name) line: skipped'],
      [11, 'package name "bad name" is not an apk name: skipped'],
    ],
  );
  for (const t of ['', '\n', '\u0000\u0000', 'P:', ':x', 'x'.repeat(100)])
    assert.equal(parseApkInstalled(t, 'lib/apk/db/installed', ALPINE).packages.length, 0);
});

test('apk: paths, the rootfs release, Wolfi, and no os-release', () => {
  assert.ok(apkInstalled.matches('lib/apk/db/installed'));
  assert.ok(apkInstalled.matches('x/lib/apk/db/installed'));
  assert.ok(!apkInstalled.matches('lib/apk/db/installed.new'));
  assert.ok(!apkInstalled.matches('usr/lib/apk/db/installed2'));
  assert.equal(apkInstalled.related?.('x/lib/apk/db/installed')[0], 'x/etc/os-release');
  const text = 'P:glibc\nV:2.39-r5\nA:aarch64\n';
  const wolfi = parseApkInstalled(
    text,
    'lib/apk/db/installed',
    new Map([['etc/os-release', 'ID=wolfi\nVERSION_ID=20230201\n']]),
  );
  assert.equal(wolfi.packages[0]?.ecosystem, 'Wolfi');
  assert.equal(wolfi.packages[0]?.purl, 'pkg:apk/wolfi/glibc@2.39-r5?arch=aarch64&distro=wolfi-20230201');
  const bare = parseApkInstalled(text, 'lib/apk/db/installed', new Map());
  assert.equal(bare.packages[0]?.ecosystem, 'Alpine');
  assert.match(bare.issues[0]?.message ?? '', /no os-release/);
});
