// The inventory vocabulary of `mamori scan`: what extractors (lockfiles, manifests, SBOMs, OS package databases,
// images) produce and what the OSV matcher consumes. Extractors are pure: `(text, path) => Extracted`.
import type { OsvEcosystem } from '../versions/index.ts';

/** One installed or locked package, as found. */
export type Package = {
  /** The name as the ecosystem spells it in OSV (`group:artifact` for Maven, the module path for Go). */
  readonly name: string;
  /** The version as written in the source (the matcher parses it with the ecosystem's scheme). */
  readonly version: string;
  /**
   * The OSV ecosystem, with its release suffix where OSV records carry one (`Debian:12`, `AlmaLinux:9`,
   * `Alpine:v3.19`): the matcher only matches `affected[]` entries of the same ecosystem and release.
   */
  readonly ecosystem: OsvEcosystem | `${OsvEcosystem}:${string}`;
  /** The file it was found in, relative to the scanned root or as given (`package-lock.json`, `var/lib/dpkg/status`). */
  readonly location: string;
  /** 1-based line in `location`, when the format makes it cheap to know. */
  readonly line?: number;
  /** Package URL (purl spec), when it can be built. */
  readonly purl?: string;
  /** Dependency scope where the format records it; dev-only dependencies are skipped by default (as Trivy). */
  readonly dev?: boolean;
  /** Direct dependency of the project (true), transitive (false), or unknown (absent). */
  readonly direct?: boolean;
  /**
   * The project itself as its own lockfile or manifest names it (Trivy's `root` relationship: the `uv.lock`
   * virtual package, a `.deps.json` `project` library, the `package.json` beside a `yarn.lock`, the Cargo.toml
   * `[package]`). Not a dependency; listed so the inventory is complete, and a matcher may skip it.
   */
  readonly root?: boolean;
  /** For OS packages: the source package name, which OSV Debian/Ubuntu/Alpine records are keyed by. */
  readonly sourceName?: string;
  readonly sourceVersion?: string;
};

/** A problem met while extracting: reported with its place, and the rest of the file is still used. */
export type ExtractIssue = { readonly location: string; readonly line?: number; readonly message: string };

export type Extracted = { readonly packages: readonly Package[]; readonly issues: readonly ExtractIssue[] };
