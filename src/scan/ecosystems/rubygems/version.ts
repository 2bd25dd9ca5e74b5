import {
  compareNum,
  compareText,
  defineScheme,
  isPlausibleVersion,
  toNum,
  type Num,
  type Ordering,
} from '../../versions/scheme.ts';

/**
 * RubyGems: `Gem::Version` (guides.rubygems.org/patterns/#semantic-versioning and the class's documented
 * rules). A version is digits, then `.`-separated alphanumeric parts, optionally a `-` part (read as
 * `.pre.`); it is split into runs of digits and runs of letters. Trailing zeros of the leading numeric part
 * and of the rest are insignificant (`1.0.a2` = `1.0.a.2`, `1.0` = `1`). Letters mark a pre-release: text
 * ranks below numbers, text against text by ASCII.
 *
 * Refused by `parse`: strings `Gem::Version.correct?` rejects, such as `1beta` (a letter straight after the
 * first run of digits) or anything with characters outside `[0-9A-Za-z.-]`. `parseLenient` accepts the `1beta`
 * shape, flagged by `isLenient`, because the OSV fixture orders it: osv-scalibr reads a switch between digits
 * and letters as a dot, so `1beta` is `1.beta`, a pre-release of `1`. Everything else stays refused.
 */
export type RubygemsParsed = readonly (Num | string)[] & { readonly lenient?: true };

const GEM_RE = /^[0-9]+(?:\.[0-9A-Za-z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
/** Gem's grammar, except that the first part may go on with letters after its digits. */
const LENIENT_RE = /^[0-9]+[A-Za-z][0-9A-Za-z]*(?:\.[0-9A-Za-z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const SEGMENT_RE = /[0-9]+|[A-Za-z]+/g;

function isZero(s: Num | string): boolean {
  return typeof s !== 'string' && s == 0;
}

function parseGem(version: string, lenient: boolean): RubygemsParsed | undefined {
  if (!isPlausibleVersion(version)) return undefined;
  const strict = GEM_RE.test(version);
  if (!strict && !(lenient && LENIENT_RE.test(version))) return undefined;
  const raw = version.replaceAll('-', '.pre.').match(SEGMENT_RE) ?? [];
  const segments = raw.map((s) => (s.charCodeAt(0) <= 57 ? toNum(s) : s));
  // canonical segments: drop trailing zeros of the numeric head and of the tail separately
  let firstText = segments.findIndex((s) => typeof s === 'string');
  if (firstText === -1) firstText = segments.length;
  const head = segments.slice(0, firstText);
  const tail = segments.slice(firstText);
  while (head.length > 0 && isZero(head[head.length - 1] as Num | string)) head.pop();
  while (tail.length > 0 && isZero(tail[tail.length - 1] as Num | string)) tail.pop();
  const out: (Num | string)[] & { lenient?: true } = head.concat(tail);
  if (!strict) out.lenient = true;
  return out;
}

export const rubygemsVersion = defineScheme<RubygemsParsed>({
  id: 'rubygems',
  spec: 'Gem::Version',
  parse: (version) => parseGem(version, false),
  parseLenient: (version) => parseGem(version, true),
  isLenient: (v) => v.lenient === true,
  compare(a, b): Ordering {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a[i] ?? 0;
      const y = b[i] ?? 0;
      const xs = typeof x === 'string';
      const ys = typeof y === 'string';
      if (xs !== ys) return xs ? -1 : 1;
      const c = xs ? compareText(x, y as string) : compareNum(x, y as Num);
      if (c !== 0) return c;
    }
    return 0;
  },
});
