import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presenceSensitiveFields } from './absence.ts';

const CASES: readonly { name: string; detection: Record<string, unknown>; want: readonly string[] | undefined }[] = [
  {
    name: 'positive selections only',
    detection: {
      sel_img: { 'Image|endswith': 'x.exe' },
      sel_ofn: { OriginalFileName: 'x.exe' },
      condition: '1 of sel_*',
    },
    want: [],
  },
  {
    name: 'negated filter',
    detection: {
      selection: { 'Image|endswith': 'x.exe' },
      filter: { 'ParentCommandLine|contains': 'y', CurrentDirectory: 'C:\\' },
      condition: 'selection and not filter',
    },
    want: ['ParentCommandLine', 'CurrentDirectory'],
  },
  {
    name: 'not 1 of a pattern',
    detection: {
      selection: { Image: 'a' },
      filter_main_a: { OriginalFileName: 'b' },
      filter_optional_b: { Hashes: 'c' },
      condition: 'selection and not 1 of filter_main_* and not 1 of filter_optional_*',
    },
    want: ['OriginalFileName', 'Hashes'],
  },
  {
    name: 'double negation is positive',
    detection: { selection: { Image: 'a' }, x: { Product: 'p' }, condition: 'selection and not (not x)' },
    want: [],
  },
  {
    name: 'negated parenthesised group',
    detection: { a: { Image: 'a' }, b: { User: 'u' }, c: { Company: 'c' }, condition: 'a and not (b or c)' },
    want: ['User', 'Company'],
  },
  {
    name: 'absence test in a positive selection',
    detection: { selection: { Image: 'a', OriginalFileName: null }, condition: 'selection' },
    want: ['OriginalFileName'],
  },
  {
    name: 'null among values',
    detection: { selection: { Description: ['', null] }, condition: 'selection' },
    want: ['Description'],
  },
  {
    name: 'exists modifier',
    detection: { selection: { 'Hashes|exists': false }, condition: 'selection' },
    want: ['Hashes'],
  },
  {
    name: 'list of maps in a negated selection',
    detection: { s: { Image: 'a' }, f: [{ IntegrityLevel: 'High' }, { LogonId: '0x3e7' }], condition: 's and not f' },
    want: ['IntegrityLevel', 'LogonId'],
  },
  {
    name: 'not all of them',
    detection: { a: { Image: 'a' }, b: { User: 'u' }, condition: 'not all of them' },
    want: ['Image', 'User'],
  },
  {
    name: 'keywords carry no field',
    detection: { keywords: ['evil'], filter: ['good'], condition: 'keywords and not filter' },
    want: [],
  },
  {
    name: 'several conditions (any of them)',
    detection: { a: { Image: 'a' }, b: { User: 'u' }, condition: ['a', 'a and not b'] },
    want: ['User'],
  },
  {
    name: 'case-insensitive operators',
    detection: { a: { Image: 'a' }, b: { User: 'u' }, condition: 'a AND NOT b' },
    want: ['User'],
  },
  { name: 'legacy aggregation', detection: { a: { Image: 'a' }, condition: 'a | count() > 5' }, want: undefined },
  { name: 'unbalanced parenthesis', detection: { a: { Image: 'a' }, condition: '(a and not a' }, want: undefined },
  { name: 'dangling operator', detection: { a: { Image: 'a' }, condition: 'a and' }, want: undefined },
  { name: 'no condition', detection: { a: { Image: 'a' } }, want: undefined },
];

for (const c of CASES) {
  test(`presence-sensitive fields: ${c.name}`, () => {
    const got = presenceSensitiveFields(c.detection);
    if (c.want === undefined) assert.equal(got, undefined);
    else assert.deepEqual([...(got ?? ['<undefined>'])].sort(), [...c.want].sort());
  });
}
