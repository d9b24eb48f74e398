// A generated set of Meta events whose messages spread over every analytics dimension (campaign, category
// registered or priced, country, template) and over hours, with replies linked by context and by contact
// and time, failed statuses and envelope errors; the ways to deliver it (registrations first or last,
// events in order, reversed or shuffled); and its ground truth, computed from the set alone: the replied
// cohorts and the failures by code, for any filter of the dimensions.
import { metaEnvelope, rawKafkaRecord } from '@wapipe/events';
import type { ProducedRecord } from '@wapipe/kafka';
import { rng } from './delivery-stream.ts';
import { EVENT_SET_T0 } from './event-set.ts';
import { shuffled } from './replies-conversation.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const REPLY_LINK_WINDOW = 24 * HOUR;

/** Recipients and the country their number belongs to ('' for a number no country owns). */
export const RECIPIENT_COUNTRIES: Record<string, string> = {
  '4915112345670': 'DE',
  '5511987654321': 'BR',
  '919876543210': 'IN',
  '16505551234': 'US',
  '12345': '',
};
const FAILURE_CODES = ['131049', '131026', '130472', '131047'];

export interface SetMessage {
  session: string;
  pmid: string;
  recipient: string;
  registration: {
    messageId: string;
    sentAt?: number;
    campaignId?: string;
    category?: string;
    template?: string;
  } | null;
  statuses: { status: string; at: number; pricing?: string; code?: string }[];
}
export interface SetReply {
  session: string;
  id: string;
  from: string;
  at: number;
  context?: string;
}
export interface DimensionSet {
  sessions: string[];
  messages: SetMessage[];
  replies: SetReply[];
  envelopeErrors: { session: string; at: number; code: string }[];
}

const whole = (ms: number) => Math.floor(ms / SECOND) * SECOND;

/** A seeded set over these sessions: the same seed, the same set. */
export function generateDimensionSet(options: {
  seed: number;
  sessions: string[];
  messagesPerSession: number;
}): DimensionSet {
  const random = rng(options.seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const maybe = <T>(list: readonly T[]) => (random() < 0.3 ? undefined : pick(list));
  const set: DimensionSet = { sessions: options.sessions, messages: [], replies: [], envelopeErrors: [] };
  for (const [s, session] of options.sessions.entries()) {
    for (let i = 0; i < options.messagesPerSession; i++) {
      const pmid = `wamid.dim.${s}.${i}`;
      const recipient = pick(Object.keys(RECIPIENT_COUNTRIES));
      // Four hours of sends, so cohorts cross hours; whole seconds, as Meta's timestamps are.
      const first = whole(EVENT_SET_T0 + random() * 4 * HOUR);
      const registered = random() < 0.75;
      const registration = registered
        ? {
            messageId: `msg-dim-${s}-${i}`,
            // A registered send time before the first status: a late registration moves the message.
            ...(random() < 0.6 ? { sentAt: first - whole(random() * 150 * SECOND) } : {}),
            ...withDefined({
              campaignId: maybe(['spring', 'autumn']),
              category: maybe(['marketing', 'utility']),
              template: maybe(['welcome_v2', 'promo_q4']),
            }),
          }
        : null;
      const pricing = random() < 0.6 ? pick(['marketing', 'utility', 'service']) : undefined;
      const path = pick([['sent'], ['sent', 'delivered'], ['sent', 'delivered', 'read'], ['sent', 'failed']]);
      let at = first;
      const statuses = path.map((status, k) => {
        const s = {
          status,
          at,
          // The first report may lack the pricing the later ones carry.
          ...(pricing && (k > 0 || random() < 0.5) ? { pricing } : {}),
          ...(status === 'failed' ? { code: pick(FAILURE_CODES) } : {}),
        };
        at += whole(SECOND + random() * 5 * MINUTE);
        return s;
      });
      set.messages.push({ session, pmid, recipient, registration, statuses });
      if (random() < 0.6) {
        set.replies.push({
          session,
          id: `wamid.dim.in.${s}.${i}`,
          from: recipient,
          at: whole(first + random() * 90 * MINUTE),
          ...(random() < 0.35 ? { context: pmid } : {}),
        });
      }
    }
    // Meta's envelope errors carry no timestamp: their failure time is when the ingress received them.
    set.envelopeErrors.push({ session, at: Date.now(), code: '131056' });
  }
  return set;
}

function withDefined<T extends Record<string, string | undefined>>(
  values: T,
): Partial<Record<keyof T, string>> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<
    Record<keyof T, string>
  >;
}

export type DimensionArrival = 'chronological' | 'reverse' | 'shuffled';

const unix = (ms: number) => String(Math.floor(ms / SECOND));

type Reported =
  | { kind: 'status'; at: number; message: SetMessage; status: SetMessage['statuses'][number] }
  | { kind: 'reply'; at: number; reply: SetReply }
  | { kind: 'error'; at: number; code: string };

function body(events: Reported[]): string {
  const statuses = [];
  const messages = [];
  const errors = [];
  for (const e of events) {
    if (e.kind === 'status') {
      statuses.push({
        id: e.message.pmid,
        status: e.status.status,
        timestamp: unix(e.at),
        recipient_id: e.message.recipient,
        ...(e.status.pricing
          ? { pricing: { billable: true, pricing_model: 'PMP', category: e.status.pricing, type: 'regular' } }
          : {}),
        ...(e.status.code
          ? { errors: [{ code: Number(e.status.code), title: 'failed', message: 'failed' }] }
          : {}),
      });
    } else if (e.kind === 'reply') {
      messages.push({
        from: e.reply.from,
        id: e.reply.id,
        timestamp: unix(e.at),
        type: 'text',
        text: { body: 'thanks' },
        ...(e.reply.context ? { context: { from: '15550783881', id: e.reply.context } } : {}),
      });
    } else {
      errors.push({ code: Number(e.code), title: 'error', message: 'error' });
    }
  }
  const contacts = [...new Set(messages.map((m) => m.from))].map((wa_id) => ({
    profile: { name: 'C' },
    wa_id,
  }));
  return JSON.stringify(
    metaEnvelope({
      ...(statuses.length ? { statuses } : {}),
      ...(messages.length ? { messages, contacts } : {}),
      ...(errors.length ? { errors } : {}),
    }),
  );
}

