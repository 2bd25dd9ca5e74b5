import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type Command, Option } from 'commander';
import { generateDemo } from '../../hunt/demo/generate.ts';
import { UsageError } from '../../core/errors.ts';
import { dataDir, defaultRulePaths } from '../paths.ts';
import { FINDING_FORMATS } from '../output/findings.ts';
import { runHuntCommand } from './hunt.ts';

/** The simulated day: fixed, so the demo prints the same timeline everywhere. */
const DEMO_DAY = Date.UTC(2026, 10, 2);

type DemoFlags = {
  out?: string;
  format: string;
  scale: string;
  generateOnly?: boolean;
  progress: boolean;
  triage: boolean;
};

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Generate a day of logs from a small bank branch (Windows Sysmon/Security/System as evtx_dump JSON,\n' +
        'Linux auth.log and auditd, a web access log) with attacks hidden in routine activity, and hunt\n' +
        'through them with the bundled rules — offline, nothing downloaded; then the built-in analysts judge\n' +
        "every detection and the unanimous policy decides what escalates. Add SigmaHQ's rules with\n" +
        "'mamori rules update' and they are used too.",
    )
    .option('--out <dir>', 'where to write the demo logs (default: $MAMORI_HOME/demo, else ~/.mamori/demo)')
    .addOption(
      new Option('-f, --format <format>', 'output format of the hunt').choices(FINDING_FORMATS).default('table'),
    )
    .option('--scale <x>', 'multiply the routine (benign) volume, e.g. 10 for a bigger day', '1')
    .option('--generate-only', 'write the logs and stop')
    .option('--no-progress', 'no progress bar')
    .option('--no-triage', "only hunt: print the detections without the analysts' decisions")
    .action(async (flags: DemoFlags) => {
      const scale = Number(flags.scale);
      if (!Number.isFinite(scale) || scale <= 0 || scale > 1000)
        throw new UsageError('--scale must be a number above 0 and at most 1000');
      const out = flags.out ?? join(dataDir(), 'demo');
      const files = generateDemo({ start: DEMO_DAY, scale });
      for (const [name, text] of files) {
        const p = join(out, name);
        await mkdir(dirname(p), { recursive: true });
        await writeFile(p, text);
      }
      process.stderr.write(`mamori: demo logs written to ${out} (${files.size} files)\n`);
      if (flags.generateOnly) return;
      // the decisions come in table or jsonl; other formats print the detections alone
      const triage = flags.triage && (flags.format === 'table' || flags.format === 'jsonl');
      process.exitCode = await runHuntCommand([out], {
        rules: defaultRulePaths(),
        format: flags.format,
        progress: flags.progress,
        ...(triage ? { triage: true } : {}),
      });
    });
}
