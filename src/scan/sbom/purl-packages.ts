// SBOM components → Packages, through their purls. Shared by the CycloneDX and SPDX readers.
import { parsePurl, purlToPackage } from '../inventory/purl.ts';
import type { ExtractIssue, Extracted, Package } from '../inventory/types.ts';

// a hostile SBOM may list millions of components: bound what one file adds
const MAX_COMPONENTS = 1_000_000;

/** Collects packages of many ecosystems from purls, one per purl package and version. */
export class PurlPackages {
  readonly location: string;
  readonly #packages = new Map<string, Package>();
  readonly #issues: ExtractIssue[] = [];
  #unmapped = new Map<string, number>();
  #withoutPurl = 0;

  constructor(location: string) {
    this.location = location;
  }

  issue(message: string, line?: number): void {
    if (this.#issues.length < 1000)
      this.#issues.push(
        line === undefined ? { location: this.location, message } : { location: this.location, line, message },
      );
  }

  /** Adds a component by its purl; `fallbackVersion` is the component's own version field. */
  add(purl: string | undefined, fallbackVersion: string | undefined, what: string, line?: number): void {
    if (purl === undefined || purl === '') {
      this.#withoutPurl++;
      return;
    }
    if (this.#packages.size >= MAX_COMPONENTS) return;
    const p = parsePurl(purl);
    if (!p.ok) {
      this.issue(`${what}: purl ${JSON.stringify(purl.slice(0, 200))} is invalid (${p.reason})`, line);
      return;
    }
    const m = purlToPackage(p.purl);
    if (!m.ok) {
      this.#unmapped.set(p.purl.type, (this.#unmapped.get(p.purl.type) ?? 0) + 1);
      return;
    }
    const version = m.pkg.version ?? fallbackVersion;
    if (version === undefined || version === '') {
      this.issue(`${what}: ${purl} has no version`, line);
      return;
    }
    const key = `${m.pkg.ecosystem}\u0000${m.pkg.name}\u0000${version}`;
    if (this.#packages.has(key)) return;
    this.#packages.set(key, {
      name: m.pkg.name,
      version,
      ecosystem: m.pkg.ecosystem,
      location: this.location,
      ...(line !== undefined ? { line } : {}),
      purl,
      ...(m.pkg.sourceName !== undefined ? { sourceName: m.pkg.sourceName } : {}),
      ...(m.pkg.sourceVersion !== undefined ? { sourceVersion: m.pkg.sourceVersion } : {}),
    });
  }

  result(): Extracted {
    const issues = [...this.#issues];
    if (this.#withoutPurl > 0)
      issues.push({ location: this.location, message: `${this.#withoutPurl} components without a purl were skipped` });
    for (const [type, n] of this.#unmapped) {
      issues.push({
        location: this.location,
        message: `${n} components of purl type ${type} have no OSV ecosystem (or lack the distro qualifier) and were skipped`,
      });
    }
    return { packages: [...this.#packages.values()], issues };
  }
}
