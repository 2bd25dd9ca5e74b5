import { MamoriError, UsageError } from '../core/errors.ts';

/** Exit codes shared by every command: 0 clean, 1 findings at or above --fail-on, 2 error. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

/** The one place errors become exit codes and messages. */
export function reportError(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`mamori: ${err.message}\n`);
  } else if (err instanceof MamoriError) {
    process.stderr.write(`mamori: ${err.message} [${err.code}]\n`);
  } else if (err instanceof Error) {
    process.stderr.write(`mamori: ${err.message}\n`);
    if (process.env['MAMORI_DEBUG']) process.stderr.write(`${err.stack ?? ''}\n`);
  } else {
    process.stderr.write(`mamori: ${String(err)}\n`);
  }
  return EXIT_ERROR;
}
