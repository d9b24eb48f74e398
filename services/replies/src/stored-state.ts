// Reads what the replies tables already hold for the sessions, messages and contacts of a batch. Every
// query is bounded by session and by ids or a time range, and binds its values as parameters.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { loadStoredPairs, pairKey } from '@wapipe/pipeline';
import type { ContactState } from './contacts.ts';
import type { LinkMethod } from './linking.ts';
import type { OptState } from './opt-outs.ts';
import type { OutboundEntry } from './outbound-index.ts';
import type { StoredSuppression } from './suppressions.ts';

export { pairKey };
const time = z.string().transform((v) => Date.parse(v));
const count = z.coerce.number();
const unique = (values: Iterable<string>) => [...new Set(values)];

const OutboundRow = z.object({
  session_id: z.string(),
  recipient: z.string(),
  provider_message_id: z.string(),
  message_id: z.string(),
  campaign_id: z.string(),
  category: z.string(),
  template: z.string(),
  pricing_category: z.string(),
  pricing_at: time.nullable(),
  registered_sent_at: time.nullable(),
  first_status_at: time.nullable(),
  registered_at: time.nullable(),
  version: count,
});
const outboundColumns = `session_id, recipient, provider_message_id, message_id, campaign_id,
  category, template, pricing_category, pricing_at, registered_sent_at, first_status_at, registered_at, version`;

const toEntry = (r: z.infer<typeof OutboundRow>): OutboundEntry => ({
  sessionId: r.session_id,
  recipient: r.recipient,
  providerMessageId: r.provider_message_id,
  messageId: r.message_id,
  campaignId: r.campaign_id,
  category: r.category,
  template: r.template,
  pricing: r.pricing_at === null ? null : { category: r.pricing_category, at: r.pricing_at },
  registeredSentAt: r.registered_sent_at,
  firstStatusAt: r.first_status_at,
  registeredAt: r.registered_at,
  version: r.version,
});

/** Index entries by session + provider message id. */
export async function loadOutboundByMessage(
  ch: ClickHouse,
  keys: { sessionId: string; providerMessageId: string }[],
): Promise<Map<string, OutboundEntry>> {
  const rows = await loadStoredPairs(ch, {
    select: outboundColumns,
    from: `${ch.table('replies_outbound_index')} FINAL`,
    keyColumn: 'provider_message_id',
    pairs: keys.map((k) => ({ sessionId: k.sessionId, key: k.providerMessageId })),
    schema: OutboundRow,
  });
  return new Map([...rows].map(([key, row]) => [key, toEntry(row)]));
}

/** Index entries for these contacts sent within [from, to], grouped by session + contact. */
export async function loadOutboundForContacts(
  ch: ClickHouse,
  contacts: { sessionId: string; contact: string }[],
  from: Date,
  to: Date,
): Promise<Map<string, OutboundEntry[]>> {
  const byContact = new Map<string, OutboundEntry[]>();
  if (contacts.length === 0) return byContact;
  const rows = await ch.query({
    query: `SELECT ${outboundColumns} FROM ${ch.table('replies_outbound_index')} FINAL
            WHERE session_id IN {sessions:Array(String)} AND recipient IN {contacts:Array(String)}
              AND sent_at >= {from:DateTime64(3, 'UTC')} AND sent_at <= {to:DateTime64(3, 'UTC')}`,
    params: {
      sessions: unique(contacts.map((c) => c.sessionId)),
      contacts: unique(contacts.map((c) => c.contact)),
      from,
      to,
    },
    schema: OutboundRow,
  });
  for (const row of rows) {
    const key = pairKey(row.session_id, row.recipient);
    byContact.set(key, [...(byContact.get(key) ?? []), toEntry(row)]);
  }
  return byContact;
}

