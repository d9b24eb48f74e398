// A generated stream of Meta status webhooks and registrations, with the ground truth a correct pipeline
// must end up with. Seeded, so a failure can be replayed.
import { randomUUID } from 'node:crypto';
import { metaEnvelope, rawKafkaRecord } from '@wapipe/events';
import type { ProducedRecord } from '@wapipe/kafka';

type Status = 'sent' | 'delivered' | 'read' | 'failed';

export interface TruthMessage {
  sessionId: string;
  providerMessageId: string;
  messageId: string | null;
  sentAt: string | null;
  earliest: Partial<Record<Status, string>>;
  status: 'pending' | 'sent' | 'failed' | 'delivered' | 'read';
  cohortMinute: string | null;
}

export interface GeneratedStream {
  /** Records for the raw topic, in the order to produce them. */
  records: ProducedRecord[];
  messages: Map<string, TruthMessage>;
  /** Expected rollup per `${session}|${minute}`. */
  rollup: Map<string, { sent: number; delivered: number; read: number; failed: number }>;
  /** Distinct (message, status) pairs: the rows the timeline must hold. */
  statusEvents: number;
  duplicates: number;
}

/** A seeded random number generator (mulberry32): the same seed, the same stream. */
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const paths: Status[][] = [
  ['sent'],
  ['sent', 'delivered'],
  ['sent', 'delivered', 'read'],
  ['sent', 'delivered', 'read'],
  ['sent', 'failed'],
  ['failed'],
  ['sent', 'failed', 'delivered'], // a second device delivered after the first failed
  ['delivered', 'read'], // the sent report never came
];

const minuteOf = (iso: string) => iso.slice(0, 16).replace('T', ' ') + ':00';

export function generateDeliveryStream(options: {
  sessions: string[];
  messages: number;
  seed?: number;
  duplicateShare?: number;
  /** Share of messages that get a registration (sometimes after their statuses). */
  registeredShare?: number;
  start?: Date;
}): GeneratedStream {
  const random = rng(options.seed ?? 42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const start = (options.start ?? new Date('2026-11-29T08:00:00.000Z')).getTime();
  const messages = new Map<string, TruthMessage>();
  const statuses: { sessionId: string; pmid: string; recipient: string; status: Status; ts: number }[] = [];
  const registrations: { sessionId: string; body: object; afterStatuses: boolean }[] = [];

  for (let i = 0; i < options.messages; i++) {
    const sessionId = pick(options.sessions);
    const pmid = `wamid.gen.${randomUUID()}`;
    const recipient = `1555${String(Math.floor(random() * 1e7)).padStart(7, '0')}`;
    const sendSecond = Math.floor(start / 1000) + Math.floor(random() * 3 * 3600);
    const path = pick(paths);
    const earliest: TruthMessage['earliest'] = {};
    path.forEach((status, step) => {
      const ts = sendSecond + step * (1 + Math.floor(random() * 90));
      statuses.push({ sessionId, pmid, recipient, status, ts });
      earliest[status] = new Date(ts * 1000).toISOString();
    });
    let messageId: string | null = null;
    let sentAt: string | null = null;
    if (random() < (options.registeredShare ?? 0.5)) {
      messageId = `msg-${i}`;
      sentAt = new Date((sendSecond - 1 - Math.floor(random() * 120)) * 1000).toISOString();
      registrations.push({
        sessionId,
        afterStatuses: random() < 0.3,
        body: { messageId, sessionId, recipient, providerMessageId: pmid, sentAt, campaignId: `c${i % 3}` },
      });
    }
    const status: TruthMessage['status'] = earliest.read
      ? 'read'
      : earliest.delivered
        ? 'delivered'
        : earliest.failed
          ? 'failed'
          : earliest.sent
            ? 'sent'
            : 'pending';
    const sendTime = sentAt ?? Object.values(earliest).sort()[0] ?? null;
    messages.set(pmid, {
      sessionId,
      providerMessageId: pmid,
      messageId,
      sentAt,
      earliest,
      status,
      cohortMinute: sendTime ? minuteOf(sendTime) : null,
    });
  }

  // Shuffle: order within each message is lost, as Meta's is.
  for (let i = statuses.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [statuses[i], statuses[j]] = [statuses[j]!, statuses[i]!];
  }

  const records: ProducedRecord[] = [];
  const bodies: { sessionId: string; body: string }[] = [];
  const bySession = new Map<string, typeof statuses>();
  for (const s of statuses) bySession.set(s.sessionId, [...(bySession.get(s.sessionId) ?? []), s]);
  let duplicates = 0;
  const share = options.duplicateShare ?? 0.3;
  for (const [sessionId, list] of bySession) {
    let i = 0;
    while (i < list.length) {
      const size = 1 + Math.floor(random() * 20);
      const batch = list.slice(i, i + size);
      i += size;
      // Re-batched duplicates: some statuses of this batch come again inside a later, different body.
      const extra = list.slice(0, i - size).filter(() => random() < share / 4);
      duplicates += extra.length;
      bodies.push({ sessionId, body: metaBody([...batch, ...extra]) });
      if (random() < share) {
        bodies.push({ sessionId, body: metaBody(batch) }); // an identical retry
        duplicates += batch.length;
      }
    }
  }
  for (const { sessionId, body } of bodies) records.push(webhookRecord(sessionId, body));
  for (const r of registrations) {
    const record = registrationRecord(r.sessionId, r.body);
    if (r.afterStatuses) records.push(record);
    else records.splice(Math.floor(random() * records.length), 0, record);
  }

  const rollup = new Map<string, { sent: number; delivered: number; read: number; failed: number }>();
  let statusEvents = 0;
  for (const m of messages.values()) {
    statusEvents += Object.keys(m.earliest).length;
    if (!m.cohortMinute) continue;
    const key = `${m.sessionId}|${m.cohortMinute}`;
    const row = rollup.get(key) ?? { sent: 0, delivered: 0, read: 0, failed: 0 };
    row.sent++;
    if (m.status === 'delivered' || m.status === 'read') row.delivered++;
    if (m.status === 'read') row.read++;
    if (m.status === 'failed') row.failed++;
    rollup.set(key, row);
  }
  return { records, messages, rollup, statusEvents, duplicates };
}

/** Meta's webhook body for these statuses; failed ones carry error 131026, the others pricing. */
export function metaBody(statuses: { pmid: string; recipient: string; status: Status; ts: number }[]) {
  return JSON.stringify(
    metaEnvelope({
      statuses: statuses.map((s) => ({
        id: s.pmid,
        status: s.status,
        timestamp: String(s.ts),
        recipient_id: s.recipient,
        ...(s.status === 'failed'
          ? { errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'x' } }] }
          : { pricing: { billable: true, pricing_model: 'PMP', category: 'utility' } }),
      })),
    }),
  );
}

function webhookRecord(sessionId: string, body: string): ProducedRecord {
  return rawKafkaRecord({ kind: 'webhook', provider: 'meta', sessionId, ingressVersion: 'test' }, body);
}

function registrationRecord(sessionId: string, body: object): ProducedRecord {
  return rawKafkaRecord(
    { kind: 'registration', provider: 'registry', sessionId, ingressVersion: 'test' },
    JSON.stringify(body),
  );
}
