import { readdir, stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { Finding } from '../core/finding.ts';
import type { LogFormat, ReadIssue } from './event.ts';
import { HuntEngine, type FileStats, type RuleSelection, type RulesReport } from './engine.ts';
import { HuntError, type HuntErrorCode } from './errors.ts';
import { expandInputs, type InputFile } from './files.ts';
import { readerFor } from './open.ts';
import { correlationFinding } from './correlate.ts';
import { evaluateCorrelations, type BaseMatch, type CompiledCorrelation } from './sigma/correlation/index.ts';

/** Input bytes that justify one more worker thread (its start-up compiles every rule). */
const BYTES_PER_WORKER = 64 << 20;

export type HuntOptions = {
  readonly paths: readonly string[];
  readonly selection: RuleSelection;
  readonly format?: LogFormat;
  readonly since?: number;
  readonly until?: number;
  /** Threads matching files in parallel: 1 matches on the calling thread, more use that many worker threads. */
  readonly jobs: number;
  /** `jobs` is an upper bound, not a request: small inputs run on one thread, where workers would cost more. */
  readonly autoJobs?: boolean;
  readonly signal?: AbortSignal;
};

export type HuntProgress = {
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly events: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
  readonly detections: number;
};

export type HuntCallbacks = {
  /** Called as detections are found (file order, not time order); correlation findings come at the end. */
  readonly finding: (f: Finding) => void;
  readonly issue?: (i: ReadIssue) => void;
  readonly progress?: (p: HuntProgress) => void;
  /** Called once rules are compiled, before any file is read. */
  readonly rulesReady?: (r: RulesReport) => void;
};

export type HuntResult = {
  readonly rules: RulesReport;
  readonly files: number;
  readonly skippedFiles: readonly { path: string; reason: string }[];
  readonly events: number;
  readonly bytes: number;
  readonly detections: number;
  readonly firstTime?: number;
  readonly lastTime?: number;
  readonly elapsedMs: number;
  readonly issues: number;
  readonly jobs: number;
};

/** Messages between the main thread and hunt workers (src/hunt/worker.ts). */
export type WorkerRequest =
  | {
      type: 'init';
      /** The worker loads and compiles these rules itself (through the parsed-rule cache when one is set). */
      selection: RuleSelection;
      format?: LogFormat;
      since?: number;
      until?: number;
    }
  | { type: 'file'; path: string }
  | { type: 'stop' };
export type WorkerReply =
  | { type: 'ready'; report: RulesReport; correlations: readonly CompiledCorrelation[] }
  | { type: 'findings'; findings: Finding[] }
  | { type: 'base'; matches: BaseMatch[] }
  | { type: 'progress'; events: number }
  | { type: 'issue'; issue: ReadIssue }
  | { type: 'done'; path: string; stats?: FileStats; error?: string }
  /** The rules could not be loaded or compiled; `code` when the cause was a HuntError (a missing rules path). */
  | { type: 'fatal'; error: string; code?: HuntErrorCode };

/**
 * Heap limits of a hunt worker. V8 sizes a thread's heap for the machine (a ~128 MB young generation, an old
 * generation let grow to several times what is live before a full collection); each worker holds its own
 * compiled rules, so unbounded that is ~300 MB per thread. Events die young and the live set is the compiled
 * rules plus a batch or two, so these caps cost little time. The old-generation cap grows with the ruleset
 * (about 12 KB live per rule) and leaves several times the live set: it shapes when V8 collects, and a worker
 * that still runs out reports its file as failed rather than taking the machine's memory.
 */
function workerLimits(ruleFiles: number): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  return { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: Math.max(256, 192 + Math.ceil(ruleFiles / 40)) };
}

/**
 * Runs a hunt. One thread: rules compiled and files matched in place. More: every file goes to worker threads
 * (largest first, from a shared queue), each of which loads and compiles the rules itself; the main thread
 * streams results out and evaluates correlations (which the first worker ready hands back) at the end.
 */
