// Every inbound message type, from Meta and ChatSend, becomes exactly one reply row with the text a person
// reads and the payload a program matches, and the sender becomes a contact of the session.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uniqueName } from '../../../test/harness/kafka.ts';
import { suiteRepliesRig, waitForPublished } from '../../../test/support/replies-consumer.ts';
import {
  MINUTE,
  T0,
  chatsendReceived,
  meta,
  metaBody,
  webhookRecord,
} from '../../../test/support/replies-webhooks.ts';

const Row = z.object({
  provider_message_id: z.string(),
  type: z.string(),
  text: z.string(),
  payload: z.string(),
  reaction_to_provider_message_id: z.string(),
  from_id: z.string(),
  contact_name: z.string(),
});

describe('replies consumer: message types', () => {
  const { db, rig } = suiteRepliesRig();

  it('stores one row per inbound message for every type, with its text and payload', async () => {
    const session = uniqueName('types');
    const ana = '16505550001';
    const at = (i: number) => T0 + i * MINUTE;
    const messages = [
      meta.text('wamid.t.text', ana, at(1), 'Hello there'),
      meta.image('wamid.t.image', ana, at(2), 'Look at this'),
      meta.video('wamid.t.video', ana, at(3), 'A clip'),
      meta.audio('wamid.t.audio', ana, at(4)),
      meta.document('wamid.t.document', ana, at(5), 'invoice-42.pdf'),
      meta.sticker('wamid.t.sticker', ana, at(6)),
      meta.location('wamid.t.location', ana, at(7), 'Cafe Central', 'Rua Augusta 1'),
      meta.contacts('wamid.t.contacts', ana, at(8), 'Bruno Costa'),
      meta.button('wamid.t.button', ana, at(9), 'Yes please', 'CONFIRM_BOOKING'),
      meta.buttonReply('wamid.t.button-reply', ana, at(10), 'slot-fri', 'Friday'),
      meta.listReply('wamid.t.list-reply', ana, at(11), 'size-m', 'Medium'),
      meta.reaction('wamid.t.reaction', ana, at(12), 'wamid.t.text', '👍'),
      meta.order('wamid.t.order', ana, at(13), 'Two please'),
      meta.system('wamid.t.system', ana, at(14)),
      meta.unsupported('wamid.t.unsupported', ana, at(15)),
    ];
    await rig.send([
      webhookRecord(session, 'meta', metaBody(messages.slice(0, 8), { [ana]: 'Ana Silva' })),
      webhookRecord(session, 'meta', metaBody(messages.slice(8), { [ana]: 'Ana S.' }, 2)),
    ]);
    const chatSession = uniqueName('types-chatsend');
    const bruno = '16505550002';
    await rig.send([
      webhookRecord(
        chatSession,
        'chatsend',
        chatsendReceived(chatSession, at(20), {
          messageId: 'false_1@c.us_A',
          from: bruno,
          type: 'text',
          text: 'Can I move my booking?',
          contactName: 'Bruno',
        }),
      ),
      webhookRecord(
        chatSession,
        'chatsend',
        chatsendReceived(chatSession, at(21), {
          messageId: 'false_1@c.us_B',
          from: bruno,
          type: 'image',
          caption: 'The receipt',
        }),
      ),
    ]);

    const rows = await db.ch.query({
      query: `SELECT provider_message_id, type, text, payload, reaction_to_provider_message_id, from_id, contact_name
              FROM ${db.ch.table('replies_inbound')} WHERE session_id IN {s:Array(String)} ORDER BY occurred_at`,
      params: { s: [session, chatSession] },
      schema: Row,
    });
    const byId = new Map(rows.map((r) => [r.provider_message_id, r]));
    expect(rows).toHaveLength(messages.length + 2);
    const expected: Record<string, [type: string, text: string, payload: string]> = {
      'wamid.t.text': ['text', 'Hello there', ''],
      'wamid.t.image': ['image', 'Look at this', 'media.wamid.t.image'],
      'wamid.t.video': ['video', 'A clip', 'media.wamid.t.video'],
      'wamid.t.audio': ['audio', '', 'media.wamid.t.audio'],
      'wamid.t.document': ['document', 'invoice-42.pdf', 'media.wamid.t.document'],
      'wamid.t.sticker': ['sticker', '', 'media.wamid.t.sticker'],
      'wamid.t.location': ['location', 'Cafe Central, Rua Augusta 1', ''],
      'wamid.t.contacts': ['contacts', 'Bruno Costa', ''],
      'wamid.t.button': ['button', 'Yes please', 'CONFIRM_BOOKING'],
      'wamid.t.button-reply': ['interactive', 'Friday', 'slot-fri'],
      'wamid.t.list-reply': ['interactive', 'Medium', 'size-m'],
      'wamid.t.reaction': ['reaction', '👍', ''],
      'wamid.t.order': [
        'order',
        'Two please',
        '{"catalog_id":"cat1","product_items":[{"product_retailer_id":"sku1","quantity":2,"item_price":9.5,"currency":"EUR"}]}',
      ],
      'wamid.t.system': ['system', `User ${ana} changed number`, 'user_changed_number'],
      'wamid.t.unsupported': ['unsupported', '', 'edit'],
      'false_1@c.us_A': ['text', 'Can I move my booking?', ''],
      'false_1@c.us_B': ['image', 'The receipt', ''],
    };
    for (const [id, [type, text, payload]] of Object.entries(expected)) {
      expect({ id, ...byId.get(id) }).toMatchObject({ id, type, text, payload });
    }
    expect(byId.get('wamid.t.reaction')?.reaction_to_provider_message_id).toBe('wamid.t.text');
    expect(byId.get('wamid.t.text')).toMatchObject({ from_id: ana, contact_name: 'Ana Silva' });

    const contacts = await db.ch.query({
      query: `SELECT session_id, wa_id, profile_name, first_seen_at, last_seen_at, inbound_count
              FROM ${db.ch.table('replies_contacts')} FINAL WHERE session_id IN {s:Array(String)} ORDER BY session_id`,
      params: { s: [session, chatSession] },
      schema: z.object({
        session_id: z.string(),
        wa_id: z.string(),
        profile_name: z.string(),
        first_seen_at: z.string(),
        last_seen_at: z.string(),
        inbound_count: z.coerce.number(),
      }),
    });
    expect(contacts).toEqual(
      expect.arrayContaining([
        {
          session_id: session,
          wa_id: ana,
          profile_name: 'Ana S.',
          first_seen_at: new Date(at(1)).toISOString(),
          last_seen_at: new Date(at(15)).toISOString(),
          inbound_count: 15,
        },
        {
          session_id: chatSession,
          wa_id: bruno,
          profile_name: 'Bruno',
          first_seen_at: new Date(at(20)).toISOString(),
          last_seen_at: new Date(at(21)).toISOString(),
          inbound_count: 2,
        },
      ]),
    );
    expect(contacts).toHaveLength(2);

    // No outbound message is known: each contact is suppressed once, by contact; only typed text is routed.
    await waitForPublished('suppressions', () => rig.out.suppressions, 2);
    await waitForPublished('follow-ups', () => rig.out.followUps, 2);
    const suppressions = rig.out.suppressions.map((p) => p.value);
    expect(suppressions.map((s) => [s['sessionId'], s['outbound'], s['reason']]).sort()).toEqual(
      [
        [session, null, 'reply'],
        [chatSession, null, 'reply'],
      ].sort(),
    );
    const followUps = rig.out.followUps.map((p) => p.value['reply'] as { providerMessageId: string });
    expect(followUps.map((r) => r.providerMessageId).sort()).toEqual(['false_1@c.us_A', 'wamid.t.text']);
  });
});
