import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dottedKey, globMatches, isGlob, keyPath } from './key.ts';
import { normaliseValue, parseCInteger } from './values.ts';

test('keyPath: dots and slashes swap when the first separator is a dot (sysctl.d(5))', () => {
  const cases: [string, string][] = [
    ['net.ipv4.ip_forward', 'net/ipv4/ip_forward'],
    ['net/ipv4/ip_forward', 'net/ipv4/ip_forward'],
    ['  kernel.sysrq ', 'kernel/sysrq'],
    ['net.ipv4.conf.enp3s0/200.forwarding', 'net/ipv4/conf/enp3s0.200/forwarding'],
    ['net/ipv4/conf/enp3s0.200/forwarding', 'net/ipv4/conf/enp3s0.200/forwarding'],
    ['/net//ipv4/ip_forward', 'net/ipv4/ip_forward'],
    ['kernel', 'kernel'],
  ];
  for (const [key, path] of cases) assert.equal(keyPath(key), path, key);
  assert.equal(dottedKey('net/ipv4/conf/enp3s0.200/forwarding'), 'net.ipv4.conf.enp3s0/200.forwarding');
});

test('globMatches: glob(3) on /proc/sys paths, wildcards never cross a slash', () => {
  const cases: [string, string, boolean][] = [
    ['net/ipv4/conf/*/rp_filter', 'net/ipv4/conf/all/rp_filter', true],
    ['net/ipv4/conf/*/rp_filter', 'net/ipv4/conf/eth0.100/rp_filter', true],
    ['net/*/rp_filter', 'net/ipv4/conf/all/rp_filter', false],
    ['net/ipv?/conf/default/forwarding', 'net/ipv6/conf/default/forwarding', true],
    ['net/ipv[46]/conf/all/forwarding', 'net/ipv4/conf/all/forwarding', true],
    ['net/ipv[!4]/conf/all/forwarding', 'net/ipv4/conf/all/forwarding', false],
    ['net/ipv4/conf/e*0/rp_filter', 'net/ipv4/conf/eth0/rp_filter', true],
    ['net/ipv4/conf/e*0/rp_filter', 'net/ipv4/conf/eth1/rp_filter', false],
    ['kernel/[sysrq', 'kernel/[sysrq', true],
    ['*/*/*/*/*', 'a'.repeat(40) + '/b/c/d/e', true],
  ];
  for (const [p, k, want] of cases) assert.equal(globMatches(p, k), want, `${p} ~ ${k}`);
  assert.equal(isGlob('net.ipv4.conf.*.rp_filter'), true);
  assert.equal(isGlob('net.ipv4.ip_forward'), false);
  // a hostile pattern stays linear
  const t0 = performance.now();
  assert.equal(globMatches('*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000)), false);
  assert.ok(performance.now() - t0 < 500);
});

test('values compare as the kernel parses them (base 0, blanks collapsed)', () => {
  const cases: [string, number | undefined][] = [
    ['0', 0],
    ['16', 16],
    ['0x10', 16],
    ['010', 8],
    ['-1', -1],
    ['08', undefined],
    ['1 # comment', undefined],
    ['', undefined],
  ];
  for (const [s, n] of cases) assert.equal(parseCInteger(s), n, s);
  assert.equal(normaliseValue('4096\t 87380   0x10'), '4096 87380 16');
});
