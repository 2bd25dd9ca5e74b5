/**
 * CVSS v2 base score (FIRST, "A Complete Guide to the Common Vulnerability Scoring System Version 2.0", §3.2.1).
 * Vectors look like `AV:N/AC:L/Au:N/C:P/I:P/A:P`, sometimes `(...)`-wrapped or `CVSS:2.0/`-prefixed; temporal and
 * environmental metrics are read and ignored.
 */
import { parseMetricList, requireMetrics } from './metrics.ts';

type Base = { AV: string; AC: string; Au: string; C: string; I: string; A: string };

const BASE_VALUES: Readonly<Record<keyof Base, readonly string[]>> = {
  AV: ['L', 'A', 'N'],
  AC: ['H', 'M', 'L'],
  Au: ['M', 'S', 'N'],
  C: ['N', 'P', 'C'],
  I: ['N', 'P', 'C'],
  A: ['N', 'P', 'C'],
};
const OTHER_VALUES: Readonly<Record<string, readonly string[]>> = {
  E: ['U', 'POC', 'F', 'H', 'ND'],
  RL: ['OF', 'TF', 'W', 'U', 'ND'],
  RC: ['UC', 'UR', 'C', 'ND'],
  CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'],
  TD: ['N', 'L', 'M', 'H', 'ND'],
  CR: ['L', 'M', 'H', 'ND'],
  IR: ['L', 'M', 'H', 'ND'],
  AR: ['L', 'M', 'H', 'ND'],
};

export type Cvss2Vector = { readonly base: Readonly<Base> };

export function parseCvss2(vector: string): Cvss2Vector | undefined {
  let s = vector.trim();
  if (s.startsWith('(') && s.endsWith(')')) s = s.slice(1, -1);
  if (s.startsWith('CVSS:2.0/')) s = s.slice('CVSS:2.0/'.length);
  const seen = parseMetricList(
    s.split('/'),
    (k) => (BASE_VALUES as Record<string, readonly string[]>)[k] ?? OTHER_VALUES[k],
  );
  const base = seen && requireMetrics(seen, Object.keys(BASE_VALUES) as (keyof Base)[]);
  if (!base) return undefined;
  return { base };
}

const AV: Readonly<Record<string, number>> = { L: 0.395, A: 0.646, N: 1.0 };
const AC: Readonly<Record<string, number>> = { H: 0.35, M: 0.61, L: 0.71 };
const AU: Readonly<Record<string, number>> = { M: 0.45, S: 0.56, N: 0.704 };
const CIA: Readonly<Record<string, number>> = { N: 0, P: 0.275, C: 0.66 };

/** Rounds to one decimal, half up, after absorbing the float error of the products (8.5 stays 8.5). */
function round1(x: number): number {
  return Math.round(x * 10 + 1e-9) / 10;
}

export function cvss2BaseScore(v: Cvss2Vector): number {
  const b = v.base;
  const impact = 10.41 * (1 - (1 - (CIA[b.C] as number)) * (1 - (CIA[b.I] as number)) * (1 - (CIA[b.A] as number)));
  const exploitability = 20 * (AV[b.AV] as number) * (AC[b.AC] as number) * (AU[b.Au] as number);
  const f = impact === 0 ? 0 : 1.176;
  return round1((0.6 * impact + 0.4 * exploitability - 1.5) * f);
}
