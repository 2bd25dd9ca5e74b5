// Plain .trivyignore files: one vulnerability id a line, `#` comments, and Trivy's expiry field after the id:
//
//   # not reachable: we never parse untrusted YAML
//   CVE-2022-40897
//   CVE-2023-3817 exp:2025-06-30   # until the base image is rebuilt
//
// As Trivy (pkg/result/ignore.go) reads it: fields are separated by white space, the first is the id, and an
// `exp:YYYY-MM-DD` field ends the entry at the start of that day (UTC). The reason shown with a suppression is
// the comment after the id, else the comment lines just above it. A line with a date that does not parse, or
// with another `key:value` field, is refused (Trivy skips the first and ignores the second; a typo such as
// `expires:2025-01-01` must not make the entry permanent).
import { parseFileTime } from './dates.ts';
import { IssueList } from './issues.ts';
import type { IgnoreEntry, ParsedIgnoreFile } from './types.ts';

const ID = /^[A-Za-z0-9][A-Za-z0-9._:+/-]{0,255}$/;
const MAX_LINES = 100_000;
const MAX_REASON = 500;

/** Parses a plain .trivyignore. Never throws. */
export function parseTrivyIgnore(text: string, path: string): ParsedIgnoreFile {
  const issues = new IssueList(path);
  const rules: IgnoreEntry[] = [];
  const lines = text.split(/\r?\n/);
  if (lines.length > MAX_LINES) {
    issues.add(`more than ${MAX_LINES} lines: none applied`);
    return { format: 'trivyignore', rules, issues: issues.result() };
  }
  let comments: string[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '') {
      comments = [];
      return;
    }
    if (trimmed.startsWith('#')) {
      const c = trimmed.replace(/^#+\s*/, '');
      if (c !== '') comments.push(c);
      return;
    }
    const hash = trimmed.search(/\s#/);
    const body = hash === -1 ? trimmed : trimmed.slice(0, hash).trimEnd();
    const trailing = hash === -1 ? '' : trimmed.slice(hash).replace(/^\s*#+\s*/, '');
    const above = comments.join(' ');
    comments = [];
    const [id, ...fields] = body.split(/\s+/) as [string, ...string[]];
    if (!ID.test(id)) {
      issues.add(`${JSON.stringify(id.slice(0, 100))} is not a vulnerability id; line skipped`, { line });
      return;
    }
    let expires: { text: string; ms: number } | undefined;
    for (const f of fields) {
      if (f.startsWith('exp:')) {
        expires = parseFileTime(f.slice(4));
        if (expires === undefined || f.length !== 'exp:YYYY-MM-DD'.length) {
          issues.add(`${id}: ${JSON.stringify(f)} is not exp:YYYY-MM-DD; line skipped`, { line });
          return;
        }
      } else {
        issues.add(`${id}: unknown field ${JSON.stringify(f.slice(0, 100))}; line skipped`, { line });
        return;
      }
    }
    const reason = (trailing || above || 'listed in the ignore file').slice(0, MAX_REASON);
    rules.push({
      kind: 'ignore',
      format: 'trivyignore',
      source: `${path}:${line}`,
      line,
      id,
      purls: [],
      paths: [],
      status: 'accepted',
      reason,
      ...(expires !== undefined ? { expires: expires.text, expiresAt: expires.ms } : {}),
    });
  });
  return { format: 'trivyignore', rules, issues: issues.result() };
}
