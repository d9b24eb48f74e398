import { describe, expect, it } from 'vitest';
import type { OutboundEntry } from './outbound-index.ts';
import { outboundKey } from './outbound-index.ts';
import { affectedSpans } from './relinking.ts';

const HOUR = 3_600_000;
const entry = (over: Partial<OutboundEntry>): OutboundEntry => ({
  sessionId: 's1',
  recipient: '16505551234',
  providerMessageId: 'w1',
  messageId: '',
  campaignId: '',
  category: '',
  template: '',
  pricing: null,
  registeredSentAt: null,
  firstStatusAt: null,
  registeredAt: null,
  version: 1,
  ...over,
});
const key = outboundKey('s1', 'w1');

describe('the replies a changed outbound message concerns', () => {
  it('are those within the window after a new message', () => {
    const spans = affectedSpans(new Map(), new Map([[key, entry({ firstStatusAt: 10 * HOUR })]]), 24 * HOUR);
    expect(spans).toEqual([{ sessionId: 's1', contact: '16505551234', from: 10 * HOUR, to: 34 * HOUR }]);
  });

  it('cover both the old and the new time when a registration moves the cohort time either way', () => {
    const stored = new Map([[key, entry({ firstStatusAt: 10 * HOUR })]]);
    const earlier = entry({ firstStatusAt: 10 * HOUR, registeredSentAt: 8 * HOUR, messageId: 'm1' });
    const later = entry({ firstStatusAt: 10 * HOUR, registeredSentAt: 12 * HOUR, messageId: 'm1' });
    expect(affectedSpans(stored, new Map([[key, earlier]]), HOUR)[0]).toMatchObject({
      from: 8 * HOUR,
      to: 11 * HOUR,
    });
    expect(affectedSpans(stored, new Map([[key, later]]), HOUR)[0]).toMatchObject({
      from: 10 * HOUR,
      to: 13 * HOUR,
    });
  });

  it('are none when only the message id or campaign became known', () => {
    const stored = new Map([[key, entry({ registeredSentAt: 10 * HOUR })]]);
    const registered = entry({ registeredSentAt: 10 * HOUR, messageId: 'm1', campaignId: 'spring' });
    expect(affectedSpans(stored, new Map([[key, registered]]), HOUR)).toEqual([]);
  });
});
