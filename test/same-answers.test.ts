// "Same events, same answers", end to end: one generated event set delivered three ways (in event order
// one event a body; shuffled with retries; in reverse order with every registration late, large bodies
// and re-batched duplicates) into three whole pipelines (every consumer, the read API) gives identical
// answers on every read route: timelines, session stats, failures, replies and alerts.
import { afterAll, describe, expect, it } from 'vitest';
import { EVENT_SET_T0, arrive, generateEventSet } from './support/event-set.ts';
import type { Arrival, EventSet } from './support/event-set.ts';
import { startTestPipeline } from './support/pipeline.ts';

const HOUR = 3_600_000;
const from = new Date(EVENT_SET_T0 - 2 * HOUR).toISOString();
const to = new Date(EVENT_SET_T0 + 10 * HOUR).toISOString();
const secrets = {
  meta: 'same-answers-meta-app-secret',
  chatsend: 'whsec_' + Buffer.from('same-answers-chatsend-signing-key').toString('base64'),
};

const arrivals: Arrival[] = [
  { seed: 1, order: 'chronological', maxBatch: 1, retryShare: 0, rebatchShare: 0 },
  { seed: 2, order: 'shuffled', maxBatch: 6, retryShare: 0.3, rebatchShare: 0.1 },
  { seed: 3, order: 'reverse', maxBatch: 25, retryShare: 0.5, rebatchShare: 0.4 },
];

const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** Every read route's answer for the set, as one object keyed by the request. */
async function answersOf(set: EventSet, arrival: Arrival): Promise<Record<string, unknown>> {
  const p = await startTestPipeline();
  stops.push(() => p.stop());
  for (const { id, provider } of set.sessions) {
    const put = await p.request(`/v1/sessions/${id}`, {
      method: 'PUT',
      body: JSON.stringify({ provider, enableWebhook: true, secret: secrets[provider] }),
    });
    expect(put.status, `PUT /v1/sessions/${id}`).toBe(200);
  }
  await p.produce(arrive(set, arrival));
  await p.settled();

  const answers: Record<string, unknown> = {};
  const read = async (path: string) => {
    const res = await p.request(path);
    answers[path] = { status: res.status, body: (await res.json()) as unknown };
  };
  for (const m of set.outbound) {
    await read(`/v1/messages/${m.pmid}`);
    if (m.messageId) await read(`/v1/messages/${m.messageId}`);
  }
  for (const { id } of set.sessions) {
    for (const interval of ['minute', 'hour']) {
      await read(`/v1/sessions/${id}/stats?from=${from}&to=${to}&interval=${interval}`);
    }
    await read(`/v1/sessions/${id}/failures?from=${from}&to=${to}`);
    await read(`/v1/sessions/${id}/replies?from=${from}&to=${to}&limit=1000`);
    for (const status of ['', '&status=open', '&status=resolved'])
      await read(`/v1/alerts?sessionId=${id}${status}`);
  }
  return answers;
}

describe('same events, same answers', () => {
  it('gives identical answers on every read route for one event set in three arrival orders', async () => {
    const set = generateEventSet({ seed: 7, messagesPerSession: 25 });
    const runs: Record<string, unknown>[] = [];
    for (const arrival of arrivals) runs.push(await answersOf(set, arrival));
    const [reference, ...rest] = runs as [Record<string, unknown>, ...Record<string, unknown>[]];
    // The reference run found what the set holds: the comparison is not of empty answers.
    const bodies = Object.values(reference) as { status: number; body: Record<string, unknown[]> }[];
    expect(bodies.filter((a) => a.status === 200).length).toBe(bodies.length);
    const listed = (path: string, field: string) =>
      ((reference[path] as { body: Record<string, unknown[]> }).body[field] ?? []).length;
    for (const { id } of set.sessions) {
      expect(
        listed(`/v1/sessions/${id}/replies?from=${from}&to=${to}&limit=1000`, 'replies'),
        id,
      ).toBeGreaterThan(0);
    }
    expect(listed('/v1/alerts?sessionId=same-cs-c', 'alerts')).toBeGreaterThan(0);
    for (const [i, run] of rest.entries()) {
      for (const path of Object.keys(reference)) {
        expect.soft(run[path], `${path} (arrival ${arrivals[i + 1]!.order})`).toEqual(reference[path]);
      }
    }
  }, 900_000);
});
