// Kubernetes manifests as the API server would read them: every document of a file parsed with the YAML 1.1
// schema (sigs.k8s.io/yaml decodes through go-yaml, where `yes`/`on` are booleans), the workload kinds
// located with their pod template, and each container with the source position of every field, so a fix can
// edit the very line a value is written on. Pure: text in, values out.
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
} from 'yaml';

/** Where the pod spec sits in each workload kind. */
export const POD_SPEC_PATH: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export type ContainerGroup = 'containers' | 'initContainers' | 'ephemeralContainers';
export const CONTAINER_GROUPS: readonly ContainerGroup[] = ['containers', 'initContainers', 'ephemeralContainers'];

export type Container = {
  readonly group: ContainerGroup;
  /** Index in its group: the container's identity when re-reading an edited file. */
  readonly index: number;
  readonly name: string;
  readonly map: YAMLMap;
  /** 1-based line of the container's first key. */
  readonly line: number;
};

export type Workload = {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** Index of the document in its file. */
  readonly doc: number;
  /** 1-based line of the document's `kind:`. */
  readonly line: number;
  readonly pod: YAMLMap;
  /** The pod template's metadata (annotations), when any. */
  readonly podMeta?: YAMLMap;
  readonly containers: readonly Container[];
};

/** A parsed file: its workloads and what the positions of its nodes are. */
export type Manifest = {
  readonly text: string;
  readonly lines: readonly string[];
  readonly lineCounter: LineCounter;
  readonly workloads: readonly Workload[];
  /** Documents that are not workloads (Service, ConfigMap, ...) or are empty. */
  readonly others: number;
  /** Plain data of every document, for comparing a file before and after an edit. */
  readonly data: readonly unknown[];
  /** The most common indentation step of nested block mappings (2 when none nests). */
  readonly indentStep: number;
};

export type ParseOutcome =
  | { readonly ok: true; readonly manifest: Manifest }
  | { readonly ok: false; readonly template?: true; readonly reason: string };

/** Documents read from one file (a bound against a hostile file of empty documents). */
const MAX_DOCUMENTS = 1000;

