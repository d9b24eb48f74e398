// Status traffic shaped like an operator's: messages go out over time, and each message's statuses follow
// it (delivered a little later, read later still) inside webhook bodies of 1–50 statuses per session.
// Meta retries a share of bodies whole, and half of the messages are registered by the operator.
import { rawKafkaRecord } from '@wapipe/events';
import type { ProducedRecord } from '@wapipe/kafka';
import { metaBody, rng } from '../../test/support/delivery-stream.ts';

type Status = 'sent' | 'delivered' | 'read' | 'failed';

// Share of messages per path; a delivered message is mostly read, some fail without a delivery.
const paths: [number, Status[]][] = [
  [0.5, ['sent', 'delivered', 'read']],
  [0.3, ['sent', 'delivered']],
  [0.1, ['sent']],
  [0.08, ['sent', 'failed']],
  [0.02, ['failed']],
];

export interface StatusTraffic {
  records: ProducedRecord[];
  /** Status events in the records, duplicates included. */
  statusEvents: number;
  /** Distinct status events: the rows the timeline must end up with. */
  distinctStatusEvents: number;
  messages: number;
}

export function statusTraffic(options: {
  statusEvents: number;
  sessions?: number;
  seed?: number;
  /** Share of bodies delivered twice (default 0.1). */
  retryShare?: number;
}): StatusTraffic {
  const random = rng(options.seed ?? 7);
  const sessions = options.sessions ?? 12;
  const retryShare = options.retryShare ?? 0.1;
  const meanPath = paths.reduce((n, [share, path]) => n + share * path.length, 0);
  const messageCount = Math.round(options.statusEvents / (1 + retryShare) / meanPath);
  const base = Math.floor(Date.now() / 1000) - 3600;

  // Each status gets a place in the stream: its message's slot plus a delay in slots (delivered within
  // about a thousand later statuses, read within about ten thousand).
  const placed: {
    at: number;
    session: number;
    pmid: string;
    recipient: string;
    status: Status;
    ts: number;
  }[] = [];
  const registrations: { at: number; session: number; body: string }[] = [];
  for (let i = 0; i < messageCount; i++) {
    let roll = random();
    const path = paths.find(([share]) => (roll -= share) < 0)?.[1] ?? paths[0]![1];
    const session = Math.floor(random() * sessions);
    const pmid = `wamid.bench.${i.toString(36)}.${Math.floor(random() * 1e9).toString(36)}`;
    const recipient = `1555${String(Math.floor(random() * 1e7)).padStart(7, '0')}`;
    const slot = i * meanPath;
    let delay = 0;
    path.forEach((status, step) => {
      if (step > 0) delay += random() * (status === 'read' ? 10_000 : 1_000);
      placed.push({
        at: slot + delay,
        session,
        pmid,
        recipient,
        status,
        ts: base + Math.floor((slot + delay) / 50),
      });
    });
    if (random() < 0.5) {
      registrations.push({
        at: slot - 1,
        session,
        body: JSON.stringify({
          messageId: `msg-${i}`,
          sessionId: `bench-${session}`,
          recipient,
          providerMessageId: pmid,
          sentAt: new Date((base + Math.floor(slot / 50)) * 1000).toISOString(),
          campaignId: `campaign-${i % 7}`,
        }),
      });
    }
  }
  placed.sort((a, b) => a.at - b.at);

  const stream: { at: number; record: ProducedRecord }[] = registrations.map((r) => ({
    at: r.at,
    record: rawKafkaRecord(
      {
        kind: 'registration',
        provider: 'registry',
        sessionId: `bench-${r.session}`,
        ingressVersion: 'bench',
      },
      r.body,
    ),
  }));
  const open = Array.from({ length: sessions }, () => ({
    statuses: [] as typeof placed,
    size: 1 + Math.floor(random() * 50),
  }));
  let statusEvents = 0;
  const ship = (session: number) => {
    const body = open[session]!;
    if (body.statuses.length === 0) return;
    const record = rawKafkaRecord(
      { kind: 'webhook', provider: 'meta', sessionId: `bench-${session}`, ingressVersion: 'bench' },
      metaBody(body.statuses),
    );
    const at = body.statuses.at(-1)!.at;
    stream.push({ at, record });
    statusEvents += body.statuses.length;
    if (random() < retryShare) {
      stream.push({ at: at + random() * 2_000, record });
      statusEvents += body.statuses.length;
    }
    body.statuses = [];
    body.size = 1 + Math.floor(random() * 50);
  };
  for (const s of placed) {
    const body = open[s.session]!;
    body.statuses.push(s);
    if (body.statuses.length >= body.size) ship(s.session);
  }
  for (let session = 0; session < sessions; session++) ship(session);
  stream.sort((a, b) => a.at - b.at);
  return {
    records: stream.map((s) => s.record),
    statusEvents,
    distinctStatusEvents: placed.length,
    messages: messageCount,
  };
}
