import { describe, expect, it } from 'vitest';
import { FAILURE_CATEGORIES, FAILURE_CODE_TABLE, RETRY_ADVICE, classifyFailure } from './failure-codes.ts';

describe('failure classification', () => {
  it.each([
    ['130429', 'rate_limit', true, 'backoff', false],
    ['131056', 'rate_limit', true, 'backoff', false],
    ['131000', 'transient', true, 'backoff', false],
    ['131016', 'transient', true, 'backoff', false],
    ['1', 'transient', true, 'backoff', false],
    ['2', 'transient', true, 'backoff', false],
    ['131049', 'policy', true, 'after_24h', false],
    ['131048', 'policy', true, 'after_24h', true],
    ['131026', 'recipient', false, 'never', false],
    ['131047', 'recipient', false, 'never', false],
    ['131050', 'recipient', false, 'never', false],
    ['130403', 'recipient', false, 'never', false],
    ['131051', 'recipient', false, 'never', false],
    ['131053', 'recipient', false, 'never', false],
    ['132000', 'configuration', false, 'never', true],
    ['132016', 'configuration', false, 'never', true],
    ['368', 'configuration', false, 'never', true],
    ['131031', 'configuration', false, 'never', true],
    ['131042', 'configuration', false, 'never', true],
    ['RATE_LIMITED', 'rate_limit', true, 'backoff', false],
    ['SESSION_DISCONNECTED', 'session', true, 'backoff', true],
    ['INVALID_RECIPIENT', 'recipient', false, 'never', false],
    ['session.QR_REQUIRED', 'session', true, 'backoff', true],
  ])('classifies %s as %s (retryable %s, %s, alert %s)', (code, category, retryable, retryAdvice, alert) => {
    expect(classifyFailure(code)).toMatchObject({ category, retryable, retryAdvice, alert });
  });

  it('treats every code from 132000 to 132016 as a template configuration error', () => {
    for (let code = 132000; code <= 132016; code++) {
      expect(classifyFailure(String(code))).toMatchObject({ category: 'configuration', retryable: false });
    }
  });

  it('classifies an unknown code as unknown, retryable with backoff, without alerting', () => {
    expect(classifyFailure('999999')).toEqual({
      title: 'Unknown error',
      category: 'unknown',
      retryable: true,
      retryAdvice: 'backoff',
      alert: false,
    });
    expect(classifyFailure('unknown').category).toBe('unknown');
  });

  it('has one row per code, each with a title, a source and a consistent retry flag', () => {
    const codes = FAILURE_CODE_TABLE.map((row) => row.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const row of FAILURE_CODE_TABLE) {
      expect(FAILURE_CATEGORIES).toContain(row.category);
      expect(RETRY_ADVICE).toContain(row.retryAdvice);
      expect(row.title.length).toBeGreaterThan(0);
      expect(row.source).toMatch(/^(https:\/\/|operator practice|wapipe convention)/);
      expect(row.retryable).toBe(row.retryAdvice !== 'never');
    }
  });

  it('returns a copy the caller may change', () => {
    const mine = classifyFailure('131026');
    mine.category = 'unknown';
    expect(classifyFailure('131026').category).toBe('recipient');
  });
});
