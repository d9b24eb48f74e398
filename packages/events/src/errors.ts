// Errors this package throws carry a code from a closed list and whether a retry can help, so a consumer
// loop can decide "retry or dead-letter" from the flag alone.
export const EVENT_ERROR_CODES = ['RAW_RECORD_INVALID'] as const;
export type EventErrorCode = (typeof EVENT_ERROR_CODES)[number];

export class EventError extends Error {
  override readonly name = 'EventError';
  readonly code: EventErrorCode;
  readonly retry: boolean;
  constructor(code: EventErrorCode, message: string, options: { retry: boolean }) {
    super(message);
    this.code = code;
    this.retry = options.retry;
  }
}
