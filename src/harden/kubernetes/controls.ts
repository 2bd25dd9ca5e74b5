// The Pod Security Standards controls (Kubernetes v1.30, as pod-security-admission checks them), one per CheckSpec
// `key`. Each control observes a pod spec or one container and says what the API server would apply: a scalar
// (the value written, or the Kubernetes default when nothing is) or a list (every item judged; an empty list
// passes). Container-level fields inherit the pod's `securityContext` where the API does (runAsNonRoot,
// runAsUser, seccompProfile, appArmorProfile, seLinuxOptions, windowsOptions). Pure.
import { isMap, isScalar, isSeq, type Scalar, type YAMLMap } from 'yaml';
import type { Expectation } from '../types.ts';
import { mapAt, pairOf, pathMap, scalarAt, scalarText, type Container, type Workload } from './manifest.ts';
import { withinBounds } from '../expect.ts';

/** What a control sees. `node` is the scalar the effective value is written in (absent: defaulted or a list). */
export type Observed =
  | {
      readonly type: 'scalar';
      readonly value: string;
      readonly node?: Scalar;
      readonly level?: 'pod' | 'container';
      readonly defaulted?: string;
    }
  | { readonly type: 'list'; readonly values: readonly string[]; readonly node?: Scalar };

export type Control = {
  readonly level: 'pod' | 'container';
  readonly observe: (w: Workload, c: Container | undefined) => Observed;
  /**
   * Where a missing value is inserted, under the container (`securityContext`, ...), and how the fix value is
   * written there; absent: the control cannot be fixed by writing a value.
   */
  readonly insert?: { readonly path: readonly string[]; readonly render?: (fix: string) => string };
  /** Why the control is not fixed by an edit (the workload may rely on what it grants). */
  readonly unfixable?: string;
};

const sc = (m: YAMLMap | undefined): YAMLMap | undefined => mapAt(m, 'securityContext');

/** A boolean or string field of the container's securityContext, else the pod's (when it inherits), else a default. */
function inherited(
  w: Workload,
  c: Container | undefined,
  path: readonly string[],
  dflt: string,
  inherit: boolean,
): Observed {
  const leaf = path[path.length - 1]!;
  const at = (m: YAMLMap | undefined) => scalarAt(pathMap(sc(m), path.slice(0, -1)), leaf);
  const own = c ? at(c.map) : undefined;
  if (own) return { type: 'scalar', value: scalarText(own), node: own, level: 'container' };
  const pod = inherit ? at(w.pod) : undefined;
  if (pod) return { type: 'scalar', value: scalarText(pod), node: pod, level: 'pod' };
  return { type: 'scalar', value: dflt, defaulted: dflt };
}

function podField(w: Workload, key: string, dflt: string): Observed {
  const s = scalarAt(w.pod, key);
  return s ? { type: 'scalar', value: scalarText(s), node: s } : { type: 'scalar', value: dflt, defaulted: dflt };
}

/** The string items of a sequence (non-scalars as `?`). */
function items(v: unknown): string[] {
  if (!isSeq(v)) return [];
  return v.items.map((i) => (isScalar(i) && i.value !== null ? scalarText(i) : '?'));
}

/** A volume's type: its one key besides `name`. */
function volumeTypes(w: Workload): string[] {
  const v = pairOf(w.pod, 'volumes')?.value;
  if (!isSeq(v)) return [];
  return v.items.map((i) =>
    isMap(i)
      ? (i.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '?')).find((k) => k !== 'name') ?? '?')
      : '?',
  );
}

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/** The AppArmor profile a container runs with: its field, else the (deprecated) annotation, else the pod's field. */
function appArmor(w: Workload, c: Container | undefined): Observed {
  const field = inherited(w, c, ['appArmorProfile', 'type'], '', true);
  if (field.type === 'scalar' && field.level === 'container') return { type: 'list', values: [field.value] };
  const ann = c ? scalarAt(mapAt(w.podMeta, 'annotations'), APPARMOR_ANNOTATION + c.name) : undefined;
  if (ann) {
    const a = scalarText(ann);
    const v =
      a === 'runtime/default'
        ? 'RuntimeDefault'
        : a.startsWith('localhost/')
          ? 'Localhost'
          : a === 'unconfined'
            ? 'Unconfined'
            : a;
    return { type: 'list', values: [v] };
  }
  return { type: 'list', values: field.type === 'scalar' && field.defaulted === undefined ? [field.value] : [] };
}

