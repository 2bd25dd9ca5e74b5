// The vocabulary of `mamori harden`: checks as data (a baseline is a YAML file of CheckSpecs), what an engine
// reports for each check, and the minimal line edits that fix a failed one. Engines (sshd, sysctl, login.defs,
// ...) are pure: they read a ConfigRoot and return results; patches are rendered and verified elsewhere.
import type { Severity } from '../core/severity.ts';

/** A file system root as engines see it: paths relative to the root, `/`-separated, no leading slash. */
export interface ConfigRoot {
  /** The file's text, or undefined when it does not exist (or is not a regular file). */
  read(path: string): Promise<string | undefined>;
  /** Names in a directory (files and directories), sorted; [] when it does not exist. */
  list(dir: string): Promise<readonly string[]>;
  /**
   * The path with its symlinks resolved inside the root (`etc/nginx/sites-enabled/x` → `…/sites-available/x`),
   * when the root knows: patches name the real file, which patch(1) edits (it refuses symlinks).
   */
  canonical?(path: string): Promise<string | undefined>;
}

/** What a check expects of the effective value. Values compare as the engine normalises them (case, units). */
export type Expectation =
  | { readonly equals: string }
  | { readonly oneOf: readonly string[] }
  /** Numeric bounds (inclusive); `min` and `max` may both be given. */
  | { readonly min?: number; readonly max?: number }
  /** A list value (ciphers, MACs, KexAlgorithms): none of these may appear. */
  | { readonly excludes: readonly string[] }
  /** The setting must be present at all (any value). */
  | { readonly present: true };

/** One check of a baseline. `engine` says which engine reads it; `key` is the engine's setting name. */
export type CheckSpec = {
  /** Stable id, `<engine>-<what>` (`sshd-permit-root-login`). */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly engine: string;
  /** The setting: an sshd keyword, a sysctl key, a login.defs variable, ... */
  readonly key: string;
  readonly expect: Expectation;
  /** The value written when fixing (must satisfy `expect`). */
  readonly fix: string;
  /**
   * Settings that give this one its meaning, written by the fix when no line sets them (sshd only for now:
   * ClientAliveInterval's idle timeout is interval × ClientAliveCountMax), so the result does not rest on a default.
   */
  readonly with?: Readonly<Record<string, string>>;
  /** `ssg:<rule id>`, `cis:<benchmark>:<id>`, `stig:<id>`, `anssi:<id>`. */
  readonly refs: readonly string[];
  /** Profiles the check belongs to (`cis-l1-server`, `cis-l2-server`, `pss-restricted`, ...). */
  readonly profiles: readonly string[];
  readonly rationale?: string;
};

/** A minimal edit of one file. Lines are 1-based and refer to the ORIGINAL text; edits never overlap. */
export type LineEdit =
  /** Replace one line's text (the engine keeps its indentation, keyword spelling and separator). */
  | { readonly kind: 'replace'; readonly line: number; readonly text: string }
  /** Insert lines before line `before` (`lineCount + 1` appends). */
  | { readonly kind: 'insert'; readonly before: number; readonly lines: readonly string[] }
  | { readonly kind: 'delete'; readonly line: number };

export type FileEdit = {
  /** Relative to the root, `/`-separated (`etc/ssh/sshd_config`). */
  readonly path: string;
  /** The file does not exist yet and is created with the inserted lines. */
  readonly create?: boolean;
  readonly edits: readonly LineEdit[];
};

/** What an engine found for one check. */
export type CheckResult = {
  readonly check: CheckSpec;
  /**
   * For checks judged once per place (an nginx `server` block, a Kubernetes container, a Dockerfile stage): which
   * one, e.g. `server example.com (etc/nginx/sites-enabled/bank:12)`. A check may then give several results.
   */
  readonly instance?: string;
  readonly status: 'pass' | 'fail' | 'not-applicable' | 'error';
  /** Where the effective value comes from (absent: the built-in default applies). */
  readonly file?: string;
  readonly line?: number;
  /** The effective value as the service would apply it (`(default) yes` style text when defaulted). */
  readonly current?: string;
  /** What the check expects, in words (`no`, `at most 4`, `none of 3des-cbc, ...`). */
  readonly expected: string;
  readonly message: string;
  /** For a failed check: the smallest edit that fixes it; absent when the engine cannot fix it (says why). */
  readonly fix?: readonly FileEdit[];
  readonly unfixable?: string;
};

/** An engine: reads the settings it knows from a root and judges the checks given to it. */
export interface HardenEngine {
  readonly id: string;
  /** Whether the root has what this engine reads (else its checks are not-applicable). */
  applies(root: ConfigRoot): Promise<boolean>;
  assess(root: ConfigRoot, checks: readonly CheckSpec[]): Promise<CheckResult[]>;
}
