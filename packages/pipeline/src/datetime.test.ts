import { describe, expect, it } from 'vitest';
import { chDateTime } from './datetime.ts';

describe('chDateTime', () => {
  it('reshapes canonical ISO text and agrees with the Date path', () => {
    for (const iso of ['2026-11-29T08:00:00.000Z', '1999-12-31T23:59:59.999Z', '2026-02-28T12:34:56.789Z']) {
      expect(chDateTime(iso)).toBe(chDateTime(new Date(iso)));
      expect(chDateTime(iso)).toBe(iso.replace('T', ' ').replace('Z', ''));
    }
  });

  it('parses anything else through Date', () => {
    expect(chDateTime('2026-11-29T08:00:00Z')).toBe('2026-11-29 08:00:00.000');
    expect(chDateTime('2026-11-29T09:00:00.000+01:00')).toBe('2026-11-29 08:00:00.000');
    expect(chDateTime(Date.UTC(2026, 10, 29, 8))).toBe('2026-11-29 08:00:00.000');
  });
});