/** Stored inbound provider message ids (of these sessions), as session + id keys. */
export async function loadStoredInbound(
  ch: ClickHouse,
  sessions: string[],
  providerMessageIds: string[],
): Promise<Set<string>> {
  if (providerMessageIds.length === 0) return new Set();
  const rows = await ch.query({
    query: `SELECT DISTINCT session_id, provider_message_id FROM ${ch.table('replies_inbound')}
            WHERE session_id IN {sessions:Array(String)} AND provider_message_id IN {ids:Array(String)}`,
    params: { sessions: unique(sessions), ids: unique(providerMessageIds) },
    schema: z.object({ session_id: z.string(), provider_message_id: z.string() }),
  });
  return new Set(rows.map((r) => pairKey(r.session_id, r.provider_message_id)));
}

const ContactRow = z.object({
  session_id: z.string(),
  wa_id: z.string(),
  profile_name: z.string(),
  first_seen_at: time,
  last_seen_at: time,
  inbound_count: count,
  last_provider_message_id: z.string(),
  version: count,
});

export async function loadContacts(
  ch: ClickHouse,
  contacts: { sessionId: string; contact: string }[],
): Promise<Map<string, ContactState>> {
  const rows = await loadStoredPairs(ch, {
    select: `session_id, wa_id, profile_name, first_seen_at, last_seen_at, inbound_count,
             last_provider_message_id, version`,
    from: `${ch.table('replies_contacts')} FINAL`,
    keyColumn: 'wa_id',
    pairs: contacts.map((c) => ({ sessionId: c.sessionId, key: c.contact })),
    schema: ContactRow,
  });
  return new Map(
    [...rows].map(([key, r]) => [
      key,
      {
        sessionId: r.session_id,
        waId: r.wa_id,
        profileName: r.profile_name,
        firstSeenAt: r.first_seen_at,
        lastSeenAt: r.last_seen_at,
        inboundCount: r.inbound_count,
        lastProviderMessageId: r.last_provider_message_id,
        version: r.version,
      },
    ]),
  );
}

/** Suppressions with these ids, plus contact-level ones (outbound '') of these contacts in [from, to]. */
export async function loadSuppressions(
  ch: ClickHouse,
  contacts: { sessionId: string; contact: string }[],
  ids: string[],
  from: Date,
  to: Date,
): Promise<StoredSuppression[]> {
  if (contacts.length === 0) return [];
  const rows = await ch.query({
    query: `SELECT id, session_id, contact, outbound_provider_message_id, suppressed_at
            FROM ${ch.table('replies_suppressions')}
            WHERE session_id IN {sessions:Array(String)} AND contact IN {contacts:Array(String)}
              AND (id IN {ids:Array(String)} OR (outbound_provider_message_id = ''
                   AND suppressed_at >= {from:DateTime64(3, 'UTC')} AND suppressed_at <= {to:DateTime64(3, 'UTC')}))`,
    params: {
      sessions: unique(contacts.map((c) => c.sessionId)),
      contacts: unique(contacts.map((c) => c.contact)),
      ids: unique(ids),
      from,
      to,
    },
    schema: z.object({
      id: z.string(),
      session_id: z.string(),
      contact: z.string(),
      outbound_provider_message_id: z.string(),
      suppressed_at: time,
    }),
  });
  return rows.map((r) => ({
    id: r.id,
    sessionId: r.session_id,
    contact: r.contact,
    outboundProviderMessageId: r.outbound_provider_message_id,
    at: r.suppressed_at,
  }));
}

