// Errors this package throws carry a code from a closed list and whether a retry can help, so a consumer
// loop can decide "retry or dead-letter" from the flag alone.
import { CodedError } from '@wapipe/errors';

export const EVENT_ERROR_CODES = ['RAW_RECORD_INVALID'] as const;
export type EventErrorCode = (typeof EVENT_ERROR_CODES)[number];

export class EventError extends CodedError<EventErrorCode> {
  override readonly name = 'EventError';
}