/** Whether the text looks like a Helm (or other Go) template: it is not YAML until rendered. */
export const looksTemplated = (text: string): boolean => /\{\{-?\s/.test(text) || /\{\{[.$/a-zA-Z]/.test(text);

export function parseManifest(text: string): ParseOutcome {
  if (looksTemplated(text)) return { ok: false, template: true, reason: 'a template (`{{ ... }}`): render it first' };
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, version: '1.1', prettyErrors: false });
  if (!Array.isArray(docs)) return { ok: false, reason: 'not a YAML stream' };
  if (docs.length > MAX_DOCUMENTS) return { ok: false, reason: `more than ${MAX_DOCUMENTS} documents` };
  for (const d of docs) {
    const e = d.errors[0];
    if (e) {
      const at = lineCounter.linePos(e.pos[0]);
      return { ok: false, reason: `YAML error at line ${at.line}: ${e.message.split('\n')[0] ?? ''}` };
    }
  }
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const src = { lineCounter };
  const workloads: Workload[] = [];
  const data: unknown[] = [];
  let others = 0;
  docs.forEach((d, i) => {
    data.push(d.toJS({ maxAliasCount: 100 }));
    const w = workloadOf(d.contents, i, src);
    if (w) workloads.push(w);
    else others++;
  });
  const indentStep = stepOf(
    docs.map((d) => d.contents),
    lineCounter,
  );
  return { ok: true, manifest: { text, lines, lineCounter, workloads, others, data, indentStep } };
}

/** The pair of a mapping whose key is `key` (plain string keys only). */
export function pairOf(map: YAMLMap | undefined, key: string): Pair | undefined {
  return map?.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
}

/** A mapping's value at `key` when it is a mapping. */
export function mapAt(map: YAMLMap | undefined, key: string): YAMLMap | undefined {
  const v = pairOf(map, key)?.value;
  return isMap(v) ? v : undefined;
}

/** A mapping's value at `key` when it is a scalar that is set (not null). */
export function scalarAt(map: YAMLMap | undefined, key: string): Scalar | undefined {
  const v = pairOf(map, key)?.value;
  return isScalar(v) && v.value !== null ? v : undefined;
}

/** A scalar as the API server reads it: booleans and numbers as their canonical text. */
export function scalarText(s: Scalar): string {
  const v = s.value;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint') return String(v);
  return typeof v === 'string' ? v : String(v);
}

export function pathMap(map: YAMLMap | undefined, path: readonly string[]): YAMLMap | undefined {
  let m = map;
  for (const k of path) m = mapAt(m, k);
  return m;
}

export const lineOf = (lc: LineCounter, offset: number): number => lc.linePos(offset).line;
/** 0-based column of an offset. */
export const colOf = (lc: LineCounter, offset: number): number => lc.linePos(offset).col - 1;

function workloadOf(contents: Node | null, doc: number, src: { lineCounter: LineCounter }): Workload | undefined {
  if (!isMap(contents)) return undefined;
  const kindNode = scalarAt(contents, 'kind');
  const kind = kindNode ? scalarText(kindNode) : undefined;
  const path = kind === undefined ? undefined : POD_SPEC_PATH[kind];
  if (kind === undefined || path === undefined || !kindNode) return undefined;
  const pod = pathMap(contents, path);
  if (!pod) return undefined;
  const meta = mapAt(contents, 'metadata');
  const nameNode = scalarAt(meta, 'name');
  const nsNode = scalarAt(meta, 'namespace');
  const podMeta = kind === 'Pod' ? meta : mapAt(pathMap(contents, path.slice(0, -1)), 'metadata');
  const containers: Container[] = [];
  for (const group of CONTAINER_GROUPS) {
    const seq = pairOf(pod, group)?.value;
    if (!isSeq(seq)) continue;
    seq.items.forEach((item, index) => {
      if (!isMap(item)) return;
      const n = scalarAt(item, 'name');
      const first = item.items[0]?.key as Node | undefined;
      const at = first?.range?.[0] ?? item.range?.[0] ?? 0;
      containers.push({
        group,
        index,
        name: n ? scalarText(n) : `#${index + 1}`,
        map: item,
        line: lineOf(src.lineCounter, at),
      });
    });
  }
  return {
    kind,
    name: nameNode ? scalarText(nameNode) : '(unnamed)',
    ...(nsNode ? { namespace: scalarText(nsNode) } : {}),
    doc,
    line: lineOf(src.lineCounter, kindNode.range?.[0] ?? 0),
    pod,
    ...(podMeta ? { podMeta } : {}),
    containers,
  };
}

/** The indentation the file uses for nested block mappings: the most common step, 2 when nothing nests. */
function stepOf(roots: readonly (Node | null)[], lc: LineCounter): number {
  const counts = new Map<number, number>();
  const visit = (n: unknown, depth: number): void => {
    if (depth > 64) return;
    if (isMap(n)) {
      for (const p of n.items) {
        const v = p.value;
        const k = p.key as Node | null;
        if (isMap(v) && !v.flow && k?.range && v.items[0]) {
          const childKey = v.items[0].key as Node | null;
          if (childKey?.range) {
            const d = colOf(lc, childKey.range[0]) - colOf(lc, k.range[0]);
            if (d > 0 && lineOf(lc, childKey.range[0]) > lineOf(lc, k.range[0]))
              counts.set(d, (counts.get(d) ?? 0) + 1);
          }
        }
        visit(v, depth + 1);
      }
    } else if (isSeq(n)) for (const i of n.items) visit(i, depth + 1);
  };
  for (const r of roots) visit(r, 0);
  let best = 2;
  let most = 0;
  for (const [d, c] of counts) if (c > most) [best, most] = [d, c];
  return best;
}
