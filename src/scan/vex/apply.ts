// Applying ignore rules and VEX statements to the findings of a scan.
//
// Matching a rule to a finding:
// - vulnerability: any id of the rule (an OpenVEX name or alias, a YAML/plain `id`) equal, ignoring case, to the
//   finding's reported id or any of its aliases, so a GHSA id in the file suppresses the finding reported as its
//   CVE and the other way round;
// - package: a purl selector matches the finding's `package.purl` (see purl-match.ts: version, qualifiers and
//   subpath only count when the selector has them); a finding without a purl matches no selector;
// - path (YAML): a glob over `package.location` (for images also the path without the `image:` prefix).
// All the selectors an entry gives must match; within one list, any item.
//
// OpenVEX products: a statement applies to a finding whose package is one of its products. A product with
// `subcomponents` also applies to those subcomponents, but only when the product is the scanned artifact
// itself (`options.targets`), since without a dependency graph nothing tells that the finding's package is
// inside the product (a vendor's VEX for their package must not clear the same dependency in our code).
//
// Precedence: of the VEX statements that match, the latest (statement timestamp, else document timestamp;
// ties and undated ones by their order in `rules`) decides, as VEX statements override earlier ones; it
// suppresses when `not_affected` or `fixed`, and is recorded at `details.vex` in any case. When VEX leaves a
// finding reported, the first matching ignore entry (in `rules` order) suppresses it.
//
// Expiry: a rule whose expiry is at or before `now` is out of force: it suppresses nothing and is listed in
// `expired` with the number of findings it would have matched.
import { parsePurl, type Purl } from '../inventory/purl.ts';
import type { VulnerabilityFinding } from '../finding.ts';
import { globMatch } from './glob.ts';
import { purlMatches } from './purl-match.ts';
import type {
  AppliedIgnores,
  AppliedSuppression,
  ExpiredRule,
  IgnoreEntry,
  IgnoreRule,
  VexNote,
  VexRule,
} from './types.ts';

export type ApplyOptions = {
  /** Purls of the scanned artifact (the image, the project): VEX products whose subcomponents may be cleared. */
  readonly targets?: readonly string[];
};

function norm(id: string): string {
  return id.trim().toUpperCase();
}

function vexMatches(rule: VexRule, pkg: Purl | undefined, targets: readonly Purl[]): boolean {
  if (pkg === undefined) return false;
  for (const p of rule.products) {
    if (purlMatches(p.selector.purl, pkg)) return true;
    if (
      p.subcomponents.length > 0 &&
      targets.some((t) => purlMatches(p.selector.purl, t)) &&
      p.subcomponents.some((s) => purlMatches(s.purl, pkg))
    )
      return true;
  }
  return false;
}

function locations(location: string): string[] {
  return location.startsWith('image:') ? [location, location.slice('image:'.length)] : [location];
}

function entryMatches(rule: IgnoreEntry, pkg: Purl | undefined, location: string): boolean {
  if (rule.purls.length > 0 && (pkg === undefined || !rule.purls.some((s) => purlMatches(s.purl, pkg)))) return false;
  if (rule.paths.length > 0) {
    const locs = locations(location);
    if (!rule.paths.some((g) => locs.some((l) => globMatch(g, l)))) return false;
  }
  return true;
}

function vexNote(rule: VexRule): VexNote {
  return {
    status: rule.status,
    source: rule.source,
    ...(rule.justification !== undefined ? { justification: rule.justification } : {}),
    ...(rule.impactStatement !== undefined ? { impact_statement: rule.impactStatement } : {}),
    ...(rule.actionStatement !== undefined ? { action_statement: rule.actionStatement } : {}),
    ...(rule.statusNotes !== undefined ? { status_notes: rule.statusNotes } : {}),
  };
}

function vexSuppression(rule: VexRule): AppliedSuppression {
  const status = rule.status === 'fixed' ? 'fixed' : 'not_affected';
  const reason =
    rule.impactStatement ??
    rule.justification ??
    rule.statusNotes ??
    (rule.status === 'fixed' ? 'fixed in this product (VEX)' : 'not affected (VEX)');
  return {
    status,
    reason,
    source: rule.source,
    ...(rule.expires !== undefined ? { expires: rule.expires } : {}),
    ...(rule.justification !== undefined ? { justification: rule.justification } : {}),
  };
}

