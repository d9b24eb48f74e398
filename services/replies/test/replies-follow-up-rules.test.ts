// A matrix of follow-up rules against a set of replies: every (reply, rule) pair that should match yields
// exactly one request, on the topic and in replies_follow_ups, and no other pair does. A campaign rule
// also matches a reply that arrived before its outbound message's registration, once it arrives, whether
// the reply quoted that message or is relinked to it.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uniqueName } from '../../../test/harness/kafka.ts';
import { ofSession, suiteRepliesRig, waitForPublished } from '../../../test/support/replies-consumer.ts';
import {
  MINUTE,
  T0,
  meta,
  metaBody,
  registrationRecord,
  webhookRecord,
} from '../../../test/support/replies-webhooks.ts';

const RULES = [
  { name: 'free-text', match: { freeText: true } },
  { name: 'billing', queue: 'finance', match: { keywords: ['invoice', 'refund'] } },
  { name: 'media', match: { messageTypes: ['image', 'document'] } },
  { name: 'agent-button', queue: 'agents', match: { buttonPayloads: ['TALK_TO_AGENT'] } },
  { name: 'vip', queue: 'vip-desk', match: { anyReplyToCampaign: 'vip' } },
  { name: 'spring-text', match: { campaignIds: ['spring'], freeText: true } },
  { name: 'stops', includeOptOuts: true, match: { keywords: ['stop'] } },
];

