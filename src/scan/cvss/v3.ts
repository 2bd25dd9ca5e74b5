/**
 * CVSS v3.0 and v3.1 base scores (FIRST, "CVSS v3.1 Specification Document", §7.1 and Appendix A; v3.0 §8.1).
 * Only the base metrics count; temporal and environmental metrics in the vector are read and ignored.
 */
import { parseMetricList, requireMetrics } from './metrics.ts';

export type Cvss3Version = '3.0' | '3.1';

type Base = { AV: string; AC: string; PR: string; UI: string; S: string; C: string; I: string; A: string };

const BASE_VALUES: Readonly<Record<keyof Base, readonly string[]>> = {
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'R'],
  S: ['U', 'C'],
  C: ['H', 'L', 'N'],
  I: ['H', 'L', 'N'],
  A: ['H', 'L', 'N'],
};
/** Temporal and environmental metrics: allowed in a vector, not part of the base score. */
const OTHER_VALUES: Readonly<Record<string, readonly string[]>> = {
  E: ['X', 'H', 'F', 'P', 'U'],
  RL: ['X', 'U', 'W', 'T', 'O'],
  RC: ['X', 'C', 'R', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'R'],
  MS: ['X', 'U', 'C'],
  MC: ['X', 'H', 'L', 'N'],
  MI: ['X', 'H', 'L', 'N'],
  MA: ['X', 'H', 'L', 'N'],
};

export type Cvss3Vector = { readonly version: Cvss3Version; readonly base: Readonly<Base> };

/** Parses `CVSS:3.x/AV:../...`; `undefined` unless every base metric is present once with a valid value. */
export function parseCvss3(vector: string): Cvss3Vector | undefined {
  const parts = vector.trim().split('/');
  const head = parts.shift();
  if (head !== 'CVSS:3.0' && head !== 'CVSS:3.1') return undefined;
  const seen = parseMetricList(parts, (k) => (BASE_VALUES as Record<string, readonly string[]>)[k] ?? OTHER_VALUES[k]);
  const base = seen && requireMetrics(seen, Object.keys(BASE_VALUES) as (keyof Base)[]);
  if (!base) return undefined;
  return { version: head === 'CVSS:3.0' ? '3.0' : '3.1', base };
}

/** v3.1 Roundup (Appendix A): the smallest one-decimal number ≥ x, immune to binary floating-point error. */
export function roundup31(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

/** v3.0's round up: to one decimal, upwards, on the float as computed. */
export function roundup30(x: number): number {
  return Math.ceil(x * 10) / 10;
}

const AV = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 } as const;
const AC = { L: 0.77, H: 0.44 } as const;
const UI = { N: 0.85, R: 0.62 } as const;
const CIA = { H: 0.56, L: 0.22, N: 0 } as const;

/** The base score of a parsed vector. */
export function cvss3BaseScore(v: Cvss3Vector): number {
  const b = v.base;
  const changed = b.S === 'C';
  const pr = b.PR === 'N' ? 0.85 : b.PR === 'L' ? (changed ? 0.68 : 0.62) : changed ? 0.5 : 0.27;
  const iss =
    1 - (1 - CIA[b.C as keyof typeof CIA]) * (1 - CIA[b.I as keyof typeof CIA]) * (1 - CIA[b.A as keyof typeof CIA]);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability =
    8.22 * AV[b.AV as keyof typeof AV] * AC[b.AC as keyof typeof AC] * pr * UI[b.UI as keyof typeof UI];
  if (impact <= 0) return 0;
  const roundup = v.version === '3.1' ? roundup31 : roundup30;
  return changed
    ? roundup(Math.min(1.08 * (impact + exploitability), 10))
    : roundup(Math.min(impact + exploitability, 10));
}
