// One measured run in its own process, so peak RSS belongs to this configuration alone.
// Usage: node bench/hunt-child.ts <hunt|parse> <jobs> <rulesDir[,rulesDir...]> <path...>
import { hunt } from '../src/hunt/pipeline.ts';
import { expandInputs } from '../src/hunt/files.ts';
import { readLogFile } from '../src/hunt/open.ts';

const [mode, jobsArg, rules, ...paths] = process.argv.slice(2);
const jobs = Number(jobsArg);
const t0 = performance.now();
let events = 0;
let detections = 0;
let bytes: number;
let report: unknown;
if (mode === 'parse') {
  const files = await expandInputs(paths);
  bytes = files.reduce((s, f) => s + f.size, 0);
  for (const f of files) {
    try {
      for await (const batch of readLogFile(f.path, { onIssue: () => {} })) events += batch.length;
    } catch {
      // files of unknown format are skipped as hunt skips them
    }
  }
} else {
  const r = await hunt(
    {
      paths,
      // as the CLI does: parsed rules cached by content (the first run fills bench/out/cache)
      selection: {
        rules: rules!.split(','),
        cacheDir: process.env.BENCH_CACHE ?? new URL('./out/cache', import.meta.url).pathname,
      },
      jobs,
    },
    { finding: () => void detections++, rulesReady: (rr) => (report = rr) },
  );
  events = r.events;
  bytes = r.bytes;
  const rr = r.rules;
  report = {
    files: rr.files,
    active: rr.active,
    unbound: rr.unbound.length,
    rejected: rr.rejected.length,
    loadMs: Math.round(rr.loadMs),
    compileMs: Math.round(rr.compileMs),
  };
}
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(
  JSON.stringify({
    mode,
    jobs,
    events,
    detections,
    bytes,
    seconds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    rules: report,
  }) + '\n',
);
