// Sample webhook bodies for `wapipe trigger`, in the shapes of @wapipe/events' fixtures (Meta's envelope
// through metaEnvelope, ChatSend's one-event body), so what a newcomer sends is what a provider sends.
import { randomBytes, randomUUID } from 'node:crypto';
import { classifyFailure, metaEnvelope } from '@wapipe/events';
import type { SampleProvider, TriggerEvent } from './trigger-events.ts';

export type { SampleProvider, TriggerEvent } from './trigger-events.ts';

export interface SampleOptions {
  provider: SampleProvider;
  sessionId: string;
  /** The outbound message the event is about (statuses, failures) or answers (reply, button, reaction). */
  providerMessageId: string;
  recipient: string;
  /** When it happened (the body's own timestamp). */
  at: Date;
  /** Failure code for `failed` (Meta's number in decimal, or ChatSend's code). */
  code?: string;
  /** Text of a `reply`. */
  text?: string;
}

export interface Sample {
  body: string;
  /** The inbound message's id for reply, button and reaction. */
  inboundId?: string;
}

/** A provider message id like the provider's own: Meta `wamid.<base64>`, ChatSend `true_<jid>_<hex>`. */
export function newProviderMessageId(provider: SampleProvider, recipient: string): string {
  return provider === 'meta'
    ? `wamid.${randomBytes(24).toString('base64url')}`
    : `true_${recipient}@c.us_${randomBytes(10).toString('hex').toUpperCase()}`;
}

const unixSeconds = (at: Date) => String(Math.floor(at.getTime() / 1000));
const DEFAULT_FAILURE = { meta: '131049', chatsend: 'INVALID_RECIPIENT' } as const;
const CONTACT = 'Tomás Rivera';

function metaSample(event: TriggerEvent, o: SampleOptions): Sample {
  const status = (value: string, extra: Record<string, unknown> = {}) => ({
    body: JSON.stringify(
      metaEnvelope({
        statuses: [
          {
            id: o.providerMessageId,
            status: value,
            timestamp: unixSeconds(o.at),
            recipient_id: o.recipient,
            ...(value === 'sent' || value === 'delivered'
              ? {
                  conversation: { id: randomBytes(16).toString('hex'), origin: { type: 'marketing' } },
                  pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' },
                }
              : {}),
            ...extra,
          },
        ],
      }),
    ),
  });
  const inbound = (message: Record<string, unknown>): Sample => {
    const inboundId = `wamid.${randomBytes(24).toString('base64url')}`;
    const body = metaEnvelope({
      contacts: [{ profile: { name: CONTACT }, wa_id: o.recipient }],
      messages: [{ from: o.recipient, id: inboundId, timestamp: unixSeconds(o.at), ...message }],
    });
    return { body: JSON.stringify(body), inboundId };
  };
  const context = { context: { from: '15550783881', id: o.providerMessageId } };
  switch (event) {
    case 'sent':
    case 'delivered':
    case 'read':
    case 'played':
      return status(event);
    case 'failed': {
      const code = o.code ?? DEFAULT_FAILURE.meta;
      const { title } = classifyFailure(code);
      const numeric = /^\d+$/.test(code) ? Number(code) : code;
      return status('failed', {
        errors: [{ code: numeric, title, message: title, error_data: { details: title } }],
      });
    }
    case 'reply':
      return inbound({ type: 'text', text: { body: o.text ?? 'Yes, Friday works for me' }, ...context });
    case 'button':
      return inbound({ type: 'button', button: { payload: 'CONFIRM', text: 'Confirm' }, ...context });
    case 'reaction':
      return inbound({ type: 'reaction', reaction: { message_id: o.providerMessageId, emoji: '👍' } });
    default:
      throw new Error(`${event} is a session state: only ChatSend sessions report it`);
  }
}

function chatsendSample(event: TriggerEvent, o: SampleOptions): Sample {
  const wrap = (type: string, data: Record<string, unknown>) =>
    JSON.stringify({
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      type,
      sessionId: o.sessionId,
      timestamp: o.at.toISOString(),
      data,
    });
  const received = (data: Record<string, unknown>): Sample => {
    const inboundId = `false_${o.recipient}@c.us_${randomBytes(10).toString('hex').toUpperCase()}`;
    return {
      body: wrap('message.received', {
        messageId: inboundId,
        from: o.recipient,
        contactName: CONTACT,
        ...data,
      }),
      inboundId,
    };
  };
  const message = { messageId: o.providerMessageId, recipient: o.recipient };
  switch (event) {
    case 'sent':
    case 'delivered':
    case 'read':
    case 'played':
      return { body: wrap('message.status', { ...message, status: event }) };
    case 'failed': {
      const code = o.code ?? DEFAULT_FAILURE.chatsend;
      return {
        body: wrap('message.failed', { ...message, error: { code, message: classifyFailure(code).title } }),
      };
    }
    case 'reply':
      return received({
        type: 'text',
        text: o.text ?? 'Can I move my booking to Friday?',
        replyTo: o.providerMessageId,
      });
    case 'button':
      return received({ type: 'button', text: 'Confirm', replyTo: o.providerMessageId });
    case 'reaction':
      return received({ type: 'reaction', text: '👍', replyTo: o.providerMessageId });
    case 'qr-required':
      return { body: wrap('session.status', { status: 'QR_REQUIRED', reason: 'Logged out from the phone' }) };
    case 'disconnected':
      return {
        body: wrap('session.status', { status: 'ERROR', reason: 'Connection lost: stream errored out' }),
      };
    case 'connected':
      return { body: wrap('session.status', { status: 'CONNECTED' }) };
  }
}

export function sampleWebhook(event: TriggerEvent, options: SampleOptions): Sample {
  return options.provider === 'meta' ? metaSample(event, options) : chatsendSample(event, options);
}
