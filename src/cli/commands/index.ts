import type { Command } from 'commander';
import { EXIT_ERROR } from '../exit.ts';
import { registerHunt } from './hunt.ts';
import { registerLogs } from './logs.ts';
import { registerRules } from './rules.ts';
import { registerDemo } from './demo.ts';
import { registerScan } from './scan.ts';
import { registerDb } from './db.ts';
import { registerHarden } from './harden.ts';
import { registerTriage } from './triage.ts';
import { registerEval } from './eval.ts';

/** Commands of the design that are not built yet: listed in --help, and say so plainly when run. */
const PLANNED: readonly (readonly [string, string])[] = [
  ['ledger', 'append to, prove and verify the tamper-evident Merkle ledger of verdicts and actions'],
  ['report', 'build incidents and threat reports (Markdown, HTML, PDF, STIX 2.1, regulator forms)'],
  ['serve', 'run the HTTP API and the web dashboard'],
];

export function registerCommands(program: Command): void {
  registerHunt(program);
  registerScan(program);
  registerHarden(program);
  registerTriage(program);
  registerEval(program);
  for (const [name, summary] of PLANNED) {
    program
      .command(name)
      .description(`${summary} (not available yet)`)
      .allowUnknownOption(true)
      .allowExcessArguments(true)
      .helpOption(false)
      .action(() => {
        process.stderr.write(`mamori ${name}: not available yet in this version; see the project's issues.\n`);
        process.exitCode = EXIT_ERROR;
      });
  }
  registerLogs(program);
  registerRules(program);
  registerDb(program);
  registerDemo(program);
}
