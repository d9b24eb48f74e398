// One generated SET of provider events over several sessions (outbound statuses and failures, inbound
// replies with and without context, envelope errors, session states, registrations), and ways to deliver
// that same set as raw records: in different orders, batched differently, with duplicates. A correct
// pipeline gives the same answers for every delivery of the same set ("Same events, same answers").
import { metaEnvelope, rawKafkaRecord } from '@wapipe/events';
import type { ProducedRecord } from '@wapipe/kafka';
import { rng } from './delivery-stream.ts';
import { shuffled } from './replies-conversation.ts';

// Twelve hours before the current hour: recent enough for every table's TTL (the failures consumer's window
// marks keep 2 days), old enough that every event and receive time of a set is in the past.
export const EVENT_SET_T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 12 * 3_600_000;
const MINUTE = 60_000;

type Provider = 'meta' | 'chatsend';

/** One event as a provider reports it; `at` is its event time (ms). */
export type SetEvent =
  | {
      kind: 'status';
      session: string;
      at: number;
      pmid: string;
      recipient: string;
      status: string;
      code?: number;
    }
  | { kind: 'inbound'; session: string; at: number; id: string; from: string; text: string; context?: string }
  | { kind: 'envelope-error'; session: string; at: number; code: number }
  | { kind: 'session-state'; session: string; at: number; id: string; state: string }
  | {
      kind: 'registration';
      session: string;
      at: number;
      messageId: string;
      pmid: string;
      recipient: string;
      sentAt?: number;
      campaignId?: string;
    };

export interface EventSet {
  sessions: { id: string; provider: Provider }[];
  events: SetEvent[];
  /** Provider message ids of every outbound message, and their registered message ids. */
  outbound: { session: string; pmid: string; messageId: string | null }[];
}

const FAILURE_CODES = [131049, 131026, 130472, 131047, 131056, 470];

