// For the "same events, same answers" tests of session alerts: generated session states, the orders and
// batchings they are fed in, and the alerts answer read through the real API app.
import type { ClickHouse } from '@wapipe/clickhouse';
import { createApiApp, memorySessionDirectory } from '@wapipe/api';
import type { ProducedRecord } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { waitFor } from '../harness/kafka.ts';
import { rng } from './delivery-stream.ts';
import { isoAt, sessionStatus } from './failures-service.ts';
import type { FailuresUnderTest } from './failures-service.ts';

const API_KEY = 'failures-order-test-key';

export interface GeneratedState {
  sessionId: string;
  status: string;
  at: string;
  record: ProducedRecord;
}

const STATUSES = ['CONNECTED', 'ERROR', 'STOPPED', 'QR_REQUIRED', 'STARTING'] as const;

/**
 * `perSession` states for each session at random minutes of one hour; some share a minute (ties are broken
 * by event id). Each state is one ChatSend report, so sending its record again is the provider's retry.
 */
export function generateSessionStates(
  sessions: string[],
  perSession: number,
  seed: number,
): GeneratedState[] {
  const random = rng(seed);
  const states: GeneratedState[] = [];
  for (const sessionId of sessions) {
    const seen = new Set<string>();
    while (seen.size < perSession) {
      const status = STATUSES[Math.floor(random() * STATUSES.length)]!;
      const minute = Math.floor(random() * 40);
      if (seen.has(`${status}@${minute}`)) continue;
      seen.add(`${status}@${minute}`);
      const at = isoAt(minute);
      states.push({ sessionId, status, at, record: sessionStatus(sessionId, status, at) });
    }
  }
  return states;
}

/** A seeded shuffle (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = rng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Produces each group as its own step and waits until the consumer committed it, so groups are batches. */
export async function feedInSteps(service: FailuresUnderTest, steps: ProducedRecord[][]): Promise<void> {
  let produced = 0;
  for (const step of steps) {
    if (step.length === 0) continue;
    await service.produce(step);
    produced += step.length;
    await waitFor(`${produced} records committed`, () => service.committed() >= produced, {
      timeoutMs: 60_000,
    });
  }
}

/** `GET /v1/alerts?sessionId=…` of the real API app over this database, for each session in turn. */
export async function alertsAnswer(ch: ClickHouse, sessions: string[]): Promise<unknown[]> {
  const app = createApiApp({
    ch,
    apiKeys: [API_KEY],
    logger: silentLogger,
    sessions: memorySessionDirectory(sessions),
  });
  const answers: unknown[] = [];
  for (const sessionId of sessions) {
    const res = await app.request(`/v1/alerts?sessionId=${encodeURIComponent(sessionId)}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    if (res.status !== 200) throw new Error(`GET /v1/alerts answered ${res.status}: ${await res.text()}`);
    answers.push(await res.json());
  }
  return answers;
}
