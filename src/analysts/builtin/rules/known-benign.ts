// Known-benign patterns: activity a bank's fleet does every day that Sigma rules flag (software updaters,
// configuration-management agents, backup and monitoring agents, admin jump hosts). Data, not code: the shipped
// list is known-benign.yaml beside this file; a site replaces it with its own (`knownBenignFile`).
//
// The threat: a pattern is an allow-list, and an attacker who knows it will masquerade as what it allows
// (drop `GoogleUpdate.exe` in the right folder, name a host `*-jump01`). So patterns match full paths rather
// than file names, combine several fields (image AND parent AND command line shape), may exclude command-line
// traits (`unless`), are scoped to the tactics and levels they may excuse, and never decide alone against strong
// evidence: the analyst weighs them against the rule and gives `needs-human` when both are strong.
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { isSeverity, severityRank, type Severity } from '../../../core/severity.ts';
import { BuiltinAnalystError } from '../errors.ts';
import { FACT_NAMES, type Fact, type FactName, type FindingView } from '../view.ts';

const MAX_PATTERN_TEXT = 512;

const Values = z.array(z.string().min(1).max(MAX_PATTERN_TEXT)).min(1).max(200);

/**
 * How one fact is matched: every operator given must hold (AND), each by any of its values (OR), so
 * `{startswith: [C:\Program Files\], endswith: [\nscp.exe]}` means both. Case-insensitive, as Windows paths are.
 */
const FieldMatch = z
  .object({
    equals: Values.optional(),
    startswith: Values.optional(),
    endswith: Values.optional(),
    contains: Values.optional(),
    regex: Values.optional(),
  })
  .strict()
  .refine((m) => Object.values(m).some((v) => v !== undefined), { message: 'give at least one operator' });

const Conditions = z.partialRecord(z.enum(FACT_NAMES), FieldMatch).refine((c) => Object.keys(c).length > 0, {
  message: 'give at least one field',
});

const Pattern = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes'),
    title: z.string().min(1).max(200),
    /** Why this is benign, for the rationale and the reviewer of the file. */
    why: z.string().min(1).max(2000),
    /** strong: the fleet's own tooling, matched on several fields; moderate: a usual explanation, not proof. */
    strength: z.enum(['strong', 'moderate']),
    when: Conditions,
    /** The pattern does not apply when any of these condition sets matches (an updater with an encoded command). */
    unless: z.array(Conditions).max(100).optional(),
    /** Only for rules whose every ATT&CK tactic is in this list (a rule without tactics qualifies). */
    tactics: z.array(z.string().regex(/^[a-z-]+$/)).optional(),
    /** Only for these rule ids. */
    rules: z.array(z.string().min(1)).optional(),
    /** Not for rules above this level. */
    maxLevel: z
      .string()
      .refine((s) => isSeverity(s), 'a severity: informational, low, medium, high, critical')
      .optional(),
    references: z.array(z.string()).optional(),
  })
  .strict();

/** `x-` keys at the top level hold YAML anchors shared by patterns (`unless: *cradles`); nothing else may be there. */
export const KnownBenignFile = z
  .looseObject({
    version: z.literal(1),
    patterns: z.array(Pattern).max(10_000),
  })
  .superRefine((o, ctx) => {
    for (const k of Object.keys(o)) {
      if (k !== 'version' && k !== 'patterns' && !k.startsWith('x-'))
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `unknown key ${k} (only version, patterns and x-* anchors)`,
        });
    }
  });
export type KnownBenignFile = z.infer<typeof KnownBenignFile>;
export type KnownBenignPatternSpec = z.infer<typeof Pattern>;

type Matcher = (value: string) => boolean;

/** A compiled pattern: every test lower-cased or compiled once, so matching is a few string compares. */
export type KnownBenignPattern = {
  readonly id: string;
  readonly title: string;
  readonly why: string;
  readonly strength: 'strong' | 'moderate';
  readonly when: readonly (readonly [FactName, Matcher])[];
  readonly unless: readonly (readonly (readonly [FactName, Matcher])[])[];
  readonly tactics: ReadonlySet<string> | undefined;
  readonly rules: ReadonlySet<string> | undefined;
  readonly maxLevel: Severity | undefined;
};

function compileMatch(m: z.infer<typeof FieldMatch>, where: string): Matcher {
  const eq = (m.equals ?? []).map((s) => s.toLowerCase());
  const sw = (m.startswith ?? []).map((s) => s.toLowerCase());
  const ew = (m.endswith ?? []).map((s) => s.toLowerCase());
  const co = (m.contains ?? []).map((s) => s.toLowerCase());
  const re = (m.regex ?? []).map((s, i) => {
    try {
      return new RegExp(s, 'i');
    } catch (e) {
      throw new BuiltinAnalystError(
        'KNOWN_BENIGN_INVALID',
        `${where}.regex[${i}]: not a valid regular expression: ${(e as Error).message}`,
      );
    }
  });
  return (value) => {
    const v = value.toLowerCase();
    return (
      (m.equals === undefined || eq.includes(v)) &&
      (m.startswith === undefined || sw.some((s) => v.startsWith(s))) &&
      (m.endswith === undefined || ew.some((s) => v.endsWith(s))) &&
      (m.contains === undefined || co.some((s) => v.includes(s))) &&
      (m.regex === undefined || re.some((r) => r.test(value)))
    );
  };
}

