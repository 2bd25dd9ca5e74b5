import { defineScheme, type Ordering } from '../../versions/scheme.ts';
import {
  compareIdentifiers,
  compareSemver,
  isLenientSemver,
  parseSemver,
  parseSemverLenient,
  type SemverParsed,
} from '../../versions/semver.ts';

/**
 * Pub (Dart, `pub_semver`): SemVer 2.0.0, except that build metadata is ordered too. A version with build
 * metadata ranks above the same version without it (`1.0.0 < 1.0.0+1`), and build identifiers compare like
 * pre-release identifiers (numbers below text, numbers by value, text by ASCII).
 */
export const pubVersion = defineScheme<SemverParsed>({
  id: 'pub',
  spec: 'pub_semver',
  parse: parseSemver,
  parseLenient: parseSemverLenient,
  isLenient: isLenientSemver,
  compare(a, b): Ordering {
    const c = compareSemver(a, b);
    if (c !== 0) return c;
    // a version with build metadata ranks above the same version without
    if (a.build.length === 0 || b.build.length === 0) {
      return a.build.length === b.build.length ? 0 : a.build.length === 0 ? -1 : 1;
    }
    return compareIdentifiers(a.build, b.build);
  },
});
