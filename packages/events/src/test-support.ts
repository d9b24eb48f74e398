// Helpers for this package's tests: build raw records and read fixtures.
import { readFileSync, readdirSync } from 'node:fs';
import type { RawRecord, RawRecordMeta } from './raw-record.ts';

export const SESSION = 'sess_shop_main';
export const RECEIVED_AT = '2026-11-29T10:00:05.123Z';

export function rawRecord(
  provider: RawRecordMeta['provider'],
  body: unknown,
  meta: Partial<RawRecordMeta> = {},
): RawRecord {
  const bytes = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    meta: {
      version: 'raw.v1',
      kind: provider === 'registry' ? 'registration' : 'webhook',
      provider,
      sessionId: SESSION,
      requestId: 'req_0001',
      receivedAt: RECEIVED_AT,
      contentType: 'application/json',
      ingressVersion: '0.1.0',
      ...meta,
    },
    body: bytes,
  };
}

const fixtureDir = (provider: 'meta' | 'chatsend') => new URL(`./${provider}/fixtures/`, import.meta.url);

export function fixture(provider: 'meta' | 'chatsend', name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, fixtureDir(provider)), 'utf8')) as unknown;
}

export function fixtureNames(provider: 'meta' | 'chatsend'): string[] {
  return readdirSync(fixtureDir(provider))
    .filter((name) => name.endsWith('.json'))
    .sort();
}
