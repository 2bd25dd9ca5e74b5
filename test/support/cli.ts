// bin/mamori as a child process, asynchronously: tests that run a fake server in their own process need it to
// keep answering while the CLI runs (spawnSync would block it). The providers' variables are blanked so a
// developer's own keys never reach a test; MAMORI_HOME and the working directory are the test's.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const MAMORI_BIN = join(import.meta.dirname, '..', '..', 'bin', 'mamori');

export type CliRun = { code: number; stdout: string; stderr: string; ms: number };

export function runMamori(
  args: readonly string[],
  opts: { home: string; cwd: string; input?: string; env?: Readonly<Record<string, string>> },
): Promise<CliRun> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(MAMORI_BIN, args, {
      env: {
        ...process.env,
        MAMORI_HOME: opts.home,
        OPENAI_API_KEY: '',
        ANTHROPIC_API_KEY: '',
        OPENAI_BASE_URL: '',
        ANTHROPIC_BASE_URL: '',
        ...opts.env,
      },
      cwd: opts.cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - t0 }));
    child.stdin.end(opts.input ?? '');
  });
}
