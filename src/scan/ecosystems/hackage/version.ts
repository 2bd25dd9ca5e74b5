import { compareNumLists, defineScheme, isPlausibleVersion, toNum, type Num } from '../../versions/scheme.ts';

/**
 * Hackage (and GHC): Cabal's `Version`, a non-empty list of non-negative integers separated by `.`, compared
 * as lists (`1.0` < `1.0.0`). Leading zeros are refused, as Cabal's parser refuses them.
 */
export type HackageParsed = readonly Num[];

const HACKAGE_RE = /^(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*$/;

export const hackageVersion = defineScheme<HackageParsed>({
  id: 'hackage',
  spec: 'Cabal Version',
  parse(version) {
    if (!isPlausibleVersion(version) || !HACKAGE_RE.test(version)) return undefined;
    return version.split('.').map(toNum);
  },
  compare: compareNumLists,
});
