import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseBaseline, selectProfile } from '../baselines.ts';
import { applyEdits } from '../edit.ts';
import { DirectoryRoot, OverlayRoot } from '../root.ts';
import { harden } from '../run.ts';
import type { CheckResult, CheckSpec, HardenEngine } from '../types.ts';
import { findManifests, kubernetesEngine, parseManifest } from './index.ts';
import { MemoryRoot } from '../testkit.ts';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/harden/kubernetes/', import.meta.url));
const app = (): DirectoryRoot => new DirectoryRoot(`${FIXTURES}app`);
const BASELINE = parseBaseline(
  readFileSync(fileURLToPath(new URL('../baselines/kubernetes.yaml', import.meta.url)), 'utf8'),
  'kubernetes.yaml',
);
const RESTRICTED = selectProfile(BASELINE, 'pss-restricted');
const ENGINES: ReadonlyMap<string, HardenEngine> = new Map([[kubernetesEngine.id, kubernetesEngine]]);

const one = (id: string): CheckSpec => BASELINE.find((c) => c.id === id)!;
const failed = (rs: readonly CheckResult[]) => rs.filter((r) => r.status === 'fail');

test('parse: multi-document files, workload kinds, pod template paths, container groups and lines', async () => {
  const text = readFileSync(`${FIXTURES}app/deploy/jobs.yaml`, 'utf8');
  const p = parseManifest(text);
  assert.ok(p.ok);
  assert.equal(p.manifest.others, 1); // the Service
  assert.deepEqual(
    p.manifest.workloads.map((w) => [w.kind, w.name, w.line, w.containers.map((c) => [c.group, c.name, c.line])]),
    [
      ['CronJob', 'nightly-report', 15, [['containers', 'report', 26]]],
      ['Pod', 'debug', 31, [['containers', 'shell', 36]]],
    ],
  );
  const web = parseManifest(readFileSync(`${FIXTURES}app/deploy/web.yaml`, 'utf8'));
  assert.ok(web.ok);
  assert.deepEqual(
    web.manifest.workloads[0]!.containers.map((c) => `${c.group}/${c.name}`),
    ['containers/web', 'initContainers/migrate'],
  );
  // YAML 1.1, as the API server's decoder reads it
  const yes = parseManifest('kind: Pod\nspec:\n  hostNetwork: yes\n  containers: [{name: a}]\n');
  assert.ok(yes.ok);
  const rs = await kubernetesEngine.assess(new MemoryRoot({ 'p.yaml': 'kind: Pod\nspec:\n  hostNetwork: yes\n' }), [
    one('k8s-host-network'),
  ]);
  assert.equal(rs[0]!.status, 'fail');
});

test('parse: templates and broken files are not judged as YAML', async () => {
  assert.deepEqual(parseManifest('kind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n'), {
    ok: false,
    template: true,
    reason: 'a template (`{{ ... }}`): render it first',
  });
  const root = new MemoryRoot({
    'a/bad.yaml': 'apiVersion: v1\nkind: Pod\nspec: [oops\n',
    'a/chart/templates/d.yaml': 'kind: Deployment\nmetadata:\n  name: {{ .Values.name }}\n',
    'notes.yaml': 'just: data\n',
  });
  const rs = await kubernetesEngine.assess(root, [one('k8s-privileged')]);
  assert.deepEqual(
    rs.map((r) => [r.instance, r.status]),
    [
      ['a/bad.yaml', 'fail'],
      ['templates', 'not-applicable'],
    ],
  );
  assert.match(rs[1]!.message, /a\/chart\/templates\/d\.yaml/);
  assert.equal(await kubernetesEngine.applies(new MemoryRoot({ 'notes.yaml': 'just: data\n' })), false);
});

test('walk: yaml files under the root, skipping dependency and system trees', async () => {
  const root = new MemoryRoot({
    'k8s/a.yaml': '',
    'k8s/b.yml': '',
    'node_modules/x/c.yaml': '',
    '.git/d.yaml': '',
    'usr/share/e.yaml': '',
    'README.md': '',
  });
  assert.deepEqual((await findManifests(root)).files, ['k8s/a.yaml', 'k8s/b.yml']);
  assert.deepEqual((await findManifests(app())).files, [
    'charts/web/templates/deployment.yaml',
    'charts/web/values.yaml',
    'deploy/agent.yaml',
    'deploy/jobs.yaml',
    'deploy/web.yaml',
  ]);
});

