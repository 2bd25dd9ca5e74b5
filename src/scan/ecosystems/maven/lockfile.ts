// Maven-repository ecosystems: Gradle's dependency lockfiles and verification metadata, sbt's
// build.sbt.lock (sbt-dependency-lock, what Trivy's `sbt` analyzer reads), and pom.xml (pom.ts); this
// folder's extractor list.
import {
  baseName,
  Collector,
  isRecord,
  str,
  stripBom,
  type Extractor,
  type RelatedFiles,
} from '../../inventory/extract.ts';
import { keyLines, keyPath, parseJson } from '../../inventory/json.ts';
import type { Extracted } from '../../inventory/types.ts';
import { attr, child, children, parseXml } from '../../inventory/xml.ts';
import { parentPomPath, parsePom } from './pom.ts';

/** Configurations that only tests use (`testCompileClasspath`, `testRuntimeClasspath`, `test`, `testFixtures…`). */
const isTestConfiguration = (conf: string) => /^test/i.test(conf.trim());

/** Parses a gradle.lockfile: `group:artifact:version=conf1,conf2` lines; `empty=` lists unused configurations. */
export function parseGradleLockfile(text: string, path: string): Extracted {
  const c = new Collector(path, 'Maven');
  const lines = stripBom(text).split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const coords = eq === -1 ? line : line.slice(0, eq);
    if (coords === 'empty') continue;
    const parts = coords.split(':');
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      c.issue(`not "group:artifact:version=configurations": ${JSON.stringify(line.slice(0, 120))}`, i + 1);
      continue;
    }
    const confs =
      eq === -1
        ? []
        : line
            .slice(eq + 1)
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    c.add({
      name: `${parts[0]!}:${parts[1]!}`,
      version: parts[2]!,
      line: i + 1,
      dev: confs.length > 0 && confs.every(isTestConfiguration),
    });
  }
  return c.result();
}

/** Parses gradle/verification-metadata.xml: every `<component group name version>` Gradle verified. */
export function parseVerificationMetadata(text: string, path: string): Extracted {
  const c = new Collector(path, 'Maven');
  const x = parseXml(stripBom(text));
  for (const e of x.errors) c.issue(`invalid XML: ${e.message}`, e.line);
  if (x.root === undefined) return c.result();
  for (const comp of children(child(x.root, 'components'), 'component')) {
    const group = attr(comp, 'group');
    const name = attr(comp, 'name');
    const version = attr(comp, 'version');
    if (group === undefined || name === undefined || version === undefined) {
      c.issue('component without group, name or version', comp.line);
      continue;
    }
    c.add({ name: `${group}:${name}`, version, line: comp.line });
  }
  return c.result();
}

/** Parses build.sbt.lock (sbt-dependency-lock): `dependencies[]` of `{org, name, version, configurations}`. */
export function parseSbtLock(text: string, path: string): Extracted {
  const c = new Collector(path, 'Maven');
  const r = parseJson(stripBom(text));
  if (!r.ok) {
    c.issue(r.message, r.line);
    return c.result();
  }
  if (!isRecord(r.value) || !Array.isArray(r.value['dependencies'])) {
    c.issue('not a build.sbt.lock: no "dependencies" array');
    return c.result();
  }
  const lines = keyLines(stripBom(text), 2, new Set(['dependencies']));
  r.value['dependencies'].forEach((d: unknown, i) => {
    if (!isRecord(d)) return;
    const org = str(d['org']);
    const name = str(d['name']);
    const version = str(d['version']);
    const line = lines.get(keyPath('dependencies', i));
    if (org === undefined || name === undefined || version === undefined) {
      c.issue('dependency without org, name or version', line);
      return;
    }
    const confs = Array.isArray(d['configurations'])
      ? d['configurations'].filter((x): x is string => typeof x === 'string')
      : [];
    c.add({
      name: `${org}:${name}`,
      version,
      ...(line !== undefined ? { line } : {}),
      dev: confs.length > 0 && confs.every(isTestConfiguration),
    });
  });
  return c.result();
}

export const pomXml: Extractor = {
  id: 'maven/pom',
  ecosystem: 'Maven',
  kind: 'lockfile',
  matches(path) {
    // POMs in a local repository (~/.m2) or target/ are dependencies' and build outputs'
    return baseName(path) === 'pom.xml' && !/(^|\/)(\.m2|target)\//.test(path);
  },
  related(path) {
    // the usual parent: ../pom.xml (a <relativePath> elsewhere is rare, and then not inherited here)
    const parent = parentPomPath(path);
    return parent === undefined ? [] : [parent];
  },
  extract: (text: string, path: string, related?: RelatedFiles) => parsePom(text, path, related),
};

export const gradleLockfile: Extractor = {
  id: 'maven/gradle-lockfile',
  ecosystem: 'Maven',
  kind: 'lockfile',
  matches(path) {
    const base = baseName(path);
    // gradle.lockfile, buildscript-gradle.lockfile, and Gradle 6's gradle/dependency-locks/<conf>.lockfile
    return base.endsWith('gradle.lockfile') || /(^|\/)gradle\/dependency-locks\/[^/]+\.lockfile$/.test(path);
  },
  extract: (text: string, path: string, _related?: RelatedFiles) => parseGradleLockfile(text, path),
};

export const gradleVerificationMetadata: Extractor = {
  id: 'maven/gradle-verification-metadata',
  ecosystem: 'Maven',
  kind: 'lockfile',
  matches: (path) => /(^|\/)gradle\/verification-metadata\.xml$/.test(path),
  extract: (text: string, path: string, _related?: RelatedFiles) => parseVerificationMetadata(text, path),
};

export const sbtLock: Extractor = {
  id: 'maven/sbt-lock',
  ecosystem: 'Maven',
  kind: 'lockfile',
  matches: (path) => baseName(path) === 'build.sbt.lock',
  extract: (text: string, path: string, _related?: RelatedFiles) => parseSbtLock(text, path),
};

/** This folder's extractors. */
export const mavenExtractors: readonly Extractor[] = [pomXml, gradleLockfile, gradleVerificationMetadata, sbtLock];
