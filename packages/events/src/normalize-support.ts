// What the provider-specific normalizers share: the per-record context, time conversion, and builders for
// the event kinds that every provider produces (failures, unknown items).
import { contentEventId, eventIdFromParts, failureEventId } from './event-id.ts';
import { classifyFailure, isKnownFailureCode } from './failure-codes.ts';
import type { RawRecordMeta } from './raw-record.ts';
import type { Failure, FailureSource, NormalizedEvent, Provider, UnknownEvent } from './types.ts';

const EPOCH = '1970-01-01T00:00:00.000Z';

// Events are built as literals listing every field, never by spreading a shared base object: V8 turns a
// spread followed by a dozen more properties into a slow object, which cost ~20µs per event.
export class NormalizeContext {
  readonly events: NormalizedEvent[] = [];
  readonly problems: string[];
  readonly sessionId: string;
  readonly provider: Provider;
  readonly receivedAt: string;
  readonly requestId: string;
  private readonly seen = new Set<string>();

  constructor(meta: RawRecordMeta, problems: string[], sessionId: string = meta.sessionId) {
    this.problems = problems;
    this.sessionId = sessionId;
    this.provider = meta.provider;
    this.requestId = meta.requestId;
    const received = Date.parse(meta.receivedAt);
    // Never Date.now(): normalizing the same record twice must give the same events.
    this.receivedAt = Number.isFinite(received) ? new Date(received).toISOString() : EPOCH;
    if (!Number.isFinite(received))
      problems.push(`receivedAt ${JSON.stringify(meta.receivedAt)} is not a date`);
  }

  /** Adds an event unless one with the same id is already in this record's output (same logical event). */
  emit(event: NormalizedEvent): void {
    if (this.seen.has(event.eventId)) return;
    this.seen.add(event.eventId);
    this.events.push(event);
  }

  problem(path: string, message: string): void {
    this.problems.push(path ? `${path}: ${message}` : message);
  }

  /**
   * Runs one item's normalization; if it throws (a bug, never expected) the item is kept as an `unknown`
   * event instead, so one odd item cannot cost the rest of the batch.
   */
  guard(path: string, raw: unknown, normalize: () => void): void {
    try {
      normalize();
    } catch (error) {
      this.problem(
        path,
        `could not be normalized (${error instanceof Error ? error.message : String(error)})`,
      );
      this.emit(unknownEvent(this, 'invalid', path, raw));
    }
  }
}

/** Unix seconds (string or number) as an ISO instant; values of 1e11 and above are read as milliseconds. */
export function unixToIso(ctx: NormalizeContext, value: string | number, path: string): string {
  const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
  const ms = n >= 1e11 ? n : n * 1000;
  const date = new Date(ms);
  if (Number.isFinite(ms) && ms >= 0 && !Number.isNaN(date.getTime())) return date.toISOString();
  ctx.problem(path, `timestamp ${JSON.stringify(value)} is not unix seconds; used receivedAt`);
  return ctx.receivedAt;
}

/** Any ISO-8601 string as a UTC instant with milliseconds. */
export function isoToIso(ctx: NormalizeContext, value: string, path: string): string {
  const ms = Date.parse(value);
  if (Number.isFinite(ms)) return new Date(ms).toISOString();
  ctx.problem(path, `timestamp ${JSON.stringify(value)} is not ISO-8601; used receivedAt`);
  return ctx.receivedAt;
}

export function unknownEvent(
  ctx: NormalizeContext,
  rawType: string,
  path: string,
  raw: unknown,
): UnknownEvent {
  let eventId: string;
  let kept = raw;
  try {
    eventId = contentEventId('unknown', {
      provider: ctx.provider,
      sessionId: ctx.sessionId,
      content: { rawType, raw },
    });
  } catch {
    // Only a body nested hundreds of levels deep gets here. Its id falls back to where it was, and the
    // fragment is not copied (consumers would choke on it); the raw record still holds every byte.
    eventId = eventIdFromParts(['unknown-opaque', ctx.provider, ctx.sessionId, ctx.requestId, path]);
    kept = { omitted: 'nested too deeply to keep; see the raw record' };
  }
  return {
    kind: 'unknown',
    eventId,
    sessionId: ctx.sessionId,
    provider: ctx.provider,
    occurredAt: ctx.receivedAt,
    receivedAt: ctx.receivedAt,
    requestId: ctx.requestId,
    rawType,
    path,
    raw: kept,
  };
}

export interface FailureInput {
  providerMessageId: string | null;
  recipient: string | null;
  code: string;
  /** The provider's own title or message, used when our table does not know the code. */
  providerTitle: string | null;
  details: string | null;
  source: FailureSource;
  occurredAt: string;
  /** For failures with no message: the content that identifies them. */
  content: unknown;
}

export function failureEvent(ctx: NormalizeContext, input: FailureInput): Failure {
  const code = input.code.trim() === '' ? 'unknown' : input.code.trim();
  const classification = classifyFailure(code);
  const { provider, sessionId } = ctx;
  const eventId =
    input.providerMessageId !== null
      ? failureEventId({ provider, sessionId, code, providerMessageId: input.providerMessageId })
      : failureEventId({ provider, sessionId, code, providerMessageId: null, content: input.content });
  return {
    kind: 'failure',
    eventId,
    sessionId: ctx.sessionId,
    provider: ctx.provider,
    occurredAt: input.occurredAt,
    receivedAt: ctx.receivedAt,
    requestId: ctx.requestId,
    providerMessageId: input.providerMessageId,
    recipient: input.recipient,
    code,
    title: isKnownFailureCode(code) ? classification.title : (input.providerTitle ?? classification.title),
    details: input.details,
    category: classification.category,
    retryable: classification.retryable,
    retryAdvice: classification.retryAdvice,
    alert: classification.alert,
    source: input.source,
  };
}

/** A short description of a zod error for `problems`: first issue, with its path. */
export function describeIssue(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return 'invalid';
  const path = issue.path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
  return path ? `${path}: ${issue.message}` : issue.message;
}
