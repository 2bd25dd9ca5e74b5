// The builtin-rules analyst's scoring: a finding's factors, each worth signed points (positive: escalate,
// negative: benign), then one decision rule for every kind. Pure: a FindingView and the compiled known-benign
// patterns in, a Judgement out. docs/triage.md ("How builtin-rules scores") explains the numbers; the tests pin them.
import type { Severity } from '../../../core/severity.ts';
import { cannotJudge, type Judgement } from '../verdict.ts';
import { at, str, type FindingView } from '../view.ts';
import { matchKnownBenign, tacticsOf, type KnownBenignPattern } from './known-benign.ts';

/** One reason, worth `points` (signed); `evidence` is the path into the finding (or a short fact) it rests on. */
export type Factor = {
  readonly name: string;
  readonly points: number;
  readonly evidence: string;
  readonly note: string;
};

/** |net| at or above this gives a label; below it the evidence is too weak: needs-human. */
export const DECISION_THRESHOLD = 1.0;
/** When both sides reach this many points the factors conflict: needs-human, whatever the net. */
export const CONFLICT_THRESHOLD = 2.0;
const MAX_CONFIDENCE = 0.95;

/** Sigma levels: the rule author's own estimate of how much a match matters. */
const DETECTION_LEVEL: Readonly<Record<Severity, number>> = {
  informational: -1.5,
  low: -0.75,
  medium: 0,
  high: 1.25,
  critical: 2.0,
};

/** Vulnerability and misconfiguration severities: how much harm the weakness allows. */
const WEAKNESS_LEVEL: Readonly<Record<Severity, number>> = {
  informational: -1.5,
  low: -0.75,
  medium: 0.25,
  high: 1.25,
  critical: 2.0,
};

/**
 * ATT&CK tactics by how much a true match costs a bank. The stage of the attack matters: discovery and
 * reconnaissance are what admins and scanners do all day; credential theft, lateral movement, exfiltration and
 * impact are the attack itself. `stealth` and `defense-impairment` are ATT&CK v18's split of defense-evasion.
 */
export const TACTIC_WEIGHT: Readonly<Record<string, number>> = {
  impact: 1.0,
  'credential-access': 1.0,
  exfiltration: 0.9,
  'lateral-movement': 0.8,
  'command-and-control': 0.7,
  'defense-impairment': 0.6,
  'initial-access': 0.6,
  persistence: 0.5,
  'privilege-escalation': 0.5,
  'defense-evasion': 0.5,
  stealth: 0.5,
  collection: 0.4,
  execution: 0.3,
  'resource-development': 0,
  reconnaissance: -0.5,
  discovery: -0.5,
};

/**
 * How much a rule's own statement of reliability scales what it says (both ways): SigmaHQ promotes rules from
 * experimental to test to stable as they prove themselves in production.
 */
export const STATUS_FACTOR: Readonly<Record<string, number>> = {
  stable: 1.0,
  test: 0.85,
  experimental: 0.7,
  deprecated: 0.5,
  unsupported: 0.5,
};
const UNKNOWN_STATUS_FACTOR = 0.85;

const CRITICALITY: Readonly<Record<string, number>> = { critical: 0.75, high: 0.4, medium: 0, low: -0.3 };

const KNOWN_BENIGN_POINTS = { strong: -3.0, moderate: -1.5 } as const;

// False-positive notes, from the most benign-suggesting class down. A rule whose authors expect false positives
// from admins or software is weaker evidence; one whose authors say "unlikely" is stronger.
const FP_COMMON = /\b(likely|expected|common|frequent(ly)?|noisy|baseline|many legitimate)\b/i;
const FP_CAUSE =
  /\b(admin\w*|legitimate|legit|install\w*|updat\w*|backup|monitor\w*|script\w*|software|tool\w*|deploy\w*|penetration|pentest|scanner|maintenance|lab|developer|debug\w*|it staff|help ?desk)\b/i;
