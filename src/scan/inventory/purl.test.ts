import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPurl, parsePurl, purlFor, purlToPackage, type Purl } from './purl.ts';

function parsed(s: string): Purl {
  const r = parsePurl(s);
  if (!r.ok) throw new Error(`${s}: ${r.reason}`);
  return r.purl;
}

test('parse: the spec components, percent-decoding, qualifiers, subpath', () => {
  assert.deepEqual(parsed('pkg:npm/%40angular/animation@12.3.1'), {
    type: 'npm',
    namespace: '@angular',
    name: 'animation',
    version: '12.3.1',
  });
  assert.deepEqual(parsed('pkg:npm/@angular/animation@12.3.1'), {
    type: 'npm',
    namespace: '@angular',
    name: 'animation',
    version: '12.3.1',
  });
  assert.deepEqual(parsed('pkg:npm/@angular/animation'), { type: 'npm', namespace: '@angular', name: 'animation' });
  assert.deepEqual(parsed('pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie'), {
    type: 'deb',
    namespace: 'debian',
    name: 'curl',
    version: '7.50.3-1',
    qualifiers: { arch: 'i386', distro: 'jessie' },
  });
  assert.deepEqual(parsed('pkg:golang/google.golang.org/genproto#googleapis/api/annotations'), {
    type: 'golang',
    namespace: 'google.golang.org',
    name: 'genproto',
    subpath: 'googleapis/api/annotations',
  });
  assert.deepEqual(parsed('PKG:PyPI/Django_Rest@1.0'), { type: 'pypi', name: 'django-rest', version: '1.0' });
  assert.deepEqual(
    parsed('pkg:golang/github.com/docker/distribution@v2.7.1%2Bincompatible').version,
    'v2.7.1+incompatible',
  );
  assert.deepEqual(parsed('pkg://maven/org.apache.commons/io').namespace, 'org.apache.commons');
});

test('parse: refusals', () => {
  for (const bad of [
    '',
    'npm/x@1',
    'pkg:',
    'pkg:npm',
    'pkg:npm/',
    'pkg:n&m/x',
    'pkg:npm/%E0%A4%A@1',
    `pkg:npm/${'a'.repeat(5000)}`,
  ]) {
    assert.equal(parsePurl(bad).ok, false, bad);
  }
});

test('build: canonical form, round trip', () => {
  assert.equal(
    buildPurl({ type: 'npm', namespace: '@types', name: 'node', version: '20.1.0' }),
    'pkg:npm/%40types/node@20.1.0',
  );
  assert.equal(
    buildPurl({
      type: 'deb',
      namespace: 'debian',
      name: 'curl',
      version: '7.50.3-1',
      qualifiers: { distro: 'jessie', arch: 'i386' },
    }),
    'pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie',
  );
  for (const s of [
    'pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?classifier=sources&repository_url=repo.spring.io/release',
    'pkg:golang/google.golang.org/genproto#googleapis/api/annotations',
    'pkg:cocoapods/GoogleUtilities@7.5.2#NSData+zlib',
    'pkg:nuget/EnterpriseLibrary.Common@6.0.1304',
  ]) {
    assert.equal(
      buildPurl(parsed(s)),
      s.replace('repo.spring.io/release', 'repo.spring.io%2Frelease').replace('NSData+zlib', 'NSData%2Bzlib'),
    );
  }
});