/** SELinux: the effective type (empty when unset), and `user=`/`role=` items when either is set (never allowed). */
function seLinux(w: Workload, c: Container | undefined): Observed {
  const out: string[] = [];
  const opts = (m: YAMLMap | undefined) => mapAt(sc(m), 'seLinuxOptions');
  for (const o of [opts(w.pod), c ? opts(c.map) : undefined]) {
    if (!o) continue;
    for (const k of ['user', 'role']) {
      const s = scalarAt(o, k);
      if (s && scalarText(s) !== '') out.push(`${k}=${scalarText(s)}`);
    }
  }
  const type = inherited(w, c, ['seLinuxOptions', 'type'], '', true);
  if (type.type === 'scalar' && type.value !== '') out.unshift(type.value);
  return { type: 'list', values: out };
}

function dropList(c: Container | undefined): Observed {
  const v = pairOf(mapAt(sc(c?.map), 'capabilities'), 'drop')?.value;
  const list = items(v);
  if (list.includes('ALL')) return { type: 'scalar', value: 'ALL' };
  return list.length
    ? { type: 'scalar', value: list.join(', ') }
    : { type: 'scalar', value: '(nothing dropped)', defaulted: '(nothing dropped)' };
}

/** The controls by CheckSpec key. */
export const CONTROLS: Readonly<Record<string, Control>> = {
  // baseline
  hostProcess: {
    level: 'container',
    observe: (w, c) => inherited(w, c, ['windowsOptions', 'hostProcess'], 'false', true),
    insert: { path: ['securityContext', 'windowsOptions', 'hostProcess'] },
  },
  hostNetwork: { level: 'pod', observe: (w) => podField(w, 'hostNetwork', 'false') },
  hostPID: { level: 'pod', observe: (w) => podField(w, 'hostPID', 'false') },
  hostIPC: { level: 'pod', observe: (w) => podField(w, 'hostIPC', 'false') },
  privileged: {
    level: 'container',
    observe: (w, c) => inherited(w, c, ['privileged'], 'false', false),
    insert: { path: ['securityContext', 'privileged'] },
  },
  'capabilities.add': {
    level: 'container',
    observe: (_w, c) => ({ type: 'list', values: items(pairOf(mapAt(sc(c?.map), 'capabilities'), 'add')?.value) }),
    unfixable: 'the container may need the capabilities it adds: remove them by hand once it is known not to',
  },
  hostPath: {
    level: 'pod',
    observe: (w) => ({ type: 'scalar', value: volumeTypes(w).includes('hostPath') ? 'true' : 'false' }),
    unfixable: 'the containers mount what the hostPath volume gives them: replace it (a PVC, emptyDir) by hand',
  },
  hostPorts: {
    level: 'container',
    observe: (_w, c) => {
      const ports = pairOf(c?.map, 'ports')?.value;
      const out: string[] = [];
      if (isSeq(ports))
        for (const p of ports.items) {
          const h = isMap(p) ? scalarAt(p, 'hostPort') : undefined;
          if (h) out.push(scalarText(h));
        }
      return { type: 'list', values: out };
    },
    unfixable: 'clients may reach the container through the host port: expose it with a Service instead, by hand',
  },
  appArmorProfile: {
    level: 'container',
    observe: appArmor,
    unfixable: 'an AppArmor override is deliberate: set a RuntimeDefault or Localhost profile by hand',
  },
  seLinuxOptions: {
    level: 'container',
    observe: seLinux,
    unfixable: 'custom SELinux labels are deliberate: remove or change them by hand',
  },
  procMount: {
    level: 'container',
    observe: (w, c) => inherited(w, c, ['procMount'], 'Default', false),
    insert: { path: ['securityContext', 'procMount'] },
  },
  sysctls: {
    level: 'pod',
    observe: (w) => {
      const v = pairOf(sc(w.pod), 'sysctls')?.value;
      const names = isSeq(v)
        ? v.items.map((i) => {
            const n = isMap(i) ? scalarAt(i, 'name') : undefined;
            return n ? scalarText(n) : '?';
          })
        : [];
      return { type: 'list', values: names };
    },
    unfixable: 'the workload may need the sysctl it sets: remove it by hand',
  },
  // restricted
  volumes: {
    level: 'pod',
    observe: (w) => ({ type: 'list', values: volumeTypes(w) }),
    unfixable: 'the containers read what the volume holds: move it to a PersistentVolume (a PVC) by hand',
  },
  allowPrivilegeEscalation: {
    level: 'container',
    observe: (w, c) => inherited(w, c, ['allowPrivilegeEscalation'], 'true', false),
    insert: { path: ['securityContext', 'allowPrivilegeEscalation'] },
  },
  runAsNonRoot: {
    level: 'container',
    observe: (w, c) => inherited(w, c, ['runAsNonRoot'], '(not set)', true),
    insert: { path: ['securityContext', 'runAsNonRoot'] },
  },
  runAsUser: {
    level: 'container',
    observe: (w, c) => {
      const o = inherited(w, c, ['runAsUser'], '', true);
      return o.type === 'scalar' && o.node
        ? { type: 'list', values: [o.value], node: o.node }
        : { type: 'list', values: [] };
    },
  },
  seccompProfile: {
    level: 'container',
    observe: (w, c) => inherited(w, c, ['seccompProfile', 'type'], '(not set)', true),
    insert: { path: ['securityContext', 'seccompProfile', 'type'] },
  },
  'capabilities.drop': {
    level: 'container',
    observe: (_w, c) => dropList(c),
    insert: { path: ['securityContext', 'capabilities', 'drop'], render: (fix) => `["${fix}"]` },
  },
};

