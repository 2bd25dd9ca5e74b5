import { defineScheme } from '../../versions/scheme.ts';
import { compareSemver, isLenientSemver, parseSemver, parseSemverLenient } from '../../versions/semver.ts';

/** Bitnami (SemVer 2.0.0): see `versions/semver.ts` for what is accepted. */
export const bitnamiVersion = defineScheme({
  id: 'bitnami',
  spec: 'SemVer 2.0.0',
  parse: parseSemver,
  parseLenient: parseSemverLenient,
  isLenient: isLenientSemver,
  compare: compareSemver,
});
