import { defineScheme } from '../../versions/scheme.ts';
import { compareSemver, isLenientSemver, parseSemver, parseSemverLenient } from '../../versions/semver.ts';

/** crates.io (SemVer 2.0.0, as the `semver` crate): see `versions/semver.ts` for what is accepted. */
export const cargoVersion = defineScheme({
  id: 'cargo',
  spec: 'SemVer 2.0.0',
  parse: parseSemver,
  parseLenient: parseSemverLenient,
  isLenient: isLenientSemver,
  compare: compareSemver,
});