export async function hunt(opts: HuntOptions, cb: HuntCallbacks): Promise<HuntResult> {
  const started = performance.now();
  const all = await expandInputs(opts.paths);
  // sniff every file first, so unknown files are skipped (directories) or refused (named files) up front
  const files: InputFile[] = [];
  const skippedFiles: { path: string; reason: string }[] = [];
  // many at once: each sniff is a few file-system round trips, and a directory may hold thousands of logs
  const verdicts = new Array<Error | undefined>(all.length);
  let next = 0;
  const sniffer = async (): Promise<void> => {
    for (let i = next++; i < all.length; i = next++) {
      try {
        await readerFor(all[i]!.path, opts.format);
      } catch (err) {
        verdicts[i] = err as Error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, all.length) }, sniffer));
  for (const [i, f] of all.entries()) {
    const err = verdicts[i];
    if (!err) files.push(f);
    else if (f.explicit) throw err;
    else skippedFiles.push({ path: f.path, reason: err.message });
  }
  if (files.length === 0) {
    throw new HuntError('NO_INPUT', `no readable log files in ${opts.paths.join(', ')}`);
  }
  const bytesTotal = files.reduce((s, f) => s + f.size, 0);
  // a worker compiles the whole ruleset first (~1 s), so with `auto` one is added per BYTES_PER_WORKER of input
  const wanted = opts.autoJobs ? Math.min(opts.jobs, 1 + Math.floor(bytesTotal / BYTES_PER_WORKER)) : opts.jobs;
  const threads = Math.max(1, Math.min(wanted, files.length));

  const queue = [...files].sort((a, b) => b.size - a.size);
  let filesDone = 0;
  let events = 0;
  let bytesDone = 0;
  let detections = 0;
  let issues = 0;
  let firstTime: number | undefined;
  let lastTime: number | undefined;
  const base: BaseMatch[] = [];
  const progress = (): void =>
    cb.progress?.({ filesDone, filesTotal: files.length, events, bytesDone, bytesTotal, detections });
  const onFindings = (batch: Finding[]): void => {
    detections += batch.length;
    for (const f of batch) cb.finding(f);
  };
  const onIssue = (i: ReadIssue): void => {
    issues++;
    cb.issue?.(i);
  };
  const onEvents = (n: number): void => {
    events += n;
    progress();
  };
  const fileDone = (f: InputFile, stats: FileStats | undefined, error?: string): void => {
    filesDone++;
    bytesDone += f.size;
    if (error) onIssue({ file: f.path, message: error, fatal: true });
    if (stats?.firstTime !== undefined && (firstTime === undefined || stats.firstTime < firstTime))
      firstTime = stats.firstTime;
    if (stats?.lastTime !== undefined && (lastTime === undefined || stats.lastTime > lastTime))
      lastTime = stats.lastTime;
    progress();
  };

  let report: RulesReport | undefined;
  let correlations: readonly CompiledCorrelation[];
  if (threads === 1) {
    const engine = await HuntEngine.create(opts.selection);
    report = engine.report;
    correlations = engine.correlations;
    cb.rulesReady?.(report);
    const fileOpts = {
      ...(opts.format ? { format: opts.format } : {}),
      ...(opts.since !== undefined ? { since: opts.since } : {}),
      ...(opts.until !== undefined ? { until: opts.until } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      selection: opts.selection,
    };
    for (let f = queue.shift(); f; f = queue.shift()) {
      try {
        const stats = await engine.huntFile(f.path, fileOpts, {
          findings: onFindings,
          baseMatches: (b) => base.push(...b),
          progress: onEvents,
          issue: onIssue,
        });
        fileDone(f, stats);
      } catch (err) {
        // one unreadable file does not lose the others
        fileDone(f, undefined, (err as Error).message);
      }
      if (opts.signal?.aborted) break;
    }
  } else {
    // each worker loads (from the parsed-rule cache when there is one) and compiles the rules itself: the main
    // thread never holds the ruleset, and no parsed copy of it is cloned into every worker
    const limits = workerLimits(await countRuleFiles(opts.selection.rules));
    let fromWorkers: readonly CompiledCorrelation[] = [];
    const handlers: WorkerHandlers = {
      ready: (r, c) => {
        if (report) return;
        report = r;
        fromWorkers = c;
        cb.rulesReady?.(r);
      },
      findings: onFindings,
      base: (b) => base.push(...b),
      events: onEvents,
      issue: onIssue,
      done: fileDone,
    };
    const workers = Array.from({ length: threads }, () => runWorker(opts, limits, queue, handlers));
    // a worker that cannot load the rules stops the hunt, but only once every worker has ended
    const settled = await Promise.allSettled(workers);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    if (!report) throw new HuntError('RULES_INVALID', 'hunt workers exited before compiling the rules');
    correlations = fromWorkers;
    // files no worker was left to take are reported, not silently skipped
    for (let f = queue.shift(); f && !opts.signal?.aborted; f = queue.shift())
      fileDone(f, undefined, 'not read: every hunt worker stopped');
  }

  if (correlations.length && base.length) {
    for (const hit of evaluateCorrelations(correlations, base)) {
      detections++;
      cb.finding(correlationFinding(hit));
    }
  }
  return {
    rules: report,
    files: files.length,
    skippedFiles,
    events,
    bytes: bytesTotal,
    detections,
    ...(firstTime !== undefined ? { firstTime } : {}),
    ...(lastTime !== undefined ? { lastTime } : {}),
    elapsedMs: performance.now() - started,
    issues,
    jobs: threads,
  };
}

