import { describe, expect, it } from 'vitest';
import { normalizeRecord } from './normalize.ts';
import { OutboundRegistration } from './registration.ts';
import { RECEIVED_AT, SESSION, rawRecord } from './test-support.ts';

const registration = {
  messageId: 'order-confirm-7781',
  sessionId: SESSION,
  recipient: '16505551234',
  providerMessageId: 'wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0001QzQ0RjA4MkU3QjNFMjE5AA==',
  sentAt: '2026-11-29T11:59:58.5+02:00',
  campaignId: 'spring-sale',
  category: 'marketing',
  template: 'order_confirmation',
};

describe('outbound registrations', () => {
  it('normalize to a registration event that happened when it was sent', () => {
    const { events, problems } = normalizeRecord(rawRecord('registry', registration));
    expect(problems).toEqual([]);
    expect(events).toEqual([
      {
        kind: 'registration',
        eventId: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
        sessionId: SESSION,
        provider: 'registry',
        occurredAt: '2026-11-29T09:59:58.500Z',
        receivedAt: RECEIVED_AT,
        requestId: 'req_0001',
        messageId: 'order-confirm-7781',
        providerMessageId: registration.providerMessageId,
        recipient: '16505551234',
        sentAt: '2026-11-29T09:59:58.500Z',
        campaignId: 'spring-sale',
        category: 'marketing',
        template: 'order_confirmation',
      },
    ]);
  });

  it('without sentAt happened when it was received', () => {
    const { sentAt: _sentAt, campaignId: _c, category: _k, template: _t, ...minimal } = registration;
    const [event] = normalizeRecord(rawRecord('registry', minimal)).events;
    expect(event).toMatchObject({
      occurredAt: RECEIVED_AT,
      sentAt: null,
      campaignId: null,
      category: null,
      template: null,
    });
  });

  it('registered twice get the same event id', () => {
    const a = normalizeRecord(rawRecord('registry', registration, { requestId: 'req_a' })).events[0];
    const b = normalizeRecord(
      rawRecord('registry', { ...registration, campaignId: 'other' }, { requestId: 'req_b' }),
    ).events[0];
    expect(a?.eventId).toBe(b?.eventId);
  });

  it.each([
    ['a missing providerMessageId', { ...registration, providerMessageId: undefined }],
    ['an empty messageId', { ...registration, messageId: '' }],
    ['a sentAt that is not an instant', { ...registration, sentAt: 'tomorrow' }],
    ['a 300-character recipient', { ...registration, recipient: 'x'.repeat(300) }],
  ])('are rejected by the schema with %s', (_what, item) => {
    expect(OutboundRegistration.safeParse(item).success).toBe(false);
  });

  it('that cannot be read are kept as unknown events', () => {
    const { events, problems } = normalizeRecord(rawRecord('registry', { messageId: 'm' }));
    expect(events).toEqual([expect.objectContaining({ kind: 'unknown', rawType: 'invalid:registration' })]);
    expect(problems[0]).toContain('registration not understood');
  });
});