const FP_RARE = /\b(rare|rarely|unlikely)\b/i;
const FP_UNLIKELY = /^\s*((very |highly )?unlikely|none|no known|not known)\b/i;
const FP_RARE_START = /^\s*rare(ly)?\b/i;
const FP_UNKNOWN = /^\s*unknown\b/i;

/**
 * The points of a rule's `falsepositives` notes and why; the most benign-suggesting note counts. Exported for
 * its table test.
 */
export function falsePositivePoints(notes: readonly string[]): { points: number; note: string } {
  if (notes.length === 0) return { points: 0, note: 'no false positives listed' };
  let worst: { points: number; note: string } | undefined;
  for (const n of notes) {
    const q = JSON.stringify(n.length > 80 ? `${n.slice(0, 79)}…` : n);
    let c: { points: number; note: string };
    if (FP_UNKNOWN.test(n)) c = { points: 0, note: `false positives ${q}` };
    else if (FP_UNLIKELY.test(n) && !FP_CAUSE.test(n)) c = { points: 0.5, note: `false positives ${q}` };
    else if (FP_COMMON.test(n) && !/\bunlikely\b/i.test(n))
      c = { points: -1.0, note: `false positives expected: ${q}` };
    else if (FP_CAUSE.test(n))
      c = FP_RARE.test(n)
        ? { points: -0.25, note: `a rare benign cause is known: ${q}` }
        : { points: -0.5, note: `a benign cause is known: ${q}` };
    else if (FP_RARE_START.test(n)) c = { points: -0.25, note: `a rare benign cause is known: ${q}` };
    // any other note still names some benign cause the authors met
    else c = { points: -0.25, note: `a benign cause is named: ${q}` };
    if (worst === undefined || c.points < worst.points) worst = c;
  }
  return worst!;
}

function criticalityFactor(v: FindingView): Factor | undefined {
  if (v.criticality === undefined) return undefined;
  return {
    name: 'asset criticality',
    points: Object.hasOwn(CRITICALITY, v.criticality) ? (CRITICALITY[v.criticality] ?? 0) : 0,
    evidence: 'asset.criticality',
    note: `asset criticality ${v.criticality}`,
  };
}

function detectionFactors(v: FindingView, patterns: readonly KnownBenignPattern[]): Factor[] {
  const level = v.level!;
  // own keys only: a rule file's `status: constructor` must not read Object.prototype (it made every point NaN)
  const statusFactor =
    v.status !== undefined && Object.hasOwn(STATUS_FACTOR, v.status)
      ? (STATUS_FACTOR[v.status] ?? UNKNOWN_STATUS_FACTOR)
      : UNKNOWN_STATUS_FACTOR;
  const rule: Factor[] = [
    { name: 'level', points: DETECTION_LEVEL[level], evidence: 'rule.level', note: `level ${level}` },
  ];
  const tactics = tacticsOf(v.tags).filter((t) => Object.hasOwn(TACTIC_WEIGHT, t));
  if (tactics.length > 0) {
    // the most serious reading of the rule counts: a rule tagged discovery and credential-access is the latter
    const best = tactics.reduce((a, b) => ((TACTIC_WEIGHT[b] ?? 0) > (TACTIC_WEIGHT[a] ?? 0) ? b : a));
    rule.push({ name: 'tactic', points: TACTIC_WEIGHT[best] ?? 0, evidence: 'rule.tags', note: `tactic ${best}` });
  }
  if (v.tags.includes('detection.threat-hunting'))
    rule.push({
      name: 'hunting rule',
      points: -0.75,
      evidence: 'rule.tags',
      note: 'a threat-hunting rule (meant to surface leads, not alerts)',
    });
  if (v.tags.includes('detection.emerging-threats'))
    rule.push({
      name: 'emerging threat',
      points: 0.25,
      evidence: 'rule.tags',
      note: 'an emerging-threats rule (a specific campaign or exploit)',
    });
  const fp = falsePositivePoints(v.falsepositives);
  if (v.falsepositives.length > 0) rule.push({ name: 'false positives', evidence: 'rule.falsepositives', ...fp });
  const out: Factor[] = rule.map((f) => ({ ...f, points: f.points * statusFactor }));
  out.push({
    name: 'status',
    points: 0,
    evidence: 'rule.status',
    note: `status ${v.status ?? 'not given'} (rule points ×${statusFactor})`,
  });
  const crit = criticalityFactor(v);
  if (crit) out.push(crit);
  const kb = matchKnownBenign(patterns, v);
  if (kb.length > 0) {
    // only the strongest pattern counts: two patterns describing the same agent are one explanation, not two
    const m = kb[0]!;
    out.push({
      name: 'known benign',
      points: KNOWN_BENIGN_POINTS[m.pattern.strength],
      evidence: `known-benign:${m.pattern.id}`,
      note: `known-benign pattern ${m.pattern.id} (${m.pattern.strength}): ${m.pattern.title}`,
    });
    for (const f of m.facts) out.push({ name: 'matched field', points: 0, evidence: f.path, note: '' });
  }
  return out;
}

