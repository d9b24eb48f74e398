// The rows the replies consumer writes for new replies, index entries and contacts.
import type { InboundMessage } from '@wapipe/events';
import { recipientCountry } from '@wapipe/events';
import type { SourcedEvent } from '@wapipe/pipeline';
import type { mergeContacts } from './contacts.ts';
import { outboundSentAt } from './outbound-index.ts';
import type { OutboundEntry } from './outbound-index.ts';
import { at64 } from './reply.ts';
import type { ReplyView } from './reply.ts';

type Sourced<T> = T & Pick<SourcedEvent, 'origin'>;
const ms = (iso: string) => Date.parse(iso);

export function inboundRow(reply: ReplyView & { event: Sourced<InboundMessage> }): Record<string, unknown> {
  const e = reply.event;
  return {
    event_id: e.eventId,
    session_id: e.sessionId,
    provider: e.provider,
    provider_message_id: e.providerMessageId,
    from_id: e.from,
    contact_name: e.contactName ?? '',
    type: e.type,
    text: e.text ?? '',
    payload: e.payload ?? '',
    reply_to_provider_message_id: e.replyToProviderMessageId ?? '',
    reaction_to_provider_message_id: e.reactionToProviderMessageId ?? '',
    forwarded: e.forwarded ? 1 : 0,
    linked_provider_message_id: reply.link.providerMessageId,
    link_method: reply.link.method,
    occurred_at: at64(reply.at),
    received_at: at64(ms(e.receivedAt)),
    kafka_partition: e.origin.partition,
    kafka_offset: Number(e.origin.offset),
  };
}

export function indexRow(entry: OutboundEntry): Record<string, unknown> {
  const orNull = (v: number | null) => (v === null ? null : at64(v));
  return {
    session_id: entry.sessionId,
    recipient: entry.recipient,
    provider_message_id: entry.providerMessageId,
    message_id: entry.messageId,
    campaign_id: entry.campaignId,
    category: entry.category,
    template: entry.template,
    country: recipientCountry(entry.recipient),
    pricing_category: entry.pricing?.category ?? '',
    pricing_at: entry.pricing ? at64(entry.pricing.at) : null,
    sent_at: at64(outboundSentAt(entry)),
    registered_sent_at: orNull(entry.registeredSentAt),
    first_status_at: orNull(entry.firstStatusAt),
    registered_at: orNull(entry.registeredAt),
    version: entry.version,
  };
}

export function contactRow(c: ReturnType<typeof mergeContacts>[number]): Record<string, unknown> {
  return {
    session_id: c.sessionId,
    wa_id: c.waId,
    profile_name: c.profileName,
    first_seen_at: at64(c.firstSeenAt),
    last_seen_at: at64(c.lastSeenAt),
    inbound_count: c.inboundCount,
    last_provider_message_id: c.lastProviderMessageId,
    version: c.version,
  };
}
