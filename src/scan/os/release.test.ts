import assert from 'node:assert/strict';
import { test } from 'node:test';
import { osvEcosystemBase } from '../versions/index.ts';
import {
  detectRelease,
  osvTarget,
  parseOsReleaseText,
  releaseFilesUnder,
  rootPrefix,
  type PackageFamily,
} from './release.ts';

const files = (m: Record<string, string>) => new Map(Object.entries(m));

test('os-release values: double quotes with escapes, single quotes literal, comments and bad lines skipped', () => {
  const f = parseOsReleaseText(
    '# comment\nA="x \\"y\\" \\$z \\\\"\nB=\'lit $x\'\nC=plain\nnot a line\nD="unterminated\nE=two\r\nA=second\n',
  );
  assert.equal(f.get('A'), 'x "y" $z \\');
  assert.equal(f.get('B'), 'lit $x');
  assert.equal(f.get('C'), 'plain');
  assert.equal(f.get('D'), undefined);
  assert.equal(f.get('E'), 'two', 'CRLF');
  assert.equal(f.size, 4);
});

test('release fields from os-release; etc/os-release wins over usr/lib/os-release', () => {
  const r = detectRelease(
    files({
      'etc/os-release':
        'NAME="Ubuntu"\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\nPRETTY_NAME="Ubuntu 22.04.3 LTS"\nVERSION_CODENAME=jammy\nUBUNTU_CODENAME=jammy\n',
      'usr/lib/os-release': 'ID=debian\nVERSION_ID=12\n',
    }),
    '',
  );
  assert.deepEqual(r, {
    id: 'ubuntu',
    idLike: ['debian'],
    source: 'etc/os-release',
    versionId: '22.04',
    name: 'Ubuntu',
    prettyName: 'Ubuntu 22.04.3 LTS',
    version: '22.04.3 LTS (Jammy Jellyfish)',
    versionCodename: 'jammy',
    ubuntuCodename: 'jammy',
  });
  // an os-release without ID says nothing: the next file is used
  assert.equal(
    detectRelease(files({ 'etc/os-release': 'NAME=x\n', 'etc/alpine-release': '3.19.1\n' }), '')?.id,
    'alpine',
  );
  assert.equal(detectRelease(files({}), ''), undefined);
  assert.equal(detectRelease(undefined, ''), undefined);
});

test('rootfs prefixes: at the root or under a folder, never a partial name', () => {
  assert.equal(rootPrefix('var/lib/dpkg/status', 'var/lib/dpkg/status'), '');
  assert.equal(rootPrefix('img/rootfs/var/lib/dpkg/status', 'var/lib/dpkg/status'), 'img/rootfs/');
  assert.equal(rootPrefix('xvar/lib/dpkg/status', 'var/lib/dpkg/status'), undefined);
  assert.equal(rootPrefix('var/lib/dpkg/status-old', 'var/lib/dpkg/status'), undefined);
  assert.deepEqual(releaseFilesUnder('img/').slice(0, 2), ['img/etc/os-release', 'img/usr/lib/os-release']);
});

type Case = {
  readonly name: string;
  readonly files: Record<string, string>;
  readonly family: PackageFamily;
  /** ecosystem, or `refused` */
  readonly want: string;
  readonly distro?: string;
  readonly note?: boolean;
};

const OS = (s: string) => ({ 'etc/os-release': s });