/** The vulnerability part of a scan finding: top level (VulnerabilityFinding), else the evidence's copy. */
function vulnerabilityOf(raw: unknown): { v: unknown; base: string } {
  const top = at(raw, 'vulnerability');
  if (top !== undefined) return { v: top, base: 'vulnerability' };
  return { v: at(raw, 'evidence', 0, 'data', 'vulnerability'), base: 'evidence[0].data.vulnerability' };
}

const SUPPRESSION_POINTS: Readonly<Record<string, number>> = {
  not_affected: -3.0,
  false_positive: -3.0,
  fixed: -3.0,
  accepted: -2.0,
};

function vulnerabilityFactors(v: FindingView, now: number): Factor[] {
  const out: Factor[] = [];
  const { v: vuln, base } = vulnerabilityOf(v.raw);
  const sevSource = str(at(vuln, 'severity', 'source'));
  const level = v.level!;
  if (sevSource === 'none') {
    out.push({
      name: 'severity',
      points: 0,
      evidence: `${base}.severity.source`,
      note: 'severity unknown (no CVSS vector or database grade; reported as medium)',
    });
  } else {
    out.push({ name: 'severity', points: WEAKNESS_LEVEL[level], evidence: 'severity', note: `severity ${level}` });
  }
  const vector = str(at(vuln, 'severity', 'vector'));
  if (vector !== undefined && vector.length < 300) {
    const metric = (k: string): string | undefined => new RegExp(`(?:^|/)${k}:([A-Z])`).exec(vector)?.[1];
    const av = metric('AV');
    const avPoints: Record<string, number> = { N: 0.5, A: 0, L: -0.25, P: -0.5 };
    const avName: Record<string, string> = { N: 'network', A: 'adjacent network', L: 'local', P: 'physical' };
    if (av !== undefined && av in avPoints)
      out.push({
        name: 'attack vector',
        points: avPoints[av] ?? 0,
        evidence: `${base}.severity.vector`,
        note: `attack vector ${avName[av]}`,
      });
    if (metric('PR') === 'N' && metric('UI') === 'N')
      out.push({
        name: 'no privileges or interaction',
        points: 0.25,
        evidence: `${base}.severity.vector`,
        note: 'exploitable without privileges or user interaction',
      });
  }
  const fixed = at(vuln, 'fixed');
  const upgrade = str(at(vuln, 'upgrade'));
  if ((Array.isArray(fixed) && fixed.length > 0) || upgrade !== undefined)
    out.push({
      name: 'fix available',
      points: 0.5,
      evidence: upgrade !== undefined ? `${base}.upgrade` : `${base}.fixed`,
      note: upgrade !== undefined ? `a fix exists (upgrade to ${upgrade.slice(0, 40)})` : 'a fixed version exists',
    });
  else out.push({ name: 'no fix', points: 0, evidence: `${base}.fixed`, note: 'no fixed version published' });
  if (at(v.raw, 'package', 'direct') === true)
    out.push({ name: 'direct dependency', points: 0.25, evidence: 'package.direct', note: 'a direct dependency' });
  const sup = at(v.raw, 'suppressed');
  const supStatus = str(at(sup, 'status'));
  // own keys only: `in` also finds `constructor` and `toString`, whose "points" were functions (a NaN score)
  if (supStatus !== undefined && Object.hasOwn(SUPPRESSION_POINTS, supStatus)) {
    const expires = str(at(sup, 'expires'));
    const exp = expires !== undefined ? Date.parse(expires) : Number.NaN;
    if (!Number.isNaN(exp) && exp <= now)
      out.push({
        name: 'suppression expired',
        points: 0,
        evidence: 'suppressed.expires',
        note: `a ${supStatus} statement expired on ${expires}`,
      });
    else
      out.push({
        name: 'suppressed',
        points: SUPPRESSION_POINTS[supStatus] ?? 0,
        evidence: 'suppressed.status',
        note: `suppressed as ${supStatus} (${(str(at(sup, 'source')) ?? 'no source').slice(0, 80)})`,
      });
  }
  const crit = criticalityFactor(v);
  if (crit) out.push(crit);
  return out;
}

