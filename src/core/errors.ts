/**
 * Base of every Mamori error: a machine-readable code, a message a user can act on (what, where, what to do),
 * and the native `cause`. Each part defines its own subclass with a union of codes.
 */
export class MamoriError<Code extends string = string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A failure outside our control that may succeed when retried (429, 5xx, timeouts, resets). */
export class TransientError extends MamoriError<'TRANSIENT'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRANSIENT', message, options);
  }
}

/** Bad input from the user (flags, files): exit code 2 in the CLI, 400 in the server. */
export class UsageError extends MamoriError<'USAGE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}
