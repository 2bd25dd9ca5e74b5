// builtin-rules' scoring: what a rule's level, status, tactics and false positives, the asset's criticality and
// the kind-specific facts do to the label and confidence; odd input gives needs-human, never a throw.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, RuleRef } from '../../../core/finding.ts';
import type { Verdict } from '../../../core/verdict.ts';
import {
  abortedCtx,
  ctx,
  exposureFinding,
  misconfigurationFinding,
  NOW,
  sigmaRule,
  sysmonDetection,
  vulnerabilityFinding,
} from '../test-helpers.ts';
import { viewOf } from '../view.ts';
import { BuiltinRulesAnalyst } from './analyst.ts';
import { loadKnownBenign } from './index.ts';
import { decide, falsePositivePoints, labelConfidence, scoreFinding } from './score.ts';

const patterns = await loadKnownBenign();
const analyst = new BuiltinRulesAnalyst(patterns);

/** A cmd.exe child of explorer on a workstation: nothing a known-benign pattern excuses. */
function detection(rule: Partial<RuleRef> & Pick<RuleRef, 'level'>, asset: Partial<Finding['asset']> = {}): Finding {
  return sysmonDetection(
    {
      host: 'ws-042',
      image: 'C:\\Windows\\System32\\cmd.exe',
      commandLine: 'cmd.exe /c whoami /all',
      parentImage: 'C:\\Windows\\explorer.exe',
      user: 'CORP\\k.sato',
    },
    sigmaRule({ tags: [], ...rule }),
    asset,
  );
}

