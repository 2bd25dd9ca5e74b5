import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parseBaseline } from '../baselines.ts';
import { applyEdits } from '../edit.ts';
import { DirectoryRoot, OverlayRoot } from '../root.ts';
import { harden } from '../run.ts';
import type { CheckResult, CheckSpec, HardenEngine } from '../types.ts';
import { dockerfileEngine, isDockerfileName, parseDockerfile } from './index.ts';
import { MemoryRoot } from '../testkit.ts';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/harden/dockerfile/', import.meta.url));
const app = (): DirectoryRoot => new DirectoryRoot(`${FIXTURES}app`);
const CHECKS = parseBaseline(
  readFileSync(fileURLToPath(new URL('../baselines/dockerfile.yaml', import.meta.url)), 'utf8'),
  'dockerfile.yaml',
);
const ENGINES: ReadonlyMap<string, HardenEngine> = new Map([[dockerfileEngine.id, dockerfileEngine]]);
const byKey = (key: string): CheckSpec => CHECKS.find((c) => c.key === key)!;

const summary = (rs: readonly CheckResult[]) =>
  rs.map((r) => `${r.check.key} | ${r.instance} | ${r.status} | ${r.line}`);

test('names: Dockerfile, Containerfile, *.Dockerfile, Dockerfile.*', () => {
  for (const n of ['Dockerfile', 'dockerfile', 'Containerfile', 'api.Dockerfile', 'Dockerfile.prod'])
    assert.equal(isDockerfileName(n), true, n);
  for (const n of ['.dockerignore', 'Dockerfiles', 'docker-compose.yml', 'Dockerfile.bak~'])
    assert.equal(isDockerfileName(n), false, n);
});

test('parse: directives, continuations with comments inside, heredocs skipped, stages', () => {
  const df = parseDockerfile(readFileSync(`${FIXTURES}app/api/Dockerfile`, 'utf8'));
  assert.deepEqual(df.directives, { syntax: 'docker/dockerfile:1.7', escape: '\\' });
  assert.deepEqual(
    df.globalArgs.map((a) => a.args),
    ['GO_VERSION=1.22'],
  );
  assert.deepEqual(
    df.stages.map((s) => [s.index, s.image, s.name, s.from.line]),
    [
      [0, 'golang:${GO_VERSION}-bookworm', 'build', 7],
      [1, 'debian:bookworm-slim', 'runtime', 20],
    ],
  );
  const run = df.stages[0]!.instructions.find((i) => i.keyword === 'RUN' && i.line === 13)!;
  assert.equal(run.endLine, 17);
  assert.equal(run.args, 'CGO_ENABLED=0 go build       -trimpath       -ldflags="-s -w"       -o /out/api ./cmd/api');
  // the heredoc's "ADD" line is content, not an instruction
  const runtime = df.stages[1]!.instructions.map((i) => `${i.keyword}@${i.line}-${i.endLine}`);
  assert.deepEqual(runtime, ['RUN@21-23', 'COPY@24-24', 'RUN@25-29', 'EXPOSE@30-30', 'ENTRYPOINT@31-31']);
  // a backtick escape
  const bt = parseDockerfile('# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  c:\\\n');
  assert.equal(bt.stages[0]!.instructions[0]!.args, 'dir   c:\\');
});

test('findings per stage and per ADD', async () => {
  const rs = await dockerfileEngine.assess(app(), CHECKS);
  assert.deepEqual(summary(rs.filter((r) => r.status === 'fail')), [
    'USER | stage 2 runtime (api/Dockerfile) | fail | 20',
    'USER | stage 1 (web/Dockerfile) | fail | 10',
    'HEALTHCHECK | stage 2 runtime (api/Dockerfile) | fail | 20',
    'HEALTHCHECK | stage 1 (tools/tools.Dockerfile) | fail | 4',
    'FROM | stage 1 (tools/tools.Dockerfile) | fail | 1',
    'FROM | stage 1 (web/Dockerfile) | fail | 1',
    'ADD | stage 1 build ADD . (api/Dockerfile) | fail | 12',
    'ADD | stage 1 ADD https://example.com/assets.tar.gz (web/Dockerfile) | fail | 5',
    'ADD | stage 1 ADD package.json package-lock.json (web/Dockerfile) | fail | 7',
    'secrets | stage 1 (web/Dockerfile) | fail | 2',
    'apt-get-install | stage 2 runtime (api/Dockerfile) | fail | 21',
  ]);
  const get = (key: string, who: string) => rs.find((r) => r.check.key === key && r.instance!.includes(who))!;
  // USER from the stage it builds on; a digest-pinned base; a FROM of a stage is not an image
  assert.equal(get('USER', 'Containerfile').status, 'pass');
  assert.equal(get('USER', 'Containerfile').current, 'app');
  assert.equal(
    rs.filter((r) => r.check.key === 'FROM' && r.instance!.includes('Containerfile') && r.status === 'pass').length,
    2,
  );
  assert.equal(get('FROM', 'build (api').current, 'tagged (golang:1.22-bookworm)');
  assert.equal(get('FROM', 'tools.Dockerfile').current, 'untagged (alpine means alpine:latest)');
  // a local archive is ADD's job
  assert.equal(get('ADD', 'vendor.tar.gz').status, 'pass');
  assert.match(get('secrets', 'web').message, /ENV NPM_TOKEN; ARG DB_PASSWORD/);
  assert.doesNotMatch(get('secrets', 'web').message, /NODE_ENV/);
});

