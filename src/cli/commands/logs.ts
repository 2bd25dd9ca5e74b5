import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { LOG_FORMATS, type LogFormat, type ReadIssue } from '../../hunt/event.ts';
import { readLogFile } from '../../hunt/open.ts';
import { UsageError } from '../../core/errors.ts';
import { EXIT_ERROR } from '../exit.ts';

type DumpOptions = { format: string; inputFormat?: string; output?: string; quiet?: boolean };

export function registerLogs(program: Command): void {
  const logs = program.command('logs').description('read log files: decode and print records');
  logs
    .command('dump')
    .description(
      'Decode log files and print each record.\n' +
        'EVTX records print in the evtx_dump JSON shape ({"Event": {"#attributes", "System", "EventData"}}),\n' +
        'the shape Chainsaw, Hayabusa and SigmaHQ regression data use. Gzip is read transparently.',
    )
    .argument('<file...>', 'log files (EVTX, JSON/JSONL, syslog, auditd, web access, CloudTrail; .gz too)')
    .option('--format <fmt>', 'output: jsonl (one record per line) or json (a pretty array)', 'jsonl')
    .option('--input-format <fmt>', `force the input format (${LOG_FORMATS.join(', ')})`)
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option('-q, --quiet', 'do not report skipped records on standard error')
    .action(async (files: string[], opts: DumpOptions) => {
      process.exitCode = await dump(files, opts);
    });
}

async function write(out: Writable, s: string): Promise<void> {
  if (!out.write(s)) await once(out, 'drain');
}

async function dump(files: string[], opts: DumpOptions): Promise<number> {
  if (opts.format !== 'jsonl' && opts.format !== 'json')
    throw new UsageError(`--format must be jsonl or json, not '${opts.format}'`);
  const forced = opts.inputFormat as LogFormat | undefined;
  if (forced && !LOG_FORMATS.includes(forced)) {
    throw new UsageError(`--input-format must be one of ${LOG_FORMATS.join(', ')}, not '${forced}'`);
  }
  const out: Writable = opts.output ? createWriteStream(opts.output) : process.stdout;
  const issues: ReadIssue[] = [];
  const onIssue = (i: ReadIssue): void => {
    issues.push(i);
    if (!opts.quiet) process.stderr.write(`mamori: ${i.file}${i.where ? ` (${i.where})` : ''}: ${i.message}\n`);
  };
  let first = true;
  let failed = false;
  if (opts.format === 'json') await write(out, '[');
  for (const file of files) {
    try {
      for await (const batch of readLogFile(file, { onIssue, ...(forced ? { format: forced } : {}) })) {
        let s = '';
        for (const ev of batch) {
          if (opts.format === 'jsonl') s += JSON.stringify(ev.data) + '\n';
          else {
            s += (first ? '\n' : ',\n') + JSON.stringify(ev.data, null, 2);
            first = false;
          }
        }
        await write(out, s);
      }
    } catch (err) {
      // one unreadable file does not lose the others
      failed = true;
      process.stderr.write(`mamori: ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  if (opts.format === 'json') await write(out, '\n]\n');
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  return failed ? EXIT_ERROR : 0;
}
