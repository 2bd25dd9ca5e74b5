import { compareIdentifiers } from '../../versions/semver.ts';
import { compareNum, defineScheme, isPlausibleVersion, toNum, type Num, type Ordering } from '../../versions/scheme.ts';

/**
 * NuGet (NuGet.Versioning `NuGetVersion` and `VersionComparer.Default`): SemVer 2.0.0 widened to one to four
 * numeric parts (`1`, `1.0`, `1.0.0`, `1.0.0.0` are equal; the fourth is the legacy "revision"), leading
 * zeros allowed in them (`1.01` = `1.1`), pre-release labels compared case-insensitively (numeric labels by
 * value and below alphanumeric ones), build metadata ignored.
 */
export type NugetParsed = {
  readonly parts: readonly [Num, Num, Num, Num];
  /** Lower-cased labels; numbers for all-digit labels. Empty for a release. */
  readonly pre: readonly (Num | string)[];
};

const LABEL = '[0-9A-Za-z-]+';
const NUGET_RE = new RegExp(
  `^([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:-(${LABEL}(?:\\.${LABEL})*))?(?:\\+(${LABEL}(?:\\.${LABEL})*))?$`,
);
const DIGITS_RE = /^[0-9]+$/;

function part(s: string | undefined): Num {
  return s === undefined ? 0 : toNum(s);
}

export const nugetVersion = defineScheme<NugetParsed>({
  id: 'nuget',
  spec: 'NuGet.Versioning (SemVer 2.0.0, four parts)',
  parse(version) {
    if (!isPlausibleVersion(version)) return undefined;
    const m = NUGET_RE.exec(version);
    if (m === null) return undefined;
    const pre =
      m[5] === undefined
        ? []
        : m[5]
            .toLowerCase()
            .split('.')
            .map((l) => (DIGITS_RE.test(l) ? toNum(l) : l));
    return { parts: [part(m[1]), part(m[2]), part(m[3]), part(m[4])], pre };
  },
  compare(a, b): Ordering {
    for (let i = 0; i < 4; i++) {
      const c = compareNum(a.parts[i] as Num, b.parts[i] as Num);
      if (c !== 0) return c;
    }
    if (a.pre.length === 0 || b.pre.length === 0) {
      return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
    }
    return compareIdentifiers(a.pre, b.pre);
  },
});
