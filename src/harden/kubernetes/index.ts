// The Kubernetes engine: workload manifests (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
// ReplicationController, Job, CronJob) judged against the Pod Security Standards (v1.30), each check once per
// place — per container for container fields (`Deployment/web container app (deploy/web.yaml)`), per workload
// for pod fields (`DaemonSet/agent (ds.yaml)`). manifest.ts parses, controls.ts says what applies, fix.ts edits.
//
// The instance names the file but not the line (result.line has it): a fix that inserts lines moves every
// container below it, and an instance must name the same container before and after a patch. Two workloads with
// the same kind, namespace and name in one file get `#2`, `#3`.
//
// Files: `*.yaml`/`*.yml` under the root (walk.ts: bounded and shallow). Templates (`{{ ... }}`, Helm) are not
// YAML until rendered: skipped, and named in one not-applicable result per check. A file that does not parse
// gives an error result per check (fail closed). Every fix is re-read before it is offered: the edited file
// must parse to the same documents plus the new field, and the control must pass.
import { isDeepStrictEqual } from 'node:util';
import { applyEdits } from '../edit.ts';
import type { CheckResult, CheckSpec, ConfigRoot, FileEdit, HardenEngine, LineEdit } from '../types.ts';
import { CONTROLS, describeExpectation, describeObserved, satisfies, type Control, type Observed } from './controls.ts';
import { insertSeqItem, insertUnder, replaceScalar, type Planned } from './fix.ts';
import { lineOf, mapAt, pairOf, parseManifest, type Container, type Manifest, type Workload } from './manifest.ts';
import { findManifests } from './walk.ts';

export const KUBERNETES_ENGINE_ID = 'kubernetes';

export { CONTROLS } from './controls.ts';
export { parseManifest, POD_SPEC_PATH } from './manifest.ts';
export type { Container, Manifest, Workload } from './manifest.ts';
export { findManifests, WALK_LIMITS } from './walk.ts';

type Loaded = {
  readonly manifests: { readonly path: string; readonly manifest: Manifest }[];
  readonly templates: string[];
  readonly broken: { readonly path: string; readonly reason: string }[];
  readonly truncated: boolean;
};

async function load(root: ConfigRoot): Promise<Loaded> {
  const { files, truncated } = await findManifests(root);
  const out: Loaded = { manifests: [], templates: [], broken: [], truncated };
  for (const path of files) {
    const text = await root.read(path);
    if (text === undefined) continue;
    const p = parseManifest(text);
    if (p.ok) {
      if (p.manifest.workloads.length) out.manifests.push({ path, manifest: p.manifest });
    } else if (p.template) {
      // only a template that looks like Kubernetes is worth naming
      if (/^\s*kind:/m.test(text)) out.templates.push(path);
    } else if (/^\s*kind:\s*\w/m.test(text) && /^\s*apiVersion:/m.test(text))
      out.broken.push({ path, reason: p.reason });
  }
  return out;
}

export const kubernetesEngine: HardenEngine = {
  id: KUBERNETES_ENGINE_ID,
  async applies(root: ConfigRoot): Promise<boolean> {
    const l = await load(root);
    return l.manifests.length + l.templates.length + l.broken.length > 0;
  },
  async assess(root: ConfigRoot, checks: readonly CheckSpec[]): Promise<CheckResult[]> {
    const l = await load(root);
    const out: CheckResult[] = [];
    for (const check of checks) {
      // fail, not error: a manifest that does not parse is not shown safe, and a patch that breaks one is
      // caught by the verifier (which flags new failures)
      for (const b of l.broken)
        out.push({
          check,
          instance: b.path,
          status: 'fail',
          file: b.path,
          expected: 'a manifest that parses',
          message: `${b.path} does not parse: ${b.reason}`,
          unfixable: 'the file is not valid YAML: fix it by hand',
        });
      for (const { path, manifest } of l.manifests) out.push(...assessManifest(path, manifest, check));
      if (l.templates.length)
        out.push({
          check,
          instance: 'templates',
          status: 'not-applicable',
          expected: '',
          message: `not judged, templates (render them, e.g. helm template, and point --root at the output): ${l.templates.join(', ')}`,
        });
    }
    return out;
  },
};

/** The names places get in one file: `Kind/name` (`Kind/ns/name` with a namespace), `#n` for repeats. */
function workloadLabels(m: Manifest): Map<Workload, string> {
  const seen = new Map<string, number>();
  const out = new Map<Workload, string>();
  for (const w of m.workloads) {
    const base = `${w.kind}/${w.namespace === undefined ? '' : `${w.namespace}/`}${w.name}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.set(w, n === 1 ? base : `${base} #${n}`);
  }
  return out;
}

const GROUP_LABEL = {
  containers: 'container',
  initContainers: 'initContainer',
  ephemeralContainers: 'ephemeralContainer',
};

