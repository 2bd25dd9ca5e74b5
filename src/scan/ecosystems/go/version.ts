import { defineScheme } from '../../versions/scheme.ts';
import {
  compareSemver,
  isLenientSemver,
  parseSemver,
  parseSemverLenient,
  type SemverParsed,
} from '../../versions/semver.ts';

/**
 * Go module versions (golang.org/ref/mod#versions): SemVer 2.0.0 with a leading `v`, which OSV records drop
 * and lockfiles keep, so both spellings are read. `+incompatible` is build metadata and, like all build
 * metadata, takes no part in the order; pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`) are ordinary
 * pre-releases and sort by their timestamp.
 */
export const goVersion = defineScheme<SemverParsed>({
  id: 'go',
  spec: 'Go module versions (SemVer 2.0.0)',
  parse: parseSemver,
  parseLenient: parseSemverLenient,
  isLenient: isLenientSemver,
  compare: compareSemver,
});
