// builtin-rarity: stack counting. A threat hunter's oldest trick is to count how often each behaviour occurs
// across the fleet and read the long tail: what runs on one host of fifty, once, is worth a look; what IT runs on
// forty hosts every week is not. This analyst does that for every detection, over the current batch (given to
// `prepare`) and the fleet's own history (FleetHistory, persisted between runs), and knows nothing of what the
// rule means. That is the point: it fails where the rules analyst does not (a high-level rule on an admin tool
// the whole fleet uses), and the rules analyst fails where it does not (a low-level rule on a one-off command).
//
// A behaviour is the rule plus the shape (shape.ts) of what the event did: image, parent, command line, target
// file/registry key/service, URL. Its counts are hosts, not events: one host looping a thousand times is still
// one host. Its time is days, not runs: thirty days of logs in one run are thirty days of baseline.
import type { Finding, Verdict } from '../../../core/index.ts';
import type { Analyst, AnalystContext } from '../../analyst.ts';
import { cannotJudge, guardedJudge, type Judgement } from '../verdict.ts';
import { hostKey, viewOf, type FactName, type FindingView } from '../view.ts';
import { dayOf, FleetHistory, hashId, isoDay, loadHistory, saveHistory } from './history.ts';
import { shapeOf } from './shape.ts';

/** The facts that say what a detection's event did; each present one is part of the behaviour. */
export const BEHAVIOUR_FACTS: readonly FactName[] = [
  'image',
  'parentImage',
  'commandLine',
  'sourceImage',
  'targetImage',
  'imageLoaded',
  'targetFilename',
  'targetObject',
  'serviceName',
  'serviceImage',
  'url',
  'action',
  'userAgent',
];

/**
 * The decision's thresholds. Shares are of the hosts that produced any detection (the only fleet this analyst
 * sees), estimated as (k + ½) / (N + 1) so that a small fleet cannot make anything look very rare or very common.
 */
export const RARITY_THRESHOLDS = {
  /** Below this many hosts, fleet prevalence is noise. */
  minFleetHosts: 5,
  /** Days of earlier findings a host (or the fleet) needs before something counts as new to it. */
  minBaselineDays: 3,
  /** Rare: on at most this many hosts ... */
  rareMaxHosts: 3,
  /** ... and at most this share of them (1 of 10 hosts is rare; 1 of 5 is not). */
  rareMaxShare: 0.15,
  /** Common: on at least this many hosts ... */
  commonMinHosts: 5,
  /** ... and at least this share. */
  commonMinShare: 0.25,
  /** Seen on this many distinct days: a standing practice rather than one event. */
  establishedDays: 3,
  /** Rarity is not maliciousness and prevalence is not innocence: never surer than this. */
  maxConfidence: 0.9,
} as const;
const T = RARITY_THRESHOLDS;

/** Correlation findings name several hosts (`ws1,ws2`); more than this are not counted one by one. */
const MAX_FINDING_HOSTS = 16;
const MAX_SHOWN_SHAPE = 160;

type Part = { readonly name: FactName; readonly shape: string; readonly path: string };
type HostRef = { readonly id: string; readonly name: string; readonly path: string };

/** What builtin-rarity counts of a detection. */
export type Behaviour = {
  readonly ruleId: string;
  /** The rule alone: how widely it fires at all. */
  readonly ruleKey: string;
  /** The rule and the shapes of what the event did. */
  readonly key: string;
  readonly parts: readonly Part[];
  readonly hosts: readonly HostRef[];
  readonly day: number;
};

