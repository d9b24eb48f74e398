// Webhook bodies as providers send them (Meta Cloud API, ChatSend) and outbound registrations, wrapped as
// raw.v1 records for the raw topic, for the replies consumer's integration tests.
import { randomUUID } from 'node:crypto';
import { metaEnvelope, rawKafkaRecord } from '@wapipe/events';
import type { ProducedRecord } from '@wapipe/kafka';

export const BUSINESS = '15550783881';
export const T0 = Date.parse('2026-11-29T10:00:00.000Z');
export const MINUTE = 60_000;
export const HOUR = 3_600_000;

const unix = (ms: number) => String(Math.floor(ms / 1000));

export type MetaMessage = Record<string, unknown> & { id: string; from: string };

const message = (
  id: string,
  from: string,
  at: number,
  type: string,
  content: object,
  context?: string,
): MetaMessage => ({
  from,
  id,
  timestamp: unix(at),
  type,
  ...content,
  ...(context ? { context: { from: BUSINESS, id: context } } : {}),
});

/** Inbound Meta messages of every kind the consumer stores. */
export const meta = {
  text: (id: string, from: string, at: number, body: string, context?: string) =>
    message(id, from, at, 'text', { text: { body } }, context),
  image: (id: string, from: string, at: number, caption?: string) =>
    message(id, from, at, 'image', {
      image: { id: `media.${id}`, mime_type: 'image/jpeg', sha256: 'c2hh', ...(caption ? { caption } : {}) },
    }),
  video: (id: string, from: string, at: number, caption: string) =>
    message(id, from, at, 'video', { video: { id: `media.${id}`, mime_type: 'video/mp4', caption } }),
  audio: (id: string, from: string, at: number) =>
    message(id, from, at, 'audio', {
      audio: { id: `media.${id}`, mime_type: 'audio/ogg; codecs=opus', voice: true },
    }),
  document: (id: string, from: string, at: number, filename: string) =>
    message(id, from, at, 'document', {
      document: { id: `media.${id}`, mime_type: 'application/pdf', filename },
    }),
  sticker: (id: string, from: string, at: number) =>
    message(id, from, at, 'sticker', {
      sticker: { id: `media.${id}`, mime_type: 'image/webp', animated: false },
    }),
  location: (id: string, from: string, at: number, name: string, address: string) =>
    message(id, from, at, 'location', { location: { latitude: 38.7, longitude: -9.14, name, address } }),
  contacts: (id: string, from: string, at: number, formattedName: string) =>
    message(id, from, at, 'contacts', {
      contacts: [{ name: { formatted_name: formattedName }, phones: [{ phone: '+1 555 0100' }] }],
    }),
  button: (id: string, from: string, at: number, text: string, payload: string, context?: string) =>
    message(id, from, at, 'button', { button: { text, payload } }, context),
  buttonReply: (id: string, from: string, at: number, replyId: string, title: string, context?: string) =>
    message(
      id,
      from,
      at,
      'interactive',
      { interactive: { type: 'button_reply', button_reply: { id: replyId, title } } },
      context,
    ),
  listReply: (id: string, from: string, at: number, replyId: string, title: string, context?: string) =>
    message(
      id,
      from,
      at,
      'interactive',
      { interactive: { type: 'list_reply', list_reply: { id: replyId, title, description: 'd' } } },
      context,
    ),
  reaction: (id: string, from: string, at: number, target: string, emoji: string) =>
    message(id, from, at, 'reaction', { reaction: { message_id: target, emoji } }),
  order: (id: string, from: string, at: number, text: string) =>
    message(id, from, at, 'order', {
      order: {
        catalog_id: 'cat1',
        text,
        product_items: [{ product_retailer_id: 'sku1', quantity: 2, item_price: 9.5, currency: 'EUR' }],
      },
    }),
  system: (id: string, from: string, at: number) =>
    message(id, from, at, 'system', {
      system: { body: `User ${from} changed number`, type: 'user_changed_number', wa_id: '15550009999' },
    }),
  unsupported: (id: string, from: string, at: number) =>
    message(id, from, at, 'unsupported', {
      unsupported: { type: 'edit' },
      errors: [{ code: 131051, title: 'Message type unknown' }],
    }),
};

/**
 * A Meta webhook body carrying `messages`, with the senders' profiles. `entries` > 1 spreads them over
 * several entries, as Meta does when it batches.
 */
export function metaBody(messages: MetaMessage[], names: Record<string, string> = {}, entries = 1): string {
  const groups: MetaMessage[][] = Array.from({ length: Math.max(1, entries) }, () => []);
  messages.forEach((m, i) => groups[i % groups.length]!.push(m));
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: groups
      .filter((g) => g.length > 0)
      .map((group) => ({
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: BUSINESS, phone_number_id: '106540352242922' },
              contacts: [...new Set(group.map((m) => m.from))].map((from) => ({
                profile: { name: names[from] ?? `Contact ${from.slice(-4)}` },
                wa_id: from,
              })),
              messages: group,
            },
          },
        ],
      })),
  });
}

/** A Meta webhook body carrying statuses of outbound messages. */
export function metaStatusBody(
  statuses: { id: string; recipient: string; status: string; at: number }[],
): string {
  return JSON.stringify(
    metaEnvelope(
      {
        statuses: statuses.map((s) => ({
          id: s.id,
          status: s.status,
          timestamp: unix(s.at),
          recipient_id: s.recipient,
        })),
      },
      { displayPhoneNumber: BUSINESS },
    ),
  );
}

/** A ChatSend `message.received` event. */
export function chatsendReceived(
  sessionId: string,
  at: number,
  data: {
    messageId: string;
    from: string;
    type: string;
    text?: string;
    caption?: string;
    replyTo?: string;
    contactName?: string;
  },
): string {
  return JSON.stringify({
    id: `evt_${randomUUID()}`,
    type: 'message.received',
    sessionId,
    timestamp: new Date(at).toISOString(),
    data,
  });
}

export interface RegistrationSpec {
  messageId: string;
  providerMessageId: string;
  recipient: string;
  sentAt?: number;
  campaignId?: string;
}

/** The raw record of a webhook body for one session. */
export function webhookRecord(
  sessionId: string,
  provider: 'meta' | 'chatsend',
  body: string,
): ProducedRecord {
  return rawKafkaRecord({ kind: 'webhook', provider, sessionId, ingressVersion: 'test' }, body);
}

/** The raw record of one outbound registration (POST /v1/messages item). */
export function registrationRecord(sessionId: string, r: RegistrationSpec): ProducedRecord {
  const body = JSON.stringify({
    messageId: r.messageId,
    sessionId,
    recipient: r.recipient,
    providerMessageId: r.providerMessageId,
    ...(r.sentAt === undefined ? {} : { sentAt: new Date(r.sentAt).toISOString() }),
    ...(r.campaignId === undefined ? {} : { campaignId: r.campaignId }),
  });
  return rawKafkaRecord(
    { kind: 'registration', provider: 'registry', sessionId, ingressVersion: 'test' },
    body,
  );
}