function entrySuppression(rule: IgnoreEntry): AppliedSuppression {
  return {
    status: rule.status,
    reason: rule.reason,
    source: rule.source,
    ...(rule.expires !== undefined ? { expires: rule.expires } : {}),
  };
}

/**
 * Splits findings into kept and suppressed by the rules of one or more ignore/VEX files (concatenated in the
 * order they should be read), at time `now`. Pure: the findings are not changed, suppressed ones are copies
 * with `suppressed` (and, when a VEX statement decided them, `details.vex`) set.
 */
export function applyIgnores(
  findings: readonly VulnerabilityFinding[],
  rules: readonly IgnoreRule[],
  now: Date,
  options: ApplyOptions = {},
): AppliedIgnores {
  const nowMs = now.getTime();
  const live = rules.map((r) => r.expiresAt === undefined || r.expiresAt > nowMs);
  // rule indexes by normalised vulnerability id; entries without an id apply to every vulnerability
  const byId = new Map<string, number[]>();
  const anyId: number[] = [];
  rules.forEach((r, i) => {
    const ids = r.kind === 'vex' ? r.ids : r.id !== undefined ? [r.id] : [];
    if (ids.length === 0) anyId.push(i);
    for (const id of new Set(ids.map(norm))) {
      const list = byId.get(id);
      if (list === undefined) byId.set(id, [i]);
      else list.push(i);
    }
  });
  const targets = (options.targets ?? []).flatMap((t) => {
    const p = parsePurl(t);
    return p.ok ? [p.purl] : [];
  });
  const purls = new Map<string, Purl | undefined>();
  const purlOf = (text: string | undefined): Purl | undefined => {
    if (text === undefined) return undefined;
    if (!purls.has(text)) {
      const p = parsePurl(text);
      purls.set(text, p.ok ? p.purl : undefined);
    }
    return purls.get(text);
  };
  const matched = new Uint32Array(rules.length);
  const kept: VulnerabilityFinding[] = [];
  const suppressed: VulnerabilityFinding[] = [];

  for (const f of findings) {
    const candidates = new Set<number>(anyId);
    for (const id of [f.vulnerability.id, ...f.vulnerability.aliases]) {
      for (const i of byId.get(norm(id)) ?? []) candidates.add(i);
    }
    const pkg = purlOf(f.package.purl);
    let vex: { rule: VexRule; index: number } | undefined;
    let entry: IgnoreEntry | undefined;
    for (const i of [...candidates].sort((a, b) => a - b)) {
      const r = rules[i] as IgnoreRule;
      const hit = r.kind === 'vex' ? vexMatches(r, pkg, targets) : entryMatches(r, pkg, f.package.location);
      if (!hit) continue;
      matched[i] = (matched[i] as number) + 1;
      if (!live[i]) continue;
      if (r.kind === 'vex') {
        // later statements override earlier ones; an undated statement sorts before every dated one
        if (vex === undefined || (r.time ?? -Infinity) >= (vex.rule.time ?? -Infinity)) vex = { rule: r, index: i };
      } else {
        entry ??= r;
      }
    }
    const details = vex === undefined ? f.details : { ...f.details, vex: vexNote(vex.rule) };
    const withDetails = details === f.details ? f : { ...f, details };
    const vexSuppresses = vex !== undefined && (vex.rule.status === 'not_affected' || vex.rule.status === 'fixed');
    if (vexSuppresses) suppressed.push({ ...withDetails, suppressed: vexSuppression(vex!.rule) });
    else if (entry !== undefined) suppressed.push({ ...withDetails, suppressed: entrySuppression(entry) });
    else if (f.suppressed !== undefined) suppressed.push(withDetails);
    else kept.push(withDetails);
  }

  const expired: ExpiredRule[] = [];
  const unused: IgnoreRule[] = [];
  rules.forEach((r, i) => {
    if (!live[i]) expired.push({ rule: r, matched: matched[i] as number });
    else if (matched[i] === 0) unused.push(r);
  });
  return { kept, suppressed, expired, unused };
}
