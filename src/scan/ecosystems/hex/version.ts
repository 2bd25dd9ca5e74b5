import { defineScheme } from '../../versions/scheme.ts';
import { compareSemver, isLenientSemver, parseSemver, parseSemverLenient } from '../../versions/semver.ts';

/** Hex (SemVer 2.0.0, as Elixir's `Version`): see `versions/semver.ts` for what is accepted. */
export const hexVersion = defineScheme({
  id: 'hex',
  spec: 'SemVer 2.0.0',
  parse: parseSemver,
  parseLenient: parseSemverLenient,
  isLenient: isLenientSemver,
  compare: compareSemver,
});
