// One measured scan in its own process, so peak RSS belongs to it alone.
// Usage: node bench/scan-child.ts <scan|parse> <db> <path|root:DIR>
import { readFile } from 'node:fs/promises';
import { openOsvDb } from '../src/scan/osv/open.ts';
import { scan } from '../src/scan/run.ts';

const [mode, db, target] = process.argv.slice(2) as [string, string, string];
const t0 = performance.now();
let packages: number;
let findings = 0;
let lookups = 0;
if (mode === 'parse') {
  // the floor: read the file and parse its JSON, nothing else
  const doc = JSON.parse(await readFile(target, 'utf8')) as { packages?: Record<string, unknown> };
  packages = Object.keys(doc.packages ?? {}).length;
} else {
  const { store } = await openOsvDb(db);
  const root = target.startsWith('root:');
  const r = await scan({ targets: [{ kind: root ? 'root' : 'path', path: root ? target.slice(5) : target }], store });
  packages = r.targets.reduce((s, t) => s + t.packages.length, 0);
  findings = r.findings.length;
  lookups = r.lookups;
  store.close();
}
process.stdout.write(
  JSON.stringify({
    mode,
    packages,
    findings,
    lookups,
    seconds: (performance.now() - t0) / 1000,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
