import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalIp,
  entropy,
  ibanValid,
  inCidr,
  isCardNumber,
  isMyNumber,
  isPrivateIp,
  looksLikeKeyMaterial,
  luhnValid,
  maskKey,
  parseCidr,
  parseIp,
  parseIPv4,
  parseIPv6,
} from './checks.ts';

/** A My Number with the right check digit for an 11-digit body (the algorithm, written out independently). */
function withCheckDigit(body: string): string {
  const p = [...body].reverse().map(Number);
  const sum = p.reduce((s, d, i) => s + d * (i + 1 <= 6 ? i + 2 : i - 4), 0);
  const r = sum % 11;
  return body + String(r <= 1 ? 0 : 11 - r);
}

test('Luhn and card numbers', () => {
  const cases: [string, boolean, boolean][] = [
    // digits, luhn, card
    ['4111111111111111', true, true], // Visa test number
    ['4111111111111112', false, false],
    ['5555555555554444', true, true], // Mastercard
    ['2223003122003222', true, true], // Mastercard 2-series
    ['378282246310005', true, true], // Amex (15)
    ['3530111333300000', true, true], // JCB
    ['6011111111111117', true, true], // Discover
    ['1000000000000008', true, false], // Luhn passes, no issuer starts with 1
    ['9000000000000001', true, false],
    ['4111111111119', true, true], // 13-digit Visa
    ['5105105105105100', true, true],
    ['51051051051051', true, false], // Luhn passes, but Mastercard 51 is always 16 digits
    ['411111111111', false, false], // 12 digits: too short
    ['', false, false],
    ['41111111111111x1', false, false],
  ];
  for (const [d, luhn, card] of cases) {
    assert.equal(luhnValid(d), luhn, `luhn ${d}`);
    assert.equal(isCardNumber(d), card, `card ${d}`);
  }
});

test('My Number check digit', () => {
  assert.equal(isMyNumber('123456789018'), true);
  assert.equal(isMyNumber('123456789012'), false);
  assert.equal(isMyNumber('12345678901'), false);
  assert.equal(isMyNumber('1234567890185'), false);
  // every body has exactly one valid check digit
  for (const body of ['00000000001', '98765432109', '31415926535', '27182818284']) {
    const ok = withCheckDigit(body);
    assert.equal(isMyNumber(ok), true, ok);
    for (let d = 0; d <= 9; d++) if (String(d) !== ok[11]) assert.equal(isMyNumber(body + d), false, body + d);
  }
});

test('IBAN mod-97 and country lengths', () => {
  const cases: [string, boolean][] = [
    ['DE89370400440532013000', true],
    ['GB82WEST12345698765432', true],
    ['FR1420041010050500013M02606', true],
    ['NL91ABNA0417164300', true],
    ['DE89370400440532013001', false], // check fails
    ['DE8937040044053201300', false], // one short for DE
    ['JP89370400440532013000', false], // Japan has no IBAN
    ['XX00', false],
  ];
  for (const [s, ok] of cases) assert.equal(ibanValid(s), ok, s);
});

test('IPv4 and IPv6 parsing, canonical form, private ranges', () => {
  const v4: [string, number | undefined][] = [
    ['10.0.0.1', 0x0a000001],
    ['255.255.255.255', 0xffffffff],
    ['256.0.0.1', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    ['01.2.3.4', 0x01020304],
    ['1..3.4', undefined],
  ];
  for (const [s, v] of v4) assert.equal(parseIPv4(s), v, s);
  const v6: [string, string | undefined][] = [
    ['::1', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['::ffff:10.0.0.5', '10.0.0.5'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1::2::3', undefined],
    ['00:1A:2B:3C:4D:5E', undefined],
    ['07:42:01', undefined],
    ['12345::1', undefined],
  ];
  for (const [s, canon] of v6) {
    const ip = parseIp(s);
    assert.equal(ip === undefined ? undefined : canonicalIp(ip), canon, s);
  }
  assert.deepEqual(parseIPv6('::'), [0, 0, 0, 0, 0, 0, 0, 0]);
  const priv: [string, boolean][] = [
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['127.0.0.1', true],
    ['169.254.1.1', true],
    ['100.64.0.1', true],
    ['100.128.0.1', false],
    ['8.8.8.8', false],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::1', true],
    ['::ffff:192.168.0.1', true],
    ['2001:4860:4860::8888', false],
  ];
  for (const [s, p] of priv) assert.equal(isPrivateIp(parseIp(s)!), p, s);
});

test('CIDR blocks, IPv4 matched through mapped IPv6 too', () => {
  const c = parseCidr('203.0.113.0/24')!;
  assert.equal(inCidr(parseIp('203.0.113.255')!, c), true);
  assert.equal(inCidr(parseIp('203.0.114.0')!, c), false);
  assert.equal(inCidr(parseIp('::ffff:203.0.113.9')!, c), true);
  const v6 = parseCidr('2001:db8:abcd::/48')!;
  assert.equal(inCidr(parseIp('2001:db8:abcd:12::1')!, v6), true);
  assert.equal(inCidr(parseIp('2001:db8:abce::1')!, v6), false);
  for (const bad of ['10.0.0.0/33', '10.0.0.0/x', 'nope', '::/129']) assert.equal(parseCidr(bad), undefined, bad);
});

test('entropy and key material', () => {
  assert.equal(entropy(''), 0);
  assert.equal(entropy('aaaa'), 0);
  assert.equal(entropy('abcd'), 2);
  const cases: [string, boolean][] = [
    ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', true],
    ['8846f7eaee8fb117ad06bdd830b7586c', true],
    ['Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==', true],
    ['aaaaaaaaaaaaaaaa1', false], // no entropy
    ['HKLM\\Software\\Microsoft', false], // not a key alphabet
    ['passwordpassword', false], // no digit
    ['short1A', false],
  ];
  for (const [s, k] of cases) assert.equal(looksLikeKeyMaterial(s), k, s);
});

test('mask keys: which spellings are the same original', () => {
  assert.equal(maskKey('email', 'A.B@Example.COM'), 'a.b@example.com');
  assert.equal(maskKey('host', 'WS01.Corp.Example.JP.'), 'ws01.corp.example.jp');
  assert.equal(maskKey('ip', '::FFFF:10.0.0.5'), '10.0.0.5');
  assert.equal(maskKey('ip', '[fe80::1]'), 'fe80::1');
  assert.equal(maskKey('card', '4111-1111 1111.1111'), '4111111111111111');
  assert.equal(maskKey('phone', '090-1234-5678'), maskKey('phone', '+81 90 1234 5678'));
  assert.equal(maskKey('iban', 'gb82 west 1234 5698 7654 32'), 'GB82WEST12345698765432');
  assert.equal(maskKey('secret', 'Hunter2'), 'Hunter2'); // a password differs by case
  assert.notEqual(maskKey('secret', 'Hunter2'), maskKey('secret', 'hunter2'));
});