/** Each contact's last opt-out change, by session + contact. */
export async function loadOptStates(
  ch: ClickHouse,
  contacts: { sessionId: string; contact: string }[],
): Promise<Map<string, OptState>> {
  const rows = await loadStoredPairs(ch, {
    select: `session_id, contact, argMax(action, seq) AS last_action, argMax(at, seq) AS last_at,
             argMax(inbound_provider_message_id, seq) AS last_provider_message_id, max(seq) AS last_seq`,
    from: ch.table('replies_opt_outs'),
    keyColumn: 'contact',
    pairs: contacts.map((c) => ({ sessionId: c.sessionId, key: c.contact })),
    tail: 'GROUP BY session_id, contact',
    schema: z.object({
      session_id: z.string(),
      contact: z.string(),
      last_action: z.enum(['opt_out', 'opt_in']),
      last_at: time,
      last_provider_message_id: z.string(),
      last_seq: count,
    }),
  });
  return new Map(
    [...rows].map(([key, r]) => [
      key,
      {
        action: r.last_action,
        at: r.last_at,
        providerMessageId: r.last_provider_message_id,
        seq: r.last_seq,
      },
    ]),
  );
}

export interface StoredReply {
  eventId: string;
  sessionId: string;
  providerMessageId: string;
  from: string;
  contactName: string | null;
  type: string;
  text: string | null;
  payload: string | null;
  at: number;
  link: { method: LinkMethod; providerMessageId: string };
}

export const ReplyRow = z.object({
  event_id: z.string(),
  session_id: z.string(),
  provider_message_id: z.string(),
  from_id: z.string(),
  contact_name: z.string(),
  type: z.string(),
  text: z.string(),
  payload: z.string(),
  occurred_at: time,
  linked_provider_message_id: z.string(),
  link_method: z.enum(['context', 'recent', 'none']),
});
export const replyColumns = `event_id, session_id, provider_message_id, from_id, contact_name, type, text, payload,
  occurred_at, linked_provider_message_id, link_method`;
const orNull = (v: string) => (v === '' ? null : v);
export const toReply = (r: z.infer<typeof ReplyRow>): StoredReply => ({
  eventId: r.event_id,
  sessionId: r.session_id,
  providerMessageId: r.provider_message_id,
  from: r.from_id,
  contactName: orNull(r.contact_name),
  type: r.type,
  text: orNull(r.text),
  payload: orNull(r.payload),
  at: r.occurred_at,
  link: { method: r.link_method, providerMessageId: r.linked_provider_message_id },
});

/** The latest `perContact` stored replies of each (session, from) in [from, to], newest first. */
export async function loadRecentReplies(
  ch: ClickHouse,
  contacts: { sessionId: string; from: string }[],
  range: { from: Date; to: Date },
  perContact: number,
): Promise<Map<string, StoredReply[]>> {
  const byContact = new Map<string, StoredReply[]>();
  if (contacts.length === 0) return byContact;
  const rows = await ch.query({
    query: `SELECT ${replyColumns} FROM ${ch.table('replies_inbound')}
            WHERE session_id IN {sessions:Array(String)} AND from_id IN {froms:Array(String)}
              AND occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at <= {to:DateTime64(3, 'UTC')}
            ORDER BY occurred_at DESC, provider_message_id DESC
            LIMIT ${Math.max(1, Math.trunc(perContact))} BY session_id, from_id`,
    params: {
      sessions: unique(contacts.map((c) => c.sessionId)),
      froms: unique(contacts.map((c) => c.from)),
      from: range.from,
      to: range.to,
    },
    schema: ReplyRow,
  });
  for (const reply of rows.map(toReply)) {
    const key = pairKey(reply.sessionId, reply.from);
    byContact.set(key, [...(byContact.get(key) ?? []), reply]);
  }
  return byContact;
}

/** Follow-up ids already stored for these inbound messages. */
export async function loadFollowUpIds(
  ch: ClickHouse,
  keys: { sessionId: string; providerMessageId: string }[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await ch.query({
    query: `SELECT id FROM ${ch.table('replies_follow_ups')}
            WHERE session_id IN {sessions:Array(String)} AND inbound_provider_message_id IN {ids:Array(String)}`,
    params: {
      sessions: unique(keys.map((k) => k.sessionId)),
      ids: unique(keys.map((k) => k.providerMessageId)),
    },
    schema: z.object({ id: z.string() }),
  });
  return new Set(rows.map((r) => r.id));
}
