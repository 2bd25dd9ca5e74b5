import { parseMetricList, requireMetrics } from './metrics.ts';

import { MACROVECTOR_SCORES, MAX_COMPOSED, MAX_SEVERITY, METRIC_LEVELS } from './v4-data.ts';

/**
 * CVSS v4.0 scores (FIRST, "CVSS v4.0 Specification Document", §8: MacroVectors and interpolation), computed as
 * the FIRST reference calculator does, step for step, so the floats and the rounding agree with it.
 */
const METRICS: Readonly<Record<string, readonly string[]>> = {
  // base
  AV: ['N', 'A', 'L', 'P'],
  AC: ['L', 'H'],
  AT: ['N', 'P'],
  PR: ['N', 'L', 'H'],
  UI: ['N', 'P', 'A'],
  VC: ['N', 'L', 'H'],
  VI: ['N', 'L', 'H'],
  VA: ['N', 'L', 'H'],
  SC: ['N', 'L', 'H'],
  SI: ['N', 'L', 'H'],
  SA: ['N', 'L', 'H'],
  // threat
  E: ['X', 'A', 'P', 'U'],
  // environmental
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MAT: ['X', 'N', 'P'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'P', 'A'],
  MVC: ['X', 'H', 'L', 'N'],
  MVI: ['X', 'H', 'L', 'N'],
  MVA: ['X', 'H', 'L', 'N'],
  MSC: ['X', 'H', 'L', 'N'],
  MSI: ['X', 'S', 'H', 'L', 'N'],
  MSA: ['X', 'S', 'H', 'L', 'N'],
  // supplemental (no effect on the score)
  S: ['X', 'N', 'P'],
  AU: ['X', 'N', 'Y'],
  R: ['X', 'A', 'U', 'I'],
  V: ['X', 'D', 'C'],
  RE: ['X', 'L', 'M', 'H'],
  U: ['X', 'Clear', 'Green', 'Amber', 'Red'],
};
const BASE = ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'] as const;

export type Cvss4Vector = { readonly metrics: Readonly<Record<string, string>> };

/** Parses `CVSS:4.0/AV:N/...`: every base metric once, other metrics optional; `undefined` when invalid. */
export function parseCvss4(vector: string): Cvss4Vector | undefined {
  const parts = vector.trim().split('/');
  if (parts.shift() !== 'CVSS:4.0') return undefined;
  const seen = parseMetricList(parts, (k) => (Object.hasOwn(METRICS, k) ? METRICS[k] : undefined));
  if (!seen || !requireMetrics(seen, BASE)) return undefined;
  const metrics: Record<string, string> = Object.fromEntries(seen);
  for (const k of Object.keys(METRICS)) if (!Object.hasOwn(metrics, k)) metrics[k] = 'X';
  return { metrics };
}

/** The vector reduced to its base metrics (CVSS-B): threat and environmental metrics set to X. */
export function baseOnly(v: Cvss4Vector): Cvss4Vector {
  const metrics: Record<string, string> = {};
  for (const k of Object.keys(METRICS))
    metrics[k] = (BASE as readonly string[]).includes(k) ? (v.metrics[k] as string) : 'X';
  return { metrics };
}

/** The value that scores: environmental overrides, and X read as the worst case for E, CR, IR, AR. */
function effective(sel: Readonly<Record<string, string>>, metric: string): string {
  const v = sel[metric];
  if (v === 'X') {
    if (metric === 'E') return 'A';
    if (metric === 'CR' || metric === 'IR' || metric === 'AR') return 'H';
  }
  const mod = sel[`M${metric}`];
  if (mod !== undefined && mod !== 'X') return mod;
  return v as string;
}

/** The six EQ levels of a vector (§8.1), as the lookup key. */
export function macroVector(sel: Readonly<Record<string, string>>): string {
  const m = (k: string): string => effective(sel, k);
  const AV = m('AV');
  const PR = m('PR');
  const UI = m('UI');
  let eq1: number;
  if (AV === 'N' && PR === 'N' && UI === 'N') eq1 = 0;
  else if ((AV === 'N' || PR === 'N' || UI === 'N') && AV !== 'P') eq1 = 1;
  else eq1 = 2;
  const eq2 = m('AC') === 'L' && m('AT') === 'N' ? 0 : 1;
  const VC = m('VC');
  const VI = m('VI');
  const VA = m('VA');
  let eq3: number;
  if (VC === 'H' && VI === 'H') eq3 = 0;
  else if (VC === 'H' || VI === 'H' || VA === 'H') eq3 = 1;
  else eq3 = 2;
  let eq4: number;
  if (m('MSI') === 'S' || m('MSA') === 'S') eq4 = 0;
  else if (m('SC') === 'H' || m('SI') === 'H' || m('SA') === 'H') eq4 = 1;
  else eq4 = 2;
  const E = m('E');
  const eq5 = E === 'A' ? 0 : E === 'P' ? 1 : 2;
  const eq6 =
    (m('CR') === 'H' && VC === 'H') || (m('IR') === 'H' && VI === 'H') || (m('AR') === 'H' && VA === 'H') ? 0 : 1;
  return `${eq1}${eq2}${eq3}${eq4}${eq5}${eq6}`;
}

function parseMax(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of text.split('/')) {
    const [k, v] = p.split(':');
    out[k as string] = v as string;
  }
  return out;
}

const ROUNDING_EPSILON = 1e-6;

type Nested = Readonly<Record<number, readonly string[]>>;