test('restricted: the findings, per container and per pod', async () => {
  const rs = await kubernetesEngine.assess(app(), RESTRICTED);
  const got = failed(rs).map((r) => `${r.check.id} | ${r.instance} | ${r.line} | ${r.current}`);
  assert.deepEqual(got, [
    'k8s-host-network | DaemonSet/kube-system/node-agent (deploy/agent.yaml) | 17 | true',
    'k8s-host-pid | DaemonSet/kube-system/node-agent (deploy/agent.yaml) | 18 | true',
    'k8s-privileged | DaemonSet/kube-system/node-agent container agent (deploy/agent.yaml) | 23 | true',
    'k8s-capabilities-baseline | DaemonSet/kube-system/node-agent container agent (deploy/agent.yaml) | 20 | SYS_ADMIN, NET_ADMIN',
    'k8s-host-path | DaemonSet/kube-system/node-agent (deploy/agent.yaml) | 2 | true',
    'k8s-host-ports | DaemonSet/kube-system/node-agent container agent (deploy/agent.yaml) | 20 | 9100',
    'k8s-apparmor | DaemonSet/kube-system/node-agent container agent (deploy/agent.yaml) | 20 | Unconfined',
    'k8s-volume-types | DaemonSet/kube-system/node-agent (deploy/agent.yaml) | 2 | hostPath',
    'k8s-allow-privilege-escalation | DaemonSet/kube-system/node-agent container agent (deploy/agent.yaml) | 25 | true',
    'k8s-allow-privilege-escalation | CronJob/nightly-report container report (deploy/jobs.yaml) | 26 | (default) true',
    'k8s-allow-privilege-escalation | Pod/debug container shell (deploy/jobs.yaml) | 38 | true',
    'k8s-allow-privilege-escalation | Deployment/shop/web container web (deploy/web.yaml) | 29 | (default) true',
    'k8s-allow-privilege-escalation | Deployment/shop/web initContainer migrate (deploy/web.yaml) | 25 | (default) true',
    'k8s-run-as-non-root | DaemonSet/kube-system/node-agent container agent (deploy/agent.yaml) | 20 | (default) (not set)',
    'k8s-run-as-non-root | CronJob/nightly-report container report (deploy/jobs.yaml) | 26 | (default) (not set)',
    'k8s-run-as-user | DaemonSet/kube-system/node-agent container agent (deploy/agent.yaml) | 24 | 0',
    'k8s-seccomp-restricted | DaemonSet/kube-system/node-agent container agent (deploy/agent.yaml) | 20 | (default) (not set)',
    'k8s-seccomp-restricted | CronJob/nightly-report container report (deploy/jobs.yaml) | 26 | (default) (not set)',
    'k8s-seccomp-restricted | Pod/debug container shell (deploy/jobs.yaml) | 36 | (default) (not set)',
    'k8s-capabilities-drop-all | DaemonSet/kube-system/node-agent container agent (deploy/agent.yaml) | 20 | (default) (nothing dropped)',
    'k8s-capabilities-drop-all | CronJob/nightly-report container report (deploy/jobs.yaml) | 26 | (default) (nothing dropped)',
    'k8s-capabilities-drop-all | Pod/debug container shell (deploy/jobs.yaml) | 36 | (default) (nothing dropped)',
    'k8s-capabilities-drop-all | Deployment/shop/web container web (deploy/web.yaml) | 29 | NET_RAW',
    'k8s-capabilities-drop-all | Deployment/shop/web initContainer migrate (deploy/web.yaml) | 25 | (default) (nothing dropped)',
    'k8s-capabilities-restricted | DaemonSet/kube-system/node-agent container agent (deploy/agent.yaml) | 20 | SYS_ADMIN, NET_ADMIN',
  ]);
  // the pod-level runAsNonRoot and seccompProfile of web cover its init container
  const pass = rs.filter((r) => r.status === 'pass' && r.instance?.includes('migrate')).map((r) => r.check.id);
  assert.ok(pass.includes('k8s-run-as-non-root') && pass.includes('k8s-seccomp-restricted'));
  // a template is named, not judged
  assert.ok(rs.some((r) => r.instance === 'templates' && r.status === 'not-applicable'));
});

test('fixes: in place, or a few key lines at the indentation of the document; flow mappings unfixable', async () => {
  const rs = failed(await kubernetesEngine.assess(app(), RESTRICTED));
  const fix = (id: string, who: string) => {
    const r = rs.find((x) => x.check.id === id && x.instance!.includes(who))!;
    return r.fix?.[0]?.edits ?? r.unfixable;
  };
  assert.deepEqual(fix('k8s-privileged', 'agent'), [
    { kind: 'replace', line: 23, text: '          privileged: false' },
  ]);
  assert.deepEqual(fix('k8s-run-as-user', 'agent'), [
    { kind: 'replace', line: 24, text: '          runAsUser: 10001' },
  ]);
  assert.deepEqual(fix('k8s-host-network', 'node-agent'), [
    { kind: 'replace', line: 17, text: '      hostNetwork: false' },
  ]);
  // under the existing securityContext, right after its key line, at its keys' column (the comment stays put)
  assert.deepEqual(fix('k8s-allow-privilege-escalation', 'container web'), [
    { kind: 'insert', before: 35, lines: ['            allowPrivilegeEscalation: false'] },
  ]);
  // an item added to an existing block list
  assert.deepEqual(fix('k8s-capabilities-drop-all', 'container web'), [
    { kind: 'insert', before: 39, lines: ['                - ALL'] },
  ]);
  // no securityContext: after the name line
  assert.deepEqual(fix('k8s-seccomp-restricted', 'report'), [
    {
      kind: 'insert',
      before: 27,
      lines: [
        '              securityContext:',
        '                seccompProfile:',
        '                  type: RuntimeDefault',
      ],
    },
  ]);
  // a value inside a flow mapping is replaced in place; nothing is inserted into one
  assert.deepEqual(fix('k8s-allow-privilege-escalation', 'shell'), [
    {
      kind: 'replace',
      line: 38,
      text: '      securityContext: {privileged: false, runAsNonRoot: true, allowPrivilegeEscalation: false}',
    },
  ]);
  assert.match(String(fix('k8s-seccomp-restricted', 'shell')), /flow mapping/);
  assert.match(String(fix('k8s-host-path', 'node-agent')), /by hand/);
  for (const r of rs)
    for (const fe of r.fix ?? [])
      for (const e of fe.edits) if (e.kind === 'insert') assert.ok(e.lines.length <= 3, `${r.check.id}: ${e.lines}`);
});

