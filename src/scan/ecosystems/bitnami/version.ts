import { defineScheme } from '../../versions/scheme.ts';
import { compareSemver, parseSemver } from '../../versions/semver.ts';

/** Bitnami (SemVer 2.0.0): see `versions/semver.ts` for what is accepted. */
export const bitnamiVersion = defineScheme({
  id: 'bitnami',
  spec: 'SemVer 2.0.0',
  parse: parseSemver,
  compare: compareSemver,
});
