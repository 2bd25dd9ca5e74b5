import { compareNumLists, defineScheme, isPlausibleVersion, toNum, type Num } from '../../versions/scheme.ts';

/**
 * CRAN (and Bioconductor): R's `package_version` / `numeric_version`: non-negative integers separated by `.`
 * or `-`, compared part by part as numbers (`0.9` < `0.75`, `0.01` = `0.1`), a version that is a prefix of
 * another ranking below it (`0.1.0` < `0.1.0.0`).
 */
export type CranParsed = readonly Num[];

const CRAN_RE = /^[0-9]+(?:[.-][0-9]+)*$/;

export const cranVersion = defineScheme<CranParsed>({
  id: 'cran',
  spec: 'R package_version',
  parse(version) {
    if (!isPlausibleVersion(version) || !CRAN_RE.test(version)) return undefined;
    return version.split(/[.-]/).map(toNum);
  },
  compare: compareNumLists,
});
