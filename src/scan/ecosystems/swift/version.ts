import { defineScheme } from '../../versions/scheme.ts';
import { compareSemver, isLenientSemver, parseSemver, parseSemverLenient } from '../../versions/semver.ts';

/** SwiftURL (SemVer 2.0.0, as SwiftPM's `Version`): see `versions/semver.ts` for what is accepted. */
export const swiftVersion = defineScheme({
  id: 'swift',
  spec: 'SemVer 2.0.0',
  parse: parseSemver,
  parseLenient: parseSemverLenient,
  isLenient: isLenientSemver,
  compare: compareSemver,
});
