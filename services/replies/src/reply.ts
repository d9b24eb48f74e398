// A reply as the decisions see it: the inbound message, its contact key, its link and what is known of
// the outbound message it links to. Built from a new event, or from a stored row (late registrations).
import type { InboundMessage } from '@wapipe/events';
import { chDateTime } from '@wapipe/pipeline';
import type { ReplyLink } from './linking.ts';
import type { KeywordCommand } from './opt-outs.ts';
import type { OutboundEntry } from './outbound-index.ts';
import { outboundSentAt } from './outbound-index.ts';

export interface ReplyView {
  eventId: string;
  sessionId: string;
  providerMessageId: string;
  /** The sender as the provider wrote it. */
  from: string;
  /** contactKey(from). */
  contact: string;
  contactName: string | null;
  type: string;
  text: string | null;
  payload: string | null;
  at: number;
  link: ReplyLink;
  /** The linked outbound message as far as it is known; null when nothing is known of it. */
  outbound: OutboundEntry | null;
  command: KeywordCommand | null;
}

export const iso = (ms: number) => new Date(ms).toISOString();

/** The context id a reply carries: the message quoted, else the message reacted to. */
export const contextIdOf = (e: InboundMessage): string | null =>
  e.replyToProviderMessageId || e.reactionToProviderMessageId || null;

/** The outbound part of a command: null when the reply is linked to nothing. */
export function outboundJson(reply: ReplyView) {
  if (reply.link.method === 'none') return null;
  const o = reply.outbound;
  return {
    providerMessageId: reply.link.providerMessageId,
    messageId: o?.messageId || null,
    campaignId: o?.campaignId || null,
    sentAt: o ? iso(outboundSentAt(o)) : null,
    linkMethod: reply.link.method,
  };
}

export const contactJson = (reply: ReplyView) => ({
  id: reply.contact,
  waId: reply.from,
  name: reply.contactName,
});

export const replyJson = (reply: ReplyView) => ({
  providerMessageId: reply.providerMessageId,
  eventId: reply.eventId,
  at: iso(reply.at),
  type: reply.type,
  text: reply.text,
  payload: reply.payload,
});

/** Columns every command table shares about the reply and its outbound message. */
export const linkColumns = (reply: ReplyView) => ({
  outbound_provider_message_id: reply.link.providerMessageId,
  outbound_message_id: reply.outbound?.messageId ?? '',
  campaign_id: reply.outbound?.campaignId ?? '',
  link_method: reply.link.method,
});

export const at64 = (ms: number) => chDateTime(ms);
