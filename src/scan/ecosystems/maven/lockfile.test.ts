import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byId, fixture, ids } from '../../inventory/testkit.ts';
import {
  gradleLockfile,
  gradleVerificationMetadata,
  parseGradleLockfile,
  parseSbtLock,
  parseVerificationMetadata,
  pomXml,
} from './lockfile.ts';
import { parentPomPath, parsePom } from './pom.ts';

const here = import.meta.dirname;

test('pom.xml: properties (chained, project.*, parent), dependencyManagement of the parent, scopes; the rest reported', () => {
  const related = new Map([['maven/pom.xml', fixture(here, 'pom.xml')]]);
  const r = parsePom(fixture(here, 'child/pom.xml'), 'maven/child/pom.xml', related);
  assert.deepEqual(ids(r), [
    'com.example.bank:ledger-api@3.1.0',
    'com.example.bank:payments@3.1.0 (root)',
    'com.fasterxml.jackson.core:jackson-databind@2.9.1',
    'javax.servlet:javax.servlet-api@4.0.1',
    'org.apache.logging.log4j:log4j-core@2.14.1',
    'org.junit.jupiter:junit-jupiter-engine@5.7.1 (dev)',
    'org.springframework:spring-webmvc@5.3.18.RELEASE',
  ]);
  const m = byId(r);
  assert.equal(m.get('com.fasterxml.jackson.core:jackson-databind@2.9.1')?.line, 30);
  assert.equal(
    m.get('com.fasterxml.jackson.core:jackson-databind@2.9.1')?.purl,
    'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.1',
  );
  const issues = r.issues.map((i) => `${i.line}: ${i.message}`);
  assert.equal(issues.length, 4);
  assert.match(issues[0]!, /^19: org.springframework.boot:spring-boot-dependencies: a BOM import/);
  assert.match(issues[1]!, /^61: org.yaml:snakeyaml: version range/);
  assert.match(issues[2]!, /^66: com.google.guava:guava: .*property/);
  assert.match(issues[3]!, /^71: org.springframework.boot:spring-boot-starter-web: no version/);
});

test('pom.xml without its parent: what the file itself resolves', () => {
  const r = parsePom(fixture(here, 'child/pom.xml'), 'child/pom.xml');
  assert.ok(r.packages.some((p) => p.name === 'org.springframework:spring-webmvc'));
  assert.ok(!r.packages.some((p) => p.name === 'com.fasterxml.jackson.core:jackson-databind'));
  assert.ok(r.issues.some((i) => /jackson-databind.*property/.test(i.message)));
  assert.equal(parentPomPath('a/b/pom.xml'), 'a/pom.xml');
  assert.equal(parentPomPath('pom.xml'), undefined, 'outside the root');
  assert.equal(parentPomPath('a/b/pom.xml', '../parent'), 'a/parent/pom.xml');
  assert.deepEqual(pomXml.related?.('svc/pom.xml'), ['pom.xml']);
});

test('pom.xml: a property cycle is given up on, not followed forever', () => {
  const pom = `<project><groupId>g</groupId><artifactId>a</artifactId><version>1</version><properties><x>\${y}</x><y>\${x}</y></properties>
<dependencies><dependency><groupId>g</groupId><artifactId>b</artifactId><version>\${x}</version></dependency></dependencies></project>`;
  const r = parsePom(pom, 'pom.xml');
  assert.deepEqual(ids(r), ['g:a@1 (root)']);
  assert.equal(r.issues.length, 1);
});

test('gradle.lockfile: coordinates, empty= skipped, test-only configurations dev', () => {
  const r = parseGradleLockfile(fixture(here, 'gradle.lockfile'), 'gradle.lockfile');
  assert.deepEqual(ids(r), [
    'com.fasterxml.jackson.core:jackson-databind@2.9.1',
    'junit:junit@4.13.1 (dev)',
    'org.hamcrest:hamcrest-core@1.3 (dev)',
    'org.springframework:spring-core@5.3.18',
  ]);
  assert.equal(byId(r).get('junit:junit@4.13.1')?.line, 5);
  assert.ok(
    gradleLockfile.matches('app/gradle.lockfile') &&
      gradleLockfile.matches('gradle/dependency-locks/compileClasspath.lockfile'),
  );
});

test('verification-metadata.xml: components', () => {
  const r = parseVerificationMetadata(fixture(here, 'verification-metadata.xml'), 'gradle/verification-metadata.xml');
  assert.deepEqual(ids(r), ['com.google.guava:guava@31.1-jre', 'org.apache.commons:commons-text@1.9']);
  assert.ok(gradleVerificationMetadata.matches('gradle/verification-metadata.xml'));
});

test('build.sbt.lock: org:name, test-only dev', () => {
  const r = parseSbtLock(fixture(here, 'build.sbt.lock'), 'build.sbt.lock');
  assert.deepEqual(ids(r), ['org.scalatest:scalatest_2.13@3.2.15 (dev)', 'org.typelevel:cats-core_2.13@2.9.0']);
  assert.equal(byId(r).get('org.typelevel:cats-core_2.13@2.9.0')?.line, 10);
});