/** The behaviour of a detection, or undefined when it names no rule. */
export function behaviourOf(v: FindingView, now: number): Behaviour | undefined {
  const ruleId = v.ruleId ?? v.ruleTitle;
  if (ruleId === undefined) return undefined;
  const user = v.facts.user?.value;
  const parts: Part[] = [];
  for (const name of BEHAVIOUR_FACTS) {
    const f = v.facts[name];
    if (f === undefined) continue;
    const shape = shapeOf(f.value, user);
    if (shape !== '') parts.push({ name, shape, path: f.path });
  }
  const hosts: HostRef[] = [];
  const h = v.facts.host;
  if (h !== undefined) {
    const names = h.value.includes(',') ? h.value.split(',').slice(0, MAX_FINDING_HOSTS) : [h.value];
    const seen = new Set<string>();
    for (const n of names) {
      const k = hostKey(n);
      if (k === '' || seen.has(k)) continue;
      seen.add(k);
      hosts.push({ id: hashId(`host\u0000${k}`), name: k, path: h.path });
    }
  }
  const ruleKey = `rule\u0000${ruleId}`;
  const key = [ruleKey, ...parts.map((p) => `${p.name}=${p.shape}`)].join('\u0000');
  return { ruleId, ruleKey, key, parts, hosts, day: dayOf(v.timeMs ?? now) };
}

/**
 * Records one detection's behaviour in the history; false when a cap refused it. `occurrences` 0 joins the host
 * and day sets only (idempotent), for a finding that may have been counted already.
 */
export function observeBehaviour(history: FleetHistory, b: Behaviour, occurrences = 1): boolean {
  const ids = [hashId(b.ruleKey), hashId(b.key)];
  if (b.hosts.length === 0) return history.observe(ids, undefined, b.day, occurrences) === 'counted';
  let ok = true;
  b.hosts.forEach((h, i) => {
    // one finding is one occurrence, however many hosts a correlation names
    if (history.observe(ids, h.id, b.day, i === 0 ? occurrences : 0) === 'overflow') ok = false;
  });
  return ok;
}

function share(k: number, n: number): number {
  return (k + 0.5) / (n + 1);
}

