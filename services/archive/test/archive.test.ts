// Raw requests kept and searchable, and the audit log, through the whole pipeline on the real broker and
// engine: a message's raw requests are exactly the accepted requests that carried its events (retries and
// re-batched copies included), byte for byte; a session's pages walk every request once; old requests
// expire with RAW_RETENTION; every operator write is in the audit log, with no key or secret anywhere.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readRawRecord } from '@wapipe/events';
import { redriveDeadLetters, redriveGroupId } from '@wapipe/failures';
import { createCoalescingProducer } from '@wapipe/kafka';
import type { ProducedRecord } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { EVENT_SET_T0, arrive, generateEventSet } from '../../../test/support/event-set.ts';
import { PIPELINE_KEY, startTestPipeline } from '../../../test/support/pipeline.ts';
import type { TestPipeline } from '../../../test/support/pipeline.ts';

const sha = (body: Buffer | string) => createHash('sha256').update(body).digest('hex');
const bodyOf = (r: ProducedRecord) => (typeof r.value === 'string' ? r.value : r.value!.toString('utf8'));

interface RawItem {
  receivedAt: string;
  sessionId: string;
  provider: string;
  contentType: string;
  body: string;
  sha256: string;
  partition: number;
  offset: string;
}

/** Ids a webhook body carries: statuses' and failures' message ids, inbound messages' own ids. */
function idsIn(body: string): Set<string> {
  const json = JSON.parse(body) as Record<string, unknown>;
  const ids = new Set<string>();
  if (json['object'] === 'whatsapp_business_account') {
    for (const entry of json['entry'] as { changes: { value: Record<string, unknown> }[] }[]) {
      for (const { value } of entry.changes) {
        for (const s of (value['statuses'] ?? []) as { id: string }[]) ids.add(s.id);
        for (const m of (value['messages'] ?? []) as { id: string }[]) ids.add(m.id);
      }
    }
  } else if (typeof json['data'] === 'object' && json['data'] !== null) {
    const id = (json['data'] as { messageId?: string }).messageId;
    if (id) ids.add(id);
  }
  return ids;
}

