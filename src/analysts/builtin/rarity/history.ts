// The fleet's memory for builtin-rarity: which behaviours were seen on which hosts, on which days. One structure
// holds the persisted history and the current batch together, because every update is a set union (a host joins
// a behaviour's host set, a day joins its day set, first/last seen move outward). Unions are idempotent, so
// triaging the same findings twice, or merging a history file that already holds this run, counts nothing twice,
// which occurrence counters would. The only counter, `count`, is per run and never persisted.
//
// Bounded: at most `maxKeys` behaviours, `maxHosts` hosts, `maxPairs` (behaviour, host) pairs overall and
// `maxHostsPerKey` per behaviour; day sets keep their most recent days. What a cap refuses is recorded (`overflow`,
// `saturated`) so the analyst can say "not counted" instead of mistaking a missing count for a rare one.
//
// The file stores hashes of behaviour keys and host names, not command lines or names: it stays small and says
// little on its own. It is not anonymous (a host name can be guessed and hashed), so it is written 0600.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256Hex } from '../../../core/ids.ts';
import { BuiltinAnalystError } from '../errors.ts';

export const HISTORY_FORMAT = 'mamori-rarity-history';
export const HISTORY_VERSION = 1;
export const HISTORY_FILE = 'rarity-history.json';

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 UTC: the unit of "seen before", so a batch of thirty days of logs is thirty days of history. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** A behaviour key or host name as stored: 64 bits of its SHA-256 (collisions are negligible at these caps). */
export function hashId(text: string): string {
  return sha256Hex(text).slice(0, 16);
}

export type HistoryLimits = {
  readonly maxKeys: number;
  readonly maxHosts: number;
  readonly maxPairs: number;
  readonly maxHostsPerKey: number;
  /** Distinct days kept per behaviour and per host (the most recent). */
  readonly maxDays: number;
  /** Distinct days kept for the fleet as a whole. */
  readonly maxFleetDays: number;
  /** On write, behaviours and hosts not seen for this many days before the newest day in the data are dropped. */
  readonly retentionDays: number;
};

/** About 20-40 MB of heap at the caps; a history file of a few MB in practice. */
export const DEFAULT_LIMITS: HistoryLimits = {
  maxKeys: 50_000,
  maxHosts: 100_000,
  maxPairs: 250_000,
  maxHostsPerKey: 2_000,
  maxDays: 64,
  maxFleetDays: 1_024,
  retentionDays: 180,
};

