import { describe, expect, it } from 'vitest';
import { normalizeRecord } from './normalize.ts';
import { RECEIVED_AT, SESSION, fixture, rawRecord } from './test-support.ts';
import type { DeliveryStatus, Failure, InboundMessage, NormalizedEvent, UnknownEvent } from './types.ts';

const normalizeFixture = (name: string) => normalizeRecord(rawRecord('meta', fixture('meta', name)));
const only = <K extends NormalizedEvent['kind']>(events: NormalizedEvent[], kind: K) =>
  events.filter((e): e is Extract<NormalizedEvent, { kind: K }> => e.kind === kind);
const wamid = (n: number) =>
  `wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI${n.toString(16).toUpperCase().padStart(4, '0')}QzQ0RjA4MkU3QjNFMjE5AA==`;

describe('normalizing Meta statuses', () => {
  it.each<[string, Partial<DeliveryStatus>]>([
    [
      'status-sent.json',
      {
        status: 'sent',
        providerMessageId: wamid(1),
        recipient: '16505551234',
        occurredAt: '2025-06-25T13:16:24.000Z',
        pricingCategory: 'marketing',
        billable: true,
        conversationId: '3f9c1e7a52b84d0c9e6f1a2b3c4d5e6f',
        conversationCategory: 'marketing',
        bizOpaqueCallbackData: 'campaign-spring:msg-000042',
        groupParticipant: null,
      },
    ],
    ['status-delivered.json', { status: 'delivered', providerMessageId: wamid(1), recipient: '16505551234' }],
    ['status-read.json', { status: 'read', pricingCategory: null, billable: null, conversationId: null }],
    ['status-played.json', { status: 'played', providerMessageId: wamid(2) }],
    ['status-failed.json', { status: 'failed', providerMessageId: wamid(3), recipient: '447700900123' }],
    [
      'status-group-delivered.json',
      {
        status: 'delivered',
        recipient: 'Y2FwaV9ncm91cDoxNTU1MDc4Mzg4MToxMjAzNjMzOTk4NzY1NDMyMTA',
        groupParticipant: '16505550199',
        pricingCategory: 'utility',
      },
    ],
    ['status-bsuid-delivered.json', { status: 'delivered', recipient: 'PT.40571892236610458812' }],
  ])('reads %s as a status event', (name, expected) => {
    const { events, problems } = normalizeFixture(name);
    expect(problems).toEqual([]);
    const [status] = only(events, 'status');
    expect(status).toMatchObject({
      kind: 'status',
      provider: 'meta',
      sessionId: SESSION,
      receivedAt: RECEIVED_AT,
      requestId: 'req_0001',
      ...expected,
    });
    expect(status?.eventId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('turns a failed status into a failed status event and one failure per error', () => {
    const { events } = normalizeFixture('status-failed.json');
    expect(events.map((e) => e.kind)).toEqual(['status', 'failure']);
    expect(only(events, 'failure')[0]).toMatchObject<Partial<Failure>>({
      providerMessageId: wamid(3),
      recipient: '447700900123',
      code: '131026',
      title: 'Message undeliverable',
      details: 'Message Undeliverable.',
      category: 'recipient',
      retryable: false,
      retryAdvice: 'never',
      alert: false,
      source: 'status',
      occurredAt: '2025-06-25T13:16:30.000Z',
    });
  });

  it('classifies a template failure as configuration that alerts', () => {
    const [failure] = only(normalizeFixture('status-failed-template.json').events, 'failure');
    expect(failure).toMatchObject({
      code: '132001',
      category: 'configuration',
      retryable: false,
      alert: true,
    });
    expect(failure?.details).toContain('spring_sale_v2');
  });

  it('gives a failed status with no errors one failure with code "unknown"', () => {
    const { events } = normalizeFixture('status-failed-no-errors.json');
    expect(only(events, 'failure')).toEqual([
      expect.objectContaining({
        code: 'unknown',
        category: 'unknown',
        source: 'status',
        providerMessageId: wamid(5),
      }),
    ]);
  });

  it('keeps a status it does not know as an unknown event', () => {
    const { events } = normalizeFixture('status-unknown-deleted.json');
    expect(events).toEqual([
      expect.objectContaining<Partial<UnknownEvent>>({
        kind: 'unknown',
        rawType: 'status:deleted',
        path: 'entry[0].changes[0].value.statuses[0]',
        raw: expect.objectContaining({ status: 'deleted' }),
      }),
    ]);
  });

  it('reads every status of a batch across entries, in order', () => {
    const { events } = normalizeFixture('statuses-batch.json');
    expect(events.map((e) => (e.kind === 'status' ? [e.providerMessageId, e.status] : e.kind))).toEqual([
      [wamid(10), 'sent'],
      [wamid(11), 'sent'],
      [wamid(10), 'delivered'],
      [wamid(11), 'read'],
    ]);
  });

  it('turns envelope errors into failures with no message', () => {
    const { events } = normalizeFixture('envelope-errors.json');
    expect(events).toEqual([
      expect.objectContaining<Partial<Failure>>({
        kind: 'failure',
        providerMessageId: null,
        recipient: null,
        code: '131000',
        category: 'transient',
        retryable: true,
        source: 'envelope',
        occurredAt: RECEIVED_AT,
      }),
    ]);
  });

  it('keeps a change of another field as one unknown event', () => {
    const { events } = normalizeFixture('field-calls.json');
    expect(events).toEqual([
      expect.objectContaining({ kind: 'unknown', rawType: 'field:calls', path: 'entry[0].changes[0]' }),
    ]);
  });

  it('normalizes a 1000-status batch to 1000 events with distinct ids', () => {
    const statuses = Array.from({ length: 1000 }, (_, i) => ({
      id: `wamid.batch.${i}`,
      status: (['sent', 'delivered', 'read'] as const)[i % 3],
      timestamp: String(1750857000 + i),
      recipient_id: `1650555${String(i).padStart(4, '0')}`,
    }));
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        { id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', statuses } }] },
      ],
    };
    const { events, problems } = normalizeRecord(rawRecord('meta', body));
    expect(problems).toEqual([]);
    expect(events).toHaveLength(1000);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(1000);
  });
});

describe('normalizing Meta inbound messages', () => {
  it.each<[string, Partial<InboundMessage>]>([
    [
      'message-text.json',
      { type: 'text', text: 'Is the blue one back in stock?', payload: null, replyToProviderMessageId: null },
    ],
    [
      'message-text-reply.json',
      { type: 'text', text: 'Yes, Friday works for me', replyToProviderMessageId: wamid(1) },
    ],
    [
      'message-image.json',
      { type: 'image', text: 'This is the broken part', payload: '1466022871905532', forwarded: true },
    ],
    ['message-audio.json', { type: 'audio', text: null, payload: '1003383421387256' }],
    ['message-video.json', { type: 'video', text: 'Unboxing', forwarded: true }],
    ['message-document.json', { type: 'document', text: 'invoice-2025-06.pdf', payload: '1173734904206455' }],
    ['message-sticker.json', { type: 'sticker', text: null, payload: '1228709518317297' }],
    ['message-location.json', { type: 'location', text: 'Harbor Lights Bakery, 12 Quay Street, Cork' }],
    ['message-contacts.json', { type: 'contacts', text: 'Dana K. Okafor' }],
    [
      'message-button.json',
      {
        type: 'button',
        text: 'Stop promotions',
        payload: 'STOP_PROMOTIONS',
        replyToProviderMessageId: wamid(1),
      },
    ],
    [
      'message-interactive-button-reply.json',
      { type: 'interactive', text: 'Confirm', payload: 'confirm-booking-8812' },
    ],
    [
      'message-interactive-list-reply.json',
      { type: 'interactive', text: 'Fri 10:00', payload: 'slot-2025-06-27T10:00' },
    ],
    [
      'message-interactive-nfm-reply.json',
      {
        type: 'interactive',
        text: 'Sent',
        payload: '{"flow_token":"ft-7781","rating":"5","comment":"Quick delivery"}',
      },
    ],
    [
      'message-reaction.json',
      { type: 'reaction', text: '👍', reactionToProviderMessageId: wamid(1), replyToProviderMessageId: null },
    ],
    [
      'message-reaction-removed.json',
      { type: 'reaction', text: null, reactionToProviderMessageId: wamid(1) },
    ],
    ['message-order.json', { type: 'order', text: 'Two of the blue ones please' }],
    [
      'message-system.json',
      {
        type: 'system',
        text: expect.stringContaining('changed from') as string,
        payload: 'user_changed_number',
        contactName: null,
      },
    ],
    ['message-unsupported.json', { type: 'unsupported', text: null, payload: 'poll_creation' }],
    ['message-request-welcome.json', { type: 'request_welcome', text: null }],
    [
      'message-bsuid-text.json',
      { type: 'text', from: 'PT.40571892236610458812', contactName: 'Ines Duarte' },
    ],
  ])('reads %s as an inbound message', (name, expected) => {
    const { events, problems } = normalizeFixture(name);
    expect(problems).toEqual([]);
    const [inbound] = only(events, 'inbound');
    expect(inbound).toMatchObject({
      kind: 'inbound',
      provider: 'meta',
      sessionId: SESSION,
      from: '16505551234',
      contactName: 'Tomás Rivera',
      reactionToProviderMessageId: null,
      forwarded: false,
      ...expected,
    });
    expect(inbound?.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('carries an order as JSON in the payload', () => {
    const [inbound] = only(normalizeFixture('message-order.json').events, 'inbound');
    expect(JSON.parse(inbound?.payload ?? 'null')).toEqual({
      catalog_id: '1092384576019283',
      product_items: [
        { product_retailer_id: 'SKU-BLUE-M', quantity: 2, item_price: 19.99, currency: 'USD' },
        { product_retailer_id: 'SKU-SOCKS', quantity: 1, item_price: 4.5, currency: 'USD' },
      ],
    });
  });

  it('also reports the errors an unsupported message carries, as failures from the message', () => {
    const [failure] = only(normalizeFixture('message-unsupported.json').events, 'failure');
    expect(failure).toMatchObject({
      code: '131051',
      source: 'message',
      recipient: null,
      providerMessageId: wamid(118),
    });
  });

  it('keeps a message type it does not know as an unknown event', () => {
    const { events } = normalizeFixture('message-unknown-type.json');
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'unknown',
        rawType: 'message:hologram',
        path: 'entry[0].changes[0].value.messages[0]',
      }),
    ]);
  });

  it('matches each message of a batch to its own contact name', () => {
    const inbound = only(normalizeFixture('mixed-batch.json').events, 'inbound');
    expect(inbound.map((m) => [m.from, m.contactName])).toEqual([
      ['16505551234', 'Tomás Rivera'],
      ['447700900123', 'Lee Jen Ling'],
    ]);
  });

  it('reads a mixed batch into statuses, failures, inbound messages and envelope failures', () => {
    const { events } = normalizeFixture('mixed-batch.json');
    expect(events.map((e) => e.kind)).toEqual([
      'status',
      'status',
      'failure',
      'inbound',
      'inbound',
      'failure',
    ]);
  });
});

describe('normalizing odd Meta bodies', () => {
  const envelope = (value: unknown) => ({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value }] }],
  });

  it('falls back to the time of receipt when a timestamp is not unix seconds, and says so', () => {
    const body = envelope({
      statuses: [{ id: 'w1', status: 'read', timestamp: 'yesterday', recipient_id: '1' }],
    });
    const { events, problems } = normalizeRecord(rawRecord('meta', body));
    expect(events[0]?.occurredAt).toBe(RECEIVED_AT);
    expect(problems).toEqual([
      'entry[0].changes[0].value.statuses[0].timestamp: timestamp "yesterday" is not unix seconds; used receivedAt',
    ]);
  });

  it('keeps a status without an id as an unknown event and normalizes the rest of the batch', () => {
    const body = envelope({
      statuses: [
        { status: 'read', timestamp: '1750857000' },
        { id: 'w2', status: 'read', timestamp: '1750857000', recipient_id: '1' },
      ],
    });
    const { events, problems } = normalizeRecord(rawRecord('meta', body));
    expect(events.map((e) => e.kind)).toEqual(['unknown', 'status']);
    expect(events[0]).toMatchObject({
      rawType: 'invalid:status',
      path: 'entry[0].changes[0].value.statuses[0]',
    });
    expect(problems[0]).toContain('entry[0].changes[0].value.statuses[0]: status not understood (id:');
  });

  it('keeps a body that is not Meta’s envelope as one unknown event', () => {
    const { events, problems } = normalizeRecord(rawRecord('meta', { hello: 'world' }));
    expect(events).toEqual([
      expect.objectContaining({ kind: 'unknown', rawType: 'body', path: '', raw: { hello: 'world' } }),
    ]);
    expect(problems).toHaveLength(1);
  });

  it('reports bytes that are not JSON as a problem and no events', () => {
    expect(normalizeRecord(rawRecord('meta', Buffer.from([0xff, 0x00, 0x7b])))).toEqual({
      events: [],
      problems: ['body is not JSON (3 bytes)'],
    });
  });

  it('reads a body that starts with a byte order mark', () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify(fixture('meta', 'status-read.json'))),
    ]);
    expect(normalizeRecord(rawRecord('meta', bytes)).events.map((e) => e.kind)).toEqual(['status']);
  });

  it('reports the same status twice in one body once', () => {
    const s = { id: 'w1', status: 'read', timestamp: '1750857000', recipient_id: '1' };
    expect(normalizeRecord(rawRecord('meta', envelope({ statuses: [s, s] }))).events).toHaveLength(1);
  });

  it('does not let a __proto__ key change what a status says', () => {
    const text =
      '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"statuses":[{"id":"w1","status":"read","timestamp":"1750857000","recipient_id":"1","__proto__":{"biz_opaque_callback_data":"injected"}}]}}]}]}';
    const [status] = normalizeRecord(rawRecord('meta', Buffer.from(text))).events;
    expect(status).toMatchObject({ kind: 'status', bizOpaqueCallbackData: null });
  });
});