function compileConditions(
  c: Partial<Record<FactName, z.infer<typeof FieldMatch>>>,
  where: string,
): [FactName, Matcher][] {
  const out: [FactName, Matcher][] = [];
  for (const name of FACT_NAMES) {
    const m = c[name];
    if (m !== undefined) out.push([name, compileMatch(m, `${where}.${name}`)]);
  }
  return out;
}

/** Compiles a checked file. Throws KNOWN_BENIGN_INVALID for duplicate ids or bad regular expressions. */
export function compileKnownBenign(file: KnownBenignFile, source: string): KnownBenignPattern[] {
  const seen = new Set<string>();
  return file.patterns.map((p, i) => {
    const where = `${source}: patterns[${i}] (${p.id})`;
    if (seen.has(p.id)) throw new BuiltinAnalystError('KNOWN_BENIGN_INVALID', `${where}: duplicate id ${p.id}`);
    seen.add(p.id);
    return {
      id: p.id,
      title: p.title,
      why: p.why.trim(),
      strength: p.strength,
      when: compileConditions(p.when, `${where}.when`),
      unless: (p.unless ?? []).map((c, j) => compileConditions(c, `${where}.unless[${j}]`)),
      tactics: p.tactics ? new Set(p.tactics) : undefined,
      rules: p.rules ? new Set(p.rules) : undefined,
      maxLevel: p.maxLevel !== undefined && isSeverity(p.maxLevel) ? p.maxLevel : undefined,
    };
  });
}

/**
 * Parses the YAML text of a known-benign file (strict: it is our own input). Errors name the file and line and
 * say what is wrong, so whoever edits the list can fix it.
 */
export function parseKnownBenign(text: string, source: string): KnownBenignPattern[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number | undefined): string => {
    if (offset === undefined) return '';
    const { line } = lines.linePos(offset);
    return `:${line}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new BuiltinAnalystError(
      'KNOWN_BENIGN_INVALID',
      `${source}${lineOf(e.pos[0])}: not valid YAML: ${e.message.split('\n')[0]}. Fix the file or remove the override.`,
    );
  }
  const parsed = KnownBenignFile.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    // the deepest node that exists on the issue's path gives the line to point at
    let line = '';
    for (let n = path.length; n >= 0 && line === ''; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) line = lineOf(node.range[0]);
    }
    throw new BuiltinAnalystError(
      'KNOWN_BENIGN_INVALID',
      `${source}${line}: ${path.length ? path.join('.') : '(top level)'}: ${issue.message}. ` +
        'See src/analysts/builtin/rules/known-benign.yaml for the format.',
    );
  }
  return compileKnownBenign(parsed.data, source);
}

/** A pattern that applied to a finding, and the facts it matched on (for the verdict's evidence). */
export type KnownBenignMatch = { readonly pattern: KnownBenignPattern; readonly facts: readonly Fact[] };

function tacticsOf(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    if (!t.startsWith('attack.')) continue;
    const rest = t.slice('attack.'.length);
    // technique (t1059.001), group (g0016), software (s0002) tags are not tactics
    if (/^[tgs]\d{4}/.test(rest)) continue;
    out.push(rest);
  }
  return out;
}

/** The facts matched when every condition holds; undefined when one fails or its field is absent. */
function matchAll(conds: readonly (readonly [FactName, Matcher])[], v: FindingView): Fact[] | undefined {
  const facts: Fact[] = [];
  for (const [name, test] of conds) {
    const f = v.facts[name];
    // a field the event lacks is not a match: an allow-list fails closed
    if (f === undefined || !test(f.value)) return undefined;
    facts.push(f);
  }
  return facts;
}

/** Whether `p` applies to the finding: its scope allows the rule, every `when` matches and no `unless` does. */
export function matchPattern(p: KnownBenignPattern, v: FindingView): KnownBenignMatch | undefined {
  if (p.rules && (v.ruleId === undefined || !p.rules.has(v.ruleId))) return undefined;
  if (p.maxLevel && (v.level === undefined || severityRank(v.level) > severityRank(p.maxLevel))) return undefined;
  if (p.tactics) {
    for (const t of tacticsOf(v.tags)) if (!p.tactics.has(t)) return undefined;
  }
  const facts = matchAll(p.when, v);
  if (facts === undefined) return undefined;
  for (const set of p.unless) if (matchAll(set, v) !== undefined) return undefined;
  return { pattern: p, facts };
}

/** The patterns that apply, strongest first (then in file order). */
export function matchKnownBenign(patterns: readonly KnownBenignPattern[], v: FindingView): KnownBenignMatch[] {
  const out: KnownBenignMatch[] = [];
  for (const p of patterns) {
    const m = matchPattern(p, v);
    if (m) out.push(m);
  }
  return out.sort((a, b) => (a.pattern.strength === b.pattern.strength ? 0 : a.pattern.strength === 'strong' ? -1 : 1));
}

export { tacticsOf };
