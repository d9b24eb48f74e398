// The Kafka package turns every kafkajs failure into one of these codes, so callers decide on `retry` alone.
export const kafkaErrorCodes = [
  'KAFKA_UNREACHABLE',
  'KAFKA_TIMEOUT',
  'KAFKA_PRODUCE_FAILED',
  'KAFKA_TOPIC_SETUP_FAILED',
  'KAFKA_COMMIT_FAILED',
  'KAFKA_CLOSED',
  'KAFKA_CONFIG_INVALID',
] as const;
export type KafkaErrorCode = (typeof kafkaErrorCodes)[number];

export class KafkaError extends Error {
  override readonly name = 'KafkaError';
  readonly code: KafkaErrorCode;
  readonly retry: boolean;
  constructor(code: KafkaErrorCode, message: string, options: { retry: boolean; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retry = options.retry;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when an error says retrying can help: a typed error's own flag, else kafkajs's `retriable`. */
export function isRetryable(error: unknown): boolean {
  if (typeof error === 'object' && error !== null) {
    const e = error as { retry?: unknown; retriable?: unknown };
    if (typeof e.retry === 'boolean') return e.retry;
    if (typeof e.retriable === 'boolean') return e.retriable;
  }
  return false;
}