describe('raw requests and audit', () => {
  let p: TestPipeline;
  const set = generateEventSet({ seed: 11, messagesPerSession: 25 });
  // Retries and re-batched copies: a message's requests are more than the ones the consumers stored.
  const records = arrive(set, {
    seed: 5,
    order: 'shuffled',
    maxBatch: 8,
    retryShare: 0.4,
    rebatchShare: 0.3,
  });
  const secret = 'archive-test-meta-app-secret';

  beforeAll(async () => {
    p = await startTestPipeline();
    for (const { id, provider } of set.sessions) {
      const res = await p.request(`/v1/sessions/${id}`, {
        method: 'PUT',
        body: JSON.stringify({
          provider,
          enableWebhook: true,
          secret:
            provider === 'meta'
              ? secret
              : 'whsec_' + Buffer.from('archive-test-signing-key-24b').toString('base64'),
          verifyToken: 'archive-verify-token',
        }),
      });
      expect(res.status).toBe(200);
    }
    await p.produce(records);
    await p.settled();
  });
  afterAll(async () => {
    await p?.stop();
  });

  const getJson = async <T>(path: string): Promise<T> => {
    const res = await p.request(path);
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  it('answers every message with exactly the requests that carried its events, byte-identical', async () => {
    let checked = 0;
    for (const m of set.outbound) {
      const message = await getJson<{ replies: { providerMessageId: string }[] }>(`/v1/messages/${m.pmid}`);
      const carried = new Set([m.pmid, ...message.replies.map((r) => r.providerMessageId)]);
      const expected = records
        .filter((r) => readRawRecord(r).meta.kind === 'webhook' && r.key === m.session)
        .filter((r) => [...idsIn(bodyOf(r))].some((id) => carried.has(id)))
        .map((r) => sha(bodyOf(r)))
        .sort();
      const { requests } = await getJson<{ requests: RawItem[] }>(`/v1/messages/${m.pmid}/raw`);
      for (const r of requests) expect(sha(r.body), m.pmid).toBe(r.sha256);
      expect(requests.map((r) => r.sha256).sort(), m.pmid).toEqual(expected);
      const times = requests.map((r) => r.receivedAt);
      expect(times, 'oldest first').toEqual([...times].sort());
      if (m.messageId) {
        expect(await getJson(`/v1/messages/${m.messageId}/raw`)).toEqual({ requests });
      }
      checked += requests.length;
    }
    expect(checked).toBeGreaterThan(set.outbound.length);
    expect((await p.request('/v1/messages/wamid.nobody/raw')).status).toBe(404);
  });

  it('walks every accepted request of a session once, newest first, page by page', async () => {
    const from = new Date(EVENT_SET_T0).toISOString();
    const to = new Date(EVENT_SET_T0 + 48 * 3_600_000).toISOString();
    for (const { id } of set.sessions) {
      const seen: RawItem[] = [];
      let cursor: string | null = null;
      do {
        const page: { requests: RawItem[]; nextCursor: string | null } = await getJson(
          `/v1/raw?sessionId=${id}&from=${from}&to=${to}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.requests.length).toBeLessThanOrEqual(7);
        seen.push(...page.requests);
        cursor = page.nextCursor;
      } while (cursor);
      const mine = records.filter((r) => r.key === id);
      expect(seen.length, id).toBe(mine.length);
      expect(new Set(seen.map((r) => `${r.partition}:${r.offset}`)).size, id).toBe(mine.length);
      expect(seen.map((r) => r.sha256).sort(), id).toEqual(mine.map((r) => sha(bodyOf(r))).sort());
      const times = seen.map((r) => r.receivedAt);
      expect(times, 'newest first').toEqual([...times].sort().reverse());
    }
    const bad = await p.request(`/v1/raw?from=${from}&to=${to}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^sessionId/);
  });

  it('records every operator write in the audit log by key fingerprint, with no key or secret', async () => {
    await p.request('/v1/messages', {
      method: 'POST',
      body: JSON.stringify({
        messageId: 'audit-msg-1',
        sessionId: 'same-meta-a',
        recipient: '4917000000',
        providerMessageId: 'wamid.audit.1',
      }),
    });
    const producer = createCoalescingProducer(p.kafka);
    try {
      await redriveDeadLetters({
        kafka: p.kafka,
        topics: p.topics,
        consumer: 'delivery',
        groupId: redriveGroupId(p.topics.prefix, 'delivery'),
        producer,
        logger: silentLogger,
        idleMs: 500,
      });
    } finally {
      await producer.close();
    }
    const Entries = z.object({
      entries: z.array(
        z.object({ at: z.string(), actor: z.string(), action: z.string(), target: z.string() }),
      ),
    });
    let text = '';
    let entries: z.infer<typeof Entries>['entries'] = [];
    const wanted = set.sessions.length + 2;
    const deadline = Date.now() + 60_000;
    while (entries.length < wanted && Date.now() < deadline) {
      const res = await p.request('/v1/audit?limit=1000');
      text = await res.text();
      entries = Entries.parse(JSON.parse(text)).entries;
      if (entries.length < wanted) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const fingerprint = `key:${sha(PIPELINE_KEY).slice(0, 12)}`;
    expect(
      entries
        .filter((e) => e.action === 'session.put')
        .map((e) => e.target)
        .sort(),
    ).toEqual(set.sessions.map((s) => s.id).sort());
    expect(entries.filter((e) => e.action !== 'redrive').every((e) => e.actor === fingerprint)).toBe(true);
    expect(entries.find((e) => e.action === 'messages.register')).toMatchObject({ target: 'same-meta-a' });
    expect(entries.find((e) => e.action === 'redrive')).toMatchObject({
      target: 'delivery',
      actor: expect.stringMatching(/^cli:/),
    });
    expect(text).not.toContain(PIPELINE_KEY);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('archive-verify-token');
    const registers = await getJson<{ entries: unknown[] }>('/v1/audit?action=messages.register');
    expect(registers.entries).toHaveLength(1);
    expect((await p.request('/v1/audit?action=delete')).status).toBe(400);
  });
});

describe('raw retention', () => {
  it('serves and keeps only requests younger than RAW_RETENTION', async () => {
    const p = await startTestPipeline({ RAW_RETENTION: '1h' });
    try {
      const set = generateEventSet({ seed: 12, messagesPerSession: 3 });
      const records = arrive(set, {
        seed: 1,
        order: 'chronological',
        maxBatch: 1,
        retryShare: 0,
        rebatchShare: 0,
      });
      const now = Date.now();
      // The same records, received two hours ago and just now.
      const at = (ms: number) => (r: ProducedRecord) => ({
        ...r,
        headers: { ...r.headers, 'wapipe-received-at': new Date(ms).toISOString() },
      });
      await p.produce([...records.map(at(now - 2 * 3_600_000)), ...records.map(at(now))]);
      await p.settled();
      const session = set.sessions[0]!.id;
      const from = new Date(now - 3 * 3_600_000).toISOString();
      const page = (await (
        await p.request(`/v1/raw?sessionId=${session}&from=${from}&limit=1000`)
      ).json()) as {
        requests: RawItem[];
      };
      const mine = records.filter((r) => r.key === session).length;
      expect(page.requests).toHaveLength(mine);
      expect(page.requests.every((r) => Date.parse(r.receivedAt) >= now - 60_000)).toBe(true);
      // Merged away for good, not only hidden.
      const ch = p.ch();
      await ch.command({ query: `OPTIMIZE TABLE ${ch.table('archive_raw_requests_v2')} FINAL` });
      const [left] = await ch.query({
        query: `SELECT count() AS n, min(received_at) AS oldest FROM ${ch.table('archive_raw_requests_v2')}`,
        schema: z.object({ n: z.coerce.number(), oldest: z.string() }),
      });
      expect(left?.n).toBe(records.length);
      expect(Date.parse(left!.oldest)).toBeGreaterThanOrEqual(now - 60_000);
    } finally {
      await p.stop();
    }
  });
});
