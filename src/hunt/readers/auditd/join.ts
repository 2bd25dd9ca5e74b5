// The records of one audit event (same node and `SEC.MS:SERIAL`) joined into one event. The kernel writes an
// event's records together, but on a busy machine records of different events interleave, so events stay open for
// a window of lines; memory is bounded by the window, the number of open events and the records per event.
import type { AuditRecord, AuditValue } from './parse.ts';
import { archName, syscallName } from './syscalls.ts';

export type JoinedEvent = {
  readonly data: Record<string, unknown>;
  readonly time: number;
  readonly host?: string;
  /** Line of the event's first record. */
  readonly line: number;
};

export type JoinLimits = {
  /** An event with no new record for this many lines is complete. */
  readonly window: number;
  /** Open events at most; beyond that the oldest is completed. */
  readonly maxOpen: number;
  /** Records per event at most; beyond that the event is emitted and the rest start a new one. */
  readonly maxRecords: number;
};

export const DEFAULT_JOIN_LIMITS: JoinLimits = { window: 256, maxOpen: 1024, maxRecords: 1024 };

type Pending = {
  key: string;
  records: AuditRecord[];
  firstLine: number;
  lastLine: number;
  /** Set once the event is complete; it is handed out when every event begun before it is too. */
  done?: JoinedEvent;
};

/**
 * Record types that are a whole event by themselves: user-space messages (PAM, logins, services, auditd's own)
 * never share their serial with another record, so they need not wait for the window.
 */
function standalone(type: string): boolean {
  return (
    type.startsWith('USER_') ||
    type.startsWith('CRED_') ||
    type.startsWith('SERVICE_') ||
    type.startsWith('DAEMON_') ||
    type.startsWith('ANOM_LOGIN') ||
    type === 'ADD_USER' ||
    type === 'DEL_USER' ||
    type === 'ADD_GROUP' ||
    type === 'DEL_GROUP' ||
    type === 'SYSTEM_BOOT' ||
    type === 'SYSTEM_SHUTDOWN' ||
    type === 'SYSTEM_RUNLEVEL'
  );
}

/**
 * One event's fields, as SigmaHQ's auditd rules read them: `type` is the list of its record types (`SYSCALL`,
 * `EXECVE`, `PATH`, …); every other field is at the top level, a value when one record has it, the list of the
 * distinct values when several do (the `name` of each PATH record; SYSCALL's hex `a0` beside EXECVE's `a0`).
 * `SYSCALL` and `ARCH` are named from `arch`/`syscall` when the log is not in auditd's ENRICHED format.
 */
export function mergeRecords(records: readonly AuditRecord[]): Record<string, unknown> {
  const types: string[] = [];
  for (const r of records) if (!types.includes(r.type)) types.push(r.type);
  const data: Record<string, unknown> = { type: types.length === 1 ? types[0]! : types };
  const node = records[0]?.node;
  if (node !== undefined) data['node'] = node;
  // keys whose value is a list this merge made (a record's own list value, the keys of a rule, is not one)
  let merged: Set<string> | undefined;
  let arch: string | undefined;
  let syscall: string | undefined;
  for (const r of records) {
    const f = r.fields;
    for (let i = 0; i < f.length; i += 2) {
      let k = f[i] as string;
      const v = f[i + 1]!;
      if (r.type === 'SYSCALL') {
        if (k === 'arch' && typeof v === 'string') arch = v;
        else if (k === 'syscall' && typeof v === 'string') syscall = v;
      }
      // `type` is the record types; a field of that name inside a record is kept apart
      if (k === 'type') k = 'type_field';
      if (!hasOwn(data, k)) {
        data[k] = v;
        continue;
      }
      const cur = data[k] as AuditValue;
      if (cur === v) continue;
      let list: string[];
      if (merged?.has(k)) list = cur as string[];
      else {
        list = typeof cur === 'string' ? [cur] : [...cur];
        (merged ??= new Set()).add(k);
        data[k] = list;
      }
      if (typeof v === 'string') {
        if (!list.includes(v)) list.push(v);
      } else for (const x of v) if (!list.includes(x)) list.push(x);
    }
  }
  if (arch !== undefined) {
    if (!hasOwn(data, 'ARCH')) {
      const a = archName(arch);
      if (a) data['ARCH'] = a;
    }
    if (syscall !== undefined && !hasOwn(data, 'SYSCALL')) {
      const s = syscallName(arch, syscall);
      if (s) data['SYSCALL'] = s;
    }
  }
  return data;
}

const hasOwn = Object.hasOwn;

/**
 * Joins records into events, handed out in the order of their first record; finished events are pushed into the
 * `out` array given with each call. An event is complete at its PROCTITLE record (the kernel writes it last) or
 * EOE, at once when it is a user-space record, else once no record of it came for a window of lines.
 */
export class AuditJoiner {
  readonly #limits: JoinLimits;
  readonly #onSplit: (line: number, records: number) => void;
  readonly #byKey = new Map<string, Pending>();
  /** Events in order of their first record; those before #head have been handed out. */
  #queue: Pending[] = [];
  #head = 0;

  constructor(limits: JoinLimits, onSplit: (line: number, records: number) => void) {
    this.#limits = limits;
    this.#onSplit = onSplit;
  }

  add(rec: AuditRecord, line: number, out: JoinedEvent[]): void {
    const key = rec.node === undefined ? rec.stamp : `${rec.node} ${rec.stamp}`;
    let p = this.#byKey.get(key);
    if (rec.type === 'EOE') {
      // end of event (written when the log comes through audispd or ausearch)
      if (p) this.#complete(p);
    } else {
      if (p === undefined) {
        p = { key, records: [], firstLine: line, lastLine: line };
        this.#byKey.set(key, p);
        this.#queue.push(p);
      }
      p.records.push(rec);
      p.lastLine = line;
      if (p.records.length >= this.#limits.maxRecords) {
        this.#onSplit(p.firstLine, p.records.length);
        this.#complete(p);
      } else if (rec.type === 'PROCTITLE' || (p.records.length === 1 && standalone(rec.type))) {
        this.#complete(p);
      }
    }
    this.#drain(line, out);
  }

  /** End of input: every open event is complete. */
  end(out: JoinedEvent[]): void {
    for (let i = this.#head; i < this.#queue.length; i++) this.#complete(this.#queue[i]!);
    this.#drain(Number.POSITIVE_INFINITY, out);
  }

  /** Hands out the complete events at the front; completes the front one when quiet or too many are open. */
  #drain(line: number, out: JoinedEvent[]): void {
    const q = this.#queue;
    while (this.#head < q.length) {
      const p = q[this.#head]!;
      if (
        p.done === undefined &&
        (p.lastLine < line - this.#limits.window || q.length - this.#head > this.#limits.maxOpen)
      )
        this.#complete(p);
      if (p.done === undefined) break;
      out.push(p.done);
      q[this.#head++] = undefined as unknown as Pending;
    }
    if (this.#head > 1024 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
  }

  #complete(p: Pending): void {
    if (p.done !== undefined) return;
    if (this.#byKey.get(p.key) === p) this.#byKey.delete(p.key);
    const first = p.records[0]!;
    p.done = {
      data: mergeRecords(p.records),
      time: first.time,
      ...(first.node !== undefined ? { host: first.node } : {}),
      line: p.firstLine,
    };
    p.records = [];
  }
}
