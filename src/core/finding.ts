import type { FindingId } from './ids.ts';
import type { Severity } from './severity.ts';

/** What produced a finding. Each detector produces one kind. */
export type FindingKind = 'detection' | 'vulnerability' | 'misconfiguration' | 'exposure';

/** The thing a finding is about: a host, a file, a package, a container image, a service. */
export type Asset = {
  readonly kind: 'host' | 'file' | 'package' | 'image' | 'service';
  /** Host name, path, purl or address: whatever names the asset for its kind. */
  readonly name: string;
  /** Business criticality when known (from an asset inventory); analysts use it. */
  readonly criticality?: 'low' | 'medium' | 'high' | 'critical';
};

/** Where the evidence came from: a file and a position in it. */
export type SourceRef = {
  readonly file: string;
  /** EVTX EventRecordID, when the record has one. */
  readonly recordId?: number;
  /** 1-based line for line-oriented inputs. */
  readonly line?: number;
  /** Byte offset of the record in the (decompressed) input, when known. */
  readonly offset?: number;
};

/** One piece of evidence: the raw record, where it was found, and when it happened. */
export type Evidence = {
  readonly source: SourceRef;
  /** Event time as an ISO 8601 UTC string, when known. */
  readonly time?: string;
  /** The record itself, as JSON (EVTX: the evtx_dump shape `{"Event": {...}}`). */
  readonly data: unknown;
};

/** The rule, check or advisory that raised a finding. */
export type RuleRef = {
  readonly id: string;
  readonly title: string;
  readonly level: Severity;
  readonly tags: readonly string[];
  readonly description?: string;
  readonly references?: readonly string[];
  readonly author?: string;
  readonly status?: string;
  readonly falsepositives?: readonly string[];
  /** Where the rule was loaded from (file path, or path inside an archive). */
  readonly path?: string;
  /** References to other catalogues: `ssg:<rule id>`, `cis:<benchmark>:<id>`, `stig:<id>` (harden checks). */
  readonly refs?: readonly string[];
};

/** The shared shape every detector produces. Stable `id` so verdicts and decisions stay attached across runs. */
export type Finding = {
  readonly id: FindingId;
  readonly kind: FindingKind;
  readonly severity: Severity;
  readonly title: string;
  readonly rule: RuleRef;
  readonly asset: Asset;
  /** When it happened (detections) or was found (others), ISO 8601 UTC. */
  readonly time?: string;
  readonly evidence: readonly Evidence[];
  /** Kind-specific extras (e.g. matched fields, correlation group), JSON-serialisable. */
  readonly details?: Readonly<Record<string, unknown>>;
};
