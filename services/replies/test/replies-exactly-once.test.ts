// A retried or re-batched inbound message never creates a second reply row, suppression, opt-out or
// follow-up: the same messages arrive as identical retries, in other bodies mixed with other messages,
// in the same batch and in later batches, and the tables and topics must hold exactly the ground truth.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uniqueName } from '../../../test/harness/kafka.ts';
import {
  countOf,
  ofSession,
  suiteRepliesRig,
  waitForPublished,
} from '../../../test/support/replies-consumer.ts';
import { readmeSql } from '../../../test/support/replies-readme.ts';
import { conversation, shuffled } from '../../../test/support/replies-conversation.ts';
import {
  MINUTE,
  T0,
  meta,
  metaBody,
  registrationRecord,
  webhookRecord,
} from '../../../test/support/replies-webhooks.ts';

/** The README's "other questions", one statement each, comments removed. */
const contactQuestions = (readmeSql('contact-questions') ?? '')
  .split(';')
  .map((sql) => sql.replace(/--.*$/gm, '').trim())
  .filter(Boolean);

describe('replies consumer: exactly-once effects', () => {
  const { db, rig } = suiteRepliesRig();

  it('stores and publishes each reply’s effects once through identical retries and re-batched bodies', async () => {
    const s = uniqueName('once');
    const { registrations, messages, truth } = conversation(40);
    const single = messages.map((m) => metaBody([m]));

    // Round 1, in time order: each message alone, plus an identical retry of every third in the same batch.
    await rig.send(registrations.map((r) => registrationRecord(s, r)));
    const ordered = single
      .map((body, i) => ({ body, at: Number(messages[i]!['timestamp']) }))
      .sort((a, b) => a.at - b.at);
    await rig.send(
      ordered
        .flatMap(({ body }, i) => (i % 3 === 0 ? [body, body] : [body]))
        .map((body) => webhookRecord(s, 'meta', body)),
    );
    // Round 2: the same messages re-batched, five to a body over two entries, in another order.
    const mixed = shuffled(messages, 7);
    const rebatched = [];
    for (let i = 0; i < mixed.length; i += 5) rebatched.push(metaBody(mixed.slice(i, i + 5), {}, 2));
    await rig.send(rebatched.map((body) => webhookRecord(s, 'meta', body)));
    // Round 3: identical retries of everything, registrations too, one record at a time and all at once.
    await rig.send(single.slice(0, 10).map((body) => webhookRecord(s, 'meta', body)));
    await rig.send([
      ...registrations.map((r) => registrationRecord(s, r)),
      ...single.map((body) => webhookRecord(s, 'meta', body)),
    ]);

    // Sentinels: once their commands are read, everything published before them (same key, same partition) is.
    await rig.send([
      webhookRecord(
        s,
        'meta',
        metaBody([meta.text('wamid.sentinel.1', '19995550001', T0 + 3 * MINUTE, 'hello')]),
      ),
      webhookRecord(
        s,
        'meta',
        metaBody([meta.text('wamid.sentinel.2', '19995550002', T0 + 3 * MINUTE, 'STOP')]),
      ),
    ]);
    const sentinel = (p: { value: Record<string, unknown> }) =>
      JSON.stringify(p.value).includes('wamid.sentinel.');
    await waitForPublished('sentinel suppressions', () => rig.out.suppressions.filter(sentinel), 2);
    await waitForPublished('sentinel opt-out', () => rig.out.optOuts.filter(sentinel), 1);
    await waitForPublished('sentinel follow-up', () => rig.out.followUps.filter(sentinel), 1);

    const published = (list: typeof rig.out.suppressions) =>
      ofSession(list, s).filter((v) => !JSON.stringify(v).includes('wamid.sentinel.'));
    const suppressions = published(rig.out.suppressions);
    const opts = published(rig.out.optOuts);
    const followUps = published(rig.out.followUps);
    expect(suppressions).toHaveLength(truth.suppressions);
    expect(new Set(suppressions.map((v) => v.id)).size).toBe(truth.suppressions);
    expect(opts.filter((v) => v.type === 'opt_out')).toHaveLength(truth.optOuts);
    expect(opts.filter((v) => v.type === 'opt_in')).toHaveLength(truth.optIns);
    expect(new Set(opts.map((v) => v.id)).size).toBe(truth.optOuts + truth.optIns);
    expect(followUps).toHaveLength(truth.followUps);
    expect(new Set(followUps.map((v) => v.id)).size).toBe(truth.followUps);

    const where = 'session_id = {s:String}';
    const params = { s };
    expect(await countOf(db.ch, 'replies_inbound', where, params)).toBe(truth.replies + 2);
    expect(
      await countOf(db.ch, 'replies_inbound', `${where} AND provider_message_id LIKE 'wamid.in.%'`, params),
    ).toBe(truth.replies);
    expect(await countOf(db.ch, 'replies_suppressions', where, params)).toBe(truth.suppressions + 2);
    expect(await countOf(db.ch, 'replies_opt_outs', where, params)).toBe(truth.optOuts + truth.optIns + 1);
    expect(await countOf(db.ch, 'replies_follow_ups', where, params)).toBe(truth.followUps + 1);

    // Every contact is suppressed once, for its own outbound message, with the right reason.
    const rows = await db.ch.query({
      query: `SELECT contact, outbound_message_id, campaign_id, reason FROM ${db.ch.table('replies_suppressions')}
              WHERE ${where} AND outbound_message_id != '' ORDER BY contact`,
      params,
      schema: z.object({
        contact: z.string(),
        outbound_message_id: z.string(),
        campaign_id: z.string(),
        reason: z.string(),
      }),
    });
    expect(rows).toHaveLength(truth.suppressions);
    rows.forEach((row, i) => {
      expect(row).toEqual({
        contact: `1650555${String(i).padStart(4, '0')}`,
        outbound_message_id: `op-${i}`,
        campaign_id: 'spring',
        reason: i % 4 === 1 || i % 4 === 2 ? 'opt_out' : 'reply',
      });
    });

    // Opted out: the STOP-twice group; the STOP-then-START group is cleared.
    const states = await db.ch.query({
      query: `SELECT contact, argMax(action, seq) AS action, max(seq) AS changes FROM ${db.ch.table('replies_opt_outs')}
              WHERE ${where} AND contact LIKE '1650555%' GROUP BY contact ORDER BY contact`,
      params,
      schema: z.object({ contact: z.string(), action: z.string(), changes: z.coerce.number() }),
    });
    expect(states.map((r) => [Number(r.contact.slice(-4)) % 4, r.action, r.changes])).toEqual(
      states.map((r) => (Number(r.contact.slice(-4)) % 4 === 1 ? [1, 'opt_out', 1] : [2, 'opt_in', 2])),
    );
    expect(states).toHaveLength(truth.optOuts);

    const contacts = await countOf(
      db.ch,
      'replies_contacts',
      `${where} AND wa_id LIKE '1650555%'`,
      params,
      true,
    );
    expect(contacts).toBe(40);

    // The README's questions about a contact: the one who sent STOP twice.
    expect(contactQuestions).toHaveLength(3);
    const [suppressed, optedOut, perMinute] = await Promise.all(
      contactQuestions.map((sql) =>
        db.ch.query({
          query: sql.replaceAll('{db}', db.ch.database),
          params: {
            sessionId: s,
            contact: '16505550001',
            from: new Date(T0),
            to: new Date(T0 + 60 * MINUTE),
          },
          schema: z.record(z.string(), z.unknown()),
        }),
      ),
    );
    expect(suppressed).toEqual([
      {
        suppressed_at: new Date(T0 + MINUTE).toISOString(),
        reason: 'opt_out',
        outbound_provider_message_id: 'wamid.out.1',
        outbound_message_id: 'op-1',
        campaign_id: 'spring',
        inbound_provider_message_id: 'wamid.in.1.1',
      },
    ]);
    expect(optedOut).toEqual([
      { opted_out: 1, since: new Date(T0 + MINUTE).toISOString(), last_keyword: 'stop' },
    ]);
    expect(perMinute?.map((r) => [Date.parse(String(r['minute'])), Number(r['replies'])])).toEqual(
      [
        [1, 40], // every contact's first reply
        [2, 10], // text after a button
        [3, 2], // the sentinels
        [10, 10], // START
        [20, 10], // the second STOP
      ].map(([minute, n]) => [T0 + minute! * MINUTE, n]),
    );
  });
});
