import { describe, expect, it } from 'vitest';
import { UsageError, parseRedriveArgs } from './args.ts';

describe('redrive arguments', () => {
  it('names one consumer and takes optional flags', () => {
    expect(parseRedriveArgs(['delivery'])).toEqual({
      consumer: 'delivery',
      list: false,
      idleMs: 3_000,
      timeoutMs: 600_000,
    });
    expect(parseRedriveArgs(['--list', 'failures', '--idle-seconds', '1.5'])).toMatchObject({
      consumer: 'failures',
      list: true,
      idleMs: 1_500,
    });
  });

  it('refuses an unknown consumer, a missing one, two, or a bad flag', () => {
    for (const argv of [
      ['nope'],
      [],
      ['delivery', 'replies'],
      ['delivery', '--idle-seconds', '-1'],
      ['delivery', '--fast'],
    ]) {
      expect(() => parseRedriveArgs(argv)).toThrow(UsageError);
    }
  });
});
