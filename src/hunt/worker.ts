import { parentPort } from 'node:worker_threads';
import { HuntEngine } from './engine.ts';
import type { WorkerReply, WorkerRequest } from './pipeline.ts';

// A hunt worker: one engine (rules compiled once), files one at a time from the main thread.
const port = parentPort;
if (!port) throw new Error('hunt worker must run in a worker thread');
let engine: HuntEngine | undefined;
/** The hunt's options, without the parsed rules (the engine keeps what it needs of them). */
let init: Omit<Extract<WorkerRequest, { type: 'init' }>, 'rules'> | undefined;
const send = (m: WorkerReply): void => port.postMessage(m);

port.on('message', (m: WorkerRequest) => {
  void (async () => {
    if (m.type === 'init') {
      const { rules, ...rest } = m;
      init = rest;
      try {
        engine = HuntEngine.fromLoaded(rules, m.selection, m.loadMs);
        send({ type: 'ready', report: engine.report });
      } catch (err) {
        send({ type: 'fatal', error: (err as Error).message });
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
