// OS package databases of an installed root (`mamori scan --root DIR`: a mounted host or an unpacked image):
// dpkg, apk and rpm, each matched in the OSV ecosystem and release its os-release names (release.ts).
// Explicit registry, as the language one (src/scan/ecosystems/extractors.ts); every extractor is `installed`,
// so the walker runs them only for a rootfs.
import type { Extractor } from '../inventory/extract.ts';
import { apkInstalled } from './apk.ts';
import { dpkgStatus, dpkgStatusD } from './dpkg.ts';
import { rpmSqlite } from './rpm-sqlite.ts';

export { detectRelease, osvTarget, parseOsReleaseText, type OsRelease, type OsvTarget } from './release.ts';
export { parseApkInstalled } from './apk.ts';
export { parseDpkgStatus } from './dpkg.ts';
export { parseRpmSqlite } from './rpm-sqlite.ts';

/** Every OS package extractor by id (`os/<format>`). */
export const OS_EXTRACTORS: ReadonlyMap<string, Extractor> = new Map(
  [dpkgStatus, dpkgStatusD, apkInstalled, rpmSqlite].map((e) => [e.id, e]),
);
