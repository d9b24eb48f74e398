import { describe, expect, it } from 'vitest';
import { classifyFailure } from '@wapipe/events';
import type { Failure } from '@wapipe/events';
import { retryAdviceFor } from './retry-advice.ts';

const AT = '2026-11-29T10:00:00.000Z';

function failure(code: string, overrides: Partial<Failure> = {}): Failure {
  const c = classifyFailure(code);
  return {
    kind: 'failure',
    eventId: `ev-${code}`,
    sessionId: 's1',
    provider: 'meta',
    occurredAt: AT,
    receivedAt: AT,
    requestId: 'r1',
    providerMessageId: 'wamid.1',
    recipient: '4470000001',
    code,
    title: c.title,
    details: null,
    category: c.category,
    retryable: c.retryable,
    retryAdvice: c.retryAdvice,
    alert: c.alert,
    source: 'status',
    ...overrides,
  };
}

const settings = { backoffSeconds: 60 };

describe('retry advice', () => {
  it('a rate limit is retried after a backoff measured from when it failed', () => {
    const advice = retryAdviceFor(failure('130429'), settings);
    expect(advice).toMatchObject({
      advice: 'retry_after_backoff',
      notBefore: '2026-11-29T10:01:00.000Z',
      category: 'rate_limit',
    });
    expect(advice.reason).toContain('rate limit');
  });

  it('a policy hold waits a day, and a recipient or configuration failure is never retried', () => {
    expect(retryAdviceFor(failure('131048'), settings)).toMatchObject({
      advice: 'retry_after_24h',
      notBefore: '2026-11-30T10:00:00.000Z',
    });
    expect(retryAdviceFor(failure('131026'), settings)).toMatchObject({ advice: 'never', notBefore: null });
    expect(retryAdviceFor(failure('132001'), settings)).toMatchObject({
      advice: 'never',
      category: 'configuration',
    });
  });

  it('a disconnected session says to resend once it is connected again', () => {
    const advice = retryAdviceFor(
      failure('session.ERROR', { providerMessageId: null, recipient: null, source: 'session' }),
      settings,
    );
    expect(advice).toMatchObject({ advice: 'retry_after_backoff', providerMessageId: null });
    expect(advice.reason).toContain('CONNECTED');
  });

  it('an error on an inbound message has nothing to resend', () => {
    expect(retryAdviceFor(failure('131051', { source: 'message' }), settings)).toMatchObject({
      advice: 'never',
    });
  });

  it('the advice id is the same for the same failure event and differs between events', () => {
    const a = retryAdviceFor(failure('131000'), settings);
    expect(retryAdviceFor(failure('131000'), settings).adviceId).toBe(a.adviceId);
    expect(retryAdviceFor(failure('131000', { eventId: 'other' }), settings).adviceId).not.toBe(a.adviceId);
  });
});