/** The score of a parsed vector with every metric it carries (CVSS-BTE when threat/environmental are set). */
export function cvss4Score(v: Cvss4Vector): number {
  const sel = v.metrics;
  if (['VC', 'VI', 'VA', 'SC', 'SI', 'SA'].every((k) => effective(sel, k) === 'N')) return 0;
  const mv = macroVector(sel);
  const value = MACROVECTOR_SCORES[mv] as number;
  const [eq1, eq2, eq3, eq4, eq5, eq6] = mv.split('').map(Number) as [number, number, number, number, number, number];
  const key = (a: number, b: number, c: number, d: number, e: number, f: number): string => `${a}${b}${c}${d}${e}${f}`;
  const lookup = (k: string): number => MACROVECTOR_SCORES[k] ?? NaN;

  const scoreEq1Lower = lookup(key(eq1 + 1, eq2, eq3, eq4, eq5, eq6));
  const scoreEq2Lower = lookup(key(eq1, eq2 + 1, eq3, eq4, eq5, eq6));
  let scoreEq3Eq6Lower: number;
  if (eq3 === 0 && eq6 === 0) {
    // two ways down: take the higher
    scoreEq3Eq6Lower = Math.max(
      lookup(key(eq1, eq2, eq3, eq4, eq5, eq6 + 1)),
      lookup(key(eq1, eq2, eq3 + 1, eq4, eq5, eq6)),
    );
  } else if (eq3 === 1 && eq6 === 0) scoreEq3Eq6Lower = lookup(key(eq1, eq2, eq3, eq4, eq5, eq6 + 1));
  else if ((eq3 === 0 || eq3 === 1) && eq6 === 1) scoreEq3Eq6Lower = lookup(key(eq1, eq2, eq3 + 1, eq4, eq5, eq6));
  else scoreEq3Eq6Lower = lookup(key(eq1, eq2, eq3 + 1, eq4, eq5, eq6 + 1));
  const scoreEq4Lower = lookup(key(eq1, eq2, eq3, eq4 + 1, eq5, eq6));
  const scoreEq5Lower = lookup(key(eq1, eq2, eq3, eq4, eq5 + 1, eq6));

  const eq1Max = (MAX_COMPOSED.eq1 as Nested)[eq1] ?? [];
  const eq2Max = (MAX_COMPOSED.eq2 as Nested)[eq2] ?? [];
  const eq3Max = ((MAX_COMPOSED.eq3 as Readonly<Record<number, Nested>>)[eq3] ?? {})[eq6] ?? [];
  const eq4Max = (MAX_COMPOSED.eq4 as Nested)[eq4] ?? [];
  const eq5Max = (MAX_COMPOSED.eq5 as Nested)[eq5] ?? [];

  // the first highest-severity vector of the MacroVector that the scored vector does not exceed
  let d: Record<string, number> = {};
  search: for (const a of eq1Max)
    for (const b of eq2Max)
      for (const c of eq3Max)
        for (const e4 of eq4Max)
          for (const e5 of eq5Max) {
            const max = parseMax(`${a}/${b}/${c}/${e4}/${e5}`);
            d = {};
            let ok = true;
            for (const metric of Object.keys(METRIC_LEVELS)) {
              const levels = METRIC_LEVELS[metric] as Readonly<Record<string, number>>;
              const dist = (levels[effective(sel, metric)] as number) - (levels[max[metric] as string] as number);
              d[metric] = dist;
              if (dist < 0) ok = false;
            }
            if (ok) break search;
          }
  const g = (k: string): number => d[k] as number;
  const curEq1 = g('AV') + g('PR') + g('UI');
  const curEq2 = g('AC') + g('AT');
  const curEq3Eq6 = g('VC') + g('VI') + g('VA') + g('CR') + g('IR') + g('AR');
  const curEq4 = g('SC') + g('SI') + g('SA');

  const STEP = 0.1;
  const maxSevEq1 = (MAX_SEVERITY.eq1 as Readonly<Record<number, number>>)[eq1] ?? NaN;
  const maxSevEq2 = (MAX_SEVERITY.eq2 as Readonly<Record<number, number>>)[eq2] ?? NaN;
  const maxSevEq3Eq6 =
    ((MAX_SEVERITY.eq3eq6 as Readonly<Record<number, Readonly<Record<number, number>>>>)[eq3] ?? {})[eq6] ?? NaN;
  const maxSevEq4 = (MAX_SEVERITY.eq4 as Readonly<Record<number, number>>)[eq4] ?? NaN;

  let n = 0;
  let sum = 0;
  const add = (available: number, current: number, depth: number): void => {
    if (Number.isNaN(available)) return;
    n++;
    sum += available * (current / (depth * STEP));
  };
  add(value - scoreEq1Lower, curEq1, maxSevEq1);
  add(value - scoreEq2Lower, curEq2, maxSevEq2);
  add(value - scoreEq3Eq6Lower, curEq3Eq6, maxSevEq3Eq6);
  add(value - scoreEq4Lower, curEq4, maxSevEq4);
  // EQ5 has no depth: a lower MacroVector counts in the mean with a distance of 0
  if (!Number.isNaN(value - scoreEq5Lower)) n++;
  const mean = n === 0 ? 0 : sum / n;
  const score = Math.max(0, Math.min(10, value - mean));
  // round half up; the epsilon lifts ties that the float arithmetic left one ULP below x.x5 (the reference
  // calculator's fix of 2024-11, RedHatProductSecurity/cvss-v4-calculator#67)
  return Math.round((score + ROUNDING_EPSILON) * 10) / 10;
}

/** The CVSS-B score: base metrics only, whatever else the vector carries. */
export function cvss4BaseScore(v: Cvss4Vector): number {
  return cvss4Score(baseOnly(v));
}
