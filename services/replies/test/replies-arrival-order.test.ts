// Same events, same answers (issue 12): a reply without context links to the contact's latest outbound
// message whose cohort time is within the window before it, whatever order its outbound messages
// arrived in. One event set (registrations, statuses, replies without context, a late registration that
// moves a cohort time earlier, one that moves it later, a late `sent`, a reply Meta retries hours later,
// duplicates) goes to three sessions in three arrival orders and batchings, through the real replies and
// delivery consumers; the stored links, the README's read query and the API's answers must be identical,
// and the effects in force (see the README's "When a link moves") too.
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Hono } from 'hono';
import { createApiApp, memorySessionDirectory } from '@wapipe/api';
import type { ProducedRecord } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import type { RunningConsumer } from '@wapipe/pipeline';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import { createApiTables } from '../../../test/support/api-tables.ts';
import { startTestDelivery } from '../../../test/support/delivery-consumer.ts';
import { ofSession, suiteRepliesRig } from '../../../test/support/replies-consumer.ts';
import { shuffled } from '../../../test/support/replies-conversation.ts';
import { readmeSql } from '../../../test/support/replies-readme.ts';
import {
  HOUR,
  MINUTE,
  T0,
  meta,
  metaBody,
  metaStatusBody,
  registrationRecord,
  webhookRecord,
} from '../../../test/support/replies-webhooks.ts';
import type { MetaMessage, RegistrationSpec } from '../../../test/support/replies-webhooks.ts';

const [ana, bea, caio, dora, eva] = [
  '16505550101',
  '16505550102',
  '16505550103',
  '16505550104',
  '16505550105',
];

/** The event set, as units that arrive whole (one webhook body or one registration). */
function eventSet(s: string) {
  const reg = (r: RegistrationSpec) => registrationRecord(s, r);
  const status = (id: string, recipient: string, kind: string, at: number) =>
    webhookRecord(s, 'meta', metaStatusBody([{ id, recipient, status: kind, at }]));
  const replies = (messages: MetaMessage[]) => webhookRecord(s, 'meta', metaBody(messages));
  const d1 = meta.text('wamid.in.d1', dora, T0 + 2 * HOUR, 'Is it still on?');
  return {
    registrations: [
      reg({
        messageId: 'op-a1',
        providerMessageId: 'wamid.out.a1',
        recipient: '+1 650-555-0101',
        sentAt: T0,
        campaignId: 'spring',
      }),
      reg({
        messageId: 'op-b0',
        providerMessageId: 'wamid.out.b0',
        recipient: bea,
        sentAt: T0 - HOUR,
        campaignId: 'spring',
      }),
      // Late registration: sentAt before its first status moves its cohort time earlier, over b-r1.
      reg({
        messageId: 'op-b1',
        providerMessageId: 'wamid.out.b1',
        recipient: bea,
        sentAt: T0 + 5 * MINUTE,
        campaignId: 'autumn',
      }),
      reg({
        messageId: 'op-c0',
        providerMessageId: 'wamid.out.c0',
        recipient: caio,
        sentAt: T0,
        campaignId: 'spring',
      }),
      // Late registration: sentAt after its first status moves its cohort time past c-r1.
      reg({
        messageId: 'op-c1',
        providerMessageId: 'wamid.out.c1',
        recipient: caio,
        sentAt: T0 + 60 * MINUTE,
        campaignId: 'autumn',
      }),
      // Registered only (no status ever), after the reply in two of the orders.
      reg({
        messageId: 'op-d1',
        providerMessageId: 'wamid.out.d1',
        recipient: dora,
        sentAt: T0 + 90 * MINUTE,
        campaignId: 'spring',
      }),
      reg({
        messageId: 'op-e1',
        providerMessageId: 'wamid.out.e1',
        recipient: eva,
        sentAt: T0 - 30 * HOUR,
        campaignId: 'spring',
      }),
    ],
    statuses: [
      status('wamid.out.a1', ana, 'sent', T0 + 1000),
      status('wamid.out.a1', ana, 'delivered', T0 + MINUTE),
      // A status-only message whose `sent` may come late: it is what a-r2 answers.
      status('wamid.out.a2', ana, 'sent', T0 + 30 * MINUTE),
      status('wamid.out.a2', ana, 'delivered', T0 + 31 * MINUTE),
      status('wamid.out.b1', bea, 'sent', T0 + 20 * MINUTE),
      status('wamid.out.c1', caio, 'sent', T0 + 50 * MINUTE),
    ],
    replies: [
      replies([
        meta.text('wamid.in.a1', ana, T0 + 10 * MINUTE, 'Sounds good'),
        meta.text('wamid.in.b1', bea, T0 + 10 * MINUTE, 'Which one?'),
      ]),
      replies([meta.text('wamid.in.a2', ana, T0 + 40 * MINUTE, 'And this one?')]),
      replies([meta.text('wamid.in.a3', ana, T0 + 45 * MINUTE, 'About the first', 'wamid.out.a1')]),
      replies([
        meta.text('wamid.in.c1', caio, T0 + 55 * MINUTE, 'Got it'),
        meta.text('wamid.in.e1', eva, T0, 'Too late for that'),
      ]),
      replies([d1]),
    ],
    /** Meta's retry of d1 hours later, in another body beside a message already sent. */
    retry: replies([d1, meta.text('wamid.in.a2', ana, T0 + 40 * MINUTE, 'And this one?')]),
  };
}

