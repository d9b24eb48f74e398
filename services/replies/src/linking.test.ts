import { describe, expect, it } from 'vitest';
import { linkReply } from './linking.ts';
import type { OutboundEntry } from './outbound-index.ts';

const HOUR = 3_600_000;
const outbound = (id: string, sentAt: number): OutboundEntry => ({
  sessionId: 's1',
  recipient: 'a',
  providerMessageId: id,
  messageId: '',
  campaignId: '',
  category: '',
  template: '',
  pricing: null,
  registeredSentAt: sentAt,
  firstStatusAt: null,
  registeredAt: null,
  version: 1,
});

describe('linking a reply', () => {
  const known = [outbound('old', 0), outbound('newer', 10 * HOUR), outbound('future', 30 * HOUR)];

  it('follows the context id, known or not', () => {
    expect(linkReply({ contextId: 'unknown-yet', at: 20 * HOUR }, known, 24 * HOUR)).toEqual({
      method: 'context',
      providerMessageId: 'unknown-yet',
    });
  });

  it('links a reply without context to the latest outbound message sent before it within the window', () => {
    expect(linkReply({ contextId: null, at: 20 * HOUR }, known, 24 * HOUR)).toEqual({
      method: 'recent',
      providerMessageId: 'newer',
    });
    expect(linkReply({ contextId: null, at: 5 * HOUR }, known, 24 * HOUR).providerMessageId).toBe('old');
  });

  it('links nothing when the last outbound message is older than the window', () => {
    expect(linkReply({ contextId: null, at: 35 * HOUR }, known.slice(0, 2), 24 * HOUR)).toEqual({
      method: 'none',
      providerMessageId: '',
    });
    expect(linkReply({ contextId: null, at: 12 * HOUR }, known, HOUR).method).toBe('none');
  });
});
