// Which outbound message a reply answers: its context id (known or not yet), else the contact's latest
// outbound message within the window. The read side joins the operator's message id when read, so a
// registration that arrives after the reply completes the link. The read query is the README's.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uniqueName } from '../../../test/harness/kafka.ts';
import { ofSession, suiteRepliesRig, waitForPublished } from '../../../test/support/replies-consumer.ts';
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

const repliesBySessionSql = readmeSql('replies-by-session');

const ReadRow = z.object({
  provider_message_id: z.string(),
  at: z.string(),
  from_id: z.string(),
  type: z.string(),
  text: z.string(),
  reply_to_provider_message_id: z.string(),
  reply_to_message_id: z.string(),
});

describe('replies consumer: linking', () => {
  const { db, rig } = suiteRepliesRig();

  const readReplies = async (sessionId: string) => {
    expect(repliesBySessionSql).toBeDefined();
    return db.ch.query({
      query: repliesBySessionSql!.replaceAll('{db}', db.ch.database),
      params: { sessionId, from: new Date(T0 - 48 * HOUR), to: new Date(T0 + 48 * HOUR), limit: 100 },
      schema: ReadRow,
    });
  };
  const linkOf = async (sessionId: string) => {
    const rows = await db.ch.query({
      query: `SELECT provider_message_id, link_method, linked_provider_message_id FROM ${db.ch.table('replies_inbound')}
              WHERE session_id = {s:String}`,
      params: { s: sessionId },
      schema: z.object({
        provider_message_id: z.string(),
        link_method: z.string(),
        linked_provider_message_id: z.string(),
      }),
    });
    return Object.fromEntries(
      rows.map((r) => [r.provider_message_id, [r.link_method, r.linked_provider_message_id]]),
    );
  };

  it('links by context, by the latest outbound within the window, or not at all', async () => {
    const s = uniqueName('link');
    const [ana, bea, caio, dora] = ['16505550001', '16505550002', '16505550003', '16505550004'];
    // What is known before the replies: a registration spelled with "+", a status-only message, an old one.
    await rig.send([
      registrationRecord(s, {
        messageId: 'op-1',
        providerMessageId: 'wamid.out.1',
        recipient: '+1 650-555-0001',
        sentAt: T0,
        campaignId: 'spring',
      }),
      registrationRecord(s, {
        messageId: 'op-0',
        providerMessageId: 'wamid.out.0',
        recipient: ana,
        sentAt: T0 - 2 * HOUR,
      }),
      webhookRecord(
        s,
        'meta',
        metaStatusBody([
          { id: 'wamid.out.2', recipient: bea, status: 'sent', at: T0 },
          { id: 'wamid.out.2', recipient: bea, status: 'delivered', at: T0 + MINUTE },
        ]),
      ),
      registrationRecord(s, {
        messageId: 'op-3',
        providerMessageId: 'wamid.out.3',
        recipient: caio,
        sentAt: T0 - 30 * HOUR,
      }),
    ]);
    await rig.send([
      webhookRecord(
        s,
        'meta',
        metaBody([
          meta.text('wamid.in.a1', ana, T0 + 5 * MINUTE, 'Yes, Friday works', 'wamid.out.0'),
          meta.reaction('wamid.in.a2', ana, T0 + 6 * MINUTE, 'wamid.out.1', '❤️'),
          meta.text('wamid.in.a3', ana, T0 + 2 * HOUR, 'One more thing'),
          meta.text('wamid.in.b1', bea, T0 + HOUR, 'Who is this?'),
          meta.text('wamid.in.b2', bea, T0 + HOUR + MINUTE, 'Hello?', 'wamid.in.b1'),
          meta.text('wamid.in.c1', caio, T0 + HOUR, 'Too late?'),
          meta.text('wamid.in.d1', dora, T0 + HOUR, 'Never messaged before'),
        ]),
      ),
    ]);
    expect(await linkOf(s)).toEqual({
      'wamid.in.a1': ['context', 'wamid.out.0'],
      'wamid.in.a2': ['context', 'wamid.out.1'],
      'wamid.in.a3': ['recent', 'wamid.out.1'],
      'wamid.in.b1': ['recent', 'wamid.out.2'],
      // Quoting their own message is not a reply to us: the latest outbound message links it.
      'wamid.in.b2': ['recent', 'wamid.out.2'],
      'wamid.in.c1': ['none', ''],
      'wamid.in.d1': ['none', ''],
    });

    const read = await readReplies(s);
    expect(
      read.map((r) => [r.provider_message_id, r.reply_to_provider_message_id, r.reply_to_message_id]),
    ).toEqual([
      ['wamid.in.a3', 'wamid.out.1', 'op-1'],
      ['wamid.in.b2', 'wamid.out.2', ''],
      // Same time: by provider message id, descending.
      ['wamid.in.d1', '', ''],
      ['wamid.in.c1', '', ''],
      ['wamid.in.b1', 'wamid.out.2', ''],
      ['wamid.in.a2', 'wamid.out.1', 'op-1'],
      ['wamid.in.a1', 'wamid.out.0', 'op-0'],
    ]);
    expect(read[0]).toMatchObject({
      at: new Date(T0 + 2 * HOUR).toISOString(),
      from_id: ana,
      type: 'text',
      text: 'One more thing',
    });

    // One suppression per contact and outbound message; contacts with nothing known, by contact.
    await waitForPublished('suppressions', () => ofSession(rig.out.suppressions, s), 5);
    const suppressions = ofSession(rig.out.suppressions, s);
    expect(
      suppressions
        .map((v) => [
          (v['contact'] as { id: string }).id,
          (v['outbound'] as { messageId: string | null } | null)?.messageId ?? null,
        ])
        .sort(),
    ).toEqual([
      [ana, 'op-0'],
      [ana, 'op-1'],
      [bea, null],
      [caio, null],
      [dora, null],
    ]);
    const beaOutbound = suppressions.find((v) => (v['contact'] as { id: string }).id === bea)?.['outbound'];
    expect(beaOutbound).toEqual({
      providerMessageId: 'wamid.out.2',
      messageId: null,
      campaignId: null,
      sentAt: new Date(T0).toISOString(),
      linkMethod: 'recent',
    });

    // Alone in a later batch, a quote of an earlier stored message of the contact links the same way.
    await rig.send([
      webhookRecord(
        s,
        'meta',
        metaBody([meta.text('wamid.in.b3', bea, T0 + 3 * HOUR, 'Still there?', 'wamid.in.b1')]),
      ),
    ]);
    expect((await linkOf(s))['wamid.in.b3']).toEqual(['recent', 'wamid.out.2']);
  });

  it('keeps the link of a reply that arrives before its outbound registration', async () => {
    const s = uniqueName('link-late');
    const eva = '16505550005';
    await rig.send([
      webhookRecord(
        s,
        'meta',
        metaBody([meta.text('wamid.in.e1', eva, T0 + 10 * MINUTE, 'Sure', 'wamid.out.late')]),
      ),
    ]);
    expect(await linkOf(s)).toEqual({ 'wamid.in.e1': ['context', 'wamid.out.late'] });
    expect((await readReplies(s)).map((r) => r.reply_to_message_id)).toEqual(['']);
    await waitForPublished('suppressions', () => ofSession(rig.out.suppressions, s), 1);

    await rig.send([
      registrationRecord(s, {
        messageId: 'op-late',
        providerMessageId: 'wamid.out.late',
        recipient: eva,
        sentAt: T0,
        campaignId: 'autumn',
      }),
    ]);
    const read = await readReplies(s);
    expect(
      read.map((r) => [r.provider_message_id, r.reply_to_provider_message_id, r.reply_to_message_id]),
    ).toEqual([['wamid.in.e1', 'wamid.out.late', 'op-late']]);
    const suppressions = ofSession(rig.out.suppressions, s);
    expect(suppressions).toHaveLength(1);
    expect(suppressions[0]?.['outbound']).toEqual({
      providerMessageId: 'wamid.out.late',
      messageId: null,
      campaignId: null,
      sentAt: null,
      linkMethod: 'context',
    });
  });

  it('links a reply to an outbound message registered in the same batch', async () => {
    const s = uniqueName('link-batch');
    const fia = '16505550006';
    await rig.send([
      webhookRecord(s, 'meta', metaBody([meta.text('wamid.in.f1', fia, T0 + 3 * MINUTE, 'ok')])),
      registrationRecord(s, {
        messageId: 'op-f',
        providerMessageId: 'wamid.out.f',
        recipient: fia,
        sentAt: T0,
      }),
    ]);
    expect(await linkOf(s)).toEqual({ 'wamid.in.f1': ['recent', 'wamid.out.f'] });
  });
});
