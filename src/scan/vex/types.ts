// The vocabulary of `mamori scan --ignore FILE`: the rules an ignore or VEX file gives, the problems met reading
// it, and what applying the rules to findings gives back.
import type { Suppression, VulnerabilityFinding } from '../finding.ts';
import type { Glob } from './glob.ts';
import type { PurlSelector } from './purl-match.ts';

/** The formats `parseIgnoreFile` reads. */
export type IgnoreFormat = 'openvex' | 'yaml' | 'trivyignore';

/** OpenVEX status labels (spec v0.2.0, "Status Labels"). */
export type VexStatus = 'not_affected' | 'affected' | 'fixed' | 'under_investigation';
export const VEX_STATUSES: readonly VexStatus[] = ['not_affected', 'affected', 'fixed', 'under_investigation'];

/** OpenVEX justification labels for `not_affected` (the VEX working group's "Status Justifications"). */
export type VexJustification =
  | 'component_not_present'
  | 'vulnerable_code_not_present'
  | 'vulnerable_code_not_in_execute_path'
  | 'vulnerable_code_cannot_be_controlled_by_adversary'
  | 'inline_mitigations_already_exist';
export const VEX_JUSTIFICATIONS: readonly VexJustification[] = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
];

/** The status a suppression records (see `Suppression`). */
export type SuppressionStatus = Suppression['status'];
export const SUPPRESSION_STATUSES: readonly SuppressionStatus[] = [
  'not_affected',
  'fixed',
  'false_positive',
  'accepted',
];

/** A product of a VEX statement and the subcomponents (where the vulnerability lives) it names. */
export type VexProduct = { readonly selector: PurlSelector; readonly subcomponents: readonly PurlSelector[] };

/** One OpenVEX statement. */
export type VexRule = {
  readonly kind: 'vex';
  /** `file#statement-N`, N counting from 1 in document order. */
  readonly source: string;
  /** Line of the statement in the file, when known. */
  readonly line?: number;
  /** The vulnerability's name and aliases, any of which may match the finding's id or aliases. */
  readonly ids: readonly string[];
  readonly products: readonly VexProduct[];
  readonly status: VexStatus;
  readonly justification?: VexJustification;
  readonly impactStatement?: string;
  readonly actionStatement?: string;
  readonly statusNotes?: string;
  /** When the statement was made (its own `timestamp`, else the document's), ms since the epoch. */
  readonly time?: number;
  /** The `mamori_expires` extension: from then on the statement is ignored. */
  readonly expires?: string;
  readonly expiresAt?: number;
};

/** One entry of a .trivyignore.yaml-style file or one line of a plain .trivyignore. */
export type IgnoreEntry = {
  readonly kind: 'ignore';
  readonly format: 'yaml' | 'trivyignore';
  /** `file:line`. */
  readonly source: string;
  readonly line: number;
  /** The vulnerability id; `undefined` (YAML only) selects every vulnerability of the purls/paths given. */
  readonly id?: string;
  /** Packages it applies to; empty for every package. */
  readonly purls: readonly PurlSelector[];
  /** Globs over the finding's `package.location`; empty for every location. */
  readonly paths: readonly Glob[];
  readonly status: SuppressionStatus;
  readonly reason: string;
  /** From then on the entry is ignored (`expired_at`/`expires`, `exp:`). */
  readonly expires?: string;
  readonly expiresAt?: number;
};

export type IgnoreRule = VexRule | IgnoreEntry;

/** A problem in an ignore file: where (file, line and/or statement number) and what. */
export type IgnoreIssue = {
  readonly location: string;
  readonly line?: number;
  /** OpenVEX: the statement's number, from 1. */
  readonly statement?: number;
  readonly message: string;
};

export type ParsedIgnoreFile = {
  readonly format: IgnoreFormat;
  readonly rules: readonly IgnoreRule[];
  readonly issues: readonly IgnoreIssue[];
};

/** A suppression applied by `applyIgnores`: `Suppression`, plus the OpenVEX justification when one gave it. */
export type AppliedSuppression = Suppression & { readonly justification?: VexJustification };

/**
 * The VEX statement that decided a finding, kept at `details.vex` whether it suppressed the finding or not
 * (`affected` and `under_investigation` keep it, with the vendor's word attached).
 */
export type VexNote = {
  readonly status: VexStatus;
  readonly source: string;
  readonly justification?: VexJustification;
  readonly impact_statement?: string;
  readonly action_statement?: string;
  readonly status_notes?: string;
};

/** An expired rule: it suppressed nothing, and `matched` findings it would have suppressed (for a warning). */
export type ExpiredRule = { readonly rule: IgnoreRule; readonly matched: number };

export type AppliedIgnores = {
  /** Findings still reported (a VEX `affected`/`under_investigation` statement is at `details.vex`). */
  readonly kept: readonly VulnerabilityFinding[];
  /** Findings suppressed, each with `suppressed` set. */
  readonly suppressed: readonly VulnerabilityFinding[];
  readonly expired: readonly ExpiredRule[];
  /** Rules in force that matched no finding. */
  readonly unused: readonly IgnoreRule[];
};
