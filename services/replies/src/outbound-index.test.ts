import { describe, expect, it } from 'vitest';
import type { DeliveryStatus, Registration } from '@wapipe/events';
import { mergeOutbound, outboundKey, outboundSentAt } from './outbound-index.ts';
import type { OutboundEntry } from './outbound-index.ts';

const base = {
  sessionId: 's1',
  provider: 'meta' as const,
  requestId: 'r',
  receivedAt: '2026-11-29T10:00:00.000Z',
};

const registration = (over: Partial<Registration> = {}): Registration => ({
  ...base,
  provider: 'registry',
  kind: 'registration',
  eventId: `reg-${over.messageId ?? 'm1'}`,
  occurredAt: base.receivedAt,
  messageId: 'm1',
  providerMessageId: 'w1',
  recipient: '+1 650-555-1234',
  sentAt: '2026-11-29T09:59:00.000Z',
  campaignId: 'spring',
  category: null,
  template: null,
  ...over,
});

const status = (occurredAt: string, over: Partial<DeliveryStatus> = {}): DeliveryStatus => ({
  ...base,
  kind: 'status',
  eventId: `st-${occurredAt}`,
  occurredAt,
  providerMessageId: 'w1',
  recipient: '16505551234',
  status: 'sent',
  groupParticipant: null,
  pricingCategory: null,
  billable: null,
  conversationId: null,
  conversationCategory: null,
  bizOpaqueCallbackData: null,
  ...over,
});

const key = outboundKey('s1', 'w1');

describe('the outbound index', () => {
  it('learns a message from a registration, keyed by the contact digits', () => {
    const entry = mergeOutbound(new Map(), [registration()], []).get(key);
    expect(entry).toMatchObject({
      recipient: '16505551234',
      messageId: 'm1',
      campaignId: 'spring',
      category: '',
      template: '',
      pricing: null,
      version: 1,
    });
    expect(outboundSentAt(entry!)).toBe(Date.parse('2026-11-29T09:59:00.000Z'));
  });

  it('learns a message from its earliest status when it is not registered', () => {
    const entry = mergeOutbound(
      new Map(),
      [],
      [status('2026-11-29T10:02:00.000Z'), status('2026-11-29T10:01:00.000Z')],
    ).get(key);
    expect(entry).toMatchObject({ messageId: '', campaignId: '', version: 1 });
    expect(outboundSentAt(entry!)).toBe(Date.parse('2026-11-29T10:01:00.000Z'));
  });

  it('completes a status-only entry with a later registration, keeping its recipient', () => {
    const stored = mergeOutbound(
      new Map(),
      [],
      [status('2026-11-29T10:01:00.000Z', { recipient: '16505551234@c.us' })],
    );
    const next = mergeOutbound(stored, [registration({ sentAt: null, recipient: 'someone-else' })], []).get(
      key,
    );
    expect(next).toMatchObject({ recipient: '16505551234', messageId: 'm1', version: 2 });
    // No registered sentAt: the earliest status still gives the send time.
    expect(outboundSentAt(next!)).toBe(Date.parse('2026-11-29T10:01:00.000Z'));
  });

  it('keeps the first registration and ignores statuses that teach nothing', () => {
    const stored = mergeOutbound(new Map(), [registration()], [status('2026-11-29T10:01:00.000Z')]);
    const next = mergeOutbound(
      stored,
      [registration({ messageId: 'm2', campaignId: 'other' })],
      [status('2026-11-29T10:05:00.000Z')],
    );
    expect(next.size).toBe(0);
  });

  it('decides the first registration of a batch by arrival, whatever order the batch holds', () => {
    const early = registration({ messageId: 'early', receivedAt: '2026-11-29T10:00:00.000Z' });
    const late = registration({ messageId: 'late', receivedAt: '2026-11-29T10:00:01.000Z' });
    expect(mergeOutbound(new Map(), [late, early], []).get(key)?.messageId).toBe('early');
  });

  it('keeps the earliest received registration in every order of batches', () => {
    const early = registration({ messageId: 'early', receivedAt: '2026-11-29T10:00:00.000Z' });
    const late = registration({
      messageId: 'late',
      receivedAt: '2026-11-29T10:00:01.000Z',
      sentAt: '2026-11-29T09:00:00.000Z',
    });
    const lateFirst = mergeOutbound(mergeOutbound(new Map(), [late], []), [early], []).get(key);
    const earlyFirst = mergeOutbound(new Map(), [early], []);
    expect(lateFirst).toMatchObject({ messageId: 'early', version: 2 });
    expect(outboundSentAt(lateFirst!)).toBe(outboundSentAt(earlyFirst.get(key)!));
    expect(mergeOutbound(earlyFirst, [late], []).size).toBe(0);
  });

  it('bumps the version of what it changes', () => {
    const stored = new Map<string, OutboundEntry>([
      [
        key,
        {
          sessionId: 's1',
          recipient: 'x',
          providerMessageId: 'w1',
          messageId: '',
          campaignId: '',
          category: '',
          template: '',
          pricing: null,
          registeredSentAt: null,
          firstStatusAt: 5_000_000_000_000,
          registeredAt: null,
          version: 7,
        },
      ],
    ]);
    expect(mergeOutbound(stored, [], [status('2026-11-29T10:01:00.000Z')]).get(key)?.version).toBe(8);
  });
});
