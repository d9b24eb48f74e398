// What the operator's send path should do about a failure, published once per failure event. The
// classification (category, retry advice) comes from the event model's failure-code table; this module
// turns it into a decision with a time and a reason a person can act on.
import type { Failure, FailureCategory } from '@wapipe/events';
import { eventIdFromParts } from '@wapipe/events';
import type { EffectRecord } from '@wapipe/pipeline';

export const ADVICE = ['retry_now', 'retry_after_backoff', 'retry_after_24h', 'never'] as const;
export type Advice = (typeof ADVICE)[number];

export interface RetryAdviceRecord {
  /** Deterministic: one per failure event, so the send path can drop repeats. */
  adviceId: string;
  failureEventId: string;
  sessionId: string;
  provider: string;
  providerMessageId: string | null;
  recipient: string | null;
  code: string;
  title: string;
  category: FailureCategory;
  advice: Advice;
  /** Earliest time a resend makes sense (ISO); null when it never does. */
  notBefore: string | null;
  reason: string;
  occurredAt: string;
}

const WHY: Record<FailureCategory, string> = {
  transient: 'the provider reported a temporary problem; resend with growing delays',
  rate_limit: 'a rate limit was hit; slow down and resend with growing delays',
  policy: 'the provider held the message back by policy; resending within a day makes it worse',
  recipient: 'this recipient cannot receive this message; resending it will not help',
  configuration: 'the account, template or request is misconfigured; fix it before sending again',
  session: 'the session is not connected; resend once it is CONNECTED again',
  unknown: 'the code is not in the failure-code table; resend with growing delays and review the code',
};

const DAY_MS = 24 * 3_600_000;

export function retryAdviceFor(failure: Failure, settings: { backoffSeconds: number }): RetryAdviceRecord {
  const at = Date.parse(failure.occurredAt);
  const plus = (ms: number) => new Date(at + ms).toISOString();
  const base = {
    adviceId: eventIdFromParts(['retry-advice', failure.eventId]),
    failureEventId: failure.eventId,
    sessionId: failure.sessionId,
    provider: failure.provider,
    providerMessageId: failure.providerMessageId,
    recipient: failure.recipient,
    code: failure.code,
    title: failure.title,
    category: failure.category,
    occurredAt: failure.occurredAt,
  };
  const because = (why: string) => `${failure.title} (code ${failure.code}): ${why}`;
  if (failure.source === 'message') {
    // An error on a message the customer sent us: nothing of ours failed to go out.
    return {
      ...base,
      advice: 'never',
      notBefore: null,
      reason: because('an inbound message error; nothing to resend'),
    };
  }
  switch (failure.retryAdvice) {
    case 'now':
      return {
        ...base,
        advice: 'retry_now',
        notBefore: failure.occurredAt,
        reason: because(WHY[failure.category]),
      };
    case 'backoff':
      return {
        ...base,
        advice: 'retry_after_backoff',
        notBefore: plus(settings.backoffSeconds * 1000),
        reason: because(WHY[failure.category]),
      };
    case 'after_24h':
      return {
        ...base,
        advice: 'retry_after_24h',
        notBefore: plus(DAY_MS),
        reason: because(WHY[failure.category]),
      };
    case 'never':
      return { ...base, advice: 'never', notBefore: null, reason: because(WHY[failure.category]) };
  }
}

export function retryAdviceRecord(advice: RetryAdviceRecord): EffectRecord {
  return { key: advice.sessionId, value: JSON.stringify(advice) };
}