function misconfigurationFactors(v: FindingView): Factor[] {
  const level = v.level!;
  const out: Factor[] = [
    { name: 'severity', points: WEAKNESS_LEVEL[level], evidence: 'severity', note: `severity ${level}` },
  ];
  const patch = str(at(v.raw, 'patch'));
  const ok = at(v.raw, 'verification', 'ok');
  if (patch !== undefined && ok !== false)
    out.push({ name: 'verified fix', points: 0.5, evidence: 'patch', note: 'a verified patch fixes it' });
  else if (ok === false)
    out.push({
      name: 'fix failed verification',
      points: 0,
      evidence: 'verification.reasons',
      note: 'the proposed fix failed verification',
    });
  else if (str(at(v.raw, 'unfixable')) !== undefined)
    out.push({ name: 'no fix', points: 0, evidence: 'unfixable', note: 'no automatic fix' });
  // profiles are the rule's tags for harden findings
  const profiles = v.tags;
  const baseline = profiles.some((p) => p === 'cis-l1-server' || p === 'pss-baseline');
  const depthOnly = !baseline && profiles.some((p) => p === 'cis-l2-server' || p === 'pss-restricted');
  if (depthOnly)
    out.push({
      name: 'defence in depth',
      points: -0.5,
      evidence: 'rule.tags',
      note: `only in ${profiles.filter((p) => p === 'cis-l2-server' || p === 'pss-restricted').join(', ')} (defence in depth beyond the baseline)`,
    });
  else if (baseline)
    out.push({ name: 'baseline', points: 0, evidence: 'rule.tags', note: 'part of the level-1 baseline' });
  const current = str(at(v.raw, 'current'));
  if (current !== undefined && current.startsWith('(default)'))
    out.push({ name: 'built-in default', points: 0, evidence: 'current', note: 'the service default applies' });
  const crit = criticalityFactor(v);
  if (crit) out.push(crit);
  return out;
}

