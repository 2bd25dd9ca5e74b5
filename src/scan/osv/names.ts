import { pep503 } from '../ecosystems/pypi/pep503.ts';
import { osvEcosystemBase } from '../versions/index.ts';

/**
 * The key a package name is indexed and looked up by, per OSV ecosystem: two spellings the ecosystem treats as
 * one package give one key, and nothing else does. Only rules the ecosystem itself enforces are applied, so a
 * key never joins two packages that can coexist:
 *
 * - PyPI: PEP 503 (`Foo.Bar_baz` → `foo-bar-baz`); OSV records are already normalised, lockfiles often not.
 * - NuGet, Packagist, GitHub Actions, ConanCenter, Pub, Hex: names are case-insensitive (or lower-case by rule),
 *   so the key is lower case.
 * - crates.io: case-insensitive and `-` ≡ `_` (crates.io refuses a crate that differs from another only so).
 * - Maven: `group:artifact`, case-sensitive (Maven Central is); white space around the parts is dropped and a
 *   `group/artifact` spelling is read as `group:artifact`.
 * - Go: the module path is case-sensitive (`github.com/Sirupsen/logrus` and `.../sirupsen/logrus` are two
 *   modules); a trailing `/` is dropped.
 * - SwiftURL: scheme and a trailing `.git` or `/` dropped, host lower-cased (the name is a git URL).
 * - Everything else (npm, RubyGems, distributions, …): as spelled, trimmed.
 */
export function normalizePackageName(ecosystem: string, name: string): string {
  const base = osvEcosystemBase(ecosystem) ?? ecosystem;
  const n = name.trim();
  switch (base) {
    case 'PyPI':
      return pep503(n);
    case 'NuGet':
    case 'Packagist':
    case 'GitHub Actions':
    case 'ConanCenter':
    case 'Pub':
    case 'Hex':
      return n.toLowerCase();
    case 'crates.io':
      return n.toLowerCase().replace(/_/g, '-');
    case 'Maven': {
      const sep = n.includes(':') ? ':' : n.includes('/') ? '/' : undefined;
      if (sep === undefined) return n;
      const i = n.indexOf(sep);
      return `${n.slice(0, i).trim()}:${n.slice(i + 1).trim()}`;
    }
    case 'Go':
      return n.replace(/\/+$/, '');
    case 'SwiftURL': {
      let u = n.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
      if (u.toLowerCase().endsWith('.git')) u = u.slice(0, -4);
      const slash = u.indexOf('/');
      return slash === -1 ? u.toLowerCase() : u.slice(0, slash).toLowerCase() + u.slice(slash);
    }
    default:
      return n;
  }
}