function judge(f: unknown): Promise<Verdict> {
  return analyst.judge(f as Finding, ctx());
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

describe('builtin-rules: detections', () => {
  it('the level sets the direction: critical credential theft is malicious, an informational discovery benign', async () => {
    const crit = await judge(
      detection({
        level: 'critical',
        status: 'stable',
        tags: ['attack.credential-access'],
        falsepositives: ['Unlikely'],
      }),
    );
    // 2.0 (critical) + 1.0 (credential-access) + 0.5 ("Unlikely")
    assert.equal(crit.label, 'malicious');
    assert.equal(crit.confidence, round(labelConfidence(3.5)));
    assert.ok(crit.confidence > 0.85 && crit.confidence <= 0.95);
    assert.match(crit.rationale, /net \+3\.5/);
    assert.ok(crit.evidence.includes('rule.level') && crit.evidence.includes('rule.falsepositives'));

    const info = await judge(detection({ level: 'informational', status: 'stable', tags: ['attack.discovery'] }));
    assert.equal(info.label, 'benign');
    assert.equal(info.confidence, round(labelConfidence(2)));

    const medium = await judge(detection({ level: 'medium', status: 'stable' }));
    assert.equal(medium.label, 'needs-human');
    assert.equal(medium.confidence, 0.8);
  });

  it('the status scales the rule: stable high → malicious, deprecated high → needs-human', async () => {
    const tags = ['attack.execution', 'attack.t1059.001'];
    const stable = await judge(detection({ level: 'high', status: 'stable', tags }));
    const test = await judge(detection({ level: 'high', status: 'test', tags }));
    const experimental = await judge(detection({ level: 'high', status: 'experimental', tags }));
    const deprecated = await judge(detection({ level: 'high', status: 'deprecated', tags }));
    assert.equal(stable.label, 'malicious');
    assert.equal(stable.confidence, round(labelConfidence(1.55)));
    assert.equal(test.label, 'malicious');
    assert.equal(experimental.label, 'malicious');
    assert.ok(stable.confidence > test.confidence && test.confidence > experimental.confidence);
    // 1.55 × 0.5
    assert.equal(deprecated.label, 'needs-human');
    assert.match(deprecated.rationale, /status deprecated \(rule points ×0\.5\)/);
  });

  it('an unknown or prototype-named status counts as unknown (×0.85), not NaN', async () => {
    for (const status of ['constructor', '__proto__', 'toString', 'production']) {
      const v = await judge(detection({ level: 'high', status, tags: ['attack.execution'] }));
      assert.equal(v.label, 'malicious', status);
      assert.equal(v.confidence, round(labelConfidence(1.55 * 0.85)), status);
      assert.doesNotMatch(v.rationale, /NaN/, status);
    }
  });

  it('tactics: the most serious counts; discovery pulls down', async () => {
    const lateral = await judge(detection({ level: 'high', status: 'stable', tags: ['attack.lateral-movement'] }));
    assert.equal(lateral.label, 'malicious');
    assert.match(lateral.rationale, /tactic lateral-movement \+0\.8/);
    const discovery = await judge(detection({ level: 'high', status: 'stable', tags: ['attack.discovery'] }));
    assert.equal(discovery.label, 'needs-human');
    const both = await judge(
      detection({
        level: 'high',
        status: 'stable',
        tags: ['attack.discovery', 'attack.t1003', 'attack.credential-access'],
      }),
    );
    assert.match(both.rationale, /tactic credential-access \+1\b/);
    assert.equal(both.confidence, round(labelConfidence(2.25)));
    // technique, group and software tags are not tactics
    const techniques = await judge(
      detection({ level: 'high', status: 'stable', tags: ['attack.t1003.001', 'attack.g0016'] }),
    );
    assert.doesNotMatch(techniques.rationale, /tactic/);
    const hunting = await judge(
      detection({ level: 'high', status: 'stable', tags: ['attack.execution', 'detection.threat-hunting'] }),
    );
    // 1.25 + 0.3 - 0.75
    assert.equal(hunting.label, 'needs-human');
    assert.match(hunting.rationale, /threat-hunting/);
  });

  it('false positives the authors expect weaken the rule, "unlikely" strengthens it', async () => {
    const base = { level: 'high', status: 'stable', tags: ['attack.execution'] } as const;
    const admin = await judge(detection({ ...base, falsepositives: ['Legitimate administrative activity'] }));
    assert.equal(admin.label, 'malicious');
    assert.equal(admin.confidence, round(labelConfidence(1.05)));
    const common = await judge(detection({ ...base, falsepositives: ['Common in environments with many scripts'] }));
    assert.equal(common.label, 'needs-human');
    assert.match(common.rationale, /false positives expected/);
    const unlikely = await judge(detection({ ...base, falsepositives: ['Unlikely'] }));
    assert.ok(unlikely.confidence > admin.confidence);
    assert.deepEqual(falsePositivePoints([]), { points: 0, note: 'no false positives listed' });
    assert.equal(falsePositivePoints(['Unknown']).points, 0);
    assert.equal(falsePositivePoints(['Very unlikely']).points, 0.5);
    assert.equal(falsePositivePoints(['Rare legitimate use by installers']).points, -0.25);
    assert.equal(falsePositivePoints(['Some custom in-house tool']).points, -0.5);
    assert.equal(falsePositivePoints(['Frequently seen on build servers']).points, -1);
    // the most benign-suggesting note counts
    assert.equal(falsePositivePoints(['Unlikely', 'Legitimate backup software']).points, -0.5);
  });

  it('asset criticality raises concern (critical, high) or lowers it (low)', async () => {
    const rule = { level: 'medium', status: 'stable', tags: ['attack.lateral-movement'] } as const;
    const plain = await judge(detection(rule));
    const critical = await judge(detection(rule, { criticality: 'critical' }));
    const high = await judge(detection(rule, { criticality: 'high' }));
    assert.equal(plain.label, 'needs-human');
    assert.equal(critical.label, 'malicious');
    assert.equal(critical.confidence, round(labelConfidence(1.55)));
    assert.ok(critical.evidence.includes('asset.criticality'));
    // 0.8 + 0.4 = 1.2
    assert.equal(high.label, 'malicious');
    assert.ok(high.confidence < critical.confidence);
    const highRule = { level: 'high', status: 'stable', tags: [] } as const;
    assert.equal((await judge(detection(highRule))).label, 'malicious');
    // 1.25 - 0.3
    assert.equal((await judge(detection(highRule, { criticality: 'low' }))).label, 'needs-human');
  });

  it('strong evidence on both sides is a conflict: needs-human whatever the net', () => {
    const j = decide('Detection', [
      { name: 'level', points: 2.5, evidence: 'rule.level', note: 'level critical' },
      { name: 'known benign', points: -3, evidence: 'known-benign:x', note: 'known-benign pattern x' },
    ]);
    assert.equal(j.label, 'needs-human');
    assert.match(j.rationale, /^Conflicting factors/);
    assert.equal(round(j.confidence), round(0.5 + 0.3 * (2.5 / 3)));
  });

  it('labelConfidence: 0.57 at the threshold, 0.75 at 2, 0.85 at 3, never above 0.95', () => {
    assert.equal(Math.round(labelConfidence(1) * 100) / 100, 0.57);
    assert.equal(Math.round(labelConfidence(2) * 100) / 100, 0.75);
    assert.equal(Math.round(labelConfidence(3) * 100) / 100, 0.85);
    assert.ok(labelConfidence(50) <= 0.95);
    assert.equal(round(labelConfidence(50)), 0.95);
    assert.equal(labelConfidence(-3), labelConfidence(3));
  });
});

describe('builtin-rules: vulnerabilities', () => {
  const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';

  it('a network-exploitable high CVE with a fix is malicious (real, fix it)', async () => {
    const v = await judge(vulnerabilityFinding({ level: 'high', vector, fixed: ['4.17.21'], upgrade: '4.17.21' }));
    // 1.25 + 0.5 (network) + 0.25 (no privileges or interaction) + 0.5 (fix)
    assert.equal(v.label, 'malicious');
    assert.equal(v.confidence, round(labelConfidence(2.5)));
    assert.match(v.rationale, /attack vector network \+0\.5/);
    assert.match(v.rationale, /upgrade to 4\.17\.21/);
    assert.ok(v.evidence.includes('vulnerability.severity.vector'));
    assert.ok(v.evidence.includes('vulnerability.upgrade'));
  });

  it('the attack vector and a fix move the score', async () => {
    const physical = await judge(
      vulnerabilityFinding({ level: 'high', vector: 'CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:H/I:N/A:N' }),
    );
    // 1.25 - 0.5, no fix
    assert.equal(physical.label, 'needs-human');
    assert.match(physical.rationale, /no fixed version published/);
    const medium = await judge(vulnerabilityFinding({ level: 'medium', vector, fixed: ['4.17.21'] }));
    // 0.25 + 0.5 + 0.25 + 0.5
    assert.equal(medium.label, 'malicious');
    const mediumLocal = await judge(
      vulnerabilityFinding({ level: 'medium', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H' }),
    );
    // 0.25 - 0.25, no fix
    assert.equal(mediumLocal.label, 'needs-human');
    assert.match(mediumLocal.rationale, /attack vector local -0\.25/);
    const low = await judge(vulnerabilityFinding({ level: 'low', source: 'database' }));
    // -0.75: weak
    assert.equal(low.label, 'needs-human');
    const direct = await judge(vulnerabilityFinding({ level: 'high', direct: true }));
    assert.match(direct.rationale, /a direct dependency \+0\.25/);
  });

  it('a VEX not_affected statement weighs against it; an expired one does not', async () => {
    const suppressed = await judge(
      vulnerabilityFinding({ level: 'medium', vector, fixed: ['4.17.21'], suppressed: { status: 'not_affected' } }),
    );
    // 1.5 - 3
    assert.equal(suppressed.label, 'benign');
    assert.match(suppressed.rationale, /suppressed as not_affected \(\.mamori-ignore\.yaml:3\) -3/);
    assert.ok(suppressed.evidence.includes('suppressed.status'));
    const expired = await judge(
      vulnerabilityFinding({
        level: 'medium',
        vector,
        fixed: ['4.17.21'],
        suppressed: { status: 'not_affected', expires: new Date(NOW - 86_400_000).toISOString() },
      }),
    );
    assert.equal(expired.label, 'malicious');
    assert.match(expired.rationale, /expired/);
    // a high network CVE against a statement: both strong, a human decides
    const conflict = await judge(
      vulnerabilityFinding({ level: 'high', vector, fixed: ['4.17.21'], suppressed: { status: 'not_affected' } }),
    );
    assert.equal(conflict.label, 'needs-human');
    assert.match(conflict.rationale, /^Conflicting factors/);
  });

  it('a suppression status that is not a VEX status is ignored, not NaN', async () => {
    for (const status of ['constructor', 'toString', 'hasOwnProperty', 'under_investigation']) {
      const v = await judge(vulnerabilityFinding({ level: 'high', vector, fixed: ['1'], suppressed: { status } }));
      assert.equal(v.label, 'malicious', status);
      assert.equal(v.confidence, round(labelConfidence(2.5)), status);
      assert.doesNotMatch(v.rationale, /NaN|suppressed as/, status);
    }
  });

  it('status unknown (ranges not evaluable) fails closed; unknown severity counts 0', async () => {
    const unknown = await judge(vulnerabilityFinding({ level: 'critical', vector, status: 'unknown' }));
    assert.equal(unknown.label, 'needs-human');
    assert.equal(unknown.confidence, 0.5);
    assert.ok(unknown.evidence.includes('vulnerability.status'));
    const settled = await judge(
      vulnerabilityFinding({ level: 'low', status: 'unknown', suppressed: { status: 'not_affected' } }),
    );
    assert.equal(settled.label, 'benign');
    const noGrade = await judge(vulnerabilityFinding({ source: 'none' }));
    assert.match(noGrade.rationale, /severity unknown/);
    assert.equal(noGrade.label, 'needs-human');
  });

  it('a critical asset raises a medium CVE', async () => {
    const plain = await judge(vulnerabilityFinding({ level: 'medium' }));
    const crit = await judge(vulnerabilityFinding({ level: 'medium', criticality: 'critical' }));
    assert.equal(plain.label, 'needs-human');
    assert.equal(crit.label, 'malicious');
  });
});

describe('builtin-rules: misconfigurations and exposures', () => {
  it('a verified patch makes a high finding surer than a failed one; a medium with a fix stays weak', async () => {
    const patched = await judge(misconfigurationFinding({ level: 'high', verified: true }));
    const failed = await judge(misconfigurationFinding({ level: 'high', verified: false }));
    assert.equal(patched.label, 'malicious');
    assert.equal(patched.confidence, round(labelConfidence(1.75)));
    assert.match(patched.rationale, /a verified patch fixes it \+0\.5/);
    assert.equal(failed.label, 'malicious');
    assert.equal(failed.confidence, round(labelConfidence(1.25)));
    assert.match(failed.rationale, /failed verification/);
    const medium = await judge(misconfigurationFinding({ level: 'medium' }));
    // 0.25 + 0.5
    assert.equal(medium.label, 'needs-human');
    const unfixable = await judge(misconfigurationFinding({ level: 'medium', unfixable: 'set in an included file' }));
    assert.match(unfixable.rationale, /no automatic fix/);
  });

  it('defence-in-depth-only checks lean benign; a default value is noted', async () => {
    const l2 = await judge(misconfigurationFinding({ level: 'low', profiles: ['cis-l2-server'], patch: false }));
    // -0.75 - 0.5
    assert.equal(l2.label, 'benign');
    assert.match(l2.rationale, /defence in depth/);
    const l1 = await judge(misconfigurationFinding({ level: 'low', profiles: ['cis-l1-server', 'cis-l2-server'] }));
    assert.match(l1.rationale, /level-1 baseline/);
    const def = await judge(misconfigurationFinding({ level: 'high', current: '(default) yes' }));
    assert.match(def.rationale, /service default/);
  });

  it('exposures: severity and criticality', async () => {
    assert.equal((await judge(exposureFinding('high'))).label, 'malicious');
    assert.equal((await judge(exposureFinding('medium'))).label, 'needs-human');
    assert.equal((await judge(exposureFinding('medium', 'critical'))).label, 'malicious');
    assert.equal((await judge(exposureFinding('informational'))).label, 'benign');
    assert.match((await judge(exposureFinding('high'))).rationale, /^Exposure scored/);
  });
});

describe('builtin-rules: odd input, aborts and bounds', () => {
  it('an unknown kind or garbage finding gives needs-human with confidence 0, never a throw', async () => {
    const good = detection({ level: 'high' });
    const cases: unknown[] = [
      null,
      undefined,
      42,
      'f-0',
      [],
      {},
      { ...good, kind: 'incident' },
      { ...good, kind: '__proto__' },
      { ...good, rule: { ...good.rule, level: 'severe' }, severity: 'urgent' },
      { ...good, rule: { level: 'high' } },
      { ...good, rule: null, evidence: 'x', asset: 7 },
    ];
    for (const f of cases) {
      const v = await judge(f);
      assert.equal(v.label, 'needs-human', JSON.stringify(f)?.slice(0, 80));
      assert.equal(v.confidence, 0, JSON.stringify(f)?.slice(0, 80));
      assert.equal(v.abstained, undefined);
      assert.equal(v.analyst, 'builtin-rules');
      assert.ok(v.rationale.length > 0);
    }
    assert.match((await judge({ ...good, kind: 'incident' })).rationale, /kind "incident" is not one Mamori knows/);
  });

  it('reads a bare finding with odd field types without throwing', async () => {
    const bare = {
      id: 'f-1',
      kind: 'detection',
      severity: 'high',
      rule: { id: 'r', title: 't', level: 'high', tags: 'x' },
    };
    const v = await judge(bare);
    // tags that are not a list are ignored; no asset, no evidence: the rule alone speaks (1.25 × 0.85)
    assert.equal(v.label, 'malicious');
    assert.equal(v.confidence, round(labelConfidence(1.25 * 0.85)));
    assert.equal(v.findingId, 'f-1');
  });

  it('falls back to the finding severity when the rule has no level', async () => {
    const f = detection({ level: 'high', status: 'stable', tags: ['attack.impact'] });
    const noLevel = { ...f, rule: { ...f.rule, level: undefined }, severity: 'critical' };
    const v = await judge(noLevel);
    assert.equal(v.label, 'malicious');
    assert.match(v.rationale, /level critical/);
  });

  it('an aborted signal is a timeout abstention', async () => {
    const v = await analyst.judge(detection({ level: 'critical' }), abortedCtx());
    assert.equal(v.label, 'needs-human');
    assert.equal(v.confidence, 0);
    assert.equal(v.abstained?.reason, 'timeout');
    assert.equal(v.findingId, detection({ level: 'critical' }).id);
  });

  it('verdicts carry the finding id, zero cost, rounded confidence and bounded text', async () => {
    const huge = 'x'.repeat(5000);
    const f = detection({
      level: 'high',
      title: huge,
      id: huge,
      tags: Array.from({ length: 200 }, (_, i) => `attack.tag-${i}`),
      falsepositives: Array.from({ length: 200 }, () => `Legitimate ${huge}`),
    });
    const v = await analyst.judge(f, ctx());
    assert.equal(v.findingId, f.id);
    assert.deepEqual(v.cost, { inputTokens: 0, outputTokens: 0, usd: 0 });
    assert.ok(v.rationale.length <= 2000);
    assert.ok(v.evidence.length <= 20);
    assert.ok(v.evidence.every((e) => e.length <= 300));
    assert.equal(v.confidence, round(v.confidence));
    assert.equal(v.latencyMs, 0);
  });

  it('scoreFinding is pure: same view, same judgement', () => {
    const view = viewOf(detection({ level: 'high', tags: ['attack.persistence'] }));
    assert.deepEqual(scoreFinding(view, patterns, NOW), scoreFinding(view, patterns, NOW));
  });
});
