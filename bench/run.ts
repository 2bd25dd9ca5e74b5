// npm run bench: every benchmark in turn. Not part of npm test.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
for (const name of ['evtx-decode', 'hunt', 'versions', 'scan-db', 'scan-inventory', 'scan', 'harden', 'triage']) {
  if (only.length && !only.includes(name)) continue;
  const file = join(here, `${name}.ts`);
  if (!existsSync(file)) continue;
  console.log(`\n## bench/${name}\n`);
  execFileSync(process.execPath, [...process.execArgv, file], { stdio: 'inherit' });
}