function exposureFactors(v: FindingView): Factor[] {
  const level = v.level!;
  const out: Factor[] = [
    { name: 'severity', points: WEAKNESS_LEVEL[level], evidence: 'severity', note: `severity ${level}` },
  ];
  const crit = criticalityFactor(v);
  if (crit) out.push(crit);
  return out;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function signed(n: number): string {
  const r = Math.round(n * 100) / 100;
  return `${r >= 0 ? '+' : ''}${r}`;
}

/** Confidence of a label from the net score: 0.57 at the threshold, 0.75 at 2, 0.85 at 3, at most 0.95. */
export function labelConfidence(net: number): number {
  return Math.min(MAX_CONFIDENCE, 0.5 + 0.45 * (1 - Math.exp(-(Math.abs(net) - 0.75) / 1.5)));
}

/** The decision rule shared by every kind. */
export function decide(kindLine: string, factors: readonly Factor[]): Judgement {
  let pos = 0;
  let neg = 0;
  for (const f of factors) {
    if (f.points > 0) pos += f.points;
    else neg -= f.points;
  }
  const net = pos - neg;
  const parts = factors
    .filter((f) => f.note !== '')
    .map((f) => (f.points !== 0 ? `${f.note} ${signed(f.points)}` : f.note));
  const evidence = [...new Set(factors.map((f) => f.evidence))];
  const summary = `${kindLine} scored net ${signed(net)} (for ${round2(pos)}, against ${round2(neg)}): ${parts.join('; ')}.`;
  if (pos >= CONFLICT_THRESHOLD && neg >= CONFLICT_THRESHOLD) {
    return {
      label: 'needs-human',
      confidence: 0.5 + 0.3 * (Math.min(pos, neg) / Math.max(pos, neg)),
      rationale: `Conflicting factors, both strong. ${summary}`,
      evidence,
    };
  }
  if (net >= DECISION_THRESHOLD)
    return { label: 'malicious', confidence: labelConfidence(net), rationale: summary, evidence };
  if (net <= -DECISION_THRESHOLD)
    return { label: 'benign', confidence: labelConfidence(net), rationale: summary, evidence };
  return {
    label: 'needs-human',
    confidence: 0.5 + 0.3 * (1 - Math.abs(net) / DECISION_THRESHOLD),
    rationale: `Weak evidence either way. ${summary}`,
    evidence,
  };
}

// What the labels mean per kind is in docs/triage.md; the rationale names the kind so a reader can look it up.
const MEANING = {
  detection: 'Detection',
  vulnerability: 'Vulnerability',
  misconfiguration: 'Misconfiguration',
  exposure: 'Exposure',
} as const;

/** Judges one finding from its metadata. Never throws for odd input: what it cannot read, it says so. */
export function scoreFinding(v: FindingView, patterns: readonly KnownBenignPattern[], now: number): Judgement {
  if (v.kind === undefined)
    return cannotJudge(
      `Cannot judge: the finding's kind ${JSON.stringify(str(at(v.raw, 'kind')) ?? null)} is not one Mamori knows.`,
      ['kind'],
    );
  if (v.level === undefined)
    return cannotJudge('Cannot judge: the finding has no level or severity that Mamori knows.', [
      'rule.level',
      'severity',
    ]);
  switch (v.kind) {
    case 'detection':
      if (v.ruleId === undefined && v.ruleTitle === undefined)
        return cannotJudge('Cannot judge: the detection names no rule.', ['rule']);
      return decide(MEANING.detection, detectionFactors(v, patterns));
    case 'vulnerability': {
      const factors = vulnerabilityFactors(v, now);
      const { v: vuln, base } = vulnerabilityOf(v.raw);
      // "unknown" means the scanner could not evaluate the ranges: fail closed, unless a statement settles it
      if (str(at(vuln, 'status')) === 'unknown' && !factors.some((f) => f.name === 'suppressed'))
        return {
          label: 'needs-human',
          confidence: 0.5,
          rationale:
            'The scanner could not tell whether this version is affected (status unknown): a human must check the advisory against the package.',
          evidence: [`${base}.status`, `${base}.reasons`],
        };
      return decide(MEANING.vulnerability, factors);
    }
    case 'misconfiguration':
      return decide(MEANING.misconfiguration, misconfigurationFactors(v));
    case 'exposure':
      return decide(MEANING.exposure, exposureFactors(v));
  }
}