const num = (s: string): number | undefined => (/^-?\d+$/.test(s) ? Number(s) : undefined);

function one(e: Expectation, v: string): boolean {
  if ('equals' in e) return v === e.equals;
  if ('oneOf' in e) return e.oneOf.includes(v);
  if ('excludes' in e) return !e.excludes.includes(v);
  if ('present' in e) return true;
  const n = num(v);
  return n !== undefined && withinBounds(e, n);
}

/** Whether what a control sees satisfies an expectation: a scalar compares as is, a list item by item. */
export function satisfies(e: Expectation, o: Observed): boolean {
  if (o.type === 'scalar') {
    if ('present' in e) return o.defaulted === undefined;
    return one(e, o.value);
  }
  if ('present' in e) return o.values.length > 0;
  return o.values.every((v) => one(e, v));
}

export function describeExpectation(e: Expectation, list: boolean): string {
  const each = list ? 'each ' : '';
  if ('equals' in e) return `${each}${e.equals}`;
  if ('oneOf' in e) return `${each}one of ${e.oneOf.join(', ')}${list ? ' (or none)' : ''}`;
  if ('excludes' in e) return `none of ${e.excludes.join(', ')}`;
  if ('present' in e) return 'set';
  const b = [e.min === undefined ? '' : `at least ${e.min}`, e.max === undefined ? '' : `at most ${e.max}`];
  return `${each}${b.filter(Boolean).join(' and ')}`;
}

export function describeObserved(o: Observed): string {
  if (o.type === 'list') return o.values.length ? o.values.join(', ') : '(none)';
  if (o.defaulted !== undefined) return `(default) ${o.value}`;
  return o.level === 'pod' ? `${o.value} (pod securityContext)` : o.value;
}