/** Rule files under the given paths, counted before parsing (an archive by its size): sizes the worker heaps. */
async function countRuleFiles(paths: readonly string[]): Promise<number> {
  let n = 0;
  for (const p of paths) {
    try {
      const st = await stat(p);
      if (st.isDirectory()) {
        for (const e of await readdir(p, { recursive: true })) if (/\.ya?ml$/i.test(e)) n++;
      } else n += /\.zip$/i.test(p) ? Math.ceil(st.size / 1024) : 1;
    } catch {
      // a path that cannot be read is the loader's to report
    }
  }
  return n;
}

type WorkerHandlers = {
  ready(report: RulesReport, correlations: readonly CompiledCorrelation[]): void;
  findings(b: Finding[]): void;
  base(b: BaseMatch[]): void;
  events(n: number): void;
  issue(i: ReadIssue): void;
  done(f: InputFile, stats: FileStats | undefined, error?: string): void;
};

/** One worker thread: compiles the rules itself, then takes files from the shared queue until it is empty. */
function runWorker(
  opts: HuntOptions,
  resourceLimits: ReturnType<typeof workerLimits>,
  queue: InputFile[],
  h: WorkerHandlers,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./worker.ts', import.meta.url), {
      // no execArgv: a worker inherits the thread's own options, and V8 flags (the regexp backtracking bound) are
      // process-wide and already apply; heap sizes come from resourceLimits
      resourceLimits,
    });
    let current: InputFile | undefined;
    let finished = false;
    let ready = false;
    let failure: Error | undefined;
    const next = (): void => {
      current = opts.signal?.aborted ? undefined : queue.shift();
      if (current) w.postMessage({ type: 'file', path: current.path } satisfies WorkerRequest);
      else {
        finished = true;
        w.postMessage({ type: 'stop' } satisfies WorkerRequest);
      }
    };
    w.on('message', (m: WorkerReply) => {
      switch (m.type) {
        case 'ready':
          ready = true;
          h.ready(m.report, m.correlations);
          next();
          break;
        case 'findings':
          h.findings(m.findings);
          break;
        case 'base':
          h.base(m.matches);
          break;
        case 'progress':
          h.events(m.events);
          break;
        case 'issue':
          h.issue(m.issue);
          break;
        case 'done':
          if (current) h.done(current, m.stats, m.error);
          next();
          break;
        case 'fatal':
          finished = true;
          void w.terminate();
          reject(
            m.code ? new HuntError(m.code, m.error) : new HuntError('RULES_INVALID', `hunt worker failed: ${m.error}`),
          );
      }
    });
    // an uncaught error or running out of its heap stops one worker: its file is reported as failed and the
    // others go on with the queue
    w.on('error', (err) => (failure = err));
    w.on('exit', (code) => {
      if (!finished) {
        const why = failure?.message ?? `exit code ${code}`;
        if (!ready) {
          reject(new HuntError('RULES_INVALID', `hunt worker stopped before compiling the rules: ${why}`));
          return;
        }
        if (current) h.done(current, undefined, `hunt worker stopped while reading this file: ${why}`);
      }
      resolve();
    });
    const init: WorkerRequest = {
      type: 'init',
      selection: opts.selection,
      ...(opts.format ? { format: opts.format } : {}),
      ...(opts.since !== undefined ? { since: opts.since } : {}),
      ...(opts.until !== undefined ? { until: opts.until } : {}),
    };
    w.postMessage(init);
  });
}
