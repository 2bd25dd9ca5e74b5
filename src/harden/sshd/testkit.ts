// Test helpers: a ConfigRoot over a directory, the fixture variants, and the checks the tests run.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckSpec, ConfigRoot, Expectation } from '../types.ts';

export const FIXTURES = new URL('../../../test/fixtures/harden/sshd/', import.meta.url).pathname;
export const VARIANTS = ['debian12', 'debian12-cloud-init', 'hand-edited', 'match-blocks', 'crypto-dropins'] as const;
export type Variant = (typeof VARIANTS)[number];

/** A ConfigRoot reading a directory on disk. */
export function dirRoot(dir: string): ConfigRoot {
  return {
    read: async (path) => {
      const full = join(dir, path);
      const st = await stat(full).catch(() => undefined);
      return st?.isFile() ? readFile(full, 'utf8') : undefined;
    },
    list: async (path) => (await readdir(join(dir, path)).catch(() => [] as string[])).sort(),
  };
}

export { memRoot } from '../testkit.ts';

export const WEAK_CIPHERS = [
  '3des-cbc',
  'aes128-cbc',
  'aes192-cbc',
  'aes256-cbc',
  'blowfish-cbc',
  'cast128-cbc',
  'arcfour*',
  'rijndael-cbc@lysator.liu.se',
];

function check(id: string, key: string, expect: Expectation, fix: string): CheckSpec {
  return { id: `sshd-${id}`, title: id, severity: 'medium', engine: 'sshd', key, expect, fix, refs: [], profiles: [] };
}

/** The baseline checks the tests judge every variant with. */
export const CHECKS: readonly CheckSpec[] = [
  check('permit-root-login', 'PermitRootLogin', { equals: 'no' }, 'no'),
  check('password-auth', 'PasswordAuthentication', { equals: 'no' }, 'no'),
  check('max-auth-tries', 'MaxAuthTries', { max: 4 }, '4'),
  check('x11-forwarding', 'X11Forwarding', { equals: 'no' }, 'no'),
  check('permit-empty-passwords', 'PermitEmptyPasswords', { equals: 'no' }, 'no'),
  {
    ...check('client-alive-interval', 'ClientAliveInterval', { min: 1, max: 300 }, '300'),
    with: { ClientAliveCountMax: '3' },
  },
  check('login-grace-time', 'LoginGraceTime', { max: 60 }, '60'),
  check('ciphers', 'Ciphers', { excludes: WEAK_CIPHERS }, 'aes256-gcm@openssh.com,aes256-ctr'),
  check('log-level', 'LogLevel', { oneOf: ['VERBOSE', 'INFO'] }, 'VERBOSE'),
];
