import { describe, expect, it } from 'vitest';
import { fixture, fixtureNames } from '../test-support.ts';
import { ChatSendEvent } from './schema.ts';
import { validateChatSendBody } from './validate.ts';

const event = (type: string, data: unknown) => ({
  id: 'evt_1',
  type,
  sessionId: 'sess_1',
  timestamp: '2026-11-29T10:00:00.000Z',
  data,
});

describe('validateChatSendBody', () => {
  it.each(fixtureNames('chatsend'))('accepts the %s fixture as one event, as does the zod schema', (name) => {
    const body = fixture('chatsend', name);
    expect(validateChatSendBody(body)).toEqual({ ok: true, events: 1 });
    expect(ChatSendEvent.safeParse(body).success).toBe(true);
  });

  it('accepts an event type it does not know, whatever its data', () => {
    expect(validateChatSendBody(event('poll.created', 'anything'))).toEqual({ ok: true, events: 1 });
  });

  it.each([
    ['a body that is not an object', [], 'body: expected object'],
    [
      'an event without an id',
      { ...event('message.status', {}), id: undefined },
      'id: expected non-empty string',
    ],
    ['an event without a type', { ...event('x', {}), type: 1 }, 'type: expected string'],
    [
      'an event without a sessionId',
      { ...event('x', {}), sessionId: '' },
      'sessionId: expected non-empty string',
    ],
    ['an event without a timestamp', { ...event('x', {}), timestamp: 1 }, 'timestamp: expected string'],
    ['a status without data', event('message.status', null), 'data: expected object'],
    [
      'a status without messageId',
      event('message.status', { recipient: '1', status: 'read' }),
      'data.messageId: expected non-empty string',
    ],
    [
      'a status without a status',
      event('message.status', { messageId: 'm', recipient: '1' }),
      'data.status: expected string',
    ],
    [
      'a received message without from',
      event('message.received', { messageId: 'm', type: 'text' }),
      'data.from: expected string',
    ],
    [
      'a failure without an error',
      event('message.failed', { messageId: 'm', recipient: '1' }),
      'data.error: expected object',
    ],
    [
      'a failure without a code',
      event('message.failed', { messageId: 'm', recipient: '1', error: {} }),
      'data.error.code: expected string or number',
    ],
    ['a session status without a status', event('session.status', {}), 'data.status: expected string'],
  ])('rejects %s, naming the path', (_what, body, message) => {
    expect(validateChatSendBody(body)).toEqual({ ok: false, message });
    expect(ChatSendEvent.safeParse(body).success).toBe(false);
  });
});
