// Shared pieces of the pure extractors: the Extractor shape, a collector that builds Packages (purl filled,
// one entry per name and version), and small text helpers. No I/O here.
import type { OsvEcosystem } from '../versions/index.ts';
import { purlFor } from './purl.ts';
import type { ExtractIssue, Extracted, Package } from './types.ts';

/** Texts of the files an extractor asked for beside its own (`related`), by relative path; absent when unread. */
export type RelatedFiles = ReadonlyMap<string, string>;

/** When the walker runs an extractor: always (`lockfile`), or only for an installed tree (`installed`, rootfs). */
export type ExtractorKind = 'lockfile' | 'installed' | 'sbom';

/**
 * One file format. `extract` is pure: the text and the path it came from (used for `location` and to tell
 * formats apart), plus the texts of the `related` files the walker could read. It never throws on bad input:
 * problems become issues and whatever parsed is kept.
 */
export interface Extractor {
  /** `<ecosystem folder>/<format>`, e.g. `npm/package-lock`, unique in the registry. */
  readonly id: string;
  /** The OSV ecosystem of every package it produces, or `from-purl` for SBOMs (one per component). */
  readonly ecosystem: OsvEcosystem | 'from-purl';
  readonly kind: ExtractorKind;
  /** Whether this extractor reads the file at `path` (relative, `/`-separated). */
  matches(path: string): boolean;
  /** Files beside `path` that refine the result (e.g. the `package.json` next to a `yarn.lock`), relative paths. */
  related?(path: string): readonly string[];
  extract(text: string, path: string, related?: RelatedFiles): Extracted;
  /**
   * For binary formats (the rpm sqlite database): when present, the walker passes the file's bytes here instead
   * of decoding it and calling `extract` (which may then only report that it needs bytes). Pure, like `extract`.
   */
  extractBytes?(bytes: Uint8Array, path: string, related?: RelatedFiles): Extracted;
}

/** The last path segment. */
export function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? path : path.slice(slash + 1);
}

/** The directory part of a relative path, `''` for the root. */
export function dirName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** `dir` joined with `name` (`''` dir → `name`). */
export function sibling(path: string, name: string): string {
  const dir = dirName(path);
  return dir === '' ? name : `${dir}/${name}`;
}

/** 1-based line of a character offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  let i = text.indexOf('\n');
  while (i !== -1 && i < offset) {
    line++;
    i = text.indexOf('\n', i + 1);
  }
  return line;
}

/** Text without a leading byte-order mark (Windows editors write one into requirements.txt and .config files). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export type PackageInput = {
  readonly name: string;
  readonly version: string;
  readonly line?: number;
  readonly dev?: boolean;
  readonly direct?: boolean;
  readonly root?: boolean;
  readonly sourceName?: string;
  readonly sourceVersion?: string;
  readonly purl?: string;
};

type Entry = {
  name: string;
  version: string;
  line?: number;
  dev?: boolean;
  direct?: boolean;
  root?: boolean;
  sourceName?: string;
  sourceVersion?: string;
  purl?: string;
};

// A file may hold millions of entries when hostile: bound what one file can add.
const MAX_PACKAGES_PER_FILE = 1_000_000;
const MAX_ISSUES_PER_FILE = 1000;

/**
 * Builds one file's result. Packages are keyed by name and version: a second sighting keeps the first line,
 * is dev only if every sighting is, and direct if any is (Trivy's merge of repeated lockfile entries).
 */
export class Collector {
  readonly location: string;
  readonly ecosystem: OsvEcosystem | `${OsvEcosystem}:${string}`;
  readonly #entries = new Map<string, Entry>();
  readonly #issues: ExtractIssue[] = [];
  #droppedIssues = 0;
  #full = false;

  constructor(location: string, ecosystem: OsvEcosystem | `${OsvEcosystem}:${string}`) {
    this.location = location;
    this.ecosystem = ecosystem;
  }

