import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository / package root (where rules/ and package.json live). */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Mamori's data directory: $MAMORI_HOME, else ~/.mamori. Installed rulesets and databases live here. */
export function dataDir(): string {
  return process.env['MAMORI_HOME'] || join(homedir(), '.mamori');
}

/** Where `mamori rules update` installs the SigmaHQ ruleset. */
export function installedSigmaDir(): string {
  return join(dataDir(), 'rules', 'sigma');
}

/** The project's own rules, shipped with it. */
export const BUNDLED_RULES = join(PACKAGE_ROOT, 'rules');

/** Rules used when --rules is not given: the bundled rules, plus the installed SigmaHQ ruleset if any. */
export function defaultRulePaths(): string[] {
  const out = [BUNDLED_RULES];
  if (existsSync(installedSigmaDir())) out.push(installedSigmaDir());
  return out;
}

/** Where `mamori db update` keeps the OSV archives and index, and where `mamori scan` looks without --db. */
export function defaultOsvDir(): string {
  return join(dataDir(), 'osv');
}
