// The one error shape of wapipe, below every other package: a code from the closed list of the package
// that throws it, and whether the same call may succeed later (`retry`), so a consumer loop decides
// "retry or dead-letter" on the flag alone, whichever package failed. Each package subclasses it with
// its own code list (KafkaError, ClickHouseError, HttpError, EventError, LocalBrokerError).
export class CodedError<Code extends string = string> extends Error {
  override readonly name: string = 'CodedError';
  readonly code: Code;
  /** True when the same call may succeed later (network, timeouts, overload). */
  readonly retry: boolean;
  constructor(code: Code, message: string, options: { retry: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retry = options.retry;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when an error says retrying can help: a coded error's own flag, else a driver's `retriable`. */
export function isRetryable(error: unknown): boolean {
  if (typeof error === 'object' && error !== null) {
    const e = error as { retry?: unknown; retriable?: unknown };
    if (typeof e.retry === 'boolean') return e.retry;
    if (typeof e.retriable === 'boolean') return e.retriable;
  }
  return false;
}
