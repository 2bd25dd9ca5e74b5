import { parentPort } from 'node:worker_threads';
import { HuntEngine } from './engine.ts';
import { HuntError } from './errors.ts';
import type { WorkerReply, WorkerRequest } from './pipeline.ts';

// A hunt worker: one engine (rules compiled once), files one at a time from the main thread.
const port = parentPort;
if (!port) throw new Error('hunt worker must run in a worker thread');
let engine: HuntEngine | undefined;
/** The hunt's options. */
let init: Extract<WorkerRequest, { type: 'init' }> | undefined;
const send = (m: WorkerReply): void => port.postMessage(m);

port.on('message', (m: WorkerRequest) => {
  void (async () => {
    if (m.type === 'init') {
      init = m;
      try {
        engine = await HuntEngine.create(m.selection);
        send({ type: 'ready', report: engine.report, correlations: engine.correlations });
      } catch (err) {
        send({ type: 'fatal', error: (err as Error).message, ...(err instanceof HuntError ? { code: err.code } : {}) });
      }
    } else if (m.type === 'file' && engine && init) {
      try {
        const stats = await engine.huntFile(
          m.path,
          {
            ...(init.format ? { format: init.format } : {}),
            ...(init.since !== undefined ? { since: init.since } : {}),
            ...(init.until !== undefined ? { until: init.until } : {}),
            selection: init.selection,
          },
          {
            findings: (findings) => send({ type: 'findings', findings }),
            baseMatches: (matches) => send({ type: 'base', matches }),
            progress: (events) => send({ type: 'progress', events }),
            issue: (issue) => send({ type: 'issue', issue }),
          },
        );
        send({ type: 'done', path: m.path, stats });
      } catch (err) {
        send({ type: 'done', path: m.path, error: (err as Error).message });
      }
    } else if (m.type === 'stop') {
      port.close();
    }
  })();
});