type EventSet = ReturnType<typeof eventSet>;

/** Three arrival orders and batchings of one event set: each inner list is one send (one or more batches). */
const orders: Record<string, (e: EventSet) => ProducedRecord[][]> = {
  'outbound first, all at once': (e) => [
    [...e.registrations, ...e.statuses],
    [...e.replies, e.retry],
  ],
  'replies first, one record at a time, registrations last': (e) => [
    ...e.replies.map((r) => [r]),
    [e.replies[0]!],
    ...e.statuses.map((r) => [r]),
    ...e.registrations.map((r) => [r]),
    [e.registrations[2]!, e.statuses[4]!],
    [e.retry],
  ],
  'shuffled, three to a send, the retry hours later': (e) => {
    const all = shuffled([...e.registrations, ...e.statuses, ...e.replies, e.statuses[2]!], 12);
    const sends: ProducedRecord[][] = [];
    for (let i = 0; i < all.length; i += 3) sends.push(all.slice(i, i + 3));
    return [...sends.reverse(), [e.retry, e.registrations[5]!]];
  },
};

const CurrentLink = z.object({ reply: z.string(), linked: z.string(), method: z.string() });
const Effect = z.object({
  kind: z.enum(['suppression', 'follow_up']),
  id: z.string(),
  contact: z.string(),
  reply: z.string(),
  outbound: z.string(),
});
const SPRING = new Set(['wamid.out.a1', 'wamid.out.b0', 'wamid.out.c0', 'wamid.out.d1', 'wamid.out.e1']);
const contactOfReply = (reply: string) =>
  ({ a: ana, b: bea, c: caio, d: dora, e: eva })[reply.slice('wamid.in.'.length, 'wamid.in.'.length + 1)];

