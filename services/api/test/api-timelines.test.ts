// Timelines and statuses against ground truth: the test generates a stream of status reports (repeats,
// any order, group messages with one report per participant, failures followed by deliveries), stores it
// in random batches, computes what every message must look like, and asks the API for each one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chDateTime } from '@wapipe/pipeline';
import { startApiTestApp } from '../../../test/support/api-app.ts';
import type { ApiTestApp } from '../../../test/support/api-app.ts';
import { registryRow, statusRow } from '../../../test/support/api-tables.ts';

const S = 'shop-truth';
const t0 = Date.parse('2026-11-28T08:00:00.000Z');
const RANK: Record<string, number> = { sent: 1, delivered: 2, read: 3, played: 4 };

function rng(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}
const random = rng(7);
const chance = (p: number) => random() < p;

interface Report {
  eventId: string;
  pmid: string;
  status: string;
  participant: string;
  at: number;
}
interface Truth {
  pmid: string;
  messageId: string | null;
  registeredAt: number;
  reports: Report[];
}

function generate(count: number): Truth[] {
  return Array.from({ length: count }, (_, i) => {
    const pmid = `wamid.T${i}`;
    const sentAt = t0 + Math.floor(random() * 86_400_000);
    const participants = chance(0.2) ? ['', '1555100', '1555200', '1555300'].slice(1) : [''];
    const reports: Report[] = [];
    const report = (status: string, participant: string, at: number) =>
      reports.push({ eventId: `${pmid}:${status}:${participant}`, pmid, status, participant, at });
    if (!chance(0.1)) {
      for (const p of participants) {
        let at = sentAt + Math.floor(random() * 2000);
        report('sent', p, at);
        if (chance(0.15)) report('failed', p, (at += Math.floor(random() * 60_000)));
        for (const next of ['delivered', 'read', 'played']) {
          if (!chance(next === 'played' ? 0.2 : 0.7)) break;
          report(next, p, (at += Math.floor(random() * 600_000)));
        }
      }
    }
    // Providers repeat reports; a repeat is the same event (same id), sometimes with a later clock.
    for (const r of [...reports])
      if (chance(0.2)) reports.push({ ...r, at: r.at + (chance(0.5) ? 0 : 1000) });
    return {
      pmid,
      messageId: chance(0.7) ? `order-${i}` : null,
      registeredAt: sentAt - 500,
      reports,
    };
  }).filter((m) => m.messageId !== null || m.reports.length > 0);
}

/** What GET /v1/messages/{id} must answer for a message, from its reports alone. */
function expected(m: Truth) {
  const earliest = new Map<string, Report>();
  for (const r of m.reports) {
    const seen = earliest.get(r.status);
    if (!seen || r.at < seen.at || (r.at === seen.at && r.eventId < seen.eventId)) earliest.set(r.status, r);
  }
  const timeline = [...earliest.values()]
    .sort((a, b) => a.at - b.at || a.status.localeCompare(b.status))
    .map((r) => ({ status: r.status, at: new Date(r.at).toISOString(), eventId: r.eventId }));
  const top = Math.max(0, ...timeline.map((t) => RANK[t.status] ?? 0));
  const failed = earliest.has('failed');
  const status =
    top >= 2
      ? Object.keys(RANK).find((k) => RANK[k] === top)
      : failed
        ? 'failed'
        : top === 1
          ? 'sent'
          : 'pending';
  return {
    messageId: m.messageId,
    providerMessageId: m.pmid,
    status,
    updatedAt: timeline.at(-1)?.at ?? new Date(m.registeredAt).toISOString(),
    timeline,
  };
}

const messages = generate(150);
let api: ApiTestApp;

beforeAll(async () => {
  api = await startApiTestApp({ sessions: [S] });
  const reports = messages.flatMap((m) => m.reports).sort(() => random() - 0.5);
  for (let i = 0; i < reports.length;) {
    const size = 1 + Math.floor(random() * 80);
    await api.ch.insert({
      table: 'delivery_status_events',
      rows: reports.slice(i, i + size).map((r) =>
        statusRow({
          event_id: r.eventId,
          session_id: S,
          provider_message_id: r.pmid,
          recipient: '15550001234',
          status: r.status,
          group_participant: r.participant,
          occurred_at: chDateTime(r.at),
        }),
      ),
    });
    i += size;
  }
  await api.ch.insert({
    table: 'delivery_outbound_messages',
    rows: messages
      .filter((m) => m.messageId !== null)
      .map((m) =>
        registryRow({
          message_id: m.messageId!,
          provider_message_id: m.pmid,
          session_id: S,
          recipient: '15550001234',
          registered_at: chDateTime(m.registeredAt),
        }),
      ),
  });
});

afterAll(async () => {
  await api?.cleanup();
});

describe('message timelines and statuses', () => {
  it('equal the ground truth for every generated message, by provider id and by message id', async () => {
    const statuses = new Set<string>();
    for (const m of messages) {
      const want = expected(m);
      statuses.add(String(want.status));
      const byProvider = await api.getJson(`/v1/messages/${m.pmid}`);
      expect(byProvider, m.pmid).toMatchObject(want);
      if (m.messageId)
        expect(await api.getJson(`/v1/messages/${m.messageId}`), m.messageId).toEqual(byProvider);
    }
    // The generated stream reaches every status, so the comparison covers each rule.
    expect([...statuses].sort()).toEqual(['delivered', 'failed', 'pending', 'played', 'read', 'sent']);
  });
});
