#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { EXIT_ERROR, reportError } from './exit.ts';
import { registerCommands } from './commands/index.ts';

// a closed pipe (`mamori hunt ... | head`) ends the output quietly, as other command-line tools do
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const program = new Command();
program
  .name('mamori')
  .description(
    'Mamori (守り): defensive security for critical infrastructure.\n' +
      'Detect (hunt, scan, harden), judge with independent analysts (triage), govern and record (ledger),\n' +
      'report, and serve the API and dashboard. Run `mamori <command> --help` for each command.',
  )
  .version(process.env['npm_package_version'] ?? '0.1.0', '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // help and version exit 0; every parse error exits 2 (commander printed the message already)
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_ERROR;
  } else {
    process.exitCode = reportError(err);
  }
}
