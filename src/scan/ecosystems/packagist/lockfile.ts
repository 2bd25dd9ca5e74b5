// Composer: composer.lock (`packages`, and `packages-dev` as dev; the composer.json beside it marks direct
// requirements) and vendor/composer/installed.json of an installed tree (format 1: an array; format 2:
// `{packages, dev-package-names}`).
import {
  baseName,
  Collector,
  entries,
  isRecord,
  sibling,
  str,
  type Extractor,
  type RelatedFiles,
} from '../../inventory/extract.ts';
import { jsonObjectOf, keyLines, keyPath, parseJson } from '../../inventory/json.ts';
import type { Extracted } from '../../inventory/types.ts';

/** Branch versions (`dev-main`, `1.x-dev`) name no release: nothing to compare. */
function releaseVersion(v: string | undefined): string | undefined {
  if (v === undefined || v.startsWith('dev-') || v.endsWith('-dev')) return undefined;
  return v;
}

function directNames(composerJson: string | undefined): Set<string> | undefined {
  if (composerJson === undefined) return undefined;
  const r = parseJson(composerJson);
  if (!r.ok || !isRecord(r.value)) return undefined;
  const out = new Set<string>();
  for (const field of ['require', 'require-dev']) for (const [n] of entries(r.value[field])) out.add(n.toLowerCase());
  return out;
}

/** Parses composer.lock text, with the composer.json beside it when given. */
export function parseComposerLock(text: string, path: string, composerJson?: string): Extracted {
  const c = new Collector(path, 'Packagist');
  const top = jsonObjectOf(text, c, 'composer.lock');
  if (!top) return c.result();
  const direct = directNames(composerJson);
  if (composerJson !== undefined && direct === undefined)
    c.issue('the composer.json beside it is not valid JSON: direct dependencies are unknown');
  const lines = keyLines(text, 2, new Set(['packages', 'packages-dev']));
  for (const section of ['packages', 'packages-dev'] as const) {
    const list = top[section];
    if (!Array.isArray(list)) continue;
    list.forEach((p: unknown, i) => {
      if (!isRecord(p)) return;
      const name = str(p['name']);
      const version = releaseVersion(str(p['version']));
      if (name === undefined || version === undefined) return;
      const line = lines.get(keyPath(section, i));
      c.add({
        name,
        version,
        ...(line !== undefined ? { line } : {}),
        dev: section === 'packages-dev',
        ...(direct !== undefined ? { direct: direct.has(name.toLowerCase()) } : {}),
      });
    });
  }
  return c.result();
}

/** Parses vendor/composer/installed.json text. */
export function parseInstalledJson(text: string, path: string): Extracted {
  const c = new Collector(path, 'Packagist');
  const r = parseJson(text);
  // outside vendor/composer/ an installed.json may be another tool's file: only Composer's are worth an issue
  const composers = /(^|\/)vendor\/composer\/installed\.json$/.test(path);
  if (!r.ok) {
    if (composers) c.issue(r.message, r.line);
    return c.result();
  }
  const v2 = isRecord(r.value);
  const list = v2 ? (r.value as Record<string, unknown>)['packages'] : r.value;
  if (!Array.isArray(list)) {
    if (composers) c.issue('not an installed.json: no packages array');
    return c.result();
  }
  const devNames = new Set<string>();
  if (v2) {
    const d = (r.value as Record<string, unknown>)['dev-package-names'];
    if (Array.isArray(d)) for (const n of d) if (typeof n === 'string') devNames.add(n.toLowerCase());
  }
  const lines = v2 ? keyLines(text, 2, new Set(['packages'])) : undefined;
  list.forEach((p: unknown, i) => {
    if (!isRecord(p)) return;
    const name = str(p['name']);
    const version = releaseVersion(str(p['version']));
    if (name === undefined || version === undefined) return;
    const line = lines?.get(keyPath('packages', i));
    c.add({
      name,
      version,
      ...(line !== undefined ? { line } : {}),
      ...(v2 ? { dev: devNames.has(name.toLowerCase()) } : {}),
    });
  });
  return c.result();
}

export const composerLock: Extractor = {
  id: 'packagist/composer-lock',
  ecosystem: 'Packagist',
  kind: 'lockfile',
  matches(path) {
    return baseName(path) === 'composer.lock' && !/(^|\/)vendor\//.test(path);
  },
  related(path) {
    return [sibling(path, 'composer.json')];
  },
  extract(text: string, path: string, related?: RelatedFiles) {
    return parseComposerLock(text, path, related?.get(sibling(path, 'composer.json')));
  },
};

export const installedJson: Extractor = {
  id: 'packagist/installed-json',
  ecosystem: 'Packagist',
  kind: 'installed',
  matches(path) {
    // vendor/composer/installed.json; Trivy's rootfs analyzer takes any installed.json
    return baseName(path) === 'installed.json';
  },
  extract(text: string, path: string, _related?: RelatedFiles) {
    return parseInstalledJson(text, path);
  },
};

/** This folder's extractors. */
export const packagistExtractors: readonly Extractor[] = [composerLock, installedJson];
