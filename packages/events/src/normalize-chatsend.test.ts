import { describe, expect, it } from 'vitest';
import { normalizeRecord } from './normalize.ts';
import { RECEIVED_AT, SESSION, fixture, rawRecord } from './test-support.ts';

const normalizeFixture = (name: string) => normalizeRecord(rawRecord('chatsend', fixture('chatsend', name)));

describe('normalizing ChatSend events', () => {
  it.each([
    ['message-status-delivered.json', 'delivered', '2026-11-29T10:00:00.000Z'],
    ['message-status-read.json', 'read', '2026-11-29T10:02:11.250Z'],
    ['message-status-played.json', 'played', '2026-11-29T10:03:00.000Z'],
  ])('reads %s as a %s status', (name, status, occurredAt) => {
    const { events, problems } = normalizeFixture(name);
    expect(problems).toEqual([]);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'status',
        provider: 'chatsend',
        sessionId: SESSION,
        status,
        occurredAt,
        receivedAt: RECEIVED_AT,
        recipient: '16505551234',
        groupParticipant: null,
        pricingCategory: null,
        billable: null,
      }),
    ]);
  });

  it('reads a received text with its contact name and the message it replies to, in UTC', () => {
    const { events } = normalizeFixture('message-received-text.json');
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'inbound',
        providerMessageId: 'false_16505551234@c.us_3A1F9C2B7E',
        from: '16505551234',
        contactName: 'Tomás Rivera',
        type: 'text',
        text: 'Can I move my booking to Friday?',
        payload: null,
        replyToProviderMessageId: 'true_16505551234@c.us_3EB0C767D097B7C7A1',
        reactionToProviderMessageId: null,
        forwarded: false,
        occurredAt: '2026-11-29T09:05:00.000Z',
      }),
    ]);
  });

  it('reads a received image’s caption as its text', () => {
    const [inbound] = normalizeFixture('message-received-image.json').events;
    expect(inbound).toMatchObject({
      kind: 'inbound',
      type: 'image',
      text: 'Receipt attached',
      contactName: null,
    });
  });

  it('turns message.failed into a failed status and a failure classified by the shared table', () => {
    const { events } = normalizeFixture('message-failed.json');
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'status',
        status: 'failed',
        providerMessageId: 'true_447700900123@c.us_3EB0DD11',
      }),
      expect.objectContaining({
        kind: 'failure',
        providerMessageId: 'true_447700900123@c.us_3EB0DD11',
        recipient: '447700900123',
        code: 'INVALID_RECIPIENT',
        category: 'recipient',
        retryable: false,
        details: 'The number is not registered on WhatsApp',
        source: 'status',
      }),
    ]);
  });

  it('looks a numeric ChatSend code up in the Meta table', () => {
    const failure = normalizeFixture('message-failed-meta-code.json').events.find(
      (e) => e.kind === 'failure',
    );
    expect(failure).toMatchObject({ code: '131049', category: 'policy', retryAdvice: 'after_24h' });
  });

  it('reads a CONNECTED session state without a failure', () => {
    const { events } = normalizeFixture('session-status-connected.json');
    expect(events).toEqual([expect.objectContaining({ kind: 'session', status: 'CONNECTED', reason: null })]);
  });

  it.each([
    ['session-status-error.json', 'ERROR', 'Connection lost: stream errored out'],
    ['session-status-qr-required.json', 'QR_REQUIRED', 'Logged out from the phone'],
    ['session-status-stopped.json', 'STOPPED', null],
  ])('turns %s into a session event and a session failure', (name, status, reason) => {
    const { events } = normalizeFixture(name);
    expect(events).toEqual([
      expect.objectContaining({ kind: 'session', status, reason }),
      expect.objectContaining({
        kind: 'failure',
        code: `session.${status}`,
        category: 'session',
        source: 'session',
        providerMessageId: null,
        alert: true,
        details: reason,
      }),
    ]);
  });

  it('tells two CONNECTED reports at different times apart, and a retried report from its original', () => {
    const connected = fixture('chatsend', 'session-status-connected.json') as Record<string, unknown>;
    const first = normalizeRecord(rawRecord('chatsend', connected)).events[0]?.eventId;
    const retried = normalizeRecord(
      rawRecord('chatsend', { ...connected, id: 'evt_retry' }, { requestId: 'req_2' }),
    ).events[0];
    const later = normalizeRecord(
      rawRecord('chatsend', { ...connected, timestamp: '2026-11-29T13:00:00.000Z' }),
    ).events[0];
    expect(retried?.eventId).toBe(first);
    expect(later?.eventId).not.toBe(first);
  });

  it('keeps an event type it does not know as an unknown event', () => {
    const { events } = normalizeFixture('unknown-type.json');
    expect(events).toEqual([
      expect.objectContaining({ kind: 'unknown', rawType: 'event:contact.updated', path: '' }),
    ]);
  });

  it('keeps a status value it does not know as an unknown event', () => {
    const body = {
      ...(fixture('chatsend', 'message-status-read.json') as object),
      data: { messageId: 'm', recipient: '1', status: 'seen' },
    };
    expect(normalizeRecord(rawRecord('chatsend', body)).events).toEqual([
      expect.objectContaining({ kind: 'unknown', rawType: 'status:seen' }),
    ]);
  });

  it('uses the record’s session when the body names another one, and says so', () => {
    const body = {
      ...(fixture('chatsend', 'message-status-read.json') as object),
      sessionId: 'someone_else',
    };
    const { events, problems } = normalizeRecord(rawRecord('chatsend', body));
    expect(events[0]?.sessionId).toBe(SESSION);
    expect(problems).toEqual(['sessionId: body says "someone_else", record is for "sess_shop_main"']);
  });

  it('falls back to the time of receipt for a timestamp that is not ISO-8601', () => {
    const body = { ...(fixture('chatsend', 'message-status-read.json') as object), timestamp: 'soon' };
    expect(normalizeRecord(rawRecord('chatsend', body)).events[0]?.occurredAt).toBe(RECEIVED_AT);
  });
});