/** A seeded event set: the same seed, the same set. */
export function generateEventSet(options: { seed: number; messagesPerSession: number }): EventSet {
  const random = rng(options.seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const sessions: EventSet['sessions'] = [
    { id: 'same-meta-a', provider: 'meta' },
    { id: 'same-meta-b', provider: 'meta' },
    { id: 'same-cs-c', provider: 'chatsend' },
  ];
  const events: SetEvent[] = [];
  const outbound: EventSet['outbound'] = [];
  for (const [s, { id: session }] of sessions.entries()) {
    const contacts = Array.from({ length: 6 }, (_, i) => `4917${s}00000${i}`);
    for (let i = 0; i < options.messagesPerSession; i++) {
      const pmid = `wamid.same.${s}.${i}`;
      const recipient = pick(contacts);
      const sentAt = EVENT_SET_T0 + Math.floor(random() * 5 * 60) * MINUTE + Math.floor(random() * 59_000);
      const registered = random() < 0.7;
      const messageId = registered ? `msg-same-${s}-${i}` : null;
      outbound.push({ session, pmid, messageId });
      if (registered) {
        events.push({
          kind: 'registration',
          session,
          at: sentAt,
          messageId: messageId!,
          pmid,
          recipient,
          // Some registrations carry a send time a little before the first status, some none.
          ...(random() < 0.6 ? { sentAt: sentAt - 2_000 } : {}),
          ...(random() < 0.5 ? { campaignId: pick(['spring', 'autumn']) } : {}),
        });
      }
      const path = pick([
        ['sent'],
        ['sent', 'delivered'],
        ['sent', 'delivered', 'read'],
        ['sent', 'failed'],
        ['failed'],
        ['sent', 'failed', 'delivered'],
        ['delivered', 'read'],
      ]);
      let at = sentAt;
      for (const status of path) {
        events.push({
          kind: 'status',
          session,
          at,
          pmid,
          recipient,
          status,
          ...(status === 'failed' ? { code: pick(FAILURE_CODES) } : {}),
        });
        at += 1_000 + Math.floor(random() * 10 * MINUTE);
      }
      // Replies: with context, and without (linked by contact and time, or to nothing).
      if (random() < 0.5) {
        const replyAt = sentAt + Math.floor(random() * 3 * 60) * MINUTE;
        const withContext = random() < 0.4;
        events.push({
          kind: 'inbound',
          session,
          at: replyAt,
          id: `wamid.in.${s}.${i}`,
          from: recipient,
          text: withContext ? 'yes please' : 'STOP reminders',
          ...(withContext ? { context: pmid } : {}),
        });
      }
    }
    // A reply before any outbound message of its contact: linked to nothing.
    events.push({
      kind: 'inbound',
      session,
      at: EVENT_SET_T0 - 30 * MINUTE,
      id: `wamid.in.${s}.early`,
      from: contacts[0]!,
      text: 'hello?',
    });
    if (sessions[s]!.provider === 'meta') {
      events.push({ kind: 'envelope-error', session, at: EVENT_SET_T0 + 90 * MINUTE, code: 131056 });
    } else {
      // Session states, with an outage opened and resolved in event time.
      const states = ['STARTING', 'CONNECTED', 'QR_REQUIRED', 'CONNECTED', 'ERROR', 'CONNECTED', 'STOPPED'];
      states.forEach((state, k) =>
        events.push({
          kind: 'session-state',
          session,
          at: EVENT_SET_T0 + k * 30 * MINUTE,
          id: `evt_same_state_${s}_${k}`,
          state,
        }),
      );
    }
  }
  return { sessions, events, outbound };
}

/** How one delivery of the set arrives: order, body sizes and duplicates. */
export interface Arrival {
  seed: number;
  order: 'chronological' | 'reverse' | 'shuffled';
  /** Largest number of Meta events in one webhook body. */
  maxBatch: number;
  /** Share of bodies the provider sends twice. */
  retryShare: number;
  /** Share of events reported again inside a different body (re-batched). */
  rebatchShare: number;
}

const unix = (ms: number) => String(Math.floor(ms / 1000));

function metaValue(events: SetEvent[]) {
  const statuses = [];
  const messages = [];
  const errors = [];
  for (const e of events) {
    if (e.kind === 'status') {
      statuses.push({
        id: e.pmid,
        status: e.status,
        timestamp: unix(e.at),
        recipient_id: e.recipient,
        ...(e.code
          ? { errors: [{ code: e.code, title: `error ${e.code}`, message: `error ${e.code}` }] }
          : {}),
      });
    } else if (e.kind === 'inbound') {
      messages.push({
        from: e.from,
        id: e.id,
        timestamp: unix(e.at),
        type: 'text',
        text: { body: e.text },
        ...(e.context ? { context: { from: '15550783881', id: e.context } } : {}),
      });
    } else if (e.kind === 'envelope-error') {
      errors.push({ code: e.code, title: `error ${e.code}`, message: `error ${e.code}` });
    }
  }
  const contacts = [...new Set(messages.map((m) => m.from))].map((wa) => ({
    profile: { name: 'C' },
    wa_id: wa,
  }));
  return {
    ...(statuses.length ? { statuses } : {}),
    ...(messages.length ? { messages, contacts } : {}),
    ...(errors.length ? { errors } : {}),
  };
}

function chatsendBody(e: SetEvent): string {
  const base = { sessionId: e.session, timestamp: new Date(e.at).toISOString() };
  if (e.kind === 'status') {
    const id = `evt_${e.pmid}_${e.status}`;
    if (e.status === 'failed') {
      return JSON.stringify({
        ...base,
        id,
        type: 'message.failed',
        data: {
          messageId: e.pmid,
          recipient: e.recipient,
          error: { code: String(e.code), message: 'failed' },
        },
      });
    }
    return JSON.stringify({
      ...base,
      id,
      type: 'message.status',
      data: { messageId: e.pmid, recipient: e.recipient, status: e.status },
    });
  }
  if (e.kind === 'inbound') {
    return JSON.stringify({
      ...base,
      id: `evt_${e.id}`,
      type: 'message.received',
      data: {
        messageId: e.id,
        from: e.from,
        type: 'text',
        text: e.text,
        ...(e.context ? { replyTo: e.context } : {}),
      },
    });
  }
  if (e.kind === 'session-state') {
    return JSON.stringify({ ...base, id: e.id, type: 'session.status', data: { status: e.state } });
  }
  throw new Error(`no ChatSend body for ${e.kind}`);
}

function registrationBody(e: Extract<SetEvent, { kind: 'registration' }>): string {
  return JSON.stringify({
    messageId: e.messageId,
    sessionId: e.session,
    recipient: e.recipient,
    providerMessageId: e.pmid,
    ...(e.sentAt === undefined ? {} : { sentAt: new Date(e.sentAt).toISOString() }),
    ...(e.campaignId === undefined ? {} : { campaignId: e.campaignId }),
  });
}

/** The raw records of one delivery of the set, in the order to produce them. */
export function arrive(set: EventSet, arrival: Arrival): ProducedRecord[] {
  const random = rng(arrival.seed);
  const ordered = (list: SetEvent[]) => {
    if (arrival.order === 'shuffled') return shuffled(list, arrival.seed);
    const sorted = [...list].sort((a, b) => a.at - b.at);
    return arrival.order === 'reverse' ? sorted.reverse() : sorted;
  };
  const bodies: { session: string; provider: Provider | 'registry'; body: string }[] = [];
  const registrations: typeof bodies = [];
  for (const { id: session, provider } of set.sessions) {
    const own = set.events.filter((e) => e.session === session);
    for (const r of ordered(own)) {
      if (r.kind === 'registration')
        registrations.push({ session, provider: 'registry', body: registrationBody(r) });
    }
    const reported = ordered(own.filter((e) => e.kind !== 'registration'));
    // Re-batched duplicates: some events are reported again, later, inside another body.
    const again = reported.filter(() => random() < arrival.rebatchShare);
    const stream = [...reported, ...shuffled(again, arrival.seed + 1)];
    if (provider === 'chatsend') {
      for (const e of stream) bodies.push({ session, provider, body: chatsendBody(e) });
      continue;
    }
    for (let i = 0; i < stream.length;) {
      const size = 1 + Math.floor(random() * arrival.maxBatch);
      bodies.push({
        session,
        provider,
        body: JSON.stringify(metaEnvelope(metaValue(stream.slice(i, i + size)))),
      });
      i += size;
    }
  }
  // Registrations come first in event order, last in reverse order (every one of them late).
  const sent = arrival.order === 'reverse' ? [...bodies, ...registrations] : [...registrations, ...bodies];
  const retried = sent.filter(() => random() < arrival.retryShare);
  const all =
    arrival.order === 'shuffled' ? shuffled([...sent, ...retried], arrival.seed + 2) : [...sent, ...retried];
  const receivedFrom = EVENT_SET_T0 + 10 * 3_600_000 + arrival.seed * 1_000;
  return all.map((b, i) =>
    rawKafkaRecord(
      {
        kind: b.provider === 'registry' ? 'registration' : 'webhook',
        provider: b.provider,
        sessionId: b.session,
        ingressVersion: 'test',
        receivedAt: new Date(receivedFrom + i * 10).toISOString(),
      },
      b.body,
    ),
  );
}
