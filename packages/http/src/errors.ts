// Every HTTP error in wapipe is `{ error: { code, message } }` with a code from this list. Messages say
// what to fix; they never carry a secret, a stack or a raw body.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CodedError } from '@wapipe/errors';

export const httpErrorCodes = [
  'bad_json',
  'bad_shape',
  'bad_request',
  'bad_parameter',
  'session_mismatch',
  'missing_signature',
  'bad_signature',
  'stale_timestamp',
  'unauthorized',
  'forbidden',
  'unknown_session',
  'not_found',
  'method_not_allowed',
  'body_timeout',
  'payload_too_large',
  'unsupported_media_type',
  'unavailable',
  'internal',
] as const;
export type HttpErrorCode = (typeof httpErrorCodes)[number];

/** `retry`: the client may send the same request again later (it was told when: Retry-After). */
export class HttpError extends CodedError<HttpErrorCode> {
  override readonly name = 'HttpError';
  readonly status: ContentfulStatusCode;
  readonly retryAfterSeconds: number | undefined;
  constructor(
    status: ContentfulStatusCode,
    code: HttpErrorCode,
    message: string,
    retryAfterSeconds?: number,
  ) {
    super(code, message, { retry: retryAfterSeconds !== undefined });
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export function errorBody(code: HttpErrorCode, message: string) {
  return { error: { code, message } };
}

export function sendError(c: Context, error: HttpError) {
  if (error.retryAfterSeconds !== undefined) c.header('Retry-After', String(error.retryAfterSeconds));
  // The body may not have been read to its end: close the connection rather than reuse it.
  if (error.status === 408 || error.status === 413) c.header('Connection', 'close');
  return c.json(errorBody(error.code, error.message), error.status);
}

/** For app.onError: typed errors answer as themselves, anything else is a 500 with no detail. */
export function handleAppError(error: Error, c: Context, log?: (error: Error) => void) {
  if (error instanceof HttpError) return sendError(c, error);
  log?.(error);
  return c.json(errorBody('internal', 'internal error; see the server log'), 500);
}