test('fixes: the indentation step comes from the document (4 spaces, unindented sequences)', async () => {
  const text = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '    name: four',
    'spec:',
    '    containers:',
    '    - name: app',
    '      image: app:1',
    '',
  ].join('\n');
  const [r] = await kubernetesEngine.assess(new MemoryRoot({ 'pod.yaml': text }), [one('k8s-seccomp-restricted')]);
  assert.deepEqual(r!.fix, [
    {
      path: 'pod.yaml',
      edits: [
        {
          kind: 'insert',
          before: 8,
          lines: ['      securityContext:', '          seccompProfile:', '              type: RuntimeDefault'],
        },
      ],
    },
  ]);
  const after = applyEdits(text, r!.fix![0]!.edits);
  assert.deepEqual(parseAllDocuments(after)[0]!.toJS().spec.containers[0].securityContext, {
    seccompProfile: { type: 'RuntimeDefault' },
  });
});

test('harden(): every offered fix verifies by re-assessment', async () => {
  const result = await harden(app(), RESTRICTED, ENGINES);
  const withFix = result.checks.filter((c) => c.result.fix);
  assert.ok(withFix.length >= 15);
  for (const c of withFix)
    assert.equal(c.verification?.ok, true, `${c.result.check.id} ${c.result.instance}: ${c.verification?.reasons}`);
  assert.match(withFix[0]!.patch!, /^--- a\/deploy\/agent\.yaml/m);
});

/** Paths (a.b.0.c) where two plain values differ. */
function diffPaths(a: unknown, b: unknown, at = ''): string[] {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b) ? [] : [at];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) =>
    diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k),
  );
}

test('applying every fix in turn: the findings go, the files keep their documents and comments', async () => {
  const base = app();
  const files = new Map<string, string>();
  for (let round = 0; round < 100; round++) {
    const rs = await kubernetesEngine.assess(new OverlayRoot(base, files), RESTRICTED);
    const next = rs.find((r) => r.status === 'fail' && r.fix);
    if (!next) break;
    for (const fe of next.fix!)
      files.set(fe.path, applyEdits(files.get(fe.path) ?? (await base.read(fe.path))!, fe.edits));
  }
  const left = failed(await kubernetesEngine.assess(new OverlayRoot(base, files), RESTRICTED));
  assert.ok(left.every((r) => r.unfixable !== undefined));
  assert.deepEqual(
    [...new Set(left.map((r) => r.check.key))].sort(),
    [
      'capabilities.add',
      'capabilities.drop',
      'hostPath',
      'hostPorts',
      'appArmorProfile',
      'seccompProfile',
      'volumes',
    ].sort(),
  );
  for (const [path, after] of files) {
    const before = (await base.read(path))!;
    const b = parseAllDocuments(before, { version: '1.1' }).map((d) => d.toJS());
    const a = parseAllDocuments(after, { version: '1.1' }).map((d) => d.toJS());
    assert.equal(a.length, b.length, path);
    // only security fields changed or appeared
    for (const p of diffPaths(b, a)) assert.match(p, /(securityContext|hostNetwork|hostPID)/, `${path}: ${p} changed`);
    // every comment line is still there
    for (const l of before.split('\n').filter((x) => x.trim().startsWith('#'))) assert.ok(after.includes(l), l);
  }
  const web = files.get('deploy/web.yaml')!;
  assert.match(
    web,
    /securityContext:\n {12}allowPrivilegeEscalation: false\n {12}# keep the root file system read-only/,
  );
});

test('harden(): the combined patch holds fixes that each create a securityContext in one container', async () => {
  const result = await harden(app(), RESTRICTED, ENGINES);
  // each fix verifies alone; together they are applied one after another, each taken from a fresh assessment,
  // so one container gets one `securityContext:` block with every field
  assert.ok(result.combined.verification.ok, result.combined.verification.reasons.join('; '));
  assert.equal(result.combined.fixes, result.checks.filter((c) => c.patch !== undefined).length);
  assert.doesNotMatch(result.combined.patch, /Map keys must be unique/);
});
