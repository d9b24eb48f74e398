// The raw record (v1) the ingress writes to Kafka. The record value is the exact request body bytes, the
// bytes the signature was computed over, so a consumer (or an auditor) can re-verify and re-normalize it.
// Everything else rides in headers, named `wapipe-*`.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { EventError } from './errors.ts';

export const RAW_RECORD_VERSION = 'raw.v1';

export const RawRecordMeta = z.object({
  version: z.literal(RAW_RECORD_VERSION),
  kind: z.enum(['webhook', 'registration']),
  provider: z.enum(['meta', 'chatsend', 'registry']),
  sessionId: z.string().min(1),
  requestId: z.string().min(1),
  receivedAt: z.iso.datetime({ offset: true }),
  contentType: z.string(),
  ingressVersion: z.string().min(1),
});
export type RawRecordMeta = z.infer<typeof RawRecordMeta>;

export interface RawRecord {
  meta: RawRecordMeta;
  body: Buffer;
}

/** kafkajs-style headers: a header may repeat, so a value may be a list. */
export type KafkaHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

const HEADER_NAMES = {
  version: 'wapipe-version',
  kind: 'wapipe-kind',
  provider: 'wapipe-provider',
  sessionId: 'wapipe-session-id',
  requestId: 'wapipe-request-id',
  receivedAt: 'wapipe-received-at',
  contentType: 'wapipe-content-type',
  ingressVersion: 'wapipe-ingress-version',
} as const satisfies Record<keyof RawRecordMeta, `wapipe-${string}`>;

export const RAW_RECORD_HEADERS = HEADER_NAMES;

/** Headers for a raw record; validates `meta` first so a bad record is never produced. */
export function rawRecordHeaders(meta: RawRecordMeta): Record<string, string> {
  const checked = parseMeta(meta);
  const headers: Record<string, string> = {};
  for (const field of Object.keys(HEADER_NAMES) as (keyof RawRecordMeta)[]) {
    headers[HEADER_NAMES[field]] = checked[field];
  }
  return headers;
}

/** A raw record as produced to Kafka: key = session, value = the exact body, metadata in headers. */
export interface RawKafkaRecord {
  key: string;
  value: Buffer | string;
  headers: Record<string, string>;
}

/**
 * The record the ingress writes for one request. Fields a producer other than the ingress (a tool, a test,
 * a benchmark) does not know get defaults: a fresh request id, now, JSON, ingress version "unknown".
 */
export function rawKafkaRecord(
  meta: Pick<RawRecordMeta, 'kind' | 'provider' | 'sessionId'> & Partial<RawRecordMeta>,
  body: Buffer | string,
): RawKafkaRecord {
  return {
    key: meta.sessionId,
    value: body,
    headers: rawRecordHeaders({
      version: RAW_RECORD_VERSION,
      requestId: randomUUID(),
      receivedAt: new Date().toISOString(),
      contentType: 'application/json',
      ingressVersion: 'unknown',
      ...meta,
    }),
  };
}

/**
 * Reads a raw record as consumed from Kafka. Throws EventError RAW_RECORD_INVALID (retry: false, so the
 * consumer dead-letters it) when a header is missing or bad or the value is absent.
 */
export function readRawRecord(record: {
  headers?: KafkaHeaders | undefined;
  value: Buffer | Uint8Array | string | null | undefined;
}): RawRecord {
  const headers = record.headers ?? {};
  const fields: Record<string, string | undefined> = {};
  for (const field of Object.keys(HEADER_NAMES) as (keyof RawRecordMeta)[]) {
    fields[field] = headerValue(headers, HEADER_NAMES[field]);
  }
  const meta = parseMeta(fields);
  if (record.value === null || record.value === undefined) {
    throw invalid('raw record has no value (expected the request body bytes)');
  }
  const body =
    typeof record.value === 'string'
      ? Buffer.from(record.value, 'utf8')
      : Buffer.isBuffer(record.value)
        ? record.value
        : Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength);
  return { meta, body };
}

function headerValue(headers: KafkaHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return value.toString();
  const distinct = new Set(value.map((v) => v.toString()));
  if (distinct.size > 1) throw invalid(`header ${name} has several different values`);
  const [only] = distinct;
  return only;
}

function parseMeta(input: unknown): RawRecordMeta {
  const result = RawRecordMeta.safeParse(input);
  if (result.success) {
    const { kind, provider } = result.data;
    if ((kind === 'registration') !== (provider === 'registry')) {
      throw invalid(
        `header ${HEADER_NAMES.provider}: "${provider}" does not go with ${HEADER_NAMES.kind} "${kind}"`,
      );
    }
    return result.data;
  }
  const issue = result.error.issues[0];
  const field = issue?.path[0];
  const header =
    typeof field === 'string' && field in HEADER_NAMES
      ? HEADER_NAMES[field as keyof RawRecordMeta]
      : 'headers';
  const present = typeof field === 'string' && (input as Record<string, unknown>)[field] !== undefined;
  throw invalid(`header ${header}: ${present ? (issue?.message ?? 'invalid') : 'missing'}`);
}

function invalid(message: string): EventError {
  return new EventError('RAW_RECORD_INVALID', message, { retry: false });
}
