import type { IgnoreIssue } from './types.ts';

// a hostile file can hold a million bad lines: report the first ones and how many more there were
const MAX_ISSUES = 200;

/** Collects the issues of one file, bounded. */
export class IssueList {
  readonly location: string;
  readonly #issues: IgnoreIssue[] = [];
  #dropped = 0;

  constructor(location: string) {
    this.location = location;
  }

  add(message: string, where: { line?: number; statement?: number } = {}): void {
    if (this.#issues.length >= MAX_ISSUES) {
      this.#dropped++;
      return;
    }
    this.#issues.push({
      location: this.location,
      ...(where.line !== undefined ? { line: where.line } : {}),
      ...(where.statement !== undefined ? { statement: where.statement } : {}),
      message,
    });
  }

  result(): readonly IgnoreIssue[] {
    if (this.#dropped === 0) return this.#issues;
    return [...this.#issues, { location: this.location, message: `${this.#dropped} more problems not listed` }];
  }
}
