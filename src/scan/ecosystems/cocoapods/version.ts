import { compareNum, defineScheme, isPlausibleVersion, toNum, type Num, type Ordering } from '../../versions/scheme.ts';
import { compareIdentifiers } from '../../versions/semver.ts';

/**
 * CocoaPods: `Pod::Version`, documented as Semantic Versioning: dot-separated numbers (any count; missing
 * trailing parts are 0, so `1.0` = `1.0.0`), then an optional `-pre.release` ranked below the release and
 * compared as SemVer pre-release identifiers, then optional `+build` metadata, which takes no part.
 *
 * Refused: anything else, such as RubyGems-style `1.0.beta1`, whose order CocoaPods documents loosely.
 */
export type CocoapodsParsed = { readonly release: readonly Num[]; readonly pre: readonly (Num | string)[] };

const ID = '[0-9A-Za-z-]+';
const POD_RE = new RegExp(`^([0-9]+(?:\\.[0-9]+)*)(?:-(${ID}(?:\\.${ID})*))?(?:\\+${ID}(?:\\.${ID})*)?$`);
const DIGITS_RE = /^[0-9]+$/;

export const cocoapodsVersion = defineScheme<CocoapodsParsed>({
  id: 'cocoapods',
  spec: 'Pod::Version (SemVer)',
  parse(version) {
    if (!isPlausibleVersion(version)) return undefined;
    const m = POD_RE.exec(version);
    if (m === null) return undefined;
    const release = (m[1] as string).split('.').map(toNum);
    while (release.length > 1 && compareNum(release[release.length - 1] as Num, 0) === 0) release.pop();
    const pre = m[2] === undefined ? [] : m[2].split('.').map((id) => (DIGITS_RE.test(id) ? toNum(id) : id));
    return { release, pre };
  },
  compare(a, b): Ordering {
    const n = Math.max(a.release.length, b.release.length);
    for (let i = 0; i < n; i++) {
      const c = compareNum(a.release[i] ?? 0, b.release[i] ?? 0);
      if (c !== 0) return c;
    }
    if (a.pre.length === 0 || b.pre.length === 0) {
      return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
    }
    return compareIdentifiers(a.pre, b.pre);
  },
});