test('fixes: ADD → COPY in place (case kept), apt-get flag in place, USER after the last build step', async () => {
  const rs = (await dockerfileEngine.assess(app(), CHECKS)).filter((r) => r.status === 'fail');
  const edits = (key: string, who: string) => {
    const r = rs.find((x) => x.check.key === key && x.instance!.includes(who))!;
    return r.fix?.[0]?.edits ?? r.unfixable;
  };
  assert.deepEqual(edits('ADD', 'ADD . '), [{ kind: 'replace', line: 12, text: 'COPY . .' }]);
  assert.deepEqual(edits('ADD', 'package.json'), [
    { kind: 'replace', line: 7, text: 'copy package.json package-lock.json ./' },
  ]);
  assert.match(String(edits('ADD', 'https://')), /COPY cannot fetch a URL/);
  assert.deepEqual(edits('apt-get-install', 'api'), [
    { kind: 'replace', line: 22, text: ' && apt-get install --no-install-recommends -y ca-certificates tzdata \\' },
  ]);
  // after the heredoc RUN (which ends on line 29), before EXPOSE and ENTRYPOINT
  assert.deepEqual(edits('USER', 'api'), [{ kind: 'insert', before: 30, lines: ['USER 10001'] }]);
  // after `USER root`, the last build step
  assert.deepEqual(edits('USER', 'web'), [{ kind: 'insert', before: 11, lines: ['USER 10001'] }]);
  assert.match(rs.find((r) => r.check.key === 'USER')!.message, /must then work as that user/);
  assert.match(String(edits('FROM', 'web')), /pin a version tag/);
  assert.match(String(edits('HEALTHCHECK', 'api')), /by hand/);
});

test('harden(): each fix and their combination verify by re-assessment', async () => {
  const result = await harden(app(), CHECKS, ENGINES);
  const fixed = result.checks.filter((c) => c.result.fix);
  assert.equal(fixed.length, 5);
  for (const c of fixed) {
    assert.equal(c.verification?.ok, true, `${c.result.instance}: ${c.verification?.reasons}`);
    assert.ok((c.changedLines ?? 0) <= 2);
  }
  assert.equal(result.combined.verification.ok, true, result.combined.verification.reasons.join('; '));
  assert.equal(result.combined.fixes, 5);
  // apply the combined fixes and re-assess: only the unfixable findings are left
  const files = new Map<string, string>();
  for (const c of fixed)
    for (const fe of c.result.fix!)
      files.set(fe.path, applyEdits(files.get(fe.path) ?? (await app().read(fe.path))!, fe.edits));
  const after = await dockerfileEngine.assess(new OverlayRoot(app(), files), CHECKS);
  assert.ok(after.filter((r) => r.status === 'fail').every((r) => r.unfixable !== undefined && !r.fix));
  assert.equal(after.filter((r) => r.status === 'fail').length, 6);
});

test('a USER from an unset build variable, an unterminated heredoc: unfixable rather than guessed', async () => {
  const root = new MemoryRoot({
    a: '',
    Dockerfile: 'FROM alpine:3.20\nARG UID\nUSER ${UID}\nCMD ["sh"]\n',
    'b/Dockerfile': 'FROM alpine:3.20\nRUN <<EOF\necho never closed\nCMD ["sh"]\n',
  });
  const rs = await dockerfileEngine.assess(root, [byKey('USER')]);
  assert.deepEqual(
    rs.map((r) => [r.instance, r.status, r.unfixable]),
    [
      ['stage 1 (Dockerfile)', 'fail', 'USER names a build variable with no value: set it by hand'],
      ['stage 1 (b/Dockerfile)', 'fail', 'the edit did not make USER pass: fix it by hand'],
    ],
  );
});
