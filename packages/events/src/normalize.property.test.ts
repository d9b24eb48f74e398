// Properties that must hold for every input, not just the fixtures.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatSendEvent } from './chatsend/schema.ts';
import { validateChatSendBody } from './chatsend/validate.ts';
import { eventIdFromParts } from './event-id.ts';
import { META_MESSAGE_TYPES, META_STATUSES, MetaStatus, MetaWebhookBody } from './meta/schema.ts';
import { validateMetaBody } from './meta/validate.ts';
import { plainStatus } from './normalize-meta.ts';
import { normalizeRecord } from './normalize.ts';
import { rawRecord } from './test-support.ts';
import type { NormalizedEvent } from './types.ts';

const providers = fc.constantFrom('meta', 'chatsend', 'registry') as fc.Arbitrary<
  'meta' | 'chatsend' | 'registry'
>;

// ---- generators of realistic Meta items ------------------------------------------------------------
const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[1-9][0-9]{${min},${max}}$`));
const unixSeconds = fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }).map(String);
const metaError = fc.record({
  code: fc.oneof(
    fc.constantFrom(131026, 131047, 130429, 131049, 132001),
    fc.integer({ min: 0, max: 200_000 }),
  ),
  title: fc.string({ maxLength: 30 }),
  error_data: fc.record({ details: fc.string({ maxLength: 40 }) }),
});
const metaStatus = (id: string) =>
  fc
    .record({
      status: fc.constantFrom(...META_STATUSES, 'deleted'),
      timestamp: unixSeconds,
      recipient_id: digits(7, 12),
      group: fc.option(digits(7, 12), { nil: undefined }),
      pricing: fc.option(
        fc.record({ billable: fc.boolean(), category: fc.constantFrom('marketing', 'utility', 'service') }),
        {
          nil: undefined,
        },
      ),
      errors: fc.array(metaError, { maxLength: 2 }),
    })
    .map(({ group, errors, ...s }) => ({
      id,
      ...s,
      ...(group ? { recipient_type: 'group', recipient_participant_id: group } : {}),
      ...(s.status === 'failed' && errors.length > 0 ? { errors } : {}),
    }));
const metaMessage = (id: string, from: string) =>
  fc.record({
    id: fc.constant(id),
    from: fc.constant(from),
    timestamp: unixSeconds,
    type: fc.constantFrom(...META_MESSAGE_TYPES, 'hologram'),
    text: fc.record({ body: fc.string({ maxLength: 40 }) }),
    context: fc.option(
      fc.record({ id: fc.string({ minLength: 1, maxLength: 20 }), forwarded: fc.boolean() }),
      { nil: undefined },
    ),
  });
type Item = { kind: 'statuses' | 'messages' | 'errors'; item: unknown };
const metaItems: fc.Arbitrary<Item[]> = fc
  .tuple(
    fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 12 }),
    fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { maxLength: 8 }),
    fc.uniqueArray(metaError, { maxLength: 3, selector: (e) => JSON.stringify(e) }),
    digits(7, 12),
  )
  .chain(([statusIds, messageIds, errors, from]) =>
    fc
      .tuple(
        fc.tuple(...statusIds.map((id) => metaStatus(`wamid.out.${id}`))),
        fc.tuple(...messageIds.map((id) => metaMessage(`wamid.in.${id}`, from))),
      )
      .map(([statuses, messages]): Item[] => [
        ...statuses.map((item) => ({ kind: 'statuses' as const, item })),
        ...messages.map((item) => ({ kind: 'messages' as const, item })),
        ...errors.map((item) => ({ kind: 'errors' as const, item })),
      ]),
  );

/** Packs items into a body: consecutive chunks, each its own change, changes spread over entries. */
function metaBody(items: Item[], cuts: number[], contacts: unknown[]): unknown {
  const chunks: Item[][] = [];
  let start = 0;
  for (const cut of [...cuts.map((c) => c % (items.length + 1)).sort((a, b) => a - b), items.length]) {
    chunks.push(items.slice(start, Math.max(start, cut)));
    start = Math.max(start, cut);
  }
  const changes = chunks.map((chunk) => {
    const value: Record<string, unknown[]> = { contacts };
    for (const { kind, item } of chunk) (value[kind] ??= []).push(item);
    return { field: 'messages', value: { messaging_product: 'whatsapp', ...value } };
  });
  return {
    object: 'whatsapp_business_account',
    entry: changes.map((change, i) => ({ id: `waba${i % 2}`, changes: [change] })),
  };
}

/** What must be equal for the same logical event, whichever request carried it. */
function logical(event: NormalizedEvent): unknown {
  const { requestId: _r, receivedAt: _t, ...rest } = event;
  if (rest.kind === 'unknown') return { ...rest, path: undefined, occurredAt: undefined };
  if (rest.kind === 'failure' && rest.source === 'envelope') return { ...rest, occurredAt: undefined };
  return rest;
}
const byId = (events: NormalizedEvent[]) => new Map(events.map((e) => [e.eventId, logical(e)]));

describe('normalizeRecord, for any input', () => {
  it('never throws on any JSON value, and returns only well-formed events', () => {
    fc.assert(
      fc.property(providers, fc.jsonValue(), (provider, json) => {
        const { events, problems } = normalizeRecord(
          rawRecord(provider, Buffer.from(JSON.stringify(json) ?? 'null')),
        );
        expect(Array.isArray(problems)).toBe(true);
        for (const event of events) {
          expect(event.eventId).toMatch(/^[0-9a-f]{32}$/);
          expect(event.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on any bytes', () => {
    fc.assert(
      fc.property(providers, fc.uint8Array({ maxLength: 300 }), (provider, bytes) => {
        normalizeRecord(rawRecord(provider, Buffer.from(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on Meta-shaped bodies with arbitrary values in every field', () => {
    const anything = fc.jsonValue({ maxDepth: 2, depthSize: 'small' });
    const status = fc.dictionary(
      fc.constantFrom(
        'id',
        'status',
        'timestamp',
        'recipient_id',
        'pricing',
        'conversation',
        'errors',
        'recipient_participant_id',
      ),
      anything,
    );
    const message = fc.dictionary(
      fc.constantFrom(
        'id',
        'type',
        'timestamp',
        'from',
        'text',
        'image',
        'interactive',
        'context',
        'reaction',
        'order',
        'errors',
      ),
      anything,
    );
    const body = fc.record({
      object: fc.constant('whatsapp_business_account'),
      entry: fc.array(
        fc.record({
          id: fc.string(),
          changes: fc.array(
            fc.record({
              field: fc.constantFrom('messages', 'calls'),
              value: fc.record({
                statuses: fc.array(status, { maxLength: 4 }),
                messages: fc.array(message, { maxLength: 4 }),
                errors: fc.array(anything, { maxLength: 2 }),
                contacts: anything,
              }),
            }),
            { maxLength: 3 },
          ),
        }),
        { maxLength: 2 },
      ),
    });
    fc.assert(
      fc.property(body, (json) => void normalizeRecord(rawRecord('meta', json))),
      { numRuns: 200 },
    );
  });
});

describe('event identity', () => {
  it('gives the same event the same id in different batches, orders and envelopes', () => {
    fc.assert(
      fc.property(
        metaItems,
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (items, cutsA, cutsB) => {
          const contacts = [{ profile: { name: 'Ada' }, wa_id: '1' }];
          const shuffled = [...items].reverse();
          const a = normalizeRecord(
            rawRecord('meta', metaBody(items, cutsA, contacts), { requestId: 'req_a' }),
          );
          const b = normalizeRecord(
            rawRecord('meta', metaBody(shuffled, cutsB, contacts), {
              requestId: 'req_b',
              receivedAt: '2026-12-01T00:00:00Z',
            }),
          );
          expect(byId(b.events)).toEqual(byId(a.events));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('gives distinct identities distinct ids, whatever characters they hold', () => {
    const part = fc.option(fc.string({ maxLength: 6, unit: 'binary' }), { nil: null });
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.array(part, { maxLength: 4 }), {
          minLength: 2,
          maxLength: 200,
          selector: (p) => JSON.stringify(p),
        }),
        (identities) => {
          const ids = new Set(identities.map((parts) => eventIdFromParts(parts)));
          expect(ids.size).toBe(identities.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the ingress shape checks', () => {
  const junk = fc.constantFrom(undefined, null, 0, '', 'x', [], {}, [{}]);
  const maybe = <T>(arb: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 12, arbitrary: arb }, { weight: 1, arbitrary: junk });
  const error = fc.record({ code: maybe(fc.integer()), title: maybe(fc.string()) });
  const status = fc.record({
    id: maybe(fc.string({ maxLength: 3 })),
    status: maybe(fc.constantFrom('sent', 'failed', 'x')),
    timestamp: maybe(unixSeconds),
    recipient_id: maybe(fc.string()),
    errors: maybe(fc.array(maybe(error), { maxLength: 2 })),
  });
  const message = fc.record({
    id: maybe(fc.string({ maxLength: 3 })),
    type: maybe(fc.constantFrom('text', 'image', 'x')),
    timestamp: maybe(fc.oneof(unixSeconds, fc.integer())),
    errors: maybe(fc.array(maybe(error), { maxLength: 2 })),
  });
  const value = fc.record({
    statuses: maybe(fc.array(maybe(status), { maxLength: 3 })),
    messages: maybe(fc.array(maybe(message), { maxLength: 3 })),
    errors: maybe(fc.array(maybe(error), { maxLength: 2 })),
    other: maybe(fc.array(fc.integer(), { maxLength: 2 })),
  });
  const change = fc.record({ field: maybe(fc.constantFrom('messages', 'calls')), value: maybe(value) });
  const entry = fc.record({
    id: maybe(fc.string()),
    changes: maybe(fc.array(maybe(change), { maxLength: 3 })),
  });
  const body = fc.record({
    object: maybe(fc.constant('whatsapp_business_account')),
    entry: maybe(fc.array(maybe(entry), { maxLength: 3 })),
  });
  // As the ingress sees it: parsed JSON (no undefined values).
  const asJson = (x: unknown): unknown => JSON.parse(JSON.stringify(x) ?? 'null');

  it('accept a Meta body exactly when the zod schema does', () => {
    fc.assert(
      fc.property(body.map(asJson), (json) => {
        expect(validateMetaBody(json).ok).toBe(MetaWebhookBody.safeParse(json).success);
      }),
      { numRuns: 2000 },
    );
  });

  it('count what the normalizer reads: one event per status, message, envelope error or unknown item', () => {
    fc.assert(
      fc.property(body.map(asJson), (json) => {
        const result = validateMetaBody(json);
        if (!result.ok) return;
        const { events } = normalizeRecord(rawRecord('meta', json));
        const received = events.filter((e) => !(e.kind === 'failure' && e.source !== 'envelope'));
        expect(received.length).toBeLessThanOrEqual(result.events);
      }),
      { numRuns: 1000 },
    );
  });

  it('accept a ChatSend body exactly when the zod schema does', () => {
    const data = fc.record({
      messageId: maybe(fc.string({ maxLength: 3 })),
      recipient: maybe(fc.string()),
      from: maybe(fc.string()),
      status: maybe(fc.string()),
      type: maybe(fc.string()),
      error: maybe(
        fc.record({ code: maybe(fc.oneof(fc.string(), fc.integer())), message: maybe(fc.string()) }),
      ),
    });
    const event = fc.record({
      id: maybe(fc.string({ maxLength: 3 })),
      type: maybe(
        fc.constantFrom('message.status', 'message.received', 'message.failed', 'session.status', 'x.y'),
      ),
      sessionId: maybe(fc.string({ maxLength: 3 })),
      timestamp: maybe(fc.string()),
      data: maybe(data),
    });
    fc.assert(
      fc.property(event.map(asJson), (json) => {
        expect(validateChatSendBody(json).ok).toBe(ChatSendEvent.safeParse(json).success);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the plain status fast path', () => {
  // Any JSON value in any field MetaStatus reads, or absent.
  const anything = fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.dictionary(
      fc.constantFrom(
        'type',
        'category',
        'billable',
        'pricing_model',
        'id',
        'origin',
        'expiration_timestamp',
      ),
      fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.record({ type: fc.string() })),
    ),
  );
  const fields = [
    'id',
    'status',
    'timestamp',
    'recipient_id',
    'recipient_user_id',
    'parent_recipient_user_id',
    'recipient_type',
    'recipient_participant_id',
    'recipient_participant_user_id',
    'biz_opaque_callback_data',
    'conversation',
    'pricing',
  ] as const;
  const text = fc.option(fc.string({ maxLength: 8 }), { nil: undefined });
  // The everyday shape, then one field (or none) replaced by anything at all.
  const everyday = fc.record({
    id: fc.string({ minLength: 1, maxLength: 8 }),
    status: fc.constantFrom(...META_STATUSES, 'deleted'),
    timestamp: fc.oneof(unixSeconds, fc.integer()),
    recipient_id: text,
    recipient_user_id: text,
    parent_recipient_user_id: text,
    recipient_type: text,
    recipient_participant_id: text,
    recipient_participant_user_id: text,
    biz_opaque_callback_data: text,
    conversation: fc.option(
      fc.record({ id: text, expiration_timestamp: fc.option(unixSeconds, { nil: undefined }) }),
      { nil: undefined },
    ),
    pricing: fc.option(
      fc.record({
        billable: fc.option(fc.boolean(), { nil: undefined }),
        category: text,
        pricing_model: text,
      }),
      { nil: undefined },
    ),
  });
  const status = fc
    .tuple(everyday, fc.option(fc.constantFrom(...fields), { nil: undefined }), anything)
    .map(([item, field, value]) => (field === undefined ? item : { ...item, [field]: value }));

  it('takes an item only when zod would read every field exactly as it stands', () => {
    let taken = 0;
    fc.assert(
      fc.property(status, (item) => {
        const plain = plainStatus(item);
        if (plain === null) return;
        taken++;
        const parsed = MetaStatus.parse(item) as Record<string, unknown>;
        for (const f of fields) expect(parsed[f], f).toEqual((item as Record<string, unknown>)[f]);
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(1000);
  });
});