/** Judges one check on every place of a parsed file. */
export function assessManifest(path: string, m: Manifest, check: CheckSpec): CheckResult[] {
  const control = CONTROLS[check.key];
  const labels = workloadLabels(m);
  if (control === undefined || check.engine !== KUBERNETES_ENGINE_ID)
    return [
      {
        check,
        status: 'error',
        expected: '',
        message: `"${check.key}" is not a Pod Security Standards control this engine knows (${Object.keys(CONTROLS).join(', ')})`,
      },
    ];
  const out: CheckResult[] = [];
  for (const w of m.workloads) {
    const places: readonly (Container | undefined)[] = control.level === 'pod' ? [undefined] : w.containers;
    for (const c of places) out.push(judge(path, m, w, c, labels.get(w)!, control, check));
  }
  return out;
}

function judge(
  path: string,
  m: Manifest,
  w: Workload,
  c: Container | undefined,
  label: string,
  control: Control,
  check: CheckSpec,
): CheckResult {
  const o = control.observe(w, c);
  const instance = c ? `${label} ${GROUP_LABEL[c.group]} ${c.name} (${path})` : `${label} (${path})`;
  const line = o.node?.range ? lineOf(m.lineCounter, o.node.range[0]) : (c?.line ?? w.line);
  const expected = describeExpectation(check.expect, o.type === 'list');
  const current = describeObserved(o);
  const where = `${path}:${line}`;
  const base = { check, instance, file: path, line, current, expected };
  if (satisfies(check.expect, o)) return { ...base, status: 'pass', message: `${check.key} is ${current} (${where})` };
  const message = `${check.key} is ${current}, expected ${expected} (${where})${note(check.key, o)}`;
  const plan = planFix(m, w, c, control, check, o);
  return {
    ...base,
    status: 'fail',
    message,
    ...('edits' in plan ? { fix: [{ path, edits: plan.edits } satisfies FileEdit] } : { unfixable: plan.unfixable }),
  };
}

function note(key: string, o: Observed): string {
  if (key === 'allowPrivilegeEscalation' && o.type === 'scalar' && o.defaulted !== undefined)
    return '; unset, the kernel lets the process gain privileges (no_new_privs is off)';
  if (key === 'runAsNonRoot' && o.type === 'scalar' && o.defaulted !== undefined)
    return '; unset, the image decides, and many run as root';
  return '';
}

function planFix(
  m: Manifest,
  w: Workload,
  c: Container | undefined,
  control: Control,
  check: CheckSpec,
  o: Observed,
): Planned {
  if (control.unfixable) return { unfixable: control.unfixable };
  if (!satisfies(check.expect, { type: 'scalar', value: check.fix }))
    return {
      unfixable: `baseline error: the fix value "${check.fix}" does not satisfy ${describeExpectation(check.expect, false)}`,
    };
  let plan: Planned;
  if (o.node) plan = replaceScalar(m, o.node, check.fix);
  else if (check.key === 'capabilities.drop' && c) {
    const drop = pairOf(mapAt(mapAt(c.map, 'securityContext'), 'capabilities'), 'drop')?.value;
    plan =
      insertSeqItem(m, drop, check.fix, `capabilities.drop of container ${c.name}`) ??
      (drop
        ? { unfixable: `capabilities.drop of container ${c.name} is not a list: edit it by hand` }
        : insertFor(m, c, control, check));
  } else if (c && control.insert) plan = insertFor(m, c, control, check);
  else return { unfixable: `${check.key} cannot be set by an edit here` };
  if (!('edits' in plan)) return plan;
  return recheck(m, w, c, control, check, plan.edits);
}

function insertFor(m: Manifest, c: Container, control: Control, check: CheckSpec): Planned {
  const ins = control.insert!;
  return insertUnder(m, c, ins.path, ins.render ? ins.render(check.fix) : check.fix);
}

/** Re-reads the edited text: it must parse, keep every other document, and pass the control. */
function recheck(
  m: Manifest,
  w: Workload,
  c: Container | undefined,
  control: Control,
  check: CheckSpec,
  edits: readonly LineEdit[],
): Planned {
  const after = parseManifest(applyEdits(m.text, edits));
  if (!after.ok) return { unfixable: `the edit would not parse (${after.reason}): fix ${check.key} by hand` };
  const a = after.manifest;
  if (a.data.length !== m.data.length) return { unfixable: 'the edit would change the documents of the file' };
  for (let i = 0; i < m.data.length; i++)
    if (i !== w.doc && !isDeepStrictEqual(a.data[i], m.data[i]))
      return { unfixable: 'the edit would change another document of the file' };
  const w2 = a.workloads.find((x) => x.doc === w.doc);
  const c2 = c ? w2?.containers.find((x) => x.group === c.group && x.index === c.index) : undefined;
  if (!w2 || (c && !c2)) return { unfixable: 'the edited workload could not be read back' };
  if (!satisfies(check.expect, control.observe(w2, c2)))
    return { unfixable: `the edit did not make ${check.key} pass: fix it by hand` };
  return { edits };
}
