import { describe, expect, it } from 'vitest';
import { EventError } from './errors.ts';
import {
  RAW_RECORD_VERSION,
  rawKafkaRecord,
  rawRecordHeaders,
  readRawRecord,
  type RawRecordMeta,
} from './raw-record.ts';

const meta: RawRecordMeta = {
  version: RAW_RECORD_VERSION,
  kind: 'webhook',
  provider: 'meta',
  sessionId: 'sess_shop_main',
  requestId: 'req_01JDX',
  receivedAt: '2026-11-29T10:00:05.123Z',
  contentType: 'application/json; charset=utf-8',
  ingressVersion: '0.1.0',
};
const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');

/** What kafkajs hands a consumer: header values as Buffers. */
const asConsumed = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));

const readError = (record: Parameters<typeof readRawRecord>[0]): EventError => {
  try {
    readRawRecord(record);
  } catch (error) {
    if (error instanceof EventError) return error;
    throw error;
  }
  throw new Error('expected readRawRecord to throw');
};

describe('raw records', () => {
  it('carry all metadata in wapipe- headers', () => {
    expect(rawRecordHeaders(meta)).toEqual({
      'wapipe-version': 'raw.v1',
      'wapipe-kind': 'webhook',
      'wapipe-provider': 'meta',
      'wapipe-session-id': 'sess_shop_main',
      'wapipe-request-id': 'req_01JDX',
      'wapipe-received-at': '2026-11-29T10:00:05.123Z',
      'wapipe-content-type': 'application/json; charset=utf-8',
      'wapipe-ingress-version': '0.1.0',
    });
  });

  it('read back exactly what was written, body bytes untouched', () => {
    const record = readRawRecord({ headers: asConsumed(rawRecordHeaders(meta)), value: body });
    expect(record.meta).toEqual(meta);
    expect(record.body.equals(body)).toBe(true);
  });

  it('accept string headers, repeated identical headers and a string value', () => {
    const headers: Record<string, string | string[]> = { ...rawRecordHeaders(meta) };
    headers['wapipe-kind'] = ['webhook', 'webhook'];
    const record = readRawRecord({ headers, value: body.toString() });
    expect(record.meta.kind).toBe('webhook');
    expect(record.body.equals(body)).toBe(true);
  });

  it('refuse a record with a header missing, naming the header, and say a retry will not help', () => {
    const headers = rawRecordHeaders(meta);
    delete headers['wapipe-session-id'];
    const error = readError({ headers, value: body });
    expect(error.code).toBe('RAW_RECORD_INVALID');
    expect(error.retry).toBe(false);
    expect(error.message).toBe('header wapipe-session-id: missing');
  });

  it.each([
    ['wapipe-version', 'raw.v2'],
    ['wapipe-kind', 'email'],
    ['wapipe-provider', 'twilio'],
    ['wapipe-received-at', 'yesterday'],
    ['wapipe-request-id', ''],
  ])('refuse a record whose %s header is %j', (header, value) => {
    const error = readError({ headers: { ...rawRecordHeaders(meta), [header]: value }, value: body });
    expect(error.code).toBe('RAW_RECORD_INVALID');
    expect(error.message).toMatch(new RegExp(`^header ${header}: `));
  });

  it('refuse a registration that claims to come from a webhook provider', () => {
    const error = readError({
      headers: { ...rawRecordHeaders(meta), 'wapipe-kind': 'registration' },
      value: body,
    });
    expect(error.message).toBe('header wapipe-provider: "meta" does not go with wapipe-kind "registration"');
  });

  it('refuse headers that repeat with different values', () => {
    const headers = { ...rawRecordHeaders(meta), 'wapipe-session-id': ['a', 'b'] };
    expect(readError({ headers, value: body }).message).toBe(
      'header wapipe-session-id has several different values',
    );
  });

  it('refuse a record without a value', () => {
    expect(readError({ headers: rawRecordHeaders(meta), value: null }).message).toContain('no value');
  });

  it('are never produced from bad metadata', () => {
    expect(() => rawRecordHeaders({ ...meta, sessionId: '' })).toThrow(EventError);
  });
});

describe('rawKafkaRecord', () => {
  it('builds the record the ingress writes, which reads back with the same body and metadata', () => {
    const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
    const record = rawKafkaRecord(
      { kind: 'webhook', provider: 'meta', sessionId: 's-1', requestId: 'r-1' },
      body,
    );
    expect(record.key).toBe('s-1');
    const read = readRawRecord({ headers: record.headers, value: record.value as Buffer });
    expect(read.body.equals(body)).toBe(true);
    expect(read.meta).toMatchObject({
      version: 'raw.v1',
      kind: 'webhook',
      provider: 'meta',
      sessionId: 's-1',
      requestId: 'r-1',
      contentType: 'application/json',
    });
  });
});