test('purl → OSV ecosystem and name', () => {
  const cases: [string, string, string, string?][] = [
    ['pkg:npm/%40babel/core@7.0.0', 'npm', '@babel/core'],
    ['pkg:pypi/Werkzeug@0.11', 'PyPI', 'werkzeug'],
    [
      'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.1',
      'Maven',
      'com.fasterxml.jackson.core:jackson-databind',
    ],
    ['pkg:golang/github.com/gin-gonic/gin@v1.9.0', 'Go', 'github.com/gin-gonic/gin'],
    ['pkg:cargo/regex@1.7.3', 'crates.io', 'regex'],
    ['pkg:gem/rack@2.2.3', 'RubyGems', 'rack'],
    ['pkg:composer/guzzlehttp/psr7@1.8.3', 'Packagist', 'guzzlehttp/psr7'],
    ['pkg:nuget/Newtonsoft.Json@12.0.3', 'NuGet', 'Newtonsoft.Json'],
    ['pkg:pub/http@0.13.2', 'Pub', 'http'],
    ['pkg:hex/phoenix@1.6.13', 'Hex', 'phoenix'],
    ['pkg:conan/zlib@1.2.12', 'ConanCenter', 'zlib'],
    ['pkg:cocoapods/GoogleUtilities@7.5.2#NSData+zlib', 'CocoaPods', 'GoogleUtilities/NSData+zlib'],
    ['pkg:swift/github.com/apple/swift-nio@2.41.0', 'SwiftURL', 'github.com/apple/swift-nio'],
    ['pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12.4', 'Debian:12', 'openssl'],
    ['pkg:deb/debian/bash@5.1-2?distro=bullseye', 'Debian:11', 'bash'],
    ['pkg:deb/ubuntu/libc6@2.35-0ubuntu3.1?distro=ubuntu-22.04', 'Ubuntu:22.04:LTS', 'libc6'],
    ['pkg:deb/ubuntu/libc6@2.38-1ubuntu6?distro=ubuntu-23.10', 'Ubuntu:23.10', 'libc6'],
    ['pkg:deb/ubuntu/zlib1g@1.2.11?distro=jammy', 'Ubuntu:22.04:LTS', 'zlib1g'],
    ['pkg:deb/debian/curl@7.88.1', 'Debian', 'curl'],
    ['pkg:apk/alpine/busybox@1.36.1-r5?arch=x86_64&distro=3.19.1', 'Alpine:v3.19', 'busybox'],
    ['pkg:apk/wolfi/glibc@2.38-r1', 'Wolfi', 'glibc'],
    ['pkg:rpm/almalinux/openssl@3.0.7-24.el9?distro=almalinux-9.3', 'AlmaLinux:9', 'openssl'],
    ['pkg:rpm/rocky/bash@5.1.8-6.el9?distro=rocky-9.2', 'Rocky Linux:9', 'bash'],
    ['pkg:rpm/redhat/openssl@1.1.1k-7.el8_6?epoch=1&distro=rhel-8.6', 'Red Hat', 'openssl', '1:1.1.1k-7.el8_6'],
  ];
  for (const [purl, ecosystem, name, version] of cases) {
    const m = purlToPackage(parsed(purl));
    assert.ok(m.ok, purl);
    assert.equal(m.pkg.ecosystem, ecosystem, purl);
    assert.equal(m.pkg.name, name, purl);
    if (version !== undefined) assert.equal(m.pkg.version, version, purl);
  }
  const src = purlToPackage(parsed('pkg:deb/debian/libssl3@3.0.11-1?upstream=openssl%403.0.11-1&distro=debian-12'));
  assert.ok(src.ok && src.pkg.sourceName === 'openssl' && src.pkg.sourceVersion === '3.0.11-1');
  assert.equal(purlToPackage(parsed('pkg:generic/openssl@1.1.1')).ok, false);
  assert.equal(purlToPackage(parsed('pkg:deb/devuan/curl@7')).ok, false);
  assert.equal(purlToPackage(parsed('pkg:maven/junit@4')).ok, false);
});

test('purlFor: what extractors write, Trivy-compatible', () => {
  assert.equal(purlFor('npm', '@types/bun', '1.2.14'), 'pkg:npm/%40types/bun@1.2.14');
  assert.equal(purlFor('PyPI', 'Jinja2', '3.0.0'), 'pkg:pypi/jinja2@3.0.0');
  assert.equal(purlFor('PyPI', 'zope.interface', '5.4.0'), 'pkg:pypi/zope-interface@5.4.0');
  assert.equal(purlFor('Maven', 'org.a:b', '1.0'), 'pkg:maven/org.a/b@1.0');
  assert.equal(purlFor('Maven', 'no-group', '1.0'), undefined);
  assert.equal(purlFor('Packagist', 'GuzzleHttp/Guzzle', '7.4.4'), 'pkg:composer/guzzlehttp/guzzle@7.4.4');
  assert.equal(purlFor('CocoaPods', 'Firebase/Core', '10.0.0'), 'pkg:cocoapods/Firebase@10.0.0#Core');
  assert.equal(
    purlFor('Debian:12', 'curl', '7.88.1'),
    undefined,
    'OS packages need a distro purl the OS extractor builds',
  );
});
