// Installed npm packages: `node_modules/<name>/package.json` (and pnpm's `node_modules/.pnpm/<id>/node_modules/<name>`).
// Read for installed trees (rootfs, images), as Trivy's node-pkg analyzer does; a project checkout is read
// through its lockfile instead.
import { Collector, isRecord, str, type Extractor, type RelatedFiles } from '../../inventory/extract.ts';
import { parseJson } from '../../inventory/json.ts';
import type { Extracted } from '../../inventory/types.ts';

// the package's own manifest, directly in node_modules/<name>/ or node_modules/@scope/<name>/ (not test
// fixtures deeper inside a package)
const INSTALLED = /(^|\/)node_modules\/(@[^/]+\/)?[^/@.][^/]*\/package\.json$/;

/** Parses an installed package's package.json. */
export function parseInstalledPackageJson(text: string, path: string): Extracted {
  const c = new Collector(path, 'npm');
  const r = parseJson(text);
  if (!r.ok) {
    c.issue(r.message, r.line);
    return c.result();
  }
  if (!isRecord(r.value)) return c.result();
  const name = str(r.value['name']);
  const version = str(r.value['version']);
  if (name !== undefined && version !== undefined && /^v?\d/.test(version)) c.add({ name, version, line: 1 });
  return c.result();
}

export const installedPackageJson: Extractor = {
  id: 'npm/package-json',
  ecosystem: 'npm',
  kind: 'installed',
  matches(path) {
    return INSTALLED.test(path);
  },
  extract(text: string, path: string, _related?: RelatedFiles) {
    return parseInstalledPackageJson(text, path);
  },
};
