// SBOM readers: each turns a document's components into Packages of many ecosystems through their purls.
import type { Extractor } from '../inventory/extract.ts';
import { cycloneDx } from './cyclonedx.ts';
import { spdxJson } from './spdx.ts';

export { parseCycloneDx } from './cyclonedx.ts';
export { parseSpdx } from './spdx.ts';

/** SBOM extractors by id. */
export const SBOM_EXTRACTORS: ReadonlyMap<string, Extractor> = new Map([cycloneDx, spdxJson].map((e) => [e.id, e]));
