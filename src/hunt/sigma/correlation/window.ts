// Sliding-window aggregates over one group's items (in time order). Each item is added once and removed once, so a
// sweep costs O(n) updates whatever the window size (percentile: O(n log n); temporal_ordered: O(n · rules²)).

/** An aggregate over the items of the current window. Items are indices into the group's arrays. */
export interface WindowAggregate {
  add(item: number): void;
  remove(item: number): void;
  /** The value over items first..last (added up to last, removed before first); undefined when there is none. */
  value(first: number, last: number): number | undefined;
}

/** event_count: how many items. */
export class CountAggregate implements WindowAggregate {
  add(): void {}
  remove(): void {}
  value(first: number, last: number): number {
    return last - first + 1;
  }
}

/** value_count: distinct value keys; item i holds keys[off[i]] .. keys[off[i+1]-1]. */
export class DistinctAggregate implements WindowAggregate {
  readonly #keys: readonly string[];
  readonly #off: readonly number[];
  readonly #counts = new Map<string, number>();
  constructor(keys: readonly string[], off: readonly number[]) {
    this.#keys = keys;
    this.#off = off;
  }
  add(i: number): void {
    for (let k = this.#off[i]!; k < this.#off[i + 1]!; k++) {
      const s = this.#keys[k]!;
      this.#counts.set(s, (this.#counts.get(s) ?? 0) + 1);
    }
  }
  remove(i: number): void {
    for (let k = this.#off[i]!; k < this.#off[i + 1]!; k++) {
      const s = this.#keys[k]!;
      const n = (this.#counts.get(s) ?? 1) - 1;
      if (n === 0) this.#counts.delete(s);
      else this.#counts.set(s, n);
    }
  }
  value(): number | undefined {
    return this.#counts.size || undefined;
  }
}

/** temporal: how many of the listed rules have at least one item in the window. */
export class RulesAggregate implements WindowAggregate {
  readonly #ri: readonly number[];
  readonly #counts: Int32Array;
  #distinct = 0;
  constructor(ri: readonly number[], rules: number) {
    this.#ri = ri;
    this.#counts = new Int32Array(rules);
  }
  add(i: number): void {
    const r = this.#ri[i]!;
    if (this.#counts[r]!++ === 0) this.#distinct++;
  }
  remove(i: number): void {
    const r = this.#ri[i]!;
    if (--this.#counts[r]! === 0) this.#distinct--;
  }
  value(): number {
    return this.#distinct;
  }
}

/**
 * temporal_ordered: the most listed rules matched in the listed order (rule indices strictly increasing along
 * time) within the window. For each chain length ℓ and last rule k it keeps the latest start time of such a chain
 * among the items added so far; a chain lies in the window iff it starts at or after the window's first time
 * (callers only ask about windows with no earlier item at that time). Removal is therefore free.
 */
export class OrderedAggregate implements WindowAggregate {
  readonly #ri: readonly number[];
  readonly #t: readonly number[];
  readonly #k: number;
  /** start[(len-1) * k + rule]: latest start time of a chain of length len ending with rule. */
  readonly #start: Float64Array;
  /** best[len-1]: latest start time of any chain of length len. */
  readonly #best: Float64Array;
  constructor(ri: readonly number[], t: readonly number[], rules: number) {
    this.#ri = ri;
    this.#t = t;
    this.#k = rules;
    this.#start = new Float64Array(rules * rules).fill(Number.NEGATIVE_INFINITY);
    this.#best = new Float64Array(rules).fill(Number.NEGATIVE_INFINITY);
  }
  add(i: number): void {
    const r = this.#ri[i]!;
    const k = this.#k;
    const s = this.#start;
    // longer chains first, so each reads the chains that ended before this item
    for (let len = r + 1; len >= 2; len--) {
      const row = (len - 2) * k;
      let latest = Number.NEGATIVE_INFINITY;
      for (let p = len - 2; p < r; p++) if (s[row + p]! > latest) latest = s[row + p]!;
      const at = (len - 1) * k + r;
      if (latest > s[at]!) {
        s[at] = latest;
        if (latest > this.#best[len - 1]!) this.#best[len - 1] = latest;
      }
    }
    const t = this.#t[i]!;
    s[r] = t;
    this.#best[0] = t;
  }
  remove(): void {}
  value(first: number): number | undefined {
    const from = this.#t[first]!;
    for (let len = this.#k; len >= 1; len--) if (this.#best[len - 1]! >= from) return len;
    return undefined;
  }
}

/** value_sum / value_avg over the numbers nums[off[i]] .. nums[off[i+1]-1] of each item; compensated sum. */
export class SumAggregate implements WindowAggregate {
  readonly #nums: readonly number[];
  readonly #off: readonly number[];
  readonly #avg: boolean;
  #sum = 0;
  #comp = 0;
  #n = 0;
  constructor(nums: readonly number[], off: readonly number[], avg: boolean) {
    this.#nums = nums;
    this.#off = off;
    this.#avg = avg;
  }
  #plus(x: number): void {
    // Neumaier summation: a long sweep adds and subtracts every value, plain sums would drift
    const t = this.#sum + x;
    if (Math.abs(this.#sum) >= Math.abs(x)) this.#comp += this.#sum - t + x;
    else this.#comp += x - t + this.#sum;
    this.#sum = t;
  }
  add(i: number): void {
    for (let k = this.#off[i]!; k < this.#off[i + 1]!; k++) this.#plus(this.#nums[k]!);
    this.#n += this.#off[i + 1]! - this.#off[i]!;
  }
  remove(i: number): void {
    for (let k = this.#off[i]!; k < this.#off[i + 1]!; k++) this.#plus(-this.#nums[k]!);
    this.#n -= this.#off[i + 1]! - this.#off[i]!;
  }
  value(): number | undefined {
    if (this.#n === 0) return undefined;
    const s = this.#sum + this.#comp;
    return this.#avg ? s / this.#n : s;
  }
}

/**
 * value_percentile / value_median: linear interpolation between closest ranks (numpy's default, Excel
 * PERCENTILE.INC). Order statistics come from a Fenwick tree over the group's distinct values.
 */
export class PercentileAggregate implements WindowAggregate {
  readonly #nums: readonly number[];
  readonly #off: readonly number[];
  readonly #p: number;
  readonly #sorted: Float64Array;
  readonly #tree: Int32Array;
  readonly #top: number;
  #n = 0;
  constructor(nums: readonly number[], off: readonly number[], percentile: number) {
    this.#nums = nums;
    this.#off = off;
    this.#p = percentile / 100;
    const all = Float64Array.from(nums).sort();
    let m = 0;
    for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[m++] = all[i]!;
    this.#sorted = all.slice(0, m);
    this.#tree = new Int32Array(m + 1);
    let top = 1;
    while (top * 2 <= m) top *= 2;
    this.#top = top;
  }
  #rank(x: number): number {
    let lo = 0;
    let hi = this.#sorted.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#sorted[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }
  #update(i: number, delta: number): void {
    for (let k = this.#off[i]!; k < this.#off[i + 1]!; k++) {
      for (let j = this.#rank(this.#nums[k]!); j < this.#tree.length; j += j & -j) this.#tree[j]! += delta;
      this.#n += delta;
    }
  }
  /** The k-th smallest value in the window, 0-based. */
  #kth(k: number): number {
    let pos = 0;
    let rest = k + 1;
    for (let step = this.#top; step > 0; step >>= 1) {
      const next = pos + step;
      if (next < this.#tree.length && this.#tree[next]! < rest) {
        pos = next;
        rest -= this.#tree[next]!;
      }
    }
    return this.#sorted[pos]!;
  }
  add(i: number): void {
    this.#update(i, 1);
  }
  remove(i: number): void {
    this.#update(i, -1);
  }
  value(): number | undefined {
    if (this.#n === 0) return undefined;
    const h = this.#p * (this.#n - 1);
    const lo = Math.floor(h);
    const a = this.#kth(lo);
    return h === lo ? a : a + (h - lo) * (this.#kth(lo + 1) - a);
  }
}

export type OnWindow = (first: number, last: number, value: number) => void;

/**
 * Windows ending at each item and reaching back `span` ms (inclusive): how a streaming alert sees the data. Used
 * for lower-bound conditions on aggregates that only grow with the window, where it finds the earliest moment.
 */
export function sweepTrailing(
  t: readonly number[],
  span: number,
  agg: WindowAggregate,
  test: (v: number) => boolean,
  on: OnWindow,
): void {
  let first = 0;
  for (let i = 0; i < t.length; i++) {
    agg.add(i);
    while (t[i]! - t[first]! > span) agg.remove(first++);
    const v = agg.value(first, i);
    if (v !== undefined && test(v)) on(first, i, v);
  }
}

/**
 * Maximal windows: for each item, every item up to `span` ms later (inclusive), skipped when contained in the
 * previous window. Each is the whole content of some timespan, so upper bounds, averages and percentiles are
 * judged on complete windows rather than on the truncated edge of a burst.
 */
export function sweepMaximal(
  t: readonly number[],
  span: number,
  agg: WindowAggregate,
  test: (v: number) => boolean,
  on: OnWindow,
): void {
  let last = -1;
  let lastReported = -1;
  for (let first = 0; first < t.length; first++) {
    while (last + 1 < t.length && t[last + 1]! - t[first]! <= span) agg.add(++last);
    if (last > lastReported) {
      lastReported = last;
      const v = agg.value(first, last);
      if (v !== undefined && test(v)) on(first, last, v);
    }
    agg.remove(first);
  }
}
