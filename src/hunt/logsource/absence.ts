// Which fields a rule depends on being *present*: fields read inside a negated selection (`not filter`), and
// fields a positive selection tests for absence (`X: null`, `X|exists`). On a log source that lacks such a field
// (Security 4688 has no OriginalFileName) the rule's filter would always pass and the rule would fire on
// everything its positive part matches; binding code uses this to keep such rules off that source.
// Runs once per rule at load time, never per event.

type Detection = Readonly<Record<string, unknown>>;

/** A selection's fields, and the subset it tests for absence. */
function selectionFields(sel: unknown, all: Set<string>, absent: Set<string>): void {
  if (Array.isArray(sel)) {
    for (const item of sel) selectionFields(item, all, absent);
    return;
  }
  if (typeof sel !== 'object' || sel === null) return; // keywords: no field
  for (const [key, value] of Object.entries(sel)) {
    const parts = key.split('|');
    const field = parts[0]!;
    if (field === '') continue;
    all.add(field);
    const testsAbsence =
      value === null ||
      (Array.isArray(value) && value.includes(null)) ||
      parts.slice(1).some((m) => m.toLowerCase() === 'exists');
    if (testsAbsence) absent.add(field);
  }
}

type Token = { readonly t: string };

function tokenize(cond: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  while (i < cond.length) {
    const c = cond[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c });
      i++;
    } else if (c === '|') {
      return undefined; // a legacy aggregation: not a plain boolean condition
    } else {
      let j = i;
      while (j < cond.length && !' \t\n\r()|'.includes(cond[j]!)) j++;
      out.push({ t: cond.slice(i, j) });
      i = j;
    }
  }
  return out;
}

function globMatcher(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (name) => name === pattern;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (name) => re.test(name);
}

/**
 * The selections a condition reads in negated context (`neg`) and in positive context (`pos`).
 * Undefined when the condition is not understood: callers then treat the rule as depending on everything.
 */
function contexts(cond: string, names: readonly string[]): { neg: Set<string>; pos: Set<string> } | undefined {
  const toks = tokenize(cond);
  if (!toks || toks.length === 0) return undefined;
  const neg = new Set<string>();
  const pos = new Set<string>();
  let i = 0;
  const peek = (): string | undefined => toks[i]?.t.toLowerCase();
  const mark = (target: string, negated: boolean): boolean => {
    const match = target.toLowerCase() === 'them' ? () => true : globMatcher(target);
    let any = false;
    for (const n of names) {
      if (!match(n)) continue;
      any = true;
      (negated ? neg : pos).add(n);
    }
    return any;
  };
  const expr = (negated: boolean): boolean => {
    if (!term(negated)) return false;
    while (peek() === 'or') {
      i++;
      if (!term(negated)) return false;
    }
    return true;
  };
  const term = (negated: boolean): boolean => {
    if (!factor(negated)) return false;
    while (peek() === 'and') {
      i++;
      if (!factor(negated)) return false;
    }
    return true;
  };
  const factor = (negated: boolean): boolean => {
    const t = peek();
    if (t === undefined) return false;
    if (t === 'not') {
      i++;
      return factor(!negated);
    }
    if (t === '(') {
      i++;
      if (!expr(negated) || peek() !== ')') return false;
      i++;
      return true;
    }
    if (t === ')' || t === 'and' || t === 'or' || t === 'of') return false;
    if ((t === '1' || t === 'all' || t === 'any' || /^\d+$/.test(t)) && toks[i + 1]?.t.toLowerCase() === 'of') {
      const target = toks[i + 2]?.t;
      if (target === undefined || target === '(' || target === ')') return false;
      i += 3;
      return mark(target, negated);
    }
    i++;
    return mark(toks[i - 1]!.t, negated);
  };
  if (!expr(false) || i !== toks.length) return undefined;
  return { neg, pos };
}

/**
 * The fields `detection` needs present: read in a negated selection, or tested for absence in a positive one.
 * Undefined when the condition cannot be analysed (the caller then assumes every field matters).
 */
export function presenceSensitiveFields(detection: Detection): Set<string> | undefined {
  const names = Object.keys(detection).filter((k) => k !== 'condition' && k !== 'timeframe');
  const cond = detection['condition'];
  const conds = typeof cond === 'string' ? [cond] : Array.isArray(cond) ? cond : undefined;
  if (!conds || conds.length === 0 || !conds.every((c) => typeof c === 'string')) return undefined;
  const out = new Set<string>();
  for (const c of conds as string[]) {
    const ctx = contexts(c, names);
    if (!ctx) return undefined;
    for (const n of names) {
      const all = new Set<string>();
      const absent = new Set<string>();
      selectionFields(detection[n], all, absent);
      if (ctx.neg.has(n)) for (const f of all) out.add(f);
      if (ctx.pos.has(n)) for (const f of absent) out.add(f);
    }
  }
  return out;
}
