import { defineScheme } from '../../versions/scheme.ts';
import { compareSemver, isLenientSemver, parseSemver, parseSemverLenient } from '../../versions/semver.ts';

/** npm (SemVer 2.0.0 precedence, as `semver.compare`; range semantics are the matcher's): see `versions/semver.ts` for what is accepted. */
export const npmVersion = defineScheme({
  id: 'npm',
  spec: 'SemVer 2.0.0',
  parse: parseSemver,
  parseLenient: parseSemverLenient,
  isLenient: isLenientSemver,
  compare: compareSemver,
});
