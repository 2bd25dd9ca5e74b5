// Pieces the OS package extractors share: where the rootfs a database sits in starts, its OSV target, and
// the purl of an OS package. Pure.
import type { RelatedFiles } from '../inventory/extract.ts';
import { buildPurl } from '../inventory/purl.ts';
import type { ExtractIssue } from '../inventory/types.ts';
import {
  detectRelease,
  osvTarget,
  releaseFilesUnder,
  rootPrefix,
  type OsRelease,
  type OsvTarget,
  type PackageFamily,
} from './release.ts';

/** A database path of a rootfs: `suffixes` are relative to the rootfs (`var/lib/dpkg/status`). */
export function prefixOf(path: string, suffixes: readonly string[]): string | undefined {
  for (const s of suffixes) {
    const p = rootPrefix(path, s);
    if (p !== undefined) return p;
  }
  return undefined;
}

export type Resolved =
  | { readonly ok: true; readonly target: OsvTarget; readonly release?: OsRelease }
  | { readonly ok: false; readonly issue: ExtractIssue };

/**
 * The OSV target for a package database at `path` (in the rootfs at `prefix`): from the release files the
 * walker passed. A refusal is an issue on `path`; an approximate choice is returned with its `note`.
 */
export function resolveTarget(
  path: string,
  prefix: string,
  related: RelatedFiles | undefined,
  family: PackageFamily,
): Resolved {
  const release = detectRelease(related, prefix);
  const t = osvTarget(release, family);
  if (!t.ok) return { ok: false, issue: { location: path, message: `${t.reason}: packages not listed` } };
  return release === undefined ? { ok: true, target: t.target } : { ok: true, target: t.target, release };
}

/** `related` of every OS extractor: the release files of the rootfs the database is in. */
export function releaseFilesFor(path: string, suffixes: readonly string[]): string[] {
  const prefix = prefixOf(path, suffixes);
  return prefix === undefined ? [] : releaseFilesUnder(prefix);
}

/**
 * The purl of an OS package (`pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12`). `upstream` is the
 * source package, `name` or `name@version`, when it differs from the binary one (the form `purlToPackage` reads).
 */
export function osPurl(
  t: OsvTarget,
  name: string,
  version: string,
  opts: { arch?: string; epoch?: string; sourceName?: string; sourceVersion?: string } = {},
): string {
  const q: Record<string, string> = {};
  if (opts.arch !== undefined && opts.arch !== '') q['arch'] = opts.arch;
  if (opts.epoch !== undefined && opts.epoch !== '') q['epoch'] = opts.epoch;
  if (t.distro !== undefined) q['distro'] = t.distro;
  const srcName = opts.sourceName ?? name;
  if (srcName !== name || (opts.sourceVersion !== undefined && opts.sourceVersion !== version))
    q['upstream'] =
      opts.sourceVersion !== undefined && opts.sourceVersion !== version ? `${srcName}@${opts.sourceVersion}` : srcName;
  return buildPurl({ type: t.purlType, namespace: t.purlNamespace, name, version, qualifiers: q });
}
