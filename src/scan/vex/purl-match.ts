// Package selectors of ignore and VEX files, matched against a finding's purl the way Trivy's `purl.Match`
// does: type, namespace and name must be equal; version, qualifiers and subpath only count when the
// selector gives them (`pkg:npm/lodash` selects every version, `pkg:npm/lodash@4.17.20` that one, and
// `?arch=x86_64` only packages whose purl says that arch).
import { parsePurl, type Purl } from '../inventory/purl.ts';

/** A package selector: the purl as written and as parsed. */
export type PurlSelector = { readonly text: string; readonly purl: Purl };

export type SelectorParse =
  { readonly ok: true; readonly selector: PurlSelector } | { readonly ok: false; readonly reason: string };

export function purlSelector(text: string): SelectorParse {
  const p = parsePurl(text);
  return p.ok ? { ok: true, selector: { text, purl: p.purl } } : { ok: false, reason: p.reason };
}

// PEP 503: `zope.interface`, `Zope_Interface` and `zope-interface` are one project (parsePurl only folds `_`)
function comparableName(p: Purl): string {
  return p.type === 'pypi' ? p.name.toLowerCase().replace(/[-_.]+/g, '-') : p.name;
}

/** Whether `target` (a finding's purl) is one of the packages `selector` names. */
export function purlMatches(selector: Purl, target: Purl): boolean {
  if (selector.type !== target.type || comparableName(selector) !== comparableName(target)) return false;
  if ((selector.namespace ?? '') !== (target.namespace ?? '')) return false;
  if (selector.version !== undefined && selector.version !== target.version) return false;
  if (selector.subpath !== undefined && selector.subpath !== target.subpath) return false;
  if (selector.qualifiers !== undefined) {
    for (const [k, v] of Object.entries(selector.qualifiers)) {
      if (target.qualifiers === undefined || !Object.hasOwn(target.qualifiers, k) || target.qualifiers[k] !== v)
        return false;
    }
  }
  return true;
}