const CASES: readonly Case[] = [
  {
    name: 'Debian 12',
    files: OS('ID=debian\nVERSION_ID="12"\n'),
    family: 'deb',
    want: 'Debian:12',
    distro: 'debian-12',
  },
  {
    name: 'Debian by debian_version only (point release → major)',
    files: { 'etc/debian_version': '12.4\n' },
    family: 'deb',
    want: 'Debian:12',
    distro: 'debian-12.4',
  },
  {
    name: 'Debian testing by codename',
    files: OS('PRETTY_NAME="Debian GNU/Linux trixie/sid"\nID=debian\nVERSION_CODENAME=trixie\n'),
    family: 'deb',
    want: 'Debian:13',
    distro: 'debian-13',
  },
  {
    name: 'Debian sid: release unknown',
    files: OS('PRETTY_NAME="Debian GNU/Linux sid"\nID=debian\nVERSION_CODENAME=sid\n'),
    family: 'deb',
    want: 'Debian',
    note: true,
  },
  {
    name: 'Ubuntu LTS (VERSION says LTS)',
    files: OS('ID=ubuntu\nVERSION_ID="22.04"\nVERSION="22.04.3 LTS (Jammy Jellyfish)"\n'),
    family: 'deb',
    want: 'Ubuntu:22.04:LTS',
    distro: 'ubuntu-22.04',
  },
  {
    name: 'Ubuntu interim release',
    files: OS('ID=ubuntu\nVERSION_ID="23.10"\nVERSION="23.10 (Mantic Minotaur)"\n'),
    family: 'deb',
    want: 'Ubuntu:23.10',
  },
  {
    name: 'Ubuntu LTS without VERSION (even year, .04)',
    files: OS('ID=ubuntu\nVERSION_ID=24.04\n'),
    family: 'deb',
    want: 'Ubuntu:24.04:LTS',
  },
  {
    name: 'Ubuntu by lsb-release',
    files: {
      'etc/lsb-release':
        'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=20.04\nDISTRIB_CODENAME=focal\nDISTRIB_DESCRIPTION="Ubuntu 20.04.6 LTS"\n',
    },
    family: 'deb',
    want: 'Ubuntu:20.04:LTS',
  },
  {
    name: 'Linux Mint: its Ubuntu base',
    files: OS('ID=linuxmint\nID_LIKE="ubuntu debian"\nVERSION_ID="21.2"\nUBUNTU_CODENAME=jammy\n'),
    family: 'deb',
    want: 'Ubuntu:22.04:LTS',
    distro: 'ubuntu-22.04',
    note: true,
  },
  {
    name: 'Raspbian: its Debian base',
    files: OS('ID=raspbian\nID_LIKE=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'),
    family: 'deb',
    want: 'Debian:12',
    note: true,
  },
  {
    name: 'Kali (rolling, not a Debian release number)',
    files: OS('ID=kali\nID_LIKE=debian\nVERSION_ID="2024.1"\nVERSION_CODENAME=kali-rolling\n'),
    family: 'deb',
    want: 'Debian',
    note: true,
  },
  { name: 'no release files, deb', files: {}, family: 'deb', want: 'Debian', note: true },
  { name: 'deb on Alpine', files: OS('ID=alpine\nVERSION_ID=3.19.1\n'), family: 'deb', want: 'refused' },
  {
    name: 'Alpine 3.19.1',
    files: OS('ID=alpine\nVERSION_ID=3.19.1\n'),
    family: 'apk',
    want: 'Alpine:v3.19',
    distro: 'alpine-3.19.1',
  },
  {
    name: 'Alpine by alpine-release',
    files: { 'etc/alpine-release': '3.18.4\n' },
    family: 'apk',
    want: 'Alpine:v3.18',
  },
  {
    name: 'Wolfi',
    files: OS('ID=wolfi\nVERSION_ID=20230201\n'),
    family: 'apk',
    want: 'Wolfi',
    distro: 'wolfi-20230201',
  },
  { name: 'Chainguard', files: OS('ID=chainguard\n'), family: 'apk', want: 'Chainguard' },
  { name: 'no release files, apk', files: {}, family: 'apk', want: 'Alpine', note: true },
  {
    name: 'AlmaLinux 9.3',
    files: OS('ID="almalinux"\nVERSION_ID="9.3"\n'),
    family: 'rpm',
    want: 'AlmaLinux:9',
    distro: 'almalinux-9.3',
  },
  { name: 'Rocky Linux 8.9', files: OS('ID="rocky"\nVERSION_ID="8.9"\n'), family: 'rpm', want: 'Rocky Linux:8' },
  {
    name: 'RHEL 9.3: every stream',
    files: OS('ID="rhel"\nVERSION_ID="9.3"\n'),
    family: 'rpm',
    want: 'Red Hat',
    note: true,
  },
  {
    name: 'RHEL by redhat-release',
    files: { 'etc/redhat-release': 'Red Hat Enterprise Linux release 8.9 (Ootpa)\n' },
    family: 'rpm',
    want: 'Red Hat',
    note: true,
  },
  {
    name: 'AlmaLinux by redhat-release',
    files: { 'etc/redhat-release': 'AlmaLinux release 9.3 (Shamrock Pampas Cat)\n' },
    family: 'rpm',
    want: 'AlmaLinux:9',
  },
  {
    name: 'openSUSE Leap',
    files: OS('ID="opensuse-leap"\nVERSION_ID="15.5"\n'),
    family: 'rpm',
    want: 'openSUSE:Leap 15.5',
  },
  {
    name: 'openSUSE Tumbleweed',
    files: OS('ID="opensuse-tumbleweed"\nVERSION_ID="20240801"\n'),
    family: 'rpm',
    want: 'openSUSE:Tumbleweed',
  },
  {
    name: 'SLES: every SUSE product',
    files: OS('ID="sles"\nVERSION_ID="15.5"\n'),
    family: 'rpm',
    want: 'SUSE',
    note: true,
  },
  { name: 'Photon OS', files: OS('ID=photon\nVERSION_ID=5.0\n'), family: 'rpm', want: 'Photon OS:5.0' },
  { name: 'Azure Linux', files: OS('ID=azurelinux\nVERSION_ID="3.0"\n'), family: 'rpm', want: 'Azure Linux:3' },
  { name: 'Mageia', files: OS('ID=mageia\nVERSION_ID=9\n'), family: 'rpm', want: 'Mageia:9' },
  {
    name: 'Amazon Linux: no OSV ecosystem',
    files: OS('ID="amzn"\nVERSION_ID="2023"\n'),
    family: 'rpm',
    want: 'refused',
  },
  { name: 'Oracle Linux: no OSV ecosystem', files: OS('ID="ol"\nVERSION_ID="9.3"\n'), family: 'rpm', want: 'refused' },
  { name: 'CentOS 7: no OSV ecosystem', files: OS('ID="centos"\nVERSION_ID="7"\n'), family: 'rpm', want: 'refused' },
  { name: 'no release files, rpm', files: {}, family: 'rpm', want: 'refused' },
];

for (const c of CASES) {
  test(`OSV target: ${c.name}`, () => {
    const t = osvTarget(detectRelease(files(c.files), ''), c.family);
    if (c.want === 'refused') {
      assert.equal(t.ok, false);
      return;
    }
    assert.ok(t.ok, t.ok ? '' : t.reason);
    assert.equal(t.target.ecosystem, c.want);
    assert.ok(osvEcosystemBase(t.target.ecosystem) !== undefined, 'an OSV ecosystem');
    assert.equal(t.target.purlType, c.family);
    if (c.distro !== undefined) assert.equal(t.target.distro, c.distro);
    assert.equal(t.target.note !== undefined, c.note === true, t.target.note);
  });
}

test('OSV target refusals name the distribution', () => {
  const t = osvTarget(detectRelease(files(OS('ID="amzn"\nVERSION_ID="2"\n')), ''), 'rpm');
  assert.ok(!t.ok && /Amazon Linux/.test(t.reason));
});
