// The registry of language extractors: one entry per lockfile or manifest format, from each ecosystem
// folder's lockfile.ts. Explicit on purpose (no import side effects): extractors.test.ts checks that it and
// the folders on disk agree.
import type { Extractor } from '../inventory/extract.ts';
import { cargoExtractors } from './cargo/lockfile.ts';
import { cocoapodsExtractors } from './cocoapods/lockfile.ts';
import { conanExtractors } from './conan/lockfile.ts';
import { goExtractors } from './go/lockfile.ts';
import { hexExtractors } from './hex/lockfile.ts';
import { mavenExtractors } from './maven/lockfile.ts';
import { npmExtractors } from './npm/lockfile.ts';
import { nugetExtractors } from './nuget/lockfile.ts';
import { packagistExtractors } from './packagist/lockfile.ts';
import { pubExtractors } from './pub/lockfile.ts';
import { pypiExtractors } from './pypi/lockfile.ts';
import { rubygemsExtractors } from './rubygems/lockfile.ts';
import { swiftExtractors } from './swift/lockfile.ts';

export type { Extractor, ExtractorKind, RelatedFiles } from '../inventory/extract.ts';

/** The ecosystem folders that hold a lockfile.ts, each exporting its extractors. */
export const EXTRACTOR_FOLDERS = {
  cargo: cargoExtractors,
  cocoapods: cocoapodsExtractors,
  conan: conanExtractors,
  go: goExtractors,
  hex: hexExtractors,
  maven: mavenExtractors,
  npm: npmExtractors,
  nuget: nugetExtractors,
  packagist: packagistExtractors,
  pub: pubExtractors,
  pypi: pypiExtractors,
  rubygems: rubygemsExtractors,
  swift: swiftExtractors,
} as const satisfies Record<string, readonly Extractor[]>;

export type ExtractorFolder = keyof typeof EXTRACTOR_FOLDERS;

/** Every language extractor by id (`<folder>/<format>`). */
export const EXTRACTORS: ReadonlyMap<string, Extractor> = new Map(
  Object.values(EXTRACTOR_FOLDERS)
    .flat()
    .map((e) => [e.id, e]),
);

/** The extractors that claim a path (usually one). */
export function extractorsFor(path: string, kinds?: ReadonlySet<string>): Extractor[] {
  const out: Extractor[] = [];
  for (const e of EXTRACTORS.values()) if ((kinds === undefined || kinds.has(e.kind)) && e.matches(path)) out.push(e);
  return out;
}
