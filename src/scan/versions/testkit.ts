// Helpers for the version-order tests: the shared OSV ordering fixtures, tables, and reference tools.
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { isLenientVersion, parseForOsv, type Ordering, type VersionScheme } from './scheme.ts';

/** `../shared/data/osv/versions/` beside the repository (absent on machines without the shared data). */
export const OSV_FIXTURE_DIR = fileURLToPath(new URL('../../../../shared/data/osv/versions/', import.meta.url));

export type Op = '<' | '=' | '>';
export type FixtureLine = {
  readonly lineNo: number;
  readonly text: string;
  readonly a: string;
  readonly op: Op;
  readonly b: string;
};

export function opOf(order: Ordering): Op {
  return order < 0 ? '<' : order > 0 ? '>' : '=';
}

/** Reads an ordering fixture (`A <op> B` lines; blank, `# ` and `// ` lines skipped), or `undefined` if absent. */
export function readOsvFixture(name: string): FixtureLine[] | undefined {
  const path = OSV_FIXTURE_DIR + name;
  if (!existsSync(path)) return undefined;
  const out: FixtureLine[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text === '' || text.startsWith('# ') || text.startsWith('// ')) return;
      const parts = text.split(' ');
      const op = parts[1];
      if (parts.length !== 3 || (op !== '<' && op !== '=' && op !== '>')) {
        throw new Error(`${path}:${i + 1}: not "A <op> B": ${JSON.stringify(text)}`);
      }
      out.push({ lineNo: i + 1, text, a: parts[0] as string, op, b: parts[2] as string });
    });
  return out;
}

/** Reads `__fixtures__/<name>` beside a plugin: one entry a line, `#` comments and blank lines skipped. */
export function readListFixture(url: URL): string[] {
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/**
 * Parses both sides for OSV's order (lenient versions included) and returns `cmp(a, b)`, checking on the way
 * that `cmp(b, a)` is its reverse.
 */
export function compareChecked<P>(scheme: VersionScheme<P>, a: string, b: string): Ordering | 'unparsable' {
  const pa = parseForOsv(scheme, a);
  const pb = parseForOsv(scheme, b);
  if (pa === undefined || pb === undefined) return 'unparsable';
  const ab = scheme.compare(pa, pb);
  const ba = scheme.compare(pb, pa);
  assert.equal(ab, (0 - ba) as Ordering, `${scheme.id}: cmp(${a}, ${b}) = ${ab} but cmp(${b}, ${a}) = ${ba}`);
  return ab;
}

/**
 * Asserts a table of `[a, op, b]` cases (both directions, in OSV's order), a list of strings the scheme must
 * refuse outright, and a list that only `parseLenient` may accept (flagged by `isLenient`); every other string
 * of the table must be a version `parse` accepts.
 */
export function checkTable<P>(
  scheme: VersionScheme<P>,
  cases: readonly (readonly [string, Op, string])[],
  invalid: readonly string[] = [],
  lenient: readonly string[] = [],
): void {
  const wrong: string[] = [];
  const lenientSet = new Set(lenient);
  for (const [a, op, b] of cases) {
    const got = compareChecked(scheme, a, b);
    if (got === 'unparsable' || opOf(got) !== op)
      wrong.push(`${a} ${op} ${b}: got ${got === 'unparsable' ? got : opOf(got)}`);
    for (const v of [a, b]) {
      if (!lenientSet.has(v) && scheme.parse(v) === undefined) wrong.push(`${JSON.stringify(v)} should parse`);
    }
  }
  for (const v of invalid) {
    if (parseForOsv(scheme, v) !== undefined) wrong.push(`${JSON.stringify(v)} should be refused`);
  }
  for (const v of lenient) {
    const p = parseForOsv(scheme, v);
    if (scheme.parse(v) !== undefined || !isLenientVersion(scheme, p)) {
      wrong.push(`${JSON.stringify(v)} should be refused by parse and accepted, flagged, by parseLenient`);
    }
  }
  assert.deepEqual(wrong, [], `${scheme.id}: ${wrong.length} case(s) wrong`);
}

/** Runs a command if it exists, returning its stdout; `undefined` when the tool is not installed. */
export function runTool(cmd: string, args: readonly string[], input?: string): string | undefined {
  try {
    return execFileSync(cmd, args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Draws `n` distinct items with a seeded generator (reproducible). */
export function sample<T>(items: readonly T[], n: number, random: () => number): T[] {
  const pool = items.slice();
  const out: T[] = [];
  while (out.length < n && pool.length > 0) {
    const i = Math.floor(random() * pool.length);
    out.push(pool[i] as T);
    pool[i] = pool[pool.length - 1] as T;
    pool.pop();
  }
  return out;
}
