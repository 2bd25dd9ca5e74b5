// Aho–Corasick over UTF-16 code units: every occurrence of a set of literal strings in one pass over a text.
// Built once per rule index; scanning allocates nothing.
//
// Layout: nodes numbered breadth-first. For ASCII input the automaton is a DFA: each of the first `dense` nodes
// has a full row of next states over the ASCII characters that occur in patterns (one table read per character,
// no failure walk). Deeper nodes, and non-ASCII characters, use sorted child lists and failure links. The dense
// part is capped, so a huge pattern set costs memory in proportion to its size, not to size × alphabet.

/**
 * Dense cells at most (rows × columns): 256K cells are 512 KB of Uint16 or 1 MB of Int32. An engine over the
 * SigmaHQ set builds dozens of automata and every hunt worker has its own engine; 4M cells cost ~40 MB per
 * thread for no measurable speed, since a scan spends nearly all its time in the shallow states, which stay dense.
 */
const DENSE_MAX_CELLS = 1 << 18;

export class Automaton {
  /** Number of patterns; ids are their positions in the constructor's list. */
  readonly size: number;
  /** Length of each pattern, by id. */
  readonly lengths: Int32Array;
  /** Pattern id ending at each node, or -1. */
  readonly pattern: Int32Array;
  /** Nearest node on the failure chain (excluding itself) that ends a pattern, or -1. */
  readonly dict: Int32Array;
  /** First node to report in each state: itself when it ends a pattern, else `dict`; -1 when none. */
  readonly out: Int32Array;
  /** ASCII code → column of the dense rows (A-Z share a-z's); 0 for characters no pattern contains. */
  readonly column: Uint8Array;
  /** Columns per dense row. */
  readonly width: number;
  /** Nodes below this id have dense rows. */
  readonly dense: number;
  /** Next state for (node × width + column), for nodes below `dense`. */
  readonly delta: Uint16Array | Int32Array;
  readonly #fail: Int32Array;
  readonly #childStart: Int32Array;
  readonly #childCount: Uint16Array;
  readonly #childCode: Uint16Array;
  readonly #childNode: Int32Array;
  /** Non-ASCII code units that occur in some pattern. */
  readonly #wide: ReadonlySet<number>;

  /**
   * `patterns` must be distinct, non-empty and free of A-Z: texts are matched with A-Z folded to a-z (the
   * callers pass lower-cased needles), so a text need not be lower-cased when it is all ASCII.
   */
  constructor(patterns: readonly string[]) {
    this.size = patterns.length;
    // build as a trie of maps, then flatten breadth-first so children of a node are contiguous
    const kids: Map<number, number>[] = [new Map()];
    const pat: number[] = [-1];
    const lengths = new Int32Array(patterns.length);
    const column = new Uint8Array(128);
    const wide = new Set<number>();
    let width = 1;
    patterns.forEach((p, id) => {
      let n = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (c < 128) {
          if (column[c] === 0) {
            column[c] = width++;
            // ASCII letters are folded: an upper-case letter in a text takes its lower-case column
            if (c >= 97 && c <= 122) column[c - 32] = column[c]!;
          }
        } else wide.add(c);
        let k = kids[n]!.get(c);
        if (k === undefined) {
          k = kids.length;
          kids.push(new Map());
          pat.push(-1);
          kids[n]!.set(c, k);
        }
        n = k;
      }
      pat[n] = id;
      lengths[id] = p.length;
    });
    const count = kids.length;
    // breadth-first renumbering: order[newId] = oldId
    const order = new Int32Array(count);
    const renum = new Int32Array(count);
    const sorted: [number, number][][] = new Array<[number, number][]>(count);
    let head = 0;
    let tail = 1;
    while (head < tail) {
      const old = order[head++]!;
      const list = [...kids[old]!].sort((a, b) => a[0] - b[0]);
      sorted[old] = list;
      for (const [, k] of list) order[tail++] = k;
    }
    for (let i = 0; i < count; i++) renum[order[i]!] = i;

    const childStart = new Int32Array(count);
    const childCount = new Uint16Array(count);
    const childCode = new Uint16Array(Math.max(0, count - 1));
    const childNode = new Int32Array(Math.max(0, count - 1));
    const pattern = new Int32Array(count);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const old = order[i]!;
      pattern[i] = pat[old]!;
      childStart[i] = at;
      childCount[i] = sorted[old]!.length;
      for (const [c, k] of sorted[old]!) {
        childCode[at] = c;
        childNode[at++] = renum[k]!;
      }
    }
    this.lengths = lengths;
    this.pattern = pattern;
    this.column = column;
    this.width = width;
    this.#childStart = childStart;
    this.#childCount = childCount;
    this.#childCode = childCode;
    this.#childNode = childNode;
    this.#wide = wide;
    const dense = Math.min(count, Math.max(1, Math.floor(DENSE_MAX_CELLS / width)));
    this.dense = dense;
    const delta = count <= 0xffff ? new Uint16Array(dense * width) : new Int32Array(dense * width);
    this.delta = delta;

    // failure links, dictionary links and dense rows, breadth-first: a node's failure target is shallower, so
    // its row and links are complete when the node is reached
    const fail = new Int32Array(count);
    this.#fail = fail;
    const dict = new Int32Array(count).fill(-1);
    const out = new Int32Array(count);
    for (let n = 0; n < count; n++) {
      out[n] = pattern[n]! >= 0 ? n : dict[n]!;
      if (n < dense) {
        if (n !== 0) delta.copyWithin(n * width, fail[n]! * width, fail[n]! * width + width);
        const s = childStart[n]!;
        for (let j = 0; j < childCount[n]!; j++) {
          const c = childCode[s + j]!;
          if (c < 128) delta[n * width + column[c]!] = childNode[s + j]!;
        }
      }
      const s = childStart[n]!;
      for (let j = 0; j < childCount[n]!; j++) {
        const child = childNode[s + j]!;
        const f = n === 0 ? 0 : this.step(fail[n]!, childCode[s + j]!);
        fail[child] = f;
        dict[child] = pattern[f]! >= 0 ? f : dict[f]!;
      }
    }
    this.dict = dict;
    this.out = out;
  }

  #child(n: number, c: number): number {
    const s = this.#childStart[n]!;
    const e = s + this.#childCount[n]!;
    const codes = this.#childCode;
    for (let j = s; j < e; j++) {
      const k = codes[j]!;
      if (k === c) return this.#childNode[j]!;
      if (k > c) return -1;
    }
    return -1;
  }

  /** The state after reading code unit `c` in state `n` (0 is the start state). A-Z read as a-z. */
  step(n: number, c: number): number {
    if (c < 128) {
      const col = this.column[c]!;
      if (col === 0) return 0;
      if (c >= 65 && c <= 90) c += 32;
      for (;;) {
        if (n < this.dense) return this.delta[n * this.width + col]!;
        const g = this.#child(n, c);
        if (g >= 0) return g;
        n = this.#fail[n]!;
      }
    }
    if (!this.#wide.has(c)) return 0;
    for (;;) {
      const g = this.#child(n, c);
      if (g >= 0) return g;
      if (n === 0) return 0;
      n = this.#fail[n]!;
    }
  }

  /** Calls `hit(patternId, endIndex)` for every occurrence in `text` (end index inclusive). Reference loop. */
  scan(text: string, hit: (id: number, end: number) => void): void {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      n = this.step(n, text.charCodeAt(i));
      for (let m = this.out[n]!; m >= 0; m = this.dict[m]!) hit(this.pattern[m]!, i);
    }
  }
}