/** A sorted set of days that keeps only the `cap` most recent. */
export class DaySet {
  #days: number[] = [];
  readonly #cap: number;
  constructor(cap: number, days: readonly number[] = []) {
    this.#cap = cap;
    for (const d of days) this.add(d);
  }
  add(day: number): void {
    const a = this.#days;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]! < day) lo = mid + 1;
      else hi = mid;
    }
    if (a[lo] === day) return;
    if (a.length >= this.#cap) {
      // full: a day older than everything kept is not kept
      if (lo === 0) return;
      a.splice(lo, 0, day);
      a.shift();
    } else a.splice(lo, 0, day);
  }
  get size(): number {
    return this.#days.length;
  }
  /** How many kept days are before `day` (a lower bound once the set has dropped old days). */
  before(day: number): number {
    let n = 0;
    for (const d of this.#days) if (d < day) n++;
    return n;
  }
  get last(): number | undefined {
    return this.#days.at(-1);
  }
  dropBefore(day: number): void {
    this.#days = this.#days.filter((d) => d >= day);
  }
  toArray(): number[] {
    return [...this.#days];
  }
}

export type HostStats = { first: number; readonly days: DaySet };

/** A behaviour: when and on how many days it was seen, and on which hosts (first and last day on each). */
export type KeyStats = {
  first: number;
  last: number;
  readonly days: DaySet;
  /** Host id → [first day, last day] on that host. */
  readonly hosts: Map<string, [number, number]>;
  /** Some host was not recorded (a cap): `hosts.size` is a lower bound. */
  saturated: boolean;
  /** Findings of this behaviour seen in this process (not persisted: it would double on a re-run). */
  count: number;
};

/** What an observation was: counted, or refused by a cap. */
export type Observed = 'counted' | 'overflow';

export class FleetHistory {
  readonly limits: HistoryLimits;
  readonly hosts = new Map<string, HostStats>();
  readonly keys = new Map<string, KeyStats>();
  readonly fleetDays: DaySet;
  #pairs = 0;
  /** Some behaviour was not recorded because `maxKeys` was reached. */
  overflow = false;
  /** Some host was not recorded because `maxHosts` was reached. */
  hostOverflow = false;
  /** Changed since loaded (close writes only then). */
  dirty = false;

  constructor(limits: HistoryLimits = DEFAULT_LIMITS) {
    this.limits = limits;
    this.fleetDays = new DaySet(limits.maxFleetDays);
  }

  get pairs(): number {
    return this.#pairs;
  }

  /** Records that `host` (undefined: unknown) showed every behaviour in `keyIds` on `day`. */
  observe(keyIds: readonly string[], host: string | undefined, day: number, occurrences = 1): Observed {
    const L = this.limits;
    this.dirty = true;
    this.fleetDays.add(day);
    let hostKnown = false;
    if (host !== undefined) {
      let h = this.hosts.get(host);
      if (h === undefined && this.hosts.size < L.maxHosts) {
        h = { first: day, days: new DaySet(L.maxDays) };
        this.hosts.set(host, h);
      } else if (h === undefined) this.hostOverflow = true;
      if (h !== undefined) {
        h.first = Math.min(h.first, day);
        h.days.add(day);
        hostKnown = true;
      }
    }
    let result: Observed = 'counted';
    for (const id of keyIds) {
      let k = this.keys.get(id);
      if (k === undefined) {
        if (this.keys.size >= L.maxKeys) {
          this.overflow = true;
          result = 'overflow';
          continue;
        }
        k = { first: day, last: day, days: new DaySet(L.maxDays), hosts: new Map(), saturated: false, count: 0 };
        this.keys.set(id, k);
      }
      k.first = Math.min(k.first, day);
      k.last = Math.max(k.last, day);
      k.days.add(day);
      k.count += occurrences;
      if (host === undefined) continue;
      if (!hostKnown) {
        k.saturated = true;
        continue;
      }
      const p = k.hosts.get(host);
      if (p !== undefined) {
        p[0] = Math.min(p[0], day);
        p[1] = Math.max(p[1], day);
      } else if (k.hosts.size < L.maxHostsPerKey && this.#pairs < L.maxPairs) {
        k.hosts.set(host, [day, day]);
        this.#pairs++;
      } else k.saturated = true;
    }
    return result;
  }

  /** Adds everything `other` knows (used to fold in a history another run wrote meanwhile). */
  merge(other: FleetHistory): void {
    for (const d of other.fleetDays.toArray()) this.fleetDays.add(d);
    for (const [id, h] of other.hosts) {
      for (const d of h.days.toArray()) this.observe([], id, d, 0);
      const mine = this.hosts.get(id);
      if (mine) mine.first = Math.min(mine.first, h.first);
    }
    for (const [id, k] of other.keys) {
      const days = k.days.toArray();
      for (const [host, [first, last]] of k.hosts) {
        this.observe([id], host, first, 0);
        if (last !== first) this.observe([id], host, last, 0);
      }
      for (const d of [k.first, ...days, k.last]) this.observe([id], undefined, d, 0);
      const mine = this.keys.get(id);
      if (mine && k.saturated) mine.saturated = true;
    }
    this.overflow ||= other.overflow;
  }

  /** Drops what was last seen more than `retentionDays` before the newest day in the data. */
  prune(): void {
    const newest = this.fleetDays.last;
    if (newest === undefined) return;
    const cutoff = newest - this.limits.retentionDays;
    this.fleetDays.dropBefore(cutoff);
    for (const [id, h] of this.hosts) {
      h.days.dropBefore(cutoff);
      if (h.days.size === 0) this.hosts.delete(id);
    }
    for (const [id, k] of this.keys) {
      if (k.last < cutoff) {
        this.#pairs -= k.hosts.size;
        this.keys.delete(id);
        continue;
      }
      k.days.dropBefore(cutoff);
      for (const [host, [, last]] of k.hosts) {
        if (last < cutoff || !this.hosts.has(host)) {
          k.hosts.delete(host);
          this.#pairs--;
        }
      }
    }
  }

  toJSON(now: number): HistoryJson {
    const hosts: HistoryJson['hosts'] = {};
    for (const [id, h] of this.hosts) hosts[id] = { first: h.first, days: h.days.toArray() };
    const keys: HistoryJson['keys'] = {};
    for (const [id, k] of this.keys) {
      keys[id] = {
        first: k.first,
        last: k.last,
        days: k.days.toArray(),
        hosts: Object.fromEntries(k.hosts),
        ...(k.saturated ? { saturated: true } : {}),
      };
    }
    return {
      format: HISTORY_FORMAT,
      version: HISTORY_VERSION,
      written: new Date(now).toISOString(),
      fleetDays: this.fleetDays.toArray(),
      hosts,
      keys,
    };
  }

  /**
   * A history from its checked JSON. Over the caps (a file written with larger ones), the most recently seen
   * behaviours and hosts are kept.
   */
  static fromJSON(j: HistoryJson, limits: HistoryLimits = DEFAULT_LIMITS): FleetHistory {
    const h = new FleetHistory(limits);
    for (const d of j.fleetDays) h.fleetDays.add(d);
    const hosts = Object.entries(j.hosts).sort((a, b) => lastOf(b[1].days) - lastOf(a[1].days));
    for (const [id, s] of hosts) {
      if (h.hosts.size >= limits.maxHosts) {
        h.hostOverflow = true;
        break;
      }
      h.hosts.set(id, { first: s.first, days: new DaySet(limits.maxDays, s.days) });
    }
    const keys = Object.entries(j.keys).sort((a, b) => b[1].last - a[1].last);
    for (const [id, s] of keys) {
      if (h.keys.size >= limits.maxKeys) {
        h.overflow = true;
        break;
      }
      const k: KeyStats = {
        first: s.first,
        last: s.last,
        days: new DaySet(limits.maxDays, s.days),
        hosts: new Map(),
        saturated: s.saturated ?? false,
        count: 0,
      };
      for (const [host, pair] of Object.entries(s.hosts)) {
        if (!h.hosts.has(host)) {
          // a host the cap left out still showed this behaviour: its count is now a lower bound
          if (h.hostOverflow) k.saturated = true;
          continue;
        }
        if (k.hosts.size >= limits.maxHostsPerKey || h.#pairs >= limits.maxPairs) {
          k.saturated = true;
          break;
        }
        k.hosts.set(host, [pair[0], pair[1]]);
        h.#pairs++;
      }
      h.keys.set(id, k);
    }
    h.dirty = false;
    return h;
  }
}

function lastOf(days: readonly number[]): number {
  return days.length ? days[days.length - 1]! : -Infinity;
}

const Day = z.number().int().min(0).max(1_000_000);
const HostId = z.string().regex(/^[0-9a-f]{16}$/);

/** The file as written by this version (strict: our own format, and a wrong shape means a wrong file). */
export const HistoryJson = z
  .object({
    format: z.literal(HISTORY_FORMAT),
    version: z.literal(HISTORY_VERSION),
    written: z.string(),
    fleetDays: z.array(Day),
    hosts: z.record(HostId, z.object({ first: Day, days: z.array(Day) }).strict()),
    keys: z.record(
      HostId,
      z
        .object({
          first: Day,
          last: Day,
          days: z.array(Day),
          hosts: z.record(HostId, z.tuple([Day, Day])),
          saturated: z.boolean().optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type HistoryJson = z.infer<typeof HistoryJson>;

/** A file larger than this is not a history this analyst wrote at its caps. */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

function unreadable(file: string, why: string, cause?: unknown): BuiltinAnalystError {
  return new BuiltinAnalystError(
    'HISTORY_UNREADABLE',
    `${file}: cannot use the rarity history: ${why}. Fix or move the file aside (builtin-rarity then starts a new ` +
      'history), or point builtin.historyDir elsewhere.',
    cause === undefined ? undefined : { cause },
  );
}

/** Parses a history file's text; throws HISTORY_VERSION or HISTORY_UNREADABLE naming `file`. */
export function parseHistory(text: string, file: string, limits: HistoryLimits = DEFAULT_LIMITS): FleetHistory {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw unreadable(file, `not valid JSON (${(e as Error).message})`, e);
  }
  const format = typeof doc === 'object' && doc !== null ? (doc as { format?: unknown }).format : undefined;
  if (format !== HISTORY_FORMAT) throw unreadable(file, `not a rarity history (format ${JSON.stringify(format)})`);
  const version = (doc as { version?: unknown }).version;
  if (version !== HISTORY_VERSION)
    throw new BuiltinAnalystError(
      'HISTORY_VERSION',
      `${file}: the rarity history has format version ${JSON.stringify(version)}; this Mamori reads version ` +
        `${HISTORY_VERSION} (the file is from a newer or older Mamori). Upgrade Mamori, or move the file aside to ` +
        'start a new history.',
    );
  const parsed = HistoryJson.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw unreadable(file, `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`);
  }
  return FleetHistory.fromJSON(parsed.data, limits);
}

/** The history in `dir`, or an empty one when the file does not exist yet. */
export async function loadHistory(dir: string, limits: HistoryLimits = DEFAULT_LIMITS): Promise<FleetHistory> {
  const file = join(dir, HISTORY_FILE);
  let text: string;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw unreadable(file, 'it is not a regular file');
    if (st.size > MAX_FILE_BYTES) throw unreadable(file, `it is ${st.size} bytes, over ${MAX_FILE_BYTES}`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof BuiltinAnalystError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new FleetHistory(limits);
    throw unreadable(file, (e as NodeJS.ErrnoException).code ?? (e as Error).message, e);
  }
  return parseHistory(text, file, limits);
}

/**
 * Writes the history atomically: a private temporary file in the same directory, flushed to disk, then renamed
 * over the old one, so a crash or a full disk leaves the previous history intact. Throws HISTORY_WRITE.
 */
export async function saveHistory(dir: string, history: FleetHistory, now: number): Promise<string> {
  const file = join(dir, HISTORY_FILE);
  const tmp = join(dir, `.${HISTORY_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(history.toJSON(now)));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new BuiltinAnalystError(
      'HISTORY_WRITE',
      `${file}: cannot write the rarity history (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ` +
        'this run is not added to the fleet baseline. Check that builtin.historyDir is writable and has space.',
      { cause: e },
    );
  }
  return file;
}
