// What the command's exit code means, so scripts can trust it: 0 ok, 1 failure, 2 usage.
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A failure with a message that names the fix; printed as it is, without a stack. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.failure) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A command used wrongly (a bad value, a missing argument): exit 2 with the command's usage. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}
