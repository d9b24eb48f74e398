// Every failure that leaves this package is a ClickHouseError with a code from a closed list and a `retry`
// flag, so a consumer can decide "retry or dead-letter" without knowing which backend it talks to.
import { CodedError } from '@wapipe/errors';

export const clickhouseErrorCodes = [
  /** Server unreachable, connection reset, proxy 5xx, or the embedded engine could not open. */
  'CLICKHOUSE_UNAVAILABLE',
  /** The request timed out (client side) or the server hit its own time limit. */
  'CLICKHOUSE_TIMEOUT',
  /** Wrong user or password. Retrying will not help until the settings change. */
  'CLICKHOUSE_AUTH_FAILED',
  /** The engine rejected the statement (syntax, types, unknown table, …) or a transient engine limit. */
  'CLICKHOUSE_QUERY_FAILED',
  /** A result row does not match the zod schema the caller gave. */
  'CLICKHOUSE_SCHEMA_MISMATCH',
  /** An identifier, dedup token or migration the caller passed is not acceptable; nothing was sent. */
  'CLICKHOUSE_BAD_INPUT',
  /** An applied migration changed on disk, or a migration recorded for this owner disagrees. */
  'CLICKHOUSE_MIGRATION_CONFLICT',
] as const;

export type ClickHouseErrorCode = (typeof clickhouseErrorCodes)[number];

export class ClickHouseError extends CodedError<ClickHouseErrorCode> {
  override readonly name = 'ClickHouseError';
  /** The engine's error name (`SYNTAX_ERROR`, `TOO_MANY_PARTS`, …) when it gave one. */
  readonly clickhouseType: string | undefined;
  constructor(
    code: ClickHouseErrorCode,
    message: string,
    options: { retry?: boolean; clickhouseType?: string; cause?: unknown } = {},
  ) {
    super(code, message, { retry: options.retry ?? false, cause: options.cause });
    this.clickhouseType = options.clickhouseType;
  }
}

export const isClickHouseError = (value: unknown): value is ClickHouseError =>
  value instanceof ClickHouseError;

/** Engine error names for conditions that pass: overload, part pressure, replicas, network inside the cluster. */
const retryableEngineErrors = new Set([
  'TOO_MANY_PARTS',
  'TOO_MANY_SIMULTANEOUS_QUERIES',
  'TOO_MANY_QUERIES',
  'SERVER_OVERLOADED',
  'MEMORY_LIMIT_EXCEEDED',
  'CANNOT_ALLOCATE_MEMORY',
  'CANNOT_SCHEDULE_TASK',
  'NO_FREE_CONNECTION',
  'NETWORK_ERROR',
  'SOCKET_TIMEOUT',
  'ALL_CONNECTION_TRIES_FAILED',
  'ALL_REPLICAS_ARE_STALE',
  'TABLE_IS_READ_ONLY',
  'KEEPER_EXCEPTION',
  'UNKNOWN_STATUS_OF_INSERT',
  'DISTRIBUTED_TOO_MANY_PENDING_BYTES',
  'ABORTED',
  'QUERY_WAS_CANCELLED',
]);

const engineTimeouts = new Set(['TIMEOUT_EXCEEDED', 'RECEIVED_ERROR_TIMEOUT']);
const engineAuthErrors = new Set([
  'AUTHENTICATION_FAILED',
  'UNKNOWN_USER',
  'WRONG_PASSWORD',
  'REQUIRED_PASSWORD',
]);

/** Node socket errors that mean "the server is not there right now". */
const networkErrnos = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Where the failing engine lives, worded so the message names the setting to check. */
export interface ErrorContext {
  backend: 'http' | 'embedded';
  /** `CLICKHOUSE_URL=http://host:port` or `CHDB_PATH=/abs/path`, credentials already removed. */
  location: string;
  /** Removed from every message, in case a driver or proxy echoes it back. */
  password?: string;
  /** What we were doing, e.g. `insert into wapipe.events`. */
  operation: string;
}

interface EngineErrorShape {
  message: string;
  code: string;
  type: string;
}

