import { Worker } from 'node:worker_threads';
import type { Finding } from '../core/finding.ts';
import type { LogFormat, ReadIssue } from './event.ts';
import { HuntEngine, type FileStats, type RuleSelection, type RulesReport } from './engine.ts';
import { HuntError } from './errors.ts';
import { expandInputs, type InputFile } from './files.ts';
import { readerFor } from './open.ts';
import { correlationFinding } from './correlate.ts';
import { evaluateCorrelations, type BaseMatch } from './sigma/correlation/index.ts';

export type HuntOptions = {
  readonly paths: readonly string[];
  readonly selection: RuleSelection;
  readonly format?: LogFormat;
  readonly since?: number;
  readonly until?: number;
  /** Threads matching files in parallel (the main thread counts as one). */
  readonly jobs: number;
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
  | { type: 'init'; selection: RuleSelection; format?: LogFormat; since?: number; until?: number }
  | { type: 'file'; path: string }
  | { type: 'stop' };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'findings'; findings: Finding[] }
  | { type: 'base'; matches: BaseMatch[] }
  | { type: 'progress'; events: number }
  | { type: 'issue'; issue: ReadIssue }
  | { type: 'done'; path: string; stats?: FileStats; error?: string }
  | { type: 'fatal'; error: string };

/** Runs a hunt: rules compiled once per thread, files shared out largest first, results streamed back. */
export async function hunt(opts: HuntOptions, cb: HuntCallbacks): Promise<HuntResult> {
  const started = performance.now();
  const all = await expandInputs(opts.paths);
  // sniff every file first, so unknown files are skipped (directories) or refused (named files) up front
  const files: InputFile[] = [];
  const skippedFiles: { path: string; reason: string }[] = [];
  for (const f of all) {
    try {
      await readerFor(f.path, opts.format);
      files.push(f);
    } catch (err) {
      if (f.explicit) throw err;
      skippedFiles.push({ path: f.path, reason: (err as Error).message });
    }
  }
  if (files.length === 0) {
    throw new HuntError('NO_INPUT', `no readable log files in ${opts.paths.join(', ')}`);
  }
  const engine = await HuntEngine.create(opts.selection);
  cb.rulesReady?.(engine.report);

  const bytesTotal = files.reduce((s, f) => s + f.size, 0);
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
  const fileOpts = {
    ...(opts.format ? { format: opts.format } : {}),
    ...(opts.since !== undefined ? { since: opts.since } : {}),
    ...(opts.until !== undefined ? { until: opts.until } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    selection: opts.selection,
  };

  const mainLoop = async (): Promise<void> => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      try {
        const stats = await engine.huntFile(f.path, fileOpts, {
          findings: onFindings,
          baseMatches: (b) => base.push(...b),
          progress: (n) => {
            events += n;
            progress();
          },
          issue: onIssue,
        });
        fileDone(f, stats);
      } catch (err) {
        // one unreadable file does not lose the others
        fileDone(f, undefined, (err as Error).message);
      }
      if (opts.signal?.aborted) return;
    }
  };

  const workerCount = Math.max(0, Math.min(opts.jobs, files.length) - 1);
  const workers = Array.from({ length: workerCount }, () =>
    runWorker(opts, queue, {
      findings: onFindings,
      base: (b) => base.push(...b),
      events: (n) => {
        events += n;
        progress();
      },
      issue: onIssue,
      done: fileDone,
    }),
  );
  await Promise.all([mainLoop(), ...workers]);

  if (engine.correlations.length && base.length) {
    for (const hit of evaluateCorrelations(engine.correlations, base)) {
      detections++;
      cb.finding(correlationFinding(hit));
    }
  }
  return {
    rules: engine.report,
    files: files.length,
    skippedFiles,
    events,
    bytes: bytesTotal,
    detections,
    ...(firstTime !== undefined ? { firstTime } : {}),
    ...(lastTime !== undefined ? { lastTime } : {}),
    elapsedMs: performance.now() - started,
    issues,
    jobs: workerCount + 1,
  };
}

type WorkerHandlers = {
  findings(b: Finding[]): void;
  base(b: BaseMatch[]): void;
  events(n: number): void;
  issue(i: ReadIssue): void;
  done(f: InputFile, stats: FileStats | undefined, error?: string): void;
};

/** One worker thread: compiles the rules itself, then takes files from the shared queue until it is empty. */
function runWorker(opts: HuntOptions, queue: InputFile[], h: WorkerHandlers): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./worker.ts', import.meta.url), {
      // V8 flags (the regexp backtracking bound) are process-wide and already apply; workers refuse them in execArgv
      execArgv: process.execArgv.filter((a) => !a.startsWith('--enable-experimental-regexp')),
    });
    let current: InputFile | undefined;
    let finished = false;
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
          reject(new HuntError('RULES_INVALID', `hunt worker failed: ${m.error}`));
      }
    });
    w.on('error', (err) => reject(err));
    w.on('exit', (code) => {
      if (finished) resolve();
      else {
        // the file it held goes back to the queue's owner as an error, not silently lost
        if (current) h.done(current, undefined, `worker exited with code ${code} while reading this file`);
        resolve();
      }
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
