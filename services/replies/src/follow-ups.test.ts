import { describe, expect, it } from 'vitest';
import { followUpId } from './commands.ts';
import { compileRules, DEFAULT_FOLLOW_UP_RULES } from './follow-up-rules.ts';
import { decideFollowUps, RECENT_REPLIES, recentRepliesBefore } from './follow-ups.ts';
import type { ReplyView } from './reply.ts';

const reply = (at: number, over: Partial<ReplyView> = {}): ReplyView => ({
  eventId: `e${at}`,
  sessionId: 's1',
  providerMessageId: `m${String(at).padStart(3, '0')}`,
  from: '16505551234',
  contact: '16505551234',
  contactName: 'Ana',
  type: 'text',
  text: `text ${at}`,
  payload: null,
  at,
  link: { method: 'none', providerMessageId: '' },
  outbound: null,
  command: null,
  ...over,
});

describe('follow-up requests', () => {
  const rules = compileRules([
    ...DEFAULT_FOLLOW_UP_RULES,
    { name: 'spring', includeOptOuts: false, match: { anyReplyToCampaign: 'spring' } },
  ]);

  it('are one per reply and matching rule, with a stable id', () => {
    const decided = decideFollowUps([reply(1), reply(2, { type: 'image', text: null })], rules, 'reply');
    expect(decided.map((d) => d.id)).toEqual([followUpId('s1', 'm001', 'free-text')]);
  });

  it('try only campaign rules for a late registration, skipping ids already stored', () => {
    const outbound = {
      sessionId: 's1',
      recipient: '16505551234',
      providerMessageId: 'w1',
      messageId: 'm',
      campaignId: 'spring',
      category: '',
      template: '',
      pricing: null,
      registeredSentAt: 0,
      firstStatusAt: null,
      registeredAt: 0,
      version: 1,
    };
    const linked = reply(5, { link: { method: 'context', providerMessageId: 'w1' }, outbound });
    const decided = decideFollowUps([linked], rules, 'registration', { onlyCampaignRules: true });
    expect(decided.map((d) => d.rule.rule.name)).toEqual(['spring']);
    const skipIds = new Set([followUpId('s1', linked.providerMessageId, 'spring')]);
    expect(decideFollowUps([linked], rules, 'registration', { onlyCampaignRules: true, skipIds })).toEqual(
      [],
    );
  });

  it('carry the contact’s last replies before this one, newest first', () => {
    const pool = [1, 2, 3, 4, 5, 6, 7, 9].map((at) => reply(at));
    const other = reply(3, { from: 'someone-else', providerMessageId: 'x' });
    const recent = recentRepliesBefore(reply(8), [...pool, other, reply(4)]);
    expect(recent.map((r) => r.at)).toEqual([7, 6, 5, 4, 3]);
    expect(recent).toHaveLength(RECENT_REPLIES);
  });
});