describe('replies consumer: follow-up rules', () => {
  const { db, rig } = suiteRepliesRig({ FOLLOW_UP_RULES: JSON.stringify(RULES) });

  it('routes each reply to exactly the rules it matches, with its conversation', async () => {
    const s = uniqueName('rules');
    const c = (n: number) => `1650555100${n}`;
    const at = (n: number) => T0 + n * MINUTE;
    await rig.send([
      registrationRecord(s, {
        messageId: 'op-spring',
        providerMessageId: 'wamid.out.spring',
        recipient: c(1),
        sentAt: T0,
        campaignId: 'spring',
      }),
      registrationRecord(s, {
        messageId: 'op-vip',
        providerMessageId: 'wamid.out.vip',
        recipient: c(3),
        sentAt: T0,
        campaignId: 'vip',
      }),
      registrationRecord(s, {
        messageId: 'op-vip4',
        providerMessageId: 'wamid.out.vip4',
        recipient: c(4),
        sentAt: T0,
        campaignId: 'vip',
      }),
    ]);
    // reply id → the rules it must match
    const expected: Record<string, string[]> = {
      'wamid.r1': ['free-text', 'billing', 'spring-text'],
      'wamid.r2': ['media', 'billing'],
      'wamid.r3': ['agent-button', 'vip'],
      'wamid.r4': ['vip'],
      'wamid.r5': ['stops'],
      'wamid.r6': ['free-text', 'spring-text'], // linked to the spring message as the latest one
      'wamid.r7': ['media'],
      'wamid.r8': [],
      'wamid.r9': ['free-text', 'billing'],
      'wamid.r10': [],
    };
    await rig.send([
      webhookRecord(
        s,
        'meta',
        metaBody([
          meta.text('wamid.r1', c(1), at(1), 'Where is my invoice?', 'wamid.out.spring'),
          meta.image('wamid.r2', c(2), at(2), 'invoice attached'),
          meta.button('wamid.r3', c(3), at(3), 'Talk to someone', 'TALK_TO_AGENT', 'wamid.out.vip'),
          meta.reaction('wamid.r4', c(4), at(4), 'wamid.out.vip4', '🙏'),
          meta.text('wamid.r5', c(5), at(5), 'STOP'),
          meta.text('wamid.r6', c(1), at(6), 'thanks'),
          meta.document('wamid.r7', c(2), at(7), 'form.pdf'),
          meta.listReply('wamid.r8', c(6), at(8), 'other', 'Something else'),
          // Replies to a VIP message whose registration comes later.
          meta.text('wamid.r9', c(7), at(9), 'I want a refund', 'wamid.out.vip-late'),
          meta.sticker('wamid.r10', c(7), at(10)),
        ]),
      ),
    ]);
    const pairsOf = (values: Record<string, unknown>[]) =>
      values
        .map((v) => `${(v['reply'] as { providerMessageId: string }).providerMessageId}:${String(v['rule'])}`)
        .sort();
    const expectedPairs = (extra: string[] = []) =>
      [
        ...Object.entries(expected).flatMap(([id, rules]) => rules.map((rule) => `${id}:${rule}`)),
        ...extra,
      ].sort();
    const total = Object.values(expected).flat().length;
    await waitForPublished('follow-ups', () => ofSession(rig.out.followUps, s), total);
    expect(pairsOf(ofSession(rig.out.followUps, s))).toEqual(expectedPairs());

    // The registration arrives: the VIP rule now matches the reply that quoted it, and the sticker, sent
    // without context after that message, is relinked to it (same events, same answers), so it matches too.
    const lateRegistration = registrationRecord(s, {
      messageId: 'op-vip-late',
      providerMessageId: 'wamid.out.vip-late',
      recipient: c(7),
      sentAt: T0,
      campaignId: 'vip',
    });
    await rig.send([lateRegistration]);
    const late = ['wamid.r9:vip', 'wamid.r10:vip'];
    await waitForPublished('late follow-ups', () => ofSession(rig.out.followUps, s), total + late.length);
    // The same registration again, and the replies again, change nothing.
    await rig.send([
      lateRegistration,
      webhookRecord(
        s,
        'meta',
        metaBody([meta.text('wamid.r9', c(7), at(9), 'I want a refund', 'wamid.out.vip-late')]),
      ),
      webhookRecord(s, 'meta', metaBody([meta.text('wamid.sentinel', c(8), at(11), 'sentinel')])),
    ]);
    await waitForPublished(
      'the sentinel',
      () => ofSession(rig.out.followUps, s).filter((v) => JSON.stringify(v).includes('wamid.sentinel')),
      1,
    );
    const published = ofSession(rig.out.followUps, s).filter(
      (v) => !JSON.stringify(v).includes('wamid.sentinel'),
    );
    expect(pairsOf(published)).toEqual(expectedPairs(late));
    expect(new Set(published.map((v) => v.id)).size).toBe(published.length);

    const rows = await db.ch.query({
      query: `SELECT id, rule, queue, inbound_provider_message_id, trigger, outbound_message_id, campaign_id, link_method, request
              FROM ${db.ch.table('replies_follow_ups')} WHERE session_id = {s:String} AND inbound_provider_message_id != 'wamid.sentinel'`,
      params: { s },
      schema: z.object({
        id: z.string(),
        rule: z.string(),
        queue: z.string(),
        inbound_provider_message_id: z.string(),
        trigger: z.string(),
        outbound_message_id: z.string(),
        campaign_id: z.string(),
        link_method: z.string(),
        request: z.string(),
      }),
    });
    expect(rows.map((r) => `${r.inbound_provider_message_id}:${r.rule}`).sort()).toEqual(expectedPairs(late));
    expect(rows.map((r) => r.id).sort()).toEqual(published.map((v) => v.id).sort());
    const row = (id: string, rule: string) =>
      rows.find((r) => r.inbound_provider_message_id === id && r.rule === rule);
    expect(row('wamid.r1', 'billing')).toMatchObject({
      queue: 'finance',
      trigger: 'reply',
      outbound_message_id: 'op-spring',
      campaign_id: 'spring',
    });
    expect(row('wamid.r9', 'vip')).toMatchObject({
      queue: 'vip-desk',
      trigger: 'registration',
      outbound_message_id: 'op-vip-late',
      campaign_id: 'vip',
    });
    expect(row('wamid.r10', 'vip')).toMatchObject({
      trigger: 'relink',
      outbound_message_id: 'op-vip-late',
      campaign_id: 'vip',
      link_method: 'recent',
    });
    expect(row('wamid.r9', 'billing')).toMatchObject({
      trigger: 'reply',
      outbound_message_id: '',
      campaign_id: '',
    });

    // The request carries the reply, the contact, the outbound message and the contact's earlier replies.
    const request = JSON.parse(row('wamid.r6', 'free-text')!.request) as Record<string, unknown>;
    expect(request).toMatchObject({
      type: 'follow_up',
      sessionId: s,
      rule: 'free-text',
      queue: 'free-text',
      trigger: 'reply',
      contact: { id: c(1), waId: c(1) },
      reply: {
        providerMessageId: 'wamid.r6',
        type: 'text',
        text: 'thanks',
        at: new Date(at(6)).toISOString(),
      },
      outbound: {
        providerMessageId: 'wamid.out.spring',
        messageId: 'op-spring',
        campaignId: 'spring',
        linkMethod: 'recent',
      },
      recentReplies: [
        {
          providerMessageId: 'wamid.r1',
          type: 'text',
          text: 'Where is my invoice?',
          at: new Date(at(1)).toISOString(),
        },
      ],
    });
    const lateRequest = JSON.parse(row('wamid.r9', 'vip')!.request) as Record<string, unknown>;
    expect(lateRequest).toMatchObject({
      trigger: 'registration',
      reply: { providerMessageId: 'wamid.r9', text: 'I want a refund' },
      outbound: {
        providerMessageId: 'wamid.out.vip-late',
        messageId: 'op-vip-late',
        campaignId: 'vip',
        linkMethod: 'context',
      },
      recentReplies: [],
    });
  });
});
