import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  contentEventId,
  eventIdFromParts,
  failureEventId,
  inboundEventId,
  registrationEventId,
  statusEventId,
} from './event-id.ts';

const status = {
  provider: 'meta',
  sessionId: 's1',
  providerMessageId: 'wamid.1',
  status: 'delivered',
  groupParticipant: null,
} as const;

describe('event ids', () => {
  it('are 32 lowercase hex characters', () => {
    expect(statusEventId(status)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('change with every part of a status identity', () => {
    const ids = new Set([
      statusEventId(status),
      statusEventId({ ...status, provider: 'chatsend' }),
      statusEventId({ ...status, sessionId: 's2' }),
      statusEventId({ ...status, providerMessageId: 'wamid.2' }),
      statusEventId({ ...status, status: 'read' }),
      statusEventId({ ...status, groupParticipant: '16505551234' }),
      statusEventId({ ...status, groupParticipant: '' }),
    ]);
    expect(ids.size).toBe(7);
  });

  it('never collide across kinds with the same parts', () => {
    const identity = { provider: 'meta', sessionId: 's1', providerMessageId: 'wamid.1' } as const;
    expect(inboundEventId(identity)).not.toBe(failureEventId({ ...identity, code: 'delivered' }));
    expect(contentEventId('session', { ...identity, content: 'x' })).not.toBe(
      contentEventId('unknown', { ...identity, content: 'x' }),
    );
  });

  it('cannot be made to collide by moving characters between parts', () => {
    expect(eventIdFromParts(['a', 'bc'])).not.toBe(eventIdFromParts(['ab', 'c']));
    expect(eventIdFromParts(['a\u0000', 'b'])).not.toBe(eventIdFromParts(['a', '\u0000b']));
    expect(eventIdFromParts(['1:a'])).not.toBe(eventIdFromParts(['1', 'a']));
    expect(eventIdFromParts([null])).not.toBe(eventIdFromParts(['~']));
    expect(eventIdFromParts([''])).not.toBe(eventIdFromParts([]));
  });

  it('tell a lone surrogate from the replacement character UTF-8 would turn it into', () => {
    expect(eventIdFromParts(['\uD800'])).not.toBe(eventIdFromParts(['\uFFFD']));
  });

  it('of a failure with no message come from its content, whatever its key order', () => {
    const a = failureEventId({
      provider: 'meta',
      sessionId: 's',
      code: '1',
      providerMessageId: null,
      content: { x: 1, y: [1, { b: 2, a: 1 }] },
    });
    const b = failureEventId({
      provider: 'meta',
      sessionId: 's',
      code: '1',
      providerMessageId: null,
      content: { y: [1, { a: 1, b: 2 }], x: 1 },
    });
    const c = failureEventId({
      provider: 'meta',
      sessionId: 's',
      code: '1',
      providerMessageId: null,
      content: { y: [{ a: 1, b: 2 }, 1], x: 1 },
    });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });

  it('of registrations depend on session, provider message id and message id only', () => {
    const r = { sessionId: 's', providerMessageId: 'wamid.1', messageId: 'm1' };
    expect(registrationEventId(r)).toBe(registrationEventId({ ...r }));
    expect(registrationEventId(r)).not.toBe(registrationEventId({ ...r, messageId: 'm2' }));
  });

  it('do not collide over a million distinct status identities', () => {
    const seen = new Set<string>();
    const statuses = ['sent', 'delivered', 'read', 'played', 'failed'] as const;
    for (let i = 0; i < 1_000_000; i++) {
      seen.add(
        statusEventId({
          provider: i % 2 === 0 ? 'meta' : 'chatsend',
          sessionId: `s${i % 7}`,
          providerMessageId: `wamid.${i}`,
          status: statuses[i % 5]!,
          groupParticipant: i % 3 === 0 ? null : String(i % 11),
        }),
      );
    }
    expect(seen.size).toBe(1_000_000);
  }, 60_000);
});

describe('canonical JSON', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 2], c: null } })).toBe('{"a":{"c":null,"d":[3,2]},"b":1}');
  });

  it('leaves out undefined object values like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('refuses values nested absurdly deep instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/nested deeper/);
  });
});