const isEngineError = (err: unknown): err is EngineErrorShape =>
  err instanceof Error &&
  typeof (err as Partial<EngineErrorShape>).type === 'string' &&
  /^\d+$/.test(String((err as Partial<EngineErrorShape>).code));

const errnoOf = (err: unknown): string | undefined => {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && networkErrnos.has(code)) return code;
    if (/socket hang up/i.test(e.message)) return 'ECONNRESET';
  }
  return undefined;
};

/** Strips `user:password@` from URLs and the password itself from any text we are about to show. */
export function scrubSecrets(text: string, password?: string): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi, '$1');
  if (password) out = out.split(password).join('[redacted]');
  return out;
}

/** Parse errors quote the offending input, which is customer data (rows, bound values). */
const mayQuoteData = (type: string, operation: string) =>
  operation.startsWith('insert') || /PARSE|BAD_QUERY_PARAMETER|INCORRECT_DATA|CANNOT_CONVERT/.test(type);

/** Replaces quoted input (`before: …`, `'…'`, `Value … cannot be parsed`) with `…`, keeping the rest. */
export function maskQuotedData(text: string): string {
  return text
    .replace(/before: [\s\S]*?(?=: \(|$)/gm, 'before: …')
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/\bValue [\s\S]*? cannot be parsed/g, 'Value … cannot be parsed');
}

/** Turns anything a driver threw into a ClickHouseError. Pure: unit-tested without an engine. */
export function classifyError(err: unknown, ctx: ErrorContext): ClickHouseError {
  if (err instanceof ClickHouseError) return err;
  const scrub = (text: string) => scrubSecrets(text, ctx.password);
  const raw = err instanceof Error ? err.message : String(err);
  const detail = scrub(raw.trim()).slice(0, 2_000);

  if (isEngineError(err)) {
    const type = err.type;
    const shown = mayQuoteData(type, ctx.operation) ? maskQuotedData(detail) : detail;
    const message = `ClickHouse ${type} during ${ctx.operation}: ${shown}`;
    if (engineAuthErrors.has(type)) {
      return new ClickHouseError(
        'CLICKHOUSE_AUTH_FAILED',
        `ClickHouse at ${ctx.location} refused the credentials (CLICKHOUSE_USER / CLICKHOUSE_PASSWORD): ${detail}`,
        { retry: false, clickhouseType: type },
      );
    }
    if (engineTimeouts.has(type)) {
      return new ClickHouseError('CLICKHOUSE_TIMEOUT', message, { retry: true, clickhouseType: type });
    }
    return new ClickHouseError('CLICKHOUSE_QUERY_FAILED', message, {
      retry: retryableEngineErrors.has(type),
      clickhouseType: type,
    });
  }

  const errno = errnoOf(err);
  if (errno !== undefined) {
    return new ClickHouseError(
      'CLICKHOUSE_UNAVAILABLE',
      `ClickHouse at ${ctx.location} is unreachable (${errno}) during ${ctx.operation}; check CLICKHOUSE_URL and that the server is up`,
      { retry: true },
    );
  }
  if (/^Timeout error\.?$/i.test(raw.trim())) {
    return new ClickHouseError(
      'CLICKHOUSE_TIMEOUT',
      `ClickHouse at ${ctx.location} did not answer in time during ${ctx.operation}`,
      { retry: true },
    );
  }
  // A proxy or load balancer in front of the server answers with an HTML/plain 5xx page.
  if (
    ctx.backend === 'http' &&
    /\b(502|503|504)\b|bad gateway|service unavailable|gateway time-?out/i.test(raw)
  ) {
    return new ClickHouseError(
      'CLICKHOUSE_UNAVAILABLE',
      `ClickHouse at ${ctx.location} answered with a gateway error during ${ctx.operation}: ${detail.slice(0, 200)}`,
      { retry: true },
    );
  }
  return new ClickHouseError('CLICKHOUSE_QUERY_FAILED', `ClickHouse ${ctx.operation} failed: ${detail}`, {
    retry: false,
  });
}
