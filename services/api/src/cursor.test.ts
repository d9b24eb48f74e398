import { describe, expect, it } from 'vitest';
import { HttpError } from '@wapipe/http';
import { decodeCursor, encodeCursor } from './cursor.ts';

const refusal = (cursor: string) => {
  try {
    decodeCursor(cursor);
  } catch (error) {
    return error instanceof HttpError ? `${error.status} ${error.message}` : 'other error';
  }
  return 'accepted';
};

describe('cursors', () => {
  it('read back exactly what they were made from', () => {
    for (const id of ['wamid.A', "it's", '中文 😀', 'x'.repeat(256)]) {
      const keyset = { at: new Date('2026-11-29T10:00:00.123Z'), id };
      expect(decodeCursor(encodeCursor(keyset))).toEqual(keyset);
    }
  });

  it('are URL-safe without escaping', () => {
    const cursor = encodeCursor({ at: new Date(0), id: '???>>>~~~' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('refuse anything we did not issue, naming cursor', () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cases = [
      '',
      'not a cursor',
      '%%%',
      Buffer.from('not json').toString('base64url'),
      b64({ at: '2026-11-29T10:00:00.000Z', id: 'x' }),
      b64([2, '2026-11-29T10:00:00.000Z', 'x']),
      b64([1, '2026-11-29T10:00:00Z', 'x']),
      b64([1, '2026-11-29T10:00:00.000+00:00', 'x']),
      b64([1, 'yesterday', 'x']),
      b64([1, '2026-11-29T10:00:00.000Z', '']),
      b64([1, '2026-11-29T10:00:00.000Z', 'x'.repeat(257)]),
      b64([1, '2026-11-29T10:00:00.000Z', 5]),
      b64([1, '2026-11-29T10:00:00.000Z', 'x', 'extra']),
      'A'.repeat(1025),
    ];
    for (const cursor of cases) {
      expect(refusal(cursor), cursor.slice(0, 40)).toBe('400 cursor: not a cursor from a previous page');
    }
  });
});