/** The raw records of one delivery of the set's `session`: registrations first (chronological), last, or mixed in. */
export function arriveSession(
  set: DimensionSet,
  session: string,
  order: DimensionArrival,
  seed: number,
): ProducedRecord[] {
  const random = rng(seed);
  const messages = set.messages.filter((m) => m.session === session);
  const reported: Reported[] = [
    ...messages.flatMap((message) =>
      message.statuses.map((status) => ({ kind: 'status' as const, at: status.at, message, status })),
    ),
    ...set.replies
      .filter((r) => r.session === session)
      .map((reply) => ({ kind: 'reply' as const, at: reply.at, reply })),
    ...set.envelopeErrors
      .filter((e) => e.session === session)
      .map((e) => ({ kind: 'error' as const, at: e.at, code: e.code })),
  ].sort((a, b) => a.at - b.at);
  const stream =
    order === 'reverse' ? reported.reverse() : order === 'shuffled' ? shuffled(reported, seed) : reported;
  const bodies: { provider: 'meta' | 'registry'; body: string }[] = [];
  for (let i = 0; i < stream.length;) {
    const size = 1 + Math.floor(random() * 4);
    bodies.push({ provider: 'meta', body: body(stream.slice(i, i + size)) });
    i += size;
  }
  const registrations = messages.flatMap((m) =>
    m.registration
      ? [
          {
            provider: 'registry' as const,
            body: JSON.stringify({
              sessionId: session,
              providerMessageId: m.pmid,
              // Operators spell numbers their way; the contact key is the digits either way.
              recipient: `+${m.recipient}`,
              ...m.registration,
              ...(m.registration.sentAt === undefined
                ? {}
                : { sentAt: new Date(m.registration.sentAt).toISOString() }),
            }),
          },
        ]
      : [],
  );
  const all =
    order === 'chronological'
      ? [...registrations, ...bodies]
      : order === 'reverse'
        ? [...bodies, ...registrations]
        : shuffled([...registrations, ...bodies], seed + 1);
  const receivedFrom = EVENT_SET_T0 + 10 * HOUR;
  return all.map((b, i) =>
    rawKafkaRecord(
      {
        kind: b.provider === 'registry' ? 'registration' : 'webhook',
        provider: b.provider,
        sessionId: session,
        ingressVersion: 'test',
        receivedAt: new Date(receivedFrom + i * 10).toISOString(),
      },
      b.body,
    ),
  );
}

/** A message's dimensions and cohort time, as the contract defines them. */
export function truthOf(m: SetMessage) {
  const firstStatus = Math.min(...m.statuses.map((s) => s.at));
  const priced = [...m.statuses].sort((a, b) => a.at - b.at).find((s) => s.pricing)?.pricing;
  return {
    session: m.session,
    cohortAt: m.registration?.sentAt ?? firstStatus,
    campaign: m.registration?.campaignId ?? '',
    category: m.registration?.category ?? priced ?? '',
    country: RECIPIENT_COUNTRIES[m.recipient]!,
    template: m.registration?.template ?? '',
  };
}
export type MessageTruth = ReturnType<typeof truthOf>;

/** The outbound message each reply links to ('' for none): its context, else the contact's latest before it. */
export function replyLinks(set: DimensionSet): Map<string, string> {
  const links = new Map<string, string>();
  for (const reply of set.replies) {
    if (reply.context) {
      links.set(reply.id, reply.context);
      continue;
    }
    let best: { at: number; pmid: string } | undefined;
    for (const m of set.messages) {
      if (m.session !== reply.session || m.recipient !== reply.from) continue;
      const at = truthOf(m).cohortAt;
      if (at > reply.at || at < reply.at - REPLY_LINK_WINDOW) continue;
      if (!best || at > best.at || (at === best.at && m.pmid > best.pmid)) best = { at, pmid: m.pmid };
    }
    links.set(reply.id, best?.pmid ?? '');
  }
  return links;
}

/** Messages with at least one linked reply, with their truth. */
export function repliedMessages(set: DimensionSet): MessageTruth[] {
  const linked = new Set(
    [...replyLinks(set)].map(([id, pmid]) => `${set.replies.find((r) => r.id === id)!.session}/${pmid}`),
  );
  return set.messages.filter((m) => linked.has(`${m.session}/${m.pmid}`)).map(truthOf);
}

/** Failures by code: one per message and code, plus each envelope error; those passing `keep`. */
export function failuresByCode(
  set: DimensionSet,
  range: { from: number; to: number },
  keep: (dims: Omit<MessageTruth, 'cohortAt'>) => boolean,
): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (code: string) => counts.set(code, (counts.get(code) ?? 0) + 1);
  for (const m of set.messages) {
    const truth = truthOf(m);
    for (const s of m.statuses) {
      if (s.code && s.at >= range.from && s.at < range.to && keep(truth)) add(s.code);
    }
  }
  for (const e of set.envelopeErrors) {
    const none = { session: e.session, campaign: '', category: '', country: '', template: '' };
    if (e.at >= range.from && e.at < range.to && keep(none)) add(e.code);
  }
  return counts;
}