  add(p: PackageInput): void {
    if (p.name === '' || p.version === '') return;
    const key = `${p.name}\u0000${p.version}`;
    const seen = this.#entries.get(key);
    if (seen !== undefined) {
      if (seen.line === undefined && p.line !== undefined) seen.line = p.line;
      seen.dev =
        seen.dev === true && p.dev === true ? true : seen.dev === undefined && p.dev === undefined ? undefined : false;
      if (p.direct === true) seen.direct = true;
      else if (seen.direct === undefined && p.direct === false) seen.direct = false;
      if (p.root === true) seen.root = true;
      return;
    }
    if (this.#entries.size >= MAX_PACKAGES_PER_FILE) {
      if (!this.#full) this.issue(`more than ${MAX_PACKAGES_PER_FILE} packages: the rest is ignored`);
      this.#full = true;
      return;
    }
    const e: Entry = { name: p.name, version: p.version };
    if (p.line !== undefined) e.line = p.line;
    if (p.dev !== undefined) e.dev = p.dev;
    if (p.direct !== undefined) e.direct = p.direct;
    if (p.root === true) e.root = true;
    if (p.sourceName !== undefined) e.sourceName = p.sourceName;
    if (p.sourceVersion !== undefined) e.sourceVersion = p.sourceVersion;
    if (p.purl !== undefined) e.purl = p.purl;
    this.#entries.set(key, e);
  }

  /** Marks an already added package (e.g. dev after a dependency walk). */
  update(name: string, version: string, change: { dev?: boolean; direct?: boolean; root?: boolean }): void {
    const e = this.#entries.get(`${name}\u0000${version}`);
    if (e === undefined) return;
    if (change.dev !== undefined) e.dev = change.dev;
    if (change.direct !== undefined) e.direct = change.direct;
    if (change.root !== undefined) e.root = change.root;
  }

  has(name: string, version: string): boolean {
    return this.#entries.has(`${name}\u0000${version}`);
  }

  get size(): number {
    return this.#entries.size;
  }

  issue(message: string, line?: number): void {
    if (this.#issues.length >= MAX_ISSUES_PER_FILE) {
      this.#droppedIssues++;
      return;
    }
    this.#issues.push(
      line === undefined ? { location: this.location, message } : { location: this.location, line, message },
    );
  }

  result(): Extracted {
    const packages: Package[] = [];
    for (const e of this.#entries.values()) {
      // built by assignment, not spreads: this runs once per package of a 100k-entry lockfile
      const p: { -readonly [K in keyof Package]: Package[K] } = {
        name: e.name,
        version: e.version,
        ecosystem: this.ecosystem,
        location: this.location,
      };
      if (e.line !== undefined) p.line = e.line;
      const purl = e.purl ?? purlFor(this.ecosystem, e.name, e.version);
      if (purl !== undefined) p.purl = purl;
      if (e.dev !== undefined) p.dev = e.dev;
      if (e.direct !== undefined) p.direct = e.direct;
      if (e.root === true) p.root = true;
      if (e.sourceName !== undefined) p.sourceName = e.sourceName;
      if (e.sourceVersion !== undefined) p.sourceVersion = e.sourceVersion;
      packages.push(p);
    }
    const issues =
      this.#droppedIssues > 0
        ? [...this.#issues, { location: this.location, message: `${this.#droppedIssues} more issues not listed` }]
        : this.#issues;
    return { packages, issues };
  }
}

/** Plain-object check for values from JSON/YAML/TOML. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Own keys of a parsed object that are safe to use as map keys (no prototype tricks). */
export function entries(v: unknown): [string, unknown][] {
  return isRecord(v) ? Object.entries(v) : [];
}

/**
 * Walks a dependency graph from `roots` (breadth first, iterative: hostile graphs may be deep) and returns
 * every node reached, roots included.
 */
export function reachable<K>(roots: Iterable<K>, next: (node: K) => Iterable<K>): Set<K> {
  const seen = new Set<K>();
  const queue: K[] = [];
  for (const r of roots) {
    if (!seen.has(r)) {
      seen.add(r);
      queue.push(r);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    for (const n of next(queue[i]!)) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen;
}

/**
 * Dev marking the way Trivy does it from a manifest: packages reached from the production roots are not dev,
 * packages reached only from the dev roots are dev; the rest are left as they were.
 */
export function markDev<K>(
  prodRoots: Iterable<K>,
  devRoots: Iterable<K>,
  next: (node: K) => Iterable<K>,
): { prod: Set<K>; dev: Set<K> } {
  const prod = reachable(prodRoots, next);
  const devAll = reachable(devRoots, next);
  const dev = new Set<K>();
  for (const k of devAll) if (!prod.has(k)) dev.add(k);
  return { prod, dev };
}

/** Error message of an unknown thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.message;
  return String(e);
}