function clampConfidence(c: number): number {
  return Math.min(T.maxConfidence, Math.max(0, c));
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function describe(b: Behaviour): string {
  if (b.parts.length === 0)
    return `rule ${JSON.stringify(b.ruleId)} (the event carries no process, file or request facts; the rule is the behaviour)`;
  const shown = b.parts
    .filter((p) => p.name !== 'parentImage' || b.parts.length < 3)
    .slice(0, 3)
    .map((p) => {
      const s = p.shape.length > MAX_SHOWN_SHAPE ? `${p.shape.slice(0, MAX_SHOWN_SHAPE - 1)}…` : p.shape;
      return `${p.name} ${JSON.stringify(s)}`;
    });
  return `rule ${JSON.stringify(b.ruleId)} with ${shown.join(', ')}`;
}

/**
 * Judges one behaviour against the counts (which already include it). Pure: the same history and behaviour
 * give the same judgement.
 */
export function judgeBehaviour(b: Behaviour, history: FleetHistory): Judgement {
  const ks = history.keys.get(hashId(b.key));
  const what = describe(b);
  const evidence = ['rule.id', ...b.parts.map((p) => p.path)];
  if (ks === undefined)
    return cannotJudge(
      `Not counted: this run met more than ${history.limits.maxKeys} distinct behaviours, and the memory cap left ` +
        `this one (${what}) out; its rarity is unknown.`,
      evidence,
    );
  const rs = history.keys.get(hashId(b.ruleKey));
  const N = history.hosts.size;
  const nText = `${history.hostOverflow ? 'at least ' : ''}${N}`;
  const k = ks.hosts.size;
  const kText = `${k}${ks.saturated ? '+' : ''}`;
  const kR = rs?.hosts.size ?? k;
  const keyDays = ks.days.size;
  const timeLine =
    `first seen ${isoDay(ks.first)}, on ${plural(keyDays, 'day')}` +
    `${ks.count > 0 ? `, ${plural(ks.count, 'finding')} in this run` : ''}`;
  if (b.hosts.length === 0)
    return {
      label: 'needs-human',
      confidence: 0.2,
      rationale: `The finding names no host, so its rarity across hosts cannot be counted. Behaviour: ${what}; ${timeLine}.`,
      evidence: [...evidence, 'asset.name'],
    };
  evidence.push(b.hosts[0]!.path);

  const single = b.hosts.length === 1 ? b.hosts[0]! : undefined;
  const hostStats = single ? history.hosts.get(single.id) : undefined;
  const hostDays = hostStats?.days.before(b.day) ?? 0;
  const pair = single ? ks.hosts.get(single.id) : undefined;
  const onHostBefore = pair !== undefined && pair[0] < b.day;
  const fleetKnown = N >= T.minFleetHosts;
  const hostKnown = single !== undefined && hostDays >= T.minBaselineDays;
  const s = share(k, N);
  const sR = share(kR, N);

  const fleetLine = `${kText} of ${nText} hosts show it (the rule fires on ${kR} of them); ${timeLine}`;
  const hostLine =
    single === undefined
      ? `it names ${b.hosts.length} hosts, so no single host's baseline applies`
      : pair === undefined
        ? `on ${single.name}: not recorded (memory cap)`
        : onHostBefore
          ? `on ${single.name} since ${isoDay(pair[0])} (host baseline: ${plural(hostDays, 'earlier day')} with findings)`
          : hostKnown
            ? `new on ${single.name}, against a baseline of ${plural(hostDays, 'earlier day')} with findings`
            : `on ${single.name} only from ${isoDay(pair[0])} (host baseline: ${plural(hostDays, 'earlier day')}, too short to call it new)`;
  const facts = [
    `fleet: ${kText} of ${nText} hosts`,
    `rule: ${kR} of ${nText} hosts`,
    `seen on ${plural(keyDays, 'day')} since ${isoDay(ks.first)}`,
    ...(single ? [`host baseline: ${plural(hostDays, 'earlier day')}`] : []),
  ];
  const out = (label: Judgement['label'], confidence: number, lead: string): Judgement => ({
    label,
    confidence: clampConfidence(confidence),
    rationale: `${lead} Behaviour: ${what}. Fleet: ${fleetLine}. Host: ${hostLine}.`,
    evidence: [...evidence, ...facts],
  });

  if (!fleetKnown && !hostKnown)
    return out(
      'needs-human',
      0.25,
      `Too little data to call it rare or common: ${plural(N, 'host')} in the counts (${T.minFleetHosts} needed) and ` +
        `no host baseline of ${T.minBaselineDays} days.`,
    );

  if (fleetKnown) {
    const rare = !ks.saturated && k <= T.rareMaxHosts && s <= T.rareMaxShare;
    const common = k >= T.commonMinHosts && s >= T.commonMinShare;
    if (rare) {
      if (onHostBefore && keyDays >= T.establishedDays)
        return out(
          'needs-human',
          0.55,
          'Rare in the fleet but recurring on its host: a host-specific job, or something that persists there.',
        );
      // rarer is more telling: from 0.55 at the rare threshold towards 0.9 as the share falls
      let c = 0.55 + 0.35 * (1 - Math.exp(-Math.log2(T.rareMaxShare / s) / 2));
      const why: string[] = [`rare: on ${plural(k, 'host')} of ${nText}`];
      if (hostKnown && !onHostBefore) {
        c += 0.05;
        why.push('new on its host');
      }
      if (kR >= T.commonMinHosts && sR >= T.commonMinShare) {
        c += 0.05;
        why.push(`a one-off variant of a rule that fires on ${kR} hosts`);
      }
      if (ks.count <= 2 && keyDays <= 1) {
        c += 0.03;
        why.push('a one-off');
      }
      if (onHostBefore) {
        c -= 0.05;
        why.push('seen on its host before');
      }
      return out('malicious', c, `Unusual for this fleet (${why.join('; ')}).`);
    }
    if (common) {
      const burst = history.fleetDays.before(ks.first) >= T.minBaselineDays && keyDays < T.establishedDays;
      if (burst)
        return out(
          'needs-human',
          0.7,
          `New to a fleet with ${plural(history.fleetDays.before(ks.first), 'earlier day')} of history, and on ` +
            `${kText} hosts at once: a new deployment and a worm look alike until it has run on ` +
            `${T.establishedDays} days.`,
        );
      let c = 0.55 + 0.3 * Math.min(1, (s - T.commonMinShare) / (0.9 - T.commonMinShare));
      const why: string[] = [`common: on ${kText} of ${nText} hosts`];
      if (keyDays >= T.establishedDays) {
        c += 0.05;
        why.push(`a standing practice (${plural(keyDays, 'day')})`);
      }
      if (hostKnown && !onHostBefore) {
        c -= 0.05;
        why.push('though new on this host');
      }
      return out('benign', c, `Routine for this fleet (${why.join('; ')}).`);
    }
    if (ks.saturated)
      return out(
        'needs-human',
        0.3,
        'Counts incomplete (a memory cap left hosts out), and not common by what was counted.',
      );
    if (hostKnown && onHostBefore && keyDays >= T.establishedDays)
      return out('benign', 0.55, 'Neither rare nor common in the fleet, and a standing behaviour on this host.');
    return out('needs-human', 0.5, `Neither rare nor common: on ${kText} of ${nText} hosts.`);
  }

  // a fleet too small to compare, but a host with a baseline of its own
  if (!onHostBefore) {
    const c = 0.55 + 0.1 * Math.min(1, hostDays / 30);
    return out(
      'malicious',
      c,
      `New on this host against its own baseline (the fleet is too small to compare: ${plural(N, 'host')}).`,
    );
  }
  if (keyDays >= T.establishedDays)
    return out(
      'benign',
      0.55,
      `A standing behaviour on this host (the fleet is too small to compare: ${plural(N, 'host')}).`,
    );
  return out('needs-human', 0.4, 'Seen on this host before, but not often enough to call it routine.');
}

const WEAKNESS_KINDS = new Set(['vulnerability', 'misconfiguration', 'exposure']);
/** Finding ids remembered as counted; beyond this, a finding judge() meets only joins the sets (no occurrence). */
const MAX_COUNTED_IDS = 1_000_000;
const MAX_WEAKNESS_IDS = 50_000;
const MAX_ASSETS_PER_WEAKNESS = 10_000;

export type RarityOptions = {
  /** Where the history lives; without it, rarity is counted over the batch alone and nothing is kept. */
  readonly historyDir?: string;
  /** Clock for findings without a time and for the history's `written` (epoch ms). */
  readonly now?: () => number;
};

/**
 * `builtin-rarity`: how rare a detection's behaviour is across the fleet, per host and over time. Judges
 * detections only: for vulnerabilities, misconfigurations and exposures it answers needs-human (how many assets
 * share a weakness says how far its fix must reach, not whether it is real), with the batch's prevalence as
 * context for whoever decides.
 */
export class BuiltinRarityAnalyst implements Analyst {
  readonly name = 'builtin-rarity';
  readonly #history: FleetHistory;
  readonly #dir: string | undefined;
  readonly #now: () => number;
  #prepared = false;
  #closed = false;
  readonly #weakness = new Map<string, Set<string>>();
  /** Ids of the findings already counted (by prepare or an earlier judge), so that none counts twice. */
  readonly #counted = new Set<string>();

  constructor(history: FleetHistory, options: RarityOptions = {}) {
    this.#history = history;
    this.#dir = options.historyDir;
    this.#now = options.now ?? Date.now;
  }

  /** The counts (for tests and diagnostics; do not mutate). */
  get history(): FleetHistory {
    return this.#history;
  }

  prepare(findings: readonly Finding[]): void {
    const now = this.#now();
    for (const f of findings) this.#countOnce(viewOf(f), now);
    this.#prepared = true;
  }

  /**
   * Counts a finding unless it was counted already. Keyed by finding id: the earlier test ("is its behaviour
   * in the history yet?") left out a late finding whose behaviour prepare had seen on other hosts, so its host
   * and day never joined the counts and a spreading behaviour kept looking rare.
   */
  #countOnce(v: FindingView, now: number): void {
    if (v.id !== '' && this.#counted.has(v.id)) return;
    const remembered = v.id !== '' && this.#counted.size < MAX_COUNTED_IDS;
    if (remembered) this.#counted.add(v.id);
    // one we cannot remember may be one prepare counted: join the sets (idempotent) without a second occurrence
    this.#observe(v, now, remembered || !this.#prepared ? 1 : 0);
  }

  #observe(v: FindingView, now: number, occurrences: number): void {
    if (v.kind === 'detection') {
      const b = behaviourOf(v, now);
      if (b) observeBehaviour(this.#history, b, occurrences);
      return;
    }
    if (v.kind === undefined || !WEAKNESS_KINDS.has(v.kind) || v.ruleId === undefined) return;
    const id = `${v.kind}\u0000${v.ruleId}`;
    let assets = this.#weakness.get(id);
    if (assets === undefined) {
      if (this.#weakness.size >= MAX_WEAKNESS_IDS) return;
      assets = new Set();
      this.#weakness.set(id, assets);
    }
    if (assets.size < MAX_ASSETS_PER_WEAKNESS) assets.add(v.assetName ?? '');
  }

  judge(finding: Finding, ctx: AnalystContext): Promise<Verdict> {
    return Promise.resolve(guardedJudge(this.name, finding, ctx, () => this.#score(viewOf(finding), ctx.now())));
  }

  #score(v: FindingView, now: number): Judgement {
    if (v.kind === undefined) return cannotJudge("Cannot judge: the finding's kind is not one Mamori knows.", ['kind']);
    if (v.kind !== 'detection') return this.#weaknessJudgement(v, now);
    const b = behaviourOf(v, now);
    if (b === undefined) return cannotJudge('Cannot judge: the detection names no rule.', ['rule']);
    // a finding prepare did not see (a stream, or a late one) joins the counts before it is judged, so that it
    // is in the history close() writes and is weighed against everything seen so far
    this.#countOnce(v, now);
    return judgeBehaviour(b, this.#history);
  }

  #weaknessJudgement(v: FindingView, now: number): Judgement {
    this.#countOnce(v, now);
    const id = v.ruleId === undefined ? undefined : this.#weakness.get(`${v.kind}\u0000${v.ruleId}`);
    const prevalence =
      id === undefined
        ? ''
        : ` In this run ${JSON.stringify(v.ruleId)} is reported on ${plural(id.size, 'asset')}${id.size >= MAX_ASSETS_PER_WEAKNESS ? ' or more' : ''}.`;
    return cannotJudge(
      `builtin-rarity does not judge ${v.kind} findings: how many assets share a weakness says how far its fix ` +
        `must reach, not whether it is real or exploitable here.${prevalence}`,
      ['kind', 'rule.id'],
    );
  }

  /**
   * Writes the history (when there is a directory and something new): it re-reads the file first and adds what
   * another run wrote meanwhile, so two runs that overlap both count. Throws HISTORY_UNREADABLE / HISTORY_WRITE.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#dir === undefined || !this.#history.dirty) return;
    const onDisk = await loadHistory(this.#dir, this.#history.limits);
    this.#history.merge(onDisk);
    this.#history.prune();
    await saveHistory(this.#dir, this.#history, this.#now());
    this.#history.dirty = false;
  }
}

/** Creates builtin-rarity, loading the history in `historyDir` when it exists (HISTORY_* errors otherwise). */
export async function createRarityAnalyst(
  options: RarityOptions & { limits?: FleetHistory['limits'] } = {},
): Promise<BuiltinRarityAnalyst> {
  const history =
    options.historyDir === undefined
      ? new FleetHistory(options.limits)
      : await loadHistory(options.historyDir, options.limits);
  return new BuiltinRarityAnalyst(history, options);
}
