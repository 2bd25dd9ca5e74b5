// The mask table: original → `<type-n>` and back. Pure; the file I/O for the mapping lives in store.ts.
//
// A mask is `<`, a type from a closed list, `-`, a counter without leading zeros, `>`. No real value in our logs
// has that shape (angle brackets are not legal in user, host, domain names or addresses), so a mask is never
// confused with data, and the detectors never match inside one (every detector requires characters a mask lacks).
// Text that only *looks* like a mask — an attacker writing `<user-1>` into a command line so that a model links
// their event to another one — is defanged on the way in unless this table issued that mask (see defangForged).

/** The kinds of thing a mask stands for. */
export const MASK_TYPES = [
  'secret',
  'email',
  'phone',
  'card',
  'mynumber',
  'iban',
  'user',
  'host',
  'domain',
  'ip',
] as const;
export type MaskType = (typeof MASK_TYPES)[number];

const TYPE_ALT = MASK_TYPES.join('|');
/** One mask in text. Counter up to 9 digits so the number always fits a safe integer. */
export const MASK_PATTERN = `<(${TYPE_ALT})-([1-9][0-9]{0,8})>`;
/** The visible form a forged mask is rewritten to; restore() turns it back into the text the log had. */
export const FORGED_PREFIX = '<not-a-mask:';
const MASK_RE = new RegExp(MASK_PATTERN, 'g');
const MASK_OR_FORGED_RE = new RegExp(`<(not-a-mask:)?(${TYPE_ALT})-([1-9][0-9]{0,8})>`, 'g');
const WHOLE_MASK_RE = new RegExp(`^${MASK_PATTERN}$`);

/** True when `s` is exactly one mask. */
export function isMask(s: string): boolean {
  return s.length <= 20 && WHOLE_MASK_RE.test(s);
}

/** The mask text for a type and counter. */
export function maskText(type: MaskType, n: number): string {
  return `<${type}-${n}>`;
}

/** One row of an exported mapping. */
export type MappingEntry = {
  readonly mask: string;
  readonly type: MaskType;
  /** The normalised form two occurrences are compared by (lower-cased e-mail, digits of a card, ...). */
  readonly key: string;
  /** The text as first seen: what restore() puts back. */
  readonly original: string;
};

/** The mapping mask → original, as exported to a local file. Holds the originals: never send it anywhere. */
export type MaskMapping = {
  readonly format: 'mamori-redaction-mapping';
  readonly version: 1;
  readonly entries: readonly MappingEntry[];
};

type Slot = { readonly mask: string; readonly original: string };

/**
 * Assigns masks. The same (type, key) always gets the same mask; counters are per type and start at 1.
 * Keys are normalised by the caller (see normalizeKey) so the policy for "same" lives in one place.
 */
export class MaskTable {
  readonly #byKey = new Map<string, Slot>();
  readonly #byMask = new Map<string, { type: MaskType; key: string; original: string }>();
  readonly #next = new Map<MaskType, number>();
  /** Occurrences masked per type, for the audit report. */
  readonly occurrences = new Map<MaskType, number>();
  /** When set, every mask handed out also appends its type here (the redactor's cache replays them). */
  recording: MaskType[] | undefined;

  /** The mask for `original` (normalised to `key`), creating one when it is new. */
  mask(type: MaskType, key: string, original: string): string {
    const id = `${type}\u0000${key}`;
    let slot = this.#byKey.get(id);
    if (slot === undefined) {
      const n = (this.#next.get(type) ?? 0) + 1;
      this.#next.set(type, n);
      slot = { mask: maskText(type, n), original };
      this.#byKey.set(id, slot);
      this.#byMask.set(slot.mask, { type, key, original });
    }
    this.count(type);
    this.recording?.push(type);
    return slot.mask;
  }

  /** Counts one more occurrence of `type` (a cached result replayed). */
  count(type: MaskType): void {
    this.occurrences.set(type, (this.occurrences.get(type) ?? 0) + 1);
  }

  /** The mask already given to (type, key), if any. */
  peek(type: MaskType, key: string): string | undefined {
    return this.#byKey.get(`${type}\u0000${key}`)?.mask;
  }

  /** True when this table gave out `mask`. */
  issued(mask: string): boolean {
    return this.#byMask.has(mask);
  }

  /** Distinct originals per type. */
  distinct(): Map<MaskType, number> {
    const out = new Map<MaskType, number>();
    for (const { type } of this.#byMask.values()) out.set(type, (out.get(type) ?? 0) + 1);
    return out;
  }

  /**
   * Puts originals back. One pass over the text, so an original that itself looks like a mask is not expanded
   * again; masks this table did not issue are left as they are.
   */
  restore(text: string): string {
    if (text.indexOf('<') < 0) return text;
    return text.replace(MASK_OR_FORGED_RE, (m, forged: string | undefined, type: string, n: string) => {
      if (forged !== undefined) return `<${type}-${n}>`;
      return this.#byMask.get(m)?.original ?? m;
    });
  }

  /**
   * Rewrites mask-shaped text this table did not issue into `<not-a-mask:type-n>`, so a forged `<host-1>` in a log
   * cannot pose as (or later collide with) a real mask. Issued masks are kept: that is what makes redaction
   * idempotent. Returns the text and how many were rewritten.
   */
  defangForged(text: string): { text: string; forged: number } {
    if (text.indexOf('<') < 0) return { text, forged: 0 };
    let forged = 0;
    const out = text.replace(MASK_RE, (m, type: string, n: string) => {
      if (this.#byMask.has(m)) return m;
      forged++;
      return `${FORGED_PREFIX}${type}-${n}>`;
    });
    return { text: out, forged };
  }

  export(): MaskMapping {
    const entries: MappingEntry[] = [];
    for (const [mask, e] of this.#byMask) entries.push({ mask, type: e.type, key: e.key, original: e.original });
    return { format: 'mamori-redaction-mapping', version: 1, entries };
  }

  /**
   * Loads an exported mapping (already schema-checked) into an empty table. Throws on a mapping that contradicts
   * itself: two masks for one key, or a mask whose type or number does not match its row.
   */
  load(mapping: MaskMapping): void {
    if (this.#byMask.size > 0) throw new Error('a mapping can only be loaded into an empty table');
    for (const e of mapping.entries) {
      const m = WHOLE_MASK_RE.exec(e.mask);
      if (m === null || m[1] !== e.type) throw new Error(`mapping row ${e.mask}: not a ${e.type} mask`);
      const id = `${e.type}\u0000${e.key}`;
      if (this.#byKey.has(id) || this.#byMask.has(e.mask)) throw new Error(`mapping row ${e.mask}: duplicate`);
      this.#byKey.set(id, { mask: e.mask, original: e.original });
      this.#byMask.set(e.mask, { type: e.type, key: e.key, original: e.original });
      const n = Number(m[2]);
      if (n > (this.#next.get(e.type) ?? 0)) this.#next.set(e.type, n);
    }
  }
}