describe('replies consumer: same events, same links in every arrival order', () => {
  const { db, rig } = suiteRepliesRig({
    FOLLOW_UP_RULES: JSON.stringify([{ name: 'spring', match: { anyReplyToCampaign: 'spring' } }]),
  });
  let delivery: RunningConsumer;
  let app: Hono;
  let produced = 0;
  const sessions = new Map<string, string>();

  beforeAll(async () => {
    await createApiTables(db.ch);
    delivery = await startTestDelivery(testBrokers(), rig.topics.prefix, db.options);
    const directory = memorySessionDirectory([]);
    app = createApiApp({ ch: db.ch, apiKeys: ['k'.repeat(16)], logger: silentLogger, sessions: directory });
    try {
      for (const [name, order] of Object.entries(orders)) {
        const s = uniqueName('order');
        sessions.set(name, s);
        directory.add(s);
        for (const records of order(eventSet(s))) {
          await rig.send(records);
          produced += records.length;
        }
      }
      await waitFor('delivery committed everything', () => delivery.consumer.committed() >= produced, {
        timeoutMs: 60_000,
      });
    } finally {
      await delivery.stop();
    }
  });

  const get = async (path: string) => {
    const res = await app.request(path, { headers: { authorization: `Bearer ${'k'.repeat(16)}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };

  /** Each reply's current link: its moved link (highest version) if any, else the one stored with it. */
  const currentLinks = (s: string) =>
    db.ch.query({
      query: `SELECT r.provider_message_id AS reply,
                     if(moved_links.moved = 1, moved_links.linked, r.linked_provider_message_id) AS linked,
                     if(moved_links.moved = 1, moved_links.method, r.link_method) AS method
              FROM ${db.ch.table('replies_inbound')} AS r
              LEFT JOIN (
                SELECT provider_message_id AS moved_id, argMax(linked_provider_message_id, version) AS linked,
                       argMax(link_method, version) AS method, 1 AS moved
                FROM ${db.ch.table('replies_links')} WHERE session_id = {s:String} GROUP BY moved_id
              ) AS moved_links ON moved_links.moved_id = r.provider_message_id
              WHERE r.session_id = {s:String}
              ORDER BY reply`,
      params: { s },
      schema: CurrentLink,
    });

  /**
   * The stored commands, each with whether it is in force for the current links: a suppression when a
   * reply of its contact links to its message now (by contact: when its own reply links to nothing); a
   * follow-up of the campaign rule when its reply links to a spring message now.
   */
  const effects = async (s: string) => {
    const links = await currentLinks(s);
    const linkOf = new Map(links.map((l) => [l.reply, l.linked]));
    const linkedNow = new Set(links.map((l) => `${contactOfReply(l.reply)}>${l.linked}`));
    const rows = await db.ch.query({
      query: `SELECT 'suppression' AS kind, id, contact, inbound_provider_message_id AS reply,
                     outbound_provider_message_id AS outbound
              FROM ${db.ch.table('replies_suppressions')} WHERE session_id = {s:String}
              UNION ALL
              SELECT 'follow_up' AS kind, id, contact, inbound_provider_message_id AS reply,
                     outbound_provider_message_id AS outbound
              FROM ${db.ch.table('replies_follow_ups')} WHERE session_id = {s:String}`,
      params: { s },
      schema: Effect,
    });
    const suppressions = rows
      .filter((r) => r.kind === 'suppression')
      .map((r) => ({
        ...r,
        inForce: r.outbound === '' ? linkOf.get(r.reply) === '' : linkedNow.has(`${r.contact}>${r.outbound}`),
      }));
    const followUps = rows
      .filter((r) => r.kind === 'follow_up')
      .map((r) => ({ ...r, inForce: SPRING.has(linkOf.get(r.reply) ?? '') }));
    return { suppressions, followUps };
  };

  const answers = async (s: string) => {
    const sql = readmeSql('replies-by-session');
    expect(sql).toBeDefined();
    const readme = await db.ch.query({
      query: sql!.replaceAll('{db}', db.ch.database),
      params: { sessionId: s, from: new Date(T0 - 48 * HOUR), to: new Date(T0 + 48 * HOUR), limit: 100 },
      schema: z.record(z.string(), z.unknown()),
    });
    const range = `from=${new Date(T0 - 40 * HOUR).toISOString()}&to=${new Date(T0 + 40 * HOUR).toISOString()}`;
    const api = await get(`/v1/sessions/${s}/replies?${range}`);
    const messages: Record<string, unknown> = {};
    for (const id of ['a1', 'a2', 'b0', 'b1', 'c0', 'c1', 'd1', 'e1']) {
      messages[id] = ((await get(`/v1/messages/wamid.out.${id}`)) as { replies: unknown }).replies;
    }
    return { links: await currentLinks(s), readme, api, messages };
  };

  it('links each reply without context to the latest outbound message of its window, in every order', async () => {
    const expected = [
      { reply: 'wamid.in.a1', linked: 'wamid.out.a1', method: 'recent' },
      // Status-only, its `sent` arrived after the reply in two orders.
      { reply: 'wamid.in.a2', linked: 'wamid.out.a2', method: 'recent' },
      { reply: 'wamid.in.a3', linked: 'wamid.out.a1', method: 'context' },
      // The late registration moved b1's cohort time from after the reply to before it.
      { reply: 'wamid.in.b1', linked: 'wamid.out.b1', method: 'recent' },
      // The late registration moved c1's cohort time past the reply: the earlier message links it.
      { reply: 'wamid.in.c1', linked: 'wamid.out.c0', method: 'recent' },
      { reply: 'wamid.in.d1', linked: 'wamid.out.d1', method: 'recent' },
      // e1's only message is 30 h before it, outside the 24 h window.
      { reply: 'wamid.in.e1', linked: '', method: 'none' },
    ];
    for (const [name, s] of sessions) expect(await currentLinks(s), name).toEqual(expected);
  });

  it('answers the README query, the session replies and the message replies identically in every order', async () => {
    const bySession = new Map<string, unknown>();
    for (const [name, s] of sessions) {
      // Session ids differ between the orders; nothing else may.
      bySession.set(name, JSON.parse(JSON.stringify(await answers(s)).replaceAll(s, '<session>')));
    }
    const [first, ...others] = [...bySession.values()];
    for (const [i, other] of others.entries()) expect(other, [...bySession.keys()][i + 1]).toEqual(first);

    const { api, messages } = first as Awaited<ReturnType<typeof answers>>;
    const replyTo = Object.fromEntries(
      (api['replies'] as { providerMessageId: string; replyTo: unknown }[]).map((r) => [
        r.providerMessageId,
        r.replyTo,
      ]),
    );
    expect(replyTo).toEqual({
      'wamid.in.a1': { messageId: 'op-a1', providerMessageId: 'wamid.out.a1' },
      'wamid.in.a2': { messageId: null, providerMessageId: 'wamid.out.a2' },
      'wamid.in.a3': { messageId: 'op-a1', providerMessageId: 'wamid.out.a1' },
      'wamid.in.b1': { messageId: 'op-b1', providerMessageId: 'wamid.out.b1' },
      'wamid.in.c1': { messageId: 'op-c0', providerMessageId: 'wamid.out.c0' },
      'wamid.in.d1': { messageId: 'op-d1', providerMessageId: 'wamid.out.d1' },
      'wamid.in.e1': null,
    });
    const replyIds = (id: string) =>
      (messages[id] as { providerMessageId: string }[]).map((r) => r.providerMessageId);
    expect(replyIds('a1')).toEqual(['wamid.in.a1', 'wamid.in.a3']);
    expect(replyIds('b0')).toEqual([]);
    expect(replyIds('b1')).toEqual(['wamid.in.b1']);
    expect(replyIds('c1')).toEqual([]);
    expect(replyIds('d1')).toEqual(['wamid.in.d1']);
  });

  it('keeps the effects of an earlier link and gives the new link its own: the same effects are in force', async () => {
    const expectedSuppressions = [
      '',
      'wamid.out.a1',
      'wamid.out.a2',
      'wamid.out.b1',
      'wamid.out.c0',
      'wamid.out.d1',
    ];
    // The campaign rule follows the current link: replies linked to a spring message.
    const expectedFollowUps = ['wamid.in.a1', 'wamid.in.a3', 'wamid.in.c1', 'wamid.in.d1'];
    for (const [name, s] of sessions) {
      const { suppressions, followUps } = await effects(s);
      expect(
        suppressions
          .filter((e) => e.inForce)
          .map((e) => e.outbound)
          .sort(),
        name,
      ).toEqual(expectedSuppressions);
      expect(
        followUps
          .filter((e) => e.inForce)
          .map((e) => e.reply)
          .sort(),
        name,
      ).toEqual(expectedFollowUps);
      // Every stored command was published with its id, and nothing else.
      const stored = [...suppressions, ...followUps].map((e) => e.id).sort();
      const published = () =>
        [
          ...new Set(
            [...ofSession(rig.out.suppressions, s), ...ofSession(rig.out.followUps, s)].map((v) => v.id),
          ),
        ].sort();
      await waitFor(`${name}: every command published`, () => published().length >= stored.length, {
        timeoutMs: 30_000,
      });
      expect(published(), name).toEqual(stored);
    }
    // Replies that arrived before their outbound messages were linked to an earlier message or to none
    // first; the suppressions and follow-ups published then stay, superseded.
    const late = await effects(sessions.get('replies first, one record at a time, registrations last')!);
    expect(late.suppressions.filter((e) => !e.inForce).map((e) => e.reply)).toEqual(
      expect.arrayContaining(['wamid.in.b1', 'wamid.in.d1']),
    );
    expect(late.followUps.filter((e) => !e.inForce).map((e) => e.reply)).toEqual(['wamid.in.b1']);
  });
});
